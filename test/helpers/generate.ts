// Runs the real generator (yeoman-test) with given answers into a fresh temporary directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import helpers, { type RunResult } from 'yeoman-test';
import { flagOf, type Answers } from '../../generators/lib/answers.ts';

export const APP_GENERATOR = path.resolve(fileURLToPath(import.meta.url), '../../../generators/app/index.ts');

// yeoman-test passes force: true by default; the CLI does not, so neither do we.
/** Flags as the CLI would get them: camelCase answer names, values as given. */
export type AnswerFlags = Partial<Record<keyof Answers, unknown>> & Record<string, unknown>;

/** Fixed hardware so snapshots do not depend on the machine running the tests. */
export const FIXED_HARDWARE = { cpus: 2, memoryMb: 4096 } as const;

export async function generateProject(flags: AnswerFlags, options: { cwd?: string } = {}): Promise<RunResult> {
  const context = helpers.run(APP_GENERATOR).withOptions(asCliOptions({ yes: true, force: false, ...FIXED_HARDWARE, ...flags }));
  return options.cwd ? context.cd(options.cwd) : context;
}

/** Options keyed by their CLI flag (packageName -> package-name), as the generator declares them. */
export function asCliOptions(flags: AnswerFlags): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).map(([key, value]) => [flagOf(key), value]));
}
