// Regeneration: decides, per file, what happens when the generator runs again in a repository
// it generated before. Three versions of each file meet:
//   base      = the pristine previous render (pristine.ts), what the generator wrote last time;
//   yours     = what is on disk now (the user's edits, committed in git);
//   generator = the new render (new generator version and/or changed answers).
// The shape follows Copier's `_apply_update`: one small step per case, named after what it does,
// and a plan that is computed completely before anything is written (so --dry-run is the same
// code path minus the writes). Real three-way merges use git's own `git merge-file` (merge-lines.ts),
// requirements files merge by package (merge-requirements.ts).
import { MARKER_LABELS, gitMergeFile, mergeLines, type ThreeWayMerge } from './merge-lines.ts';
import { REQUIREMENTS_FILE, mergeRequirements } from './merge-requirements.ts';
import type { PristineFiles } from './pristine.ts';
import type { RenderedTree } from './render.ts';
import type { Secret } from './feature.ts';
import { CORE_SECRETS, fileSecrets, fillEnvFile, parseEnv, secretFileOf, SECRETS_DIRECTORY, withoutVariables } from './secrets.ts';

/** Table order of the summary. */
export const FILE_STATUSES = ['updated', 'merged', 'conflict', 'kept', 'added', 'removed', 'unchanged'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export interface FileAction {
  /** Path in the generated repository (POSIX separators). */
  path: string;
  status: FileStatus;
  /** Content to write; absent = leave the file as it is. */
  write?: { content: string; mode: number };
  /** Delete the file (only ever a file the user never touched). */
  remove?: true;
  /** Why, when the status alone does not say it. */
  note?: string;
}

export interface RegenerationInput {
  /** The pristine previous render; empty when the repository has none (every edit then merges against nothing). */
  base: PristineFiles;
  /** The new render (without .env). */
  render: RenderedTree;
  /** The file as it is in the repository now; undefined when it does not exist. */
  readCurrent: (file: string) => string | undefined;
  /** One merge for every file (tests); by default mergeFor picks it per file. */
  merge?: ThreeWayMerge;
}

const modeOf = (executable: boolean): number => (executable ? 0o755 : 0o644);

/**
 * The merge of a file: requirements files by package; other files line by line, both sides'
 * insertions at one place kept. A file the user created where the generator now adds one has no
 * base: "both only inserted" would be the whole file, two versions of it to choose between, so
 * git's plain merge marks the differences.
 */
export function mergeFor(file: string, options: { createdByUser?: boolean } = {}): ThreeWayMerge {
  if (REQUIREMENTS_FILE.test(file)) return mergeRequirements;
  return options.createdByUser ? gitMergeFile : mergeLines;
}

// --- one step per case -------------------------------------------------------------------

/** Untouched by the user: the new render replaces it. */
function replaceUntouchedFile(file: string, generator: string, executable: boolean, current: string): FileAction {
  if (generator === current) return { path: file, status: 'unchanged' };
  return { path: file, status: 'updated', write: { content: generator, mode: modeOf(executable) } };
}

/** Changed by the user, not by the new render: the user's version stays. */
function keepUserEdit(file: string): FileAction {
  return { path: file, status: 'kept', note: 'your edit; the generator did not change it' };
}

/** Changed by both: three-way merge, conflicts marked in the file. */
function mergeBothChanges(
  file: string,
  base: string,
  current: string,
  generator: string,
  executable: boolean,
  merge: ThreeWayMerge,
  note?: string,
): FileAction {
  if (current === generator) return { path: file, status: 'unchanged' };
  const merged = merge(base, current, generator);
  if (merged.conflicts > 0) {
    const blocks = `${merged.conflicts} conflict${merged.conflicts === 1 ? '' : 's'}`;
    return {
      path: file,
      status: 'conflict',
      write: { content: merged.content, mode: modeOf(executable) },
      note: note ? `${blocks}; ${note}` : blocks,
    };
  }
  if (merged.content === current) return { path: file, status: 'kept', note: "your version already has the generator's change" };
  return { path: file, status: 'merged', write: { content: merged.content, mode: modeOf(executable) }, ...(note ? { note } : {}) };
}

/** Deleted by the user: stays deleted, whatever the new render says. */
function keepUserDeletion(file: string): FileAction {
  return { path: file, status: 'kept', note: 'deleted by you: stays deleted' };
}

/** Gone from the new render: deleted if the user never touched it, else kept. */
function removeDroppedFile(file: string, base: string, current: string | undefined): FileAction | undefined {
  if (current === undefined) return undefined; // gone everywhere: nothing to report
  if (current === base) return { path: file, status: 'removed', remove: true };
  return { path: file, status: 'kept', note: 'no longer generated, but you changed it: review and delete it if unneeded' };
}

/** New in the render: added, or merged against an empty base if the user made a file there. */
function addNewFile(file: string, generator: string, executable: boolean, current: string | undefined, merge: ThreeWayMerge): FileAction {
  if (current === undefined) return { path: file, status: 'added', write: { content: generator, mode: modeOf(executable) } };
  return mergeBothChanges(file, '', current, generator, executable, merge, 'you created this file before the generator did');
}

/** Decides one file from its three versions. */
export function planFile(file: string, input: RegenerationInput): FileAction | undefined {
  const base = input.base.get(file);
  const rendered = input.render.get(file);
  const current = input.readCurrent(file);
  const merge = input.merge ?? mergeFor(file, { createdByUser: base === undefined });
  if (rendered === undefined) return base === undefined ? undefined : removeDroppedFile(file, base, current);
  if (base === undefined) return addNewFile(file, rendered.content, rendered.executable, current, merge);
  if (current === undefined) return keepUserDeletion(file);
  if (current === base) return replaceUntouchedFile(file, rendered.content, rendered.executable, current);
  if (rendered.content === base) return keepUserEdit(file);
  return mergeBothChanges(file, base, current, rendered.content, rendered.executable, merge);
}

/** Every path of the previous and the new render, sorted (deterministic plan and report). */
export function collectPaths(base: PristineFiles, render: RenderedTree): string[] {
  return [...new Set([...base.keys(), ...render.keys()])].filter((file) => file !== '.env').sort();
}

/** Regeneration: the plan for every file, computed before anything is written. */
export function planRegeneration(input: RegenerationInput): FileAction[] {
  return collectPaths(input.base, input.render)
    .map((file) => planFile(file, input))
    .filter((action): action is FileAction => action !== undefined);
}

/** Fresh generation: every rendered file is written as rendered. */
export function planFreshGeneration(render: RenderedTree): FileAction[] {
  return [...render.keys()]
    .filter((file) => file !== '.env')
    .sort()
    .map((file) => {
      const { content, executable } = render.get(file)!;
      return { path: file, status: 'added', write: { content, mode: modeOf(executable) } };
    });
}

/**
 * `.env` is never merged: existing values stay, variables new in .env.example are appended, and
 * secrets an older release kept there leave it (planSecretFiles moves them into secret files).
 */
export function fillSecretsFile(
  example: string,
  current: string | undefined,
  secrets: readonly Secret[] = CORE_SECRETS,
  generated?: Map<string, string>,
): FileAction {
  const moved = fileSecrets(secrets).map(({ variable }) => variable);
  const content = withoutVariables(fillEnvFile(example, current ?? '', secrets, generated), moved);
  if (current === undefined || current === '') return { path: '.env', status: 'added', write: { content, mode: 0o600 } };
  if (content === current) return { path: '.env', status: 'unchanged' };
  const before = parseEnv(current);
  const after = parseEnv(content);
  const added = [...after.keys()].filter((name) => !before.has(name));
  const removed = moved.filter((name) => before.has(name));
  // A server keeps its own .env (git-ignored): it needs the same lines before the next deploy.
  const note = [
    ...(added.length > 0
      ? [`new variables appended (${added.join(', ')}), existing values untouched: add them to each server's .env too`]
      : []),
    ...(removed.length > 0 ? [`secrets moved to ${SECRETS_DIRECTORY}/ (${removed.join(', ')})`] : []),
  ].join('; ');
  return { path: '.env', status: 'updated', write: { content, mode: 0o600 }, note };
}

/**
 * The secret files, each kept when it exists. A missing one takes the value .env still holds (a
 * repository from before secret files: nothing is regenerated behind its back), or the one an
 * earlier release stored as an answer (`stored`: migrations.ts), else a generated one, else stays
 * empty for the user to fill in. Mode 644: the containers' users read the file
 * through its bind mount, while the folder (700) keeps other users of the server out.
 */
export function planSecretFiles(
  secrets: readonly Secret[],
  env: ReadonlyMap<string, string>,
  readCurrent: (file: string) => string | undefined,
  directory = SECRETS_DIRECTORY,
  stored: ReadonlyMap<string, string> = new Map(),
): FileAction[] {
  const generated = new Map<Secret, readonly string[]>();
  const values = new Map<string, string>();
  const plan = (secret: Secret, variable: string, index: number): FileAction => {
    const file = `${directory}/${secretFileOf(variable)}`;
    const current = readCurrent(file);
    if (secret.derive) {
      const content = secret.derive.content(values.get(secret.derive.from) ?? '');
      if (current === content) return { path: file, status: 'unchanged' };
      return {
        path: file,
        status: current === undefined ? 'added' : 'updated',
        write: { content, mode: 0o644 },
        note: `from ${secret.derive.from}`,
      };
    }
    if (current !== undefined) {
      values.set(variable, current.replace(/\n$/, ''));
      return { path: file, status: 'unchanged' };
    }
    const fromEnv = env.get(variable) ?? '';
    const fromStore = stored.get(variable) ?? '';
    if (secret.generate && fromEnv === '' && !generated.has(secret)) generated.set(secret, secret.generate());
    const content = fromEnv || fromStore || (generated.get(secret)?.[index] ?? '');
    values.set(variable, content);
    const note = fromEnv ? `${variable}'s value in .env` : fromStore ? 'the value .yo-rc.json held as an answer' : undefined;
    return { path: file, status: 'added', write: { content, mode: 0o644 }, ...(note ? { note } : {}) };
  };
  // Derived files last: they read the others' values.
  const all = fileSecrets(secrets);
  const planned = new Map(
    [...all.filter(({ secret }) => !secret.derive), ...all.filter(({ secret }) => secret.derive)].map(
      ({ secret, variable, index }) => [variable, plan(secret, variable, index)] as const,
    ),
  );
  return all.map(({ variable }) => planned.get(variable)!);
}

/** Files still holding this generator's conflict markers from an earlier run (sorted). */
export function filesWithConflictMarkers(files: Iterable<string>, readCurrent: (file: string) => string | undefined): string[] {
  const opening = new RegExp(`^<{7} ${MARKER_LABELS.yours}$`, 'm');
  const closing = new RegExp(`^>{7} ${MARKER_LABELS.generator}$`, 'm');
  return [...files]
    .filter((file) => {
      const content = readCurrent(file);
      return content !== undefined && opening.test(content) && closing.test(content);
    })
    .sort();
}

// --- report ------------------------------------------------------------------------------

export const conflictsOf = (actions: readonly FileAction[]): FileAction[] => actions.filter((action) => action.status === 'conflict');

export function countByStatus(actions: readonly FileAction[]): Record<FileStatus, number> {
  const counts = Object.fromEntries(FILE_STATUSES.map((status) => [status, 0])) as Record<FileStatus, number>;
  for (const action of actions) counts[action.status] += 1;
  return counts;
}

/** The summary table (counts) and the file list per status, in a fixed order. */
export function formatSummary(actions: readonly FileAction[], options: { dryRun?: boolean } = {}): string {
  const counts = countByStatus(actions);
  const width = Math.max(...FILE_STATUSES.map((status) => status.length));
  const lines = [options.dryRun ? 'Regeneration plan (--dry-run: nothing written)' : 'Regeneration summary'];
  for (const status of FILE_STATUSES) lines.push(`  ${status.padEnd(width)}  ${String(counts[status]).padStart(4)}`);
  for (const status of FILE_STATUSES) {
    const files = actions.filter((action) => action.status === status).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (files.length === 0) continue;
    lines.push('', `${status}:`);
    for (const action of files) lines.push(`  ${action.path}${action.note ? `  (${action.note})` : ''}`);
  }
  const conflicts = counts.conflict;
  if (conflicts > 0) {
    lines.push(
      '',
      `${conflicts} file${conflicts === 1 ? '' : 's'} ${options.dryRun ? 'would have' : conflicts === 1 ? 'has' : 'have'} conflicts: resolve each "<<<<<<< ${MARKER_LABELS.yours}" ... ">>>>>>> ${MARKER_LABELS.generator}" block, then commit (\`git diff\` shows every change of this run; \`git checkout -- .\` undoes them).`,
    );
  }
  return lines.join('\n');
}

/** Thrown at the very end of a run (after files are written) when conflicts remain: exit code 3. */
export class MergeConflictError extends Error {
  readonly code = 3;
}
