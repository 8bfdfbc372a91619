// Which python:<version>-slim image a project's declared Python allows: PEP 440 specifiers
// (requires-python), Poetry's ^ and ~ and bare versions (Pipfile, .python-version, runtime.txt).
// pip enforces requires-python against the interpreter's full version, and an image tag such as
// 3.12-slim carries that minor's newest patch: a minor fits when its newest patch satisfies
// every clause (so "<=3.12" excludes 3.12, as pip would on 3.12.8).

/** Minors the official python images publish with security support, newest first. */
export const IMAGE_PYTHONS = ['3.14', '3.13', '3.12', '3.11', '3.10'] as const;
/** The generator's default: the newest minor that every stack component (and the local kit) supports. */
export const DEFAULT_IMAGE_PYTHON = '3.13';

type Version = number[];
/** The newest patch of a minor, for comparisons: 3.12 is 3.12.<any patch>. */
const NEWEST_PATCH = 999;

function parseVersion(text: string): Version | undefined {
  const match = /^\s*v?(\d+(?:\.\d+)*)/.exec(text);
  return match ? match[1]!.split('.').map(Number) : undefined;
}

function compare(a: Version, b: Version): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const startsWith = (version: Version, prefix: Version) => prefix.every((part, index) => version[index] === part);

/** One clause ("<3.13", "^3.11", "==3.12.*", "3.12") against a full version. */
function satisfiesClause(version: Version, clause: string): boolean | undefined {
  const match = /^(===|==|!=|<=|>=|~=|<|>|\^|~(?!=))?\s*([\d.]+)(\.\*)?$/.exec(clause.trim());
  if (!match) return clause.trim() === '*' ? true : undefined;
  const [, operator = '', text, wildcard] = match;
  const bound = parseVersion(text!)!;
  switch (operator) {
    case '':
    case '==':
    case '===':
      // A bare version (Poetry, Pipfile) means that release series, as does ==X.Y.*.
      return wildcard || operator === '' ? startsWith(version, bound) : compare(version, bound) === 0;
    case '!=':
      return wildcard ? !startsWith(version, bound) : compare(version, bound) !== 0;
    case '<':
      return compare(version, bound) < 0;
    case '<=':
      return compare(version, bound) <= 0;
    case '>':
      return compare(version, bound) > 0;
    case '>=':
      return compare(version, bound) >= 0;
    case '~=':
      // ~=3.11 is >=3.11,==3.*; ~=3.11.2 is >=3.11.2,==3.11.*.
      return compare(version, bound) >= 0 && startsWith(version, bound.slice(0, -1));
    case '^':
      // Poetry: the first non-zero part stays.
      return compare(version, bound) >= 0 && version[0] === bound[0];
    case '~':
      // Poetry: ~3.11 is >=3.11,<3.12.
      return compare(version, bound) >= 0 && startsWith(version, bound.slice(0, Math.max(2, bound.length - 1)));
    default:
      return undefined;
  }
}

/** Whether an image minor (e.g. "3.12") satisfies the spec; undefined when the spec is not one we can read. */
export function minorSatisfies(minor: string, spec: string): boolean | undefined {
  const version = [...parseVersion(minor)!, NEWEST_PATCH];
  // Poetry's "||" alternatives; PEP 440's "," conjunctions (Poetry also takes spaces between clauses).
  const alternatives = normalizeSpec(spec)
    .split('||')
    .map((alternative) => alternative.split(/,|\s+(?=[<>=!~^\d])/).filter((part) => part.trim() !== ''));
  let readable = true;
  const results = alternatives.map((clauses) =>
    clauses.every((clause) => {
      const result = satisfiesClause(version, clause);
      if (result === undefined) readable = false;
      return result !== false;
    }),
  );
  return readable ? results.some(Boolean) : undefined;
}

export type ImagePython = { version: string } | { problem: string };

/**
 * The image minor for a declared Python spec: the default when it fits, else the newest minor
 * below it that fits, else the one above it closest to it; a spec no image fits is a problem to
 * report. An unreadable spec keeps the default.
 */
export function imagePythonFor(spec: string): ImagePython {
  const fits = IMAGE_PYTHONS.filter((minor) => minorSatisfies(minor, spec) !== false);
  const defaultIndex = IMAGE_PYTHONS.indexOf(DEFAULT_IMAGE_PYTHON);
  const chosen = fits.find((minor) => IMAGE_PYTHONS.indexOf(minor) >= defaultIndex) ?? fits.at(-1);
  return chosen ? { version: chosen } : { problem: `no python image (${IMAGE_PYTHONS.at(-1)} to ${IMAGE_PYTHONS[0]}) satisfies it` };
}

/** "python-3.13.5" (runtime.txt) and "3.12.4" (.python-version) name a release series: its minor. */
function normalizeSpec(spec: string): string {
  const pinned = /^(?:python-?)?(\d+\.\d+)(?:\.\d+)?$/.exec(spec.trim());
  return pinned ? pinned[1]! : spec;
}
