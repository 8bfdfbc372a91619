// The README's table of answers, derived from the schema so the docs cannot drift.
import { answerSchema, flagOf, type AnswerSpec } from './answers.ts';
import type { Feature } from './feature.ts';

const MACHINE_DEPENDENT = new Set(['cpus', 'memoryMb']);

/** The default as the docs show it (a machine-dependent or derived one in words). */
function shownDefault(entry: AnswerSpec): string {
  if (MACHINE_DEPENDENT.has(entry.name)) return "this machine's";
  const value = entry.default({});
  if (entry.name === 'packageName') return 'from name';
  if (entry.name === 'email') return 'admin@ + domain';
  if (entry.name === 'adminPath') return 'admin- + 12 random hex digits';
  if (entry.name === 'appSecrets') return 'detected: the secret-looking variables the settings read';
  if (entry.name === 'hstsSeconds') return '31536000 (letsencrypt, acme), else 3600';
  return Array.isArray(value) ? (value.length ? value.join(',') : '(none)') : value === '' ? '(empty)' : String(value);
}

/** The --help text of an answer's flag: what it is, and its default once. */
export function answerHelp(entry: AnswerSpec): string {
  const shown = shownDefault(entry).replace(/^\((.*)\)$/, '$1');
  return entry.description.includes('(default:') ? entry.description : `${entry.description} (default: ${shown})`;
}

export function answersMarkdownTable(features: readonly Feature[]): string {
  const schema = answerSchema(features);
  const rows = schema.map(
    (entry) =>
      `| \`${entry.name}\` | \`--${flagOf(entry.name)}\` | ${shownDefault(entry).replaceAll('|', '\\|')} | ${entry.description.replaceAll('|', '\\|')} |`,
  );
  const advanced = schema.filter((entry) => entry.advanced).map((entry) => `\`${entry.name}\``);
  return [
    '| answer (answers file key) | flag | default | what it is |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Asked only after a yes to "Customize advanced settings?" (otherwise their defaults): ${advanced.join(', ')}.`,
  ].join('\n');
}

export const ANSWERS_TABLE_START = '<!-- answers-table:start (npm run docs) -->';
export const ANSWERS_TABLE_END = '<!-- answers-table:end -->';

/** Replaces the table between the markers of a README. */
export function withAnswersTable(readme: string, features: readonly Feature[]): string {
  const start = readme.indexOf(ANSWERS_TABLE_START);
  const end = readme.indexOf(ANSWERS_TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md lacks the answers-table markers');
  return `${readme.slice(0, start + ANSWERS_TABLE_START.length)}\n${answersMarkdownTable(features)}\n${readme.slice(end)}`;
}
