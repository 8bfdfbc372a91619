// Three-way merge of one file's text with git's own machinery, plus one rule git does not have:
// where both sides only ADDED lines at the same place of the base (the user's import beside the
// generator's new one), both are kept, the user's first. git marks that as a conflict; Copier and
// cruft leave it to the user too. A conflict remains only where both sides changed or deleted the
// same base lines.
//
// How: `git merge-file` first; when it reports conflicts, a second run in diff3 style shows each
// conflict's base lines, and `git diff` of that base against each side gives the two edit lists.
// When no base line is touched by both (insertions touch none), both edit lists are applied;
// otherwise the region stays a conflict, marked by `git merge-file` as before. `--union` is not
// used: it interleaves the two sides' lines where they happen to match (`foo(`, `x`, `bar(`, `y`,
// `)` from two added calls), breaking code that concatenation keeps whole.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MergeResult {
  content: string;
  /** Number of conflict blocks left in content (0 = clean merge). */
  conflicts: number;
}

/** A three-way merge of one file's text. */
export type ThreeWayMerge = (base: string, yours: string, generator: string) => MergeResult;

/** Labels of git's conflict markers: `<<<<<<< yours` / `=======` / `>>>>>>> generator`. */
export const MARKER_LABELS = { yours: 'yours', base: 'previous render', generator: 'generator' } as const;

/** One region git could not merge, as lists of lines (each with its "\n"). */
export interface ConflictRegion {
  base: string[];
  yours: string[];
  generator: string[];
}

/** Resolves a region, or leaves it a conflict (undefined). */
export type RegionResolver = (region: ConflictRegion) => string[] | undefined;

