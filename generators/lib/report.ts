// The per-file lines a run prints while writing, in Yeoman's words where Yeoman has one
// (create, identical, force, conflict, skip) and paths relative to the target. The generator's own
// plan (merge.ts) decides every file; this only names what the plan does to it.
import type { FileAction, FileStatus } from './merge.ts';

export const REPORT_VERBS = ['create', 'identical', 'force', 'update', 'merged', 'conflict', 'skip', 'remove'] as const;
export type ReportVerb = (typeof REPORT_VERBS)[number];

/** Colours as Yeoman's logger uses them (node:util styleText names). */
export const VERB_COLORS: Record<ReportVerb, 'green' | 'cyan' | 'yellow' | 'red'> = {
  create: 'green',
  identical: 'cyan',
  force: 'yellow',
  update: 'yellow',
  merged: 'green',
  conflict: 'red',
  skip: 'yellow',
  remove: 'red',
};

const VERB_OF_STATUS: Record<Exclude<FileStatus, 'added' | 'updated'>, ReportVerb> = {
  unchanged: 'identical',
  merged: 'merged',
  conflict: 'conflict',
  kept: 'skip',
  removed: 'remove',
};

/**
 * One file's verb. `current` is the file on disk before this run wrote it: a written file is
 * `create` when there was none, `identical` when it held the same text, `update` when the plan
 * replaced an untouched file, and `force` when a fresh generation (--force) overwrote one.
 */
export function reportVerb(action: Pick<FileAction, 'status' | 'write'>, current: string | undefined): ReportVerb {
  if (action.status !== 'added' && action.status !== 'updated') return VERB_OF_STATUS[action.status];
  if (current === undefined) return 'create';
  if (current === action.write?.content) return 'identical';
  return action.status === 'updated' ? 'update' : 'force';
}

const VERB_WIDTH = Math.max(...REPORT_VERBS.map((name) => name.length));

/** Yeoman's layout: the verb right-aligned to the longest one (`paint` colours it), then the path. */
export function formatReportLine(
  verb: ReportVerb,
  file: string,
  paint: (verb: ReportVerb, text: string) => string = (_, text) => text,
): string {
  return `${paint(verb, verb.padStart(VERB_WIDTH))} ${file}`;
}
