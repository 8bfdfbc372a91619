// Re-runs the generator in an existing generated repository (yeoman-test `cd`), capturing what it
// logs and the error it ends with, and edits the stored pristine render to simulate a template
// change without touching the real templates.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import helpers from 'yeoman-test';
import { parsePristine, PRISTINE_PATH, serializePristine } from '../../generators/lib/pristine.ts';
import { APP_GENERATOR, FIXED_HARDWARE, asCliOptions, type AnswerFlags } from './generate.ts';

export interface RegenerateOutcome {
  log: string;
  error: (Error & { code?: unknown }) | undefined;
  askedQuestions: string[];
}

export interface RegenerateOptions {
  /** Run as a non-interactive CLI would (--yes); false to see which questions are asked. */
  yes?: boolean;
  answers?: Record<string, unknown>;
  /** Answers that change each time their question is asked again: the nth ask gets the nth value (the last one after). */
  sequences?: Record<string, unknown[]>;
}

export async function regenerate(dir: string, flags: AnswerFlags = {}, options: RegenerateOptions = {}): Promise<RegenerateOutcome> {
  const logs: string[] = [];
  const asked: string[] = [];
  const withFlags = { force: false, ...(options.yes === false ? {} : { yes: true }), ...FIXED_HARDWARE, ...flags };
  const context = helpers
    .run(APP_GENERATOR)
    .cd(dir)
    .withOptions(asCliOptions(withFlags))
    .withAnswers(options.answers ?? {}, {
      callback: (answer: unknown, { question }: { question: { name: string } }) => {
        const times = asked.filter((name) => name === question.name).length;
        asked.push(question.name);
        const sequence = options.sequences?.[question.name];
        return sequence ? sequence[Math.min(times, sequence.length - 1)] : answer;
      },
    } as never)
    .onGenerator((generator) => {
      const log = (generator as unknown as { log: (...args: unknown[]) => unknown }).log;
      (generator as unknown as { log: unknown }).log = new Proxy(log, {
        apply(target, self, args) {
          logs.push(args.map(String).join(' '));
          return Reflect.apply(target, self, args);
        },
      });
    });
  const error = await context.then(
    () => undefined,
    (caught: Error) => caught,
  );
  return { log: logs.join('\n'), error, askedQuestions: asked };
}

export function readPristine(dir: string): Map<string, string> {
  return parsePristine(readFileSync(path.join(dir, PRISTINE_PATH), 'utf8'));
}

/** Rewrites the stored pristine of some files, as if an older generator had rendered them so. */
export function rewritePristine(dir: string, edits: Record<string, (content: string) => string>): void {
  const files = readPristine(dir);
  for (const [file, edit] of Object.entries(edits)) files.set(file, edit(files.get(file) ?? ''));
  writeFileSync(path.join(dir, PRISTINE_PATH), serializePristine(files));
}

/** Replaces line `index` (0-based) of a text. */
export function replaceLine(content: string, index: number, line: string): string {
  const lines = content.split('\n');
  lines[index] = line;
  return lines.join('\n');
}

export const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');
export const write = (dir: string, file: string, content: string): void => writeFileSync(path.join(dir, file), content);

/** A git repository with everything committed (the state regeneration expects). */
export function commitAll(dir: string, message = 'snapshot'): void {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  if (!existsSync(path.join(dir, '.git'))) git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '--allow-empty', '-m', message);
}