/** Runs git in a scratch directory holding `files`, outside any repository. */
function gitOnFiles(files: Record<string, string>, args: string[]): { stdout: string; status: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'django-prod-merge-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new Error(`git could not run (${result.error.message}): regeneration needs git on PATH`);
    // merge-file exits with the number of conflicts (capped at 127), diff with 1 for "differs"; above that git failed.
    if (result.status === null || result.status > 127) {
      throw new Error(
        `git ${args.find((arg) => !arg.startsWith('-'))} failed: ${result.stderr.trim().split('\n')[0] ?? `status ${result.status}`}`,
      );
    }
    return { stdout: result.stdout, status: result.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `git merge-file -p` with our labels, whatever the user's git config says (so output is
 * deterministic): the standard "merge" conflict style, or diff3 (base lines shown) for analysis.
 */
function runMergeFile(base: string, yours: string, generator: string, extra: readonly string[] = []): { stdout: string; status: number } {
  const labels = [MARKER_LABELS.yours, MARKER_LABELS.base, MARKER_LABELS.generator].flatMap((label) => ['-L', label]);
  return gitOnFiles({ yours, base, generator }, [
    '-c',
    'merge.conflictStyle=merge',
    'merge-file',
    '-p',
    ...extra,
    ...labels,
    'yours',
    'base',
    'generator',
  ]);
}

/** Plain `git merge-file`: every region both sides touched is a conflict, standard markers. */
export const gitMergeFile: ThreeWayMerge = (base, yours, generator) => {
  const result = runMergeFile(base, yours, generator);
  return { content: result.stdout, conflicts: result.status };
};

/** Lines with their "\n" (the last one may lack it). */
export const splitLines = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

// Markers of the analysis run: long enough that no file line looks like one (a Markdown
// heading's "=======" would, at git's default 7).
const ANALYSIS_MARKER_SIZE = 40;
const analysisMarker = (char: string, label?: string) => `${char.repeat(ANALYSIS_MARKER_SIZE)}${label ? ` ${label}` : ''}\n`;

/** `git merge-file --diff3`'s output: merged lines, and each conflict region with its base lines. */
function diff3Segments(base: string, yours: string, generator: string): (string | ConflictRegion)[] {
  const { stdout } = runMergeFile(base, yours, generator, ['--diff3', `--marker-size=${ANALYSIS_MARKER_SIZE}`]);
  const markers = {
    yours: analysisMarker('<', MARKER_LABELS.yours),
    base: analysisMarker('|', MARKER_LABELS.base),
    generator: analysisMarker('=', undefined),
    end: analysisMarker('>', MARKER_LABELS.generator),
  };
  const segments: (string | ConflictRegion)[] = [];
  let region: ConflictRegion | undefined;
  let side: keyof ConflictRegion = 'yours';
  for (const line of splitLines(stdout)) {
    if (line === markers.yours) [region, side] = [{ base: [], yours: [], generator: [] }, 'yours'];
    else if (region && line === markers.base) side = 'base';
    else if (region && line === markers.generator) side = 'generator';
    else if (region && line === markers.end) {
      segments.push(region);
      region = undefined;
    } else if (region) region[side].push(line);
    else segments.push(line);
  }
  return segments;
}

/** An edit of the base: lines [start, end) replaced by `lines` (start = end: an insertion before line start). */
interface Edit {
  start: number;
  end: number;
  lines: string[];
}

/** The edits turning `base` into `side`, from `git diff` (no context, so each hunk is one edit). */
function editsOf(base: string[], side: string[]): Edit[] {
  if (base.length === 0) return side.length === 0 ? [] : [{ start: 0, end: 0, lines: side }];
  const { stdout } = gitOnFiles({ base: base.join(''), side: side.join('') }, [
    'diff',
    '--no-index',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--diff-algorithm=myers',
    '--unified=0',
    'base',
    'side',
  ]);
  const edits: Edit[] = [];
  for (const match of stdout.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const number = (group: number) => Number(match[group] ?? 1);
    const [baseAt, baseCount, sideAt, sideCount] = [number(1), number(2), number(3), number(4)];
    // A count of 0 names the line BEFORE the change; otherwise its first line (1-based).
    const start = baseCount === 0 ? baseAt : baseAt - 1;
    const from = sideCount === 0 ? sideAt : sideAt - 1;
    edits.push({ start, end: start + baseCount, lines: side.slice(from, from + sideCount) });
  }
  return edits;
}

const isInsertion = (edit: Edit) => edit.start === edit.end;
const sameLines = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((line, index) => line === b[index]);
/**
 * `a` adds nothing to `b`: the same edit, or (same base lines) b's new lines begin or end with
 * all of a's, as when both sides changed a line alike and one also added a line after it.
 */
function coveredBy(a: Edit, b: Edit): boolean {
  if (a.start !== b.start || a.end !== b.end) return false;
  if (sameLines(a.lines, b.lines)) return true;
  const [short, long] = [a.lines, b.lines];
  return (
    short.length > 0 &&
    short.length < long.length &&
    (sameLines(short, long.slice(0, short.length)) || sameLines(short, long.slice(-short.length)))
  );
}

/** Both touch a base line, or one inserts inside the lines the other replaces. */
function clash(a: Edit, b: Edit): boolean {
  if (Math.max(a.start, b.start) < Math.min(a.end, b.end)) return true;
  const inside = (insertion: Edit, range: Edit) => isInsertion(insertion) && range.start < insertion.start && insertion.start < range.end;
  return inside(a, b) || inside(b, a);
}

/**
 * Applies both sides' edits of a region when they touch different base lines (an edit the other
 * side also made counts once). At one place: the user's insertion first, then the generator's,
 * then an edit of the lines that follow. Undefined when both changed or deleted the same base lines.
 */
export const keepBothSides: RegionResolver = ({ base, yours, generator }) => {
  const [yourEdits, generatorEdits] = [editsOf(base, yours), editsOf(base, generator)];
  const mine = yourEdits.filter((edit) => !generatorEdits.some((other) => coveredBy(edit, other) && !coveredBy(other, edit)));
  const theirs = generatorEdits.filter((edit) => !mine.some((other) => coveredBy(edit, other)));
  if (mine.some((edit) => theirs.some((other) => clash(edit, other)))) return undefined;
  const ordered = [...mine.map((edit) => ({ edit, side: 0 })), ...theirs.map((edit) => ({ edit, side: 1 }))].sort(
    (a, b) => a.edit.start - b.edit.start || Number(isInsertion(b.edit)) - Number(isInsertion(a.edit)) || a.side - b.side,
  );
  const merged: string[] = [];
  let at = 0;
  for (const { edit } of ordered) {
    merged.push(...base.slice(at, edit.start), ...edit.lines);
    at = edit.end;
  }
  return [...merged, ...base.slice(at)];
};

/**
 * `git merge-file`, then each conflict region it left goes to `resolve`; a region still
 * unresolved is marked by `git merge-file` on that region alone (standard markers).
 */
export function mergeResolving(base: string, yours: string, generator: string, resolve: RegionResolver): MergeResult {
  const plain = gitMergeFile(base, yours, generator);
  if (plain.conflicts === 0) return plain;
  // Regions are whole lines: a missing final newline is put back after the merge, as yours has it.
  const withNewline = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);
  let conflicts = 0;
  const merged = diff3Segments(withNewline(base), withNewline(yours), withNewline(generator)).map((segment) => {
    if (typeof segment === 'string') return segment;
    const resolved = resolve(segment);
    if (resolved !== undefined) return resolved.join('');
    const marked = gitMergeFile(segment.base.join(''), segment.yours.join(''), segment.generator.join(''));
    conflicts += marked.conflicts;
    return marked.content;
  });
  const content = merged.join('');
  return { content: yours !== '' && !yours.endsWith('\n') ? content.replace(/\n$/, '') : content, conflicts };
}

/** The merge of every text file: git's, with both sides' insertions at one place kept (see above). */
export const mergeLines: ThreeWayMerge = (base, yours, generator) => mergeResolving(base, yours, generator, keepBothSides);
