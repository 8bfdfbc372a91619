// requirements*.txt merge by package, never with conflicts: pip reads a set of requirements, so two
// lines for one package are an error ("Double requirement given") and a specifier is a choice.
//   - the user's line for a package wins over the generator's (a pin, an extra, a bound of theirs);
//   - a line the user never touched follows the generator (new bounds, removals);
//   - a package (or option) both added is kept once: the user's line, where the user put it;
//   - comments, blank lines and options (-r, -c, --index-url ...) merge as lines do elsewhere.
// How: each requirement line becomes a token naming its package, so the line merge (merge-lines.ts)
// sees only where packages are, added and removed, never their specifiers; each token is then
// written back as the line the rules above choose. Where both sides changed the same lines
// (say, the header comment), the user's lines stay and the generator's new packages follow them.
import { keepBothSides, mergeResolving, splitLines, type ConflictRegion, type ThreeWayMerge } from './merge-lines.ts';

export const REQUIREMENTS_FILE = /(^|\/)requirements[^/]*\.txt$/;

/**
 * What a line requires: the project name normalized as pip compares them (PEP 503: case and runs
 * of - _ . do not matter), with its environment marker; an option or URL line is its own key.
 * Undefined for comments and blank lines.
 */
export function requirementKey(line: string): string | undefined {
  // pip's comment rule: "#" at the start or after whitespace (a URL's "#egg=" is not one).
  const text = line.replace(/(^|\s)#.*/, '').trim();
  if (text === '') return undefined;
  const name = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?=\s*(?:[[<>=!~;@]|$))/.exec(text);
  if (text.startsWith('-') || name === null) return text.replace(/\s+/g, ' ');
  const marker = text.includes(';') ? `;${text.slice(text.indexOf(';') + 1).replace(/\s+/g, '')}` : '';
  return `${name[0].toLowerCase().replace(/[-_.]+/g, '-')}${marker}`;
}

interface KeyedLine {
  /** One requirement with its continuation lines (ending in a backslash: --hash options), or a comment or blank line. */
  line: string;
  /** requirementKey, "#n" added to the n-th line of one key; undefined for comments and blanks. */
  key: string | undefined;
}

/** The file's lines, each requirement joined with its continuation lines. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let continued = false;
  for (const line of splitLines(text)) {
    if (continued) lines[lines.length - 1] += line;
    else lines.push(line);
    continued = /\\\s*$/.test(line) && requirementKey(line) !== undefined;
  }
  return lines;
}

function keyedLines(text: string): KeyedLine[] {
  const seen = new Map<string, number>();
  return logicalLines(text).map((line) => {
    const key = requirementKey(line.split('\n')[0]!.replace(/\\\s*$/, ''));
    if (key === undefined) return { line, key };
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return { line, key: count === 1 ? key : `${key} #${count}` };
  });
}

const TOKEN = /^@@requirement (.+)@@$/;
const tokenOf = ({ line, key }: KeyedLine, mark = ''): string =>
  key === undefined ? line : `@@requirement ${key}${mark}@@${line.endsWith('\n') ? '\n' : ''}`;
const keyOfToken = (line: string): string | undefined => TOKEN.exec(line.trimEnd())?.[1];
const textsByKey = (lines: readonly KeyedLine[]) =>
  new Map(lines.flatMap(({ line, key }) => (key === undefined ? [] : [[key, line.replace(/\n$/, '')] as const])));
const isComment = (line: string) => line.trimStart().startsWith('#');

/** The generator's lines without `dropped` packages and the comment lines of its own just above each. */
function withoutPackages(lines: readonly KeyedLine[], dropped: (key: string) => boolean, baseLines: ReadonlySet<string>): KeyedLine[] {
  const kept: KeyedLine[] = [];
  for (const entry of lines) {
    if (entry.key === undefined || !dropped(entry.key)) kept.push(entry);
    else while (kept.length > 0 && isComment(kept.at(-1)!.line) && !baseLines.has(kept.at(-1)!.line)) kept.pop();
  }
  return kept;
}

/** Where both changed the same lines: the user's lines, then the generator's packages new to both. */
const usersThenNewPackages =
  (known: ReadonlySet<string>) =>
  ({ yours, generator }: ConflictRegion): string[] => [
    ...yours,
    ...generator.filter((line) => keyOfToken(line) !== undefined && !known.has(keyOfToken(line)!)),
  ];

export const mergeRequirements: ThreeWayMerge = (base, yours, generator) => {
  const [ofBase, ofYours, ofGenerator] = [keyedLines(base), keyedLines(yours), keyedLines(generator)];
  const [baseTexts, yourTexts, generatorTexts] = [textsByKey(ofBase), textsByKey(ofYours), textsByKey(ofGenerator)];
  const yourOwn = (key: string) => yourTexts.has(key) && yourTexts.get(key) !== baseTexts.get(key);
  // A package the generator dropped but the user changed is kept, as a changed file would be: its
  // base token differs from the user's, so the removal meets the change as a conflict.
  const baseTokens = ofBase.map((entry) =>
    tokenOf(entry, entry.key !== undefined && !generatorTexts.has(entry.key) && yourOwn(entry.key) ? ' (changed by you)' : ''),
  );
  // A package the user added too is the user's: the generator's line for it (and its comment) goes.
  const generatorTokens = withoutPackages(
    ofGenerator,
    (key) => !baseTexts.has(key) && yourTexts.has(key),
    new Set(ofBase.map(({ line }) => line)),
  ).map((entry) => tokenOf(entry));
  const known = new Set([...baseTexts.keys(), ...yourTexts.keys()]);
  const merged = mergeResolving(
    baseTokens.join(''),
    ofYours.map((entry) => tokenOf(entry)).join(''),
    generatorTokens.join(''),
    (region) => keepBothSides(region) ?? usersThenNewPackages(known)(region),
  );
  const lineFor = (key: string) => (yourOwn(key) ? yourTexts.get(key)! : (generatorTexts.get(key) ?? yourTexts.get(key)!));
  return { content: merged.content.replace(/^@@requirement (.+)@@$/gm, (_, key: string) => lineFor(key)), conflicts: 0 };
};
