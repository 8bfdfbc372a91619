// The command line as users meet it, under the real `yo` and the checkout's runner alike:
// unknown flags refused with a suggestion, file-system failures as one line, and --help that fits
// 100 columns. yo parses every flag itself and hands them all to the generator (commander, in the
// runner, refuses unknown ones before the generator starts).
import { closestMatch } from 'leven';
import type Generator from 'yeoman-generator';
import { AnswerError, flagOf } from './answers.ts';

/** What yeoman-environment adds to every generator's options, beside the command line's flags. */
const ENVIRONMENT_KEYS = new Set(['env', 'resolved', 'namespace', '_meta']);
/** yo's own flags (`yo --help`): they reach the generator with the others. */
const YO_FLAGS = ['color', 'debug', 'local-only', 'insight'];

/**
 * Whether two spellings name one flag, case and dashes aside: --backup-s3-bucket is backupS3Bucket
 * under yo (which camel-cases flags) and also backup-s-3-bucket under yeoman-test (lodash's kebab-case).
 */
export const sameFlag = (a: string, b: string): boolean => a.replaceAll('-', '').toLowerCase() === b.replaceAll('-', '').toLowerCase();

/** A declared option, as yeoman-generator keeps it in `_options`. */
export interface OptionSpec {
  name: string;
  alias?: string;
  description?: string;
  hide?: boolean | string;
  type?: unknown;
  /** false: the value is optional (a yes/no answer's flag). */
  required?: boolean;
}

/**
 * The options passed to a generator's constructor are its flags (camelCase, and under yo their
 * kebab-case too) plus what the environment adds (`shared`: env.sharedOptions). Throws for the
 * first flag no option declares, with the closest declared one.
 */
function refuseUnknownFlags(options: Record<string, unknown>, declared: readonly OptionSpec[], shared: readonly string[]): void {
  const known = [...declared.map((option) => option.name), ...YO_FLAGS];
  const unknown = Object.keys(options)
    .filter((key) => !ENVIRONMENT_KEYS.has(key) && !shared.includes(key))
    .map(flagOf)
    .find((flag) => !known.some((name) => sameFlag(name, flag)));
  if (unknown === undefined) return;
  const visible = declared.filter((option) => !option.hide).map((option) => option.name);
  const suggestion = closestMatch(unknown, visible, { maxDistance: Math.max(2, Math.floor(unknown.length / 3)) });
  throw new AnswerError(`unknown option '--${unknown}'${suggestion ? ` (Did you mean --${suggestion}?)` : ''}; see --help`);
}

const FILE_SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** A failure of the file system (a Node system error with a path): its one line, exit code 2. */
export class FileSystemError extends AnswerError {}

/**
 * The error as a FileSystemError when it is one of the file system's (a Node system error of a
 * file syscall), else unchanged. `where` names the place when the error has no path (a write).
 */
export function asFileSystemError(error: unknown, where?: string): unknown {
  const { code, syscall, path } = (error ?? {}) as NodeJS.ErrnoException;
  const place = path ?? where;
  if (typeof code !== 'string' || typeof syscall !== 'string' || place === undefined) return error;
  return new FileSystemError(`Cannot ${syscall} ${place}: ${FILE_SYSTEM_REASONS[code] ?? code} (${code})`);
}

export const HELP_WIDTH = 100;

/** Words of text in lines of at most width characters (a longer word is cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Rows of a label and its description, the descriptions wrapped so that no line passes HELP_WIDTH. */
function helpTable(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const indent = ' '.repeat(2 + width + 2);
  return rows
    .flatMap(([label, description]) => {
      const [first = '', ...rest] = wrap(description, HELP_WIDTH - indent.length);
      return [`  ${label.padEnd(width)}  ${first}`.trimEnd(), ...rest.map((line) => `${indent}${line}`)];
    })
    .join('\n');
}

/** yeoman-generator's options table (--help), wrapped. */
function optionsHelp(options: readonly OptionSpec[]): string {
  const value = (option: OptionSpec) => (option.type === Boolean ? '' : option.required === false ? ' [value]' : ' <value>');
  return helpTable(
    options
      .filter((option) => !option.hide)
      .map((option) => [`${option.alias ? `-${option.alias}, ` : '    '}--${option.name}${value(option)}`, option.description ?? '']),
  );
}

/** yeoman-generator's arguments table (--help), wrapped. */
function argumentsHelp(args: readonly { name: string; description?: string }[]): string {
  return helpTable(args.map((arg) => [arg.name, arg.description ?? '']));
}

/**
 * For a generator's constructor, once its options are declared: refuses a flag none declares, and
 * wraps the tables of its --help (yeoman-generator pads them to the longest description).
 */
export function checkCommandLine(generator: Generator, options: Record<string, unknown>): void {
  const shared = (options['env'] as { sharedOptions?: object } | undefined)?.sharedOptions ?? {};
  refuseUnknownFlags(options, Object.values(generator._options), Object.keys(shared));
  generator.optionsHelp = () => optionsHelp(Object.values(generator._options));
  generator.argumentsHelp = () => argumentsHelp(generator._arguments);
}

/**
 * Yeoman logs "An error occured while running <task>" before rethrowing any error; an error that
 * is its own one line (`isOneLine`, after file-system errors become FileSystemError) must be the
 * only line the CLI prints, so the wrapped task swallows it and it is thrown after. `onFailure`
 * runs first on any failure. Installed on the instance: Yeoman would run a method of the class's
 * prototype as a task of its own.
 */
export function quietOneLineErrors(generator: Generator, isOneLine: (error: unknown) => error is Error, onFailure: () => void): void {
  type Task = Parameters<Generator['executeTask']>[0];
  const executeTask = generator.executeTask.bind(generator) as (task: Task, ...rest: unknown[]) => Promise<void>;
  generator.executeTask = async (task: Task, ...rest: unknown[]) => {
    let refusal: Error | undefined;
    const method = task.method;
    const swallowing = async function (this: unknown, ...args: unknown[]) {
      try {
        return await method.apply(this, args);
      } catch (thrown) {
        const error = asFileSystemError(thrown);
        if (!isOneLine(error)) throw error;
        refusal = error;
      }
    };
    try {
      await executeTask({ ...task, method: swallowing }, ...rest);
    } catch (error) {
      onFailure();
      throw error;
    }
    if (refusal === undefined) return;
    onFailure();
    if (task.reject) task.reject(refusal);
    else throw refusal;
  };
}
