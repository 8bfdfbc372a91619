// Runs this checkout's generators the way `yo django-prod[:verify]` does, without a global
// install or `npm link` (and as root, where yo drops privileges and cannot write its config).
//   node scripts/django-prod.ts [app|verify] [destination] [--flags]
import { existsSync } from 'node:fs';
import { enableCompileCache, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

// Node's on-disk compile cache (in the OS temp dir): later runs skip re-compiling
// yeoman-environment's hundreds of modules. Enabled before the dynamic import below, since static
// imports are loaded before any code runs.
enableCompileCache();
// Loading modules is most of a generation's time. yeoman-environment imports fly-import (npm's
// installer: arborist, pacote, sigstore, about 570 modules) to install generators this runner never
// installs, and the whole lodash-es (640 modules) for six functions: both resolve to small stand-ins
// (bench/generate.ts: about 1.8x faster).
const STAND_INS: Record<string, string> = {
  'fly-import': new URL('stand-ins/fly-import.ts', import.meta.url).href,
  'lodash-es': new URL('stand-ins/lodash-es.ts', import.meta.url).href,
};
registerHooks({
  resolve: (specifier, context, nextResolve) =>
    STAND_INS[specifier] ? { url: STAND_INS[specifier], shortCircuit: true } : nextResolve(specifier, context),
});
const { addEnvironmentOptions, createEnv } = await import('yeoman-environment');
const { HELP_WIDTH } = await import('../generators/lib/cli.ts');

const [first, ...rest] = process.argv.slice(2);
const subGenerator = first === 'app' || first === 'verify' ? first : 'app';
const args = subGenerator === first ? rest : process.argv.slice(2);
const generatorPath = fileURLToPath(new URL(`../generators/${subGenerator}/index.ts`, import.meta.url));
if (!existsSync(generatorPath)) throw new Error(`no sub-generator "${subGenerator}"`);

// Commander would print a bad flag itself and exit 1: it throws instead, so a bad flag is one
// line with exit code 2 like every other bad input (--help and --version still exit 0). The
// generator's command is a subcommand of this one and inherits both settings.
const command = addEnvironmentOptions()
  .exitOverride()
  .configureOutput({ writeErr: () => undefined })
  .configureHelp({ helpWidth: HELP_WIDTH });
const env = createEnv({ command });
env.register(generatorPath, { namespace: `django-prod:${subGenerator}` });
try {
  await env.execute(`django-prod:${subGenerator}`, args);
} catch (error) {
  // commander is yeoman-environment's dependency, not ours: its errors are known by their code.
  const { code: commanderCode, exitCode } = error as { code?: unknown; exitCode?: unknown };
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    if (exitCode === 0) process.exit(0);
    console.error(`Error: ${(error as Error).message.replace(/^error: /, '').replaceAll('\n', ' ')}; see --help`);
    process.exit(2);
  }
  const { message, code } = error as Error & { code?: unknown };
  console.error(`Error: ${message}`);
  process.exit(typeof code === 'number' ? code : 1);
}
