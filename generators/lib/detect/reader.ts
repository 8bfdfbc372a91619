// The only file-system access of detection: a project directory seen as relative POSIX paths,
// so every detector is a pure function of a reader (tests use an in-memory one).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AnswerError } from '../answer-spec.ts';

/** Detection found something it cannot work with: one line for the user, exit code 2. */
export class DetectionError extends AnswerError {}

export interface ProjectReader {
  /** A file's text, or undefined when it does not exist (or is a directory). */
  read(file: string): string | undefined;
  exists(file: string): boolean;
  /** Names of the entries of a directory ('' is the root), sorted; empty when it does not exist. */
  list(directory: string): string[];
}

export function directoryReader(root: string): ProjectReader {
  const resolve = (file: string) => path.join(root, ...file.split('/').filter((part) => part !== ''));
  return {
    read(file) {
      const target = resolve(file);
      return existsSync(target) && statSync(target).isFile() ? readFileSync(target, 'utf8') : undefined;
    },
    exists: (file) => existsSync(resolve(file)),
    list(directory) {
      const target = resolve(directory);
      return existsSync(target) && statSync(target).isDirectory() ? readdirSync(target).sort() : [];
    },
  };
}

/** A reader over a map of path -> text (directories are implied by the paths). */
export function memoryReader(files: Record<string, string>): ProjectReader {
  const paths = Object.keys(files);
  return {
    read: (file) => files[file],
    exists: (file) => file in files || paths.some((known) => known.startsWith(`${file}/`)),
    list(directory) {
      const prefix = directory === '' ? '' : `${directory}/`;
      const names = paths.filter((known) => known.startsWith(prefix)).map((known) => known.slice(prefix.length).split('/')[0]!);
      return [...new Set(names)].sort();
    },
  };
}
