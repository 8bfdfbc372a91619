// Files an answer names (the answers file, the ACME CA bundle): read with every failure turned
// into one line that names the answer, never a raw EISDIR/EACCES stack.
import { readFileSync, statSync } from 'node:fs';
import { AnswerError } from './answers.ts';

/** Larger than any answers file or CA bundle: a bigger file is a mistake, not input. */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

const REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable (permission denied)',
  EPERM: 'is not readable (permission denied)',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'does not exist (a part of the path is not a directory)',
  ELOOP: 'is a symbolic link loop',
};

/** The file's text, or AnswerError "<label> <file>: <why>" (`label` names the answer, e.g. 'Answers file'). */
export function readInputFile(file: string, label: string, maxBytes = MAX_INPUT_FILE_BYTES): string {
  const refuse = (why: string) => new AnswerError(`${label} ${file}: ${why}`);
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw refuse(REASONS['EISDIR']!);
    if (!stat.isFile()) throw refuse('is not a regular file');
    if (stat.size > maxBytes) throw refuse(`is ${stat.size} bytes; at most ${maxBytes} are read`);
    const text = readFileSync(file, 'utf8');
    // The file may have grown between stat and read.
    if (Buffer.byteLength(text) > maxBytes) throw refuse(`is more than ${maxBytes} bytes`);
    return text;
  } catch (error) {
    if (error instanceof AnswerError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw refuse(REASONS[code] ?? `cannot be read (${code})`);
  }
}
