// Runs this checkout's generators the way `yo django-prod[:verify]` does, without a global
// install or `npm link` (and as root, where yo drops privileges and cannot write its config).
//   node scripts/django-prod.ts [app|verify] [destination] [--flags]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEnv } from 'yeoman-environment';

const [first, ...rest] = process.argv.slice(2);
const subGenerator = first === 'app' || first === 'verify' ? first : 'app';
const args = subGenerator === first ? rest : process.argv.slice(2);
const generatorPath = fileURLToPath(new URL(`../generators/${subGenerator}/index.ts`, import.meta.url));
if (!existsSync(generatorPath)) throw new Error(`no sub-generator "${subGenerator}"`);

const env = createEnv();
env.register(generatorPath, { namespace: `django-prod:${subGenerator}` });
try {
  await env.execute(`django-prod:${subGenerator}`, args);
} catch (error) {
  const { message, code } = error as Error & { code?: unknown };
  console.error(`Error: ${message}`);
  process.exit(typeof code === 'number' ? code : 1);
}
