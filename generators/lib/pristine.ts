// The pristine previous render: exactly what the generator wrote last time, before any user
// edit. It is the merge base when the repository is regenerated, so it must survive without the
// old generator version installed: it is committed with the repository.
//
// Store: ONE file, `.django-prod/pristine.json`, holding
//   { "format": 1, "files": { "<path>": ["line 1", "line 2", ...] } }
// with paths sorted and each file as its array of lines, pretty-printed one line per JSON line.
// Why this shape:
// - deterministic: sorted keys, no timestamps, so the same render gives the same bytes;
// - diff-friendly: a template change shows in `git diff` as the changed lines only (a file kept
//   as one JSON string would be one long changed line);
// - lossless: `lines.join('\n')` gives the exact bytes back (a trailing newline is a last "");
// - invisible to tooling: per-file copies under a dot-directory would carry real names
//   (Dockerfile, requirements.txt, *.py) that Renovate/Dependabot, linters and test runners
//   pick up, and a "helpful" dependency PR against the copy would corrupt the merge base.
// `.env` is never part of it: it holds the secrets and is never regenerated.
import type { RenderedTree } from './render.ts';

export const PRISTINE_PATH = '.django-prod/pristine.json';
export const PRISTINE_FORMAT = 1;

/** Files never stored as pristine: secrets, and the store itself. */
const NEVER_PRISTINE = new Set(['.env', PRISTINE_PATH]);

/** path -> exact content the generator rendered. */
export type PristineFiles = Map<string, string>;

interface PristineDocument {
  format: number;
  files: Record<string, string[]>;
}

/** Thrown when the store exists but cannot be used as a merge base. */
export class PristineError extends Error {
  readonly code = 2;
}

/** The pristine files of a render (what is stored after writing). */
export function pristineOf(tree: RenderedTree): PristineFiles {
  const files: PristineFiles = new Map();
  for (const [file, { content }] of tree) if (!NEVER_PRISTINE.has(file)) files.set(file, content);
  return files;
}

/** The store's text: sorted paths, one JSON line per file line, trailing newline. */
export function serializePristine(files: PristineFiles): string {
  const sorted: Record<string, string[]> = {};
  for (const file of [...files.keys()].filter((key) => !NEVER_PRISTINE.has(key)).sort()) {
    sorted[file] = files.get(file)!.split('\n');
  }
  const document: PristineDocument = { format: PRISTINE_FORMAT, files: sorted };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Reads the store's text back; throws PristineError naming the file when it is unusable. */
export function parsePristine(text: string): PristineFiles {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PristineError(`${PRISTINE_PATH}: not valid JSON (${(error as Error).message.split('\n')[0]}); restore it from git`);
  }
  const document = parsed as Partial<PristineDocument> | null;
  if (
    typeof document !== 'object' ||
    document === null ||
    document.format !== PRISTINE_FORMAT ||
    typeof document.files !== 'object' ||
    document.files === null
  ) {
    throw new PristineError(`${PRISTINE_PATH}: not a format ${PRISTINE_FORMAT} pristine store; restore it from git`);
  }
  const files: PristineFiles = new Map();
  for (const [file, lines] of Object.entries(document.files)) {
    if (!Array.isArray(lines) || !lines.every((line) => typeof line === 'string')) {
      throw new PristineError(`${PRISTINE_PATH}: entry "${file}" must be an array of lines; restore it from git`);
    }
    if (!NEVER_PRISTINE.has(file)) files.set(file, lines.join('\n'));
  }
  return files;
}
