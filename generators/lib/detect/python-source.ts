// Reading Python source as text: just enough to find top-level assignments, star imports,
// DJANGO_SETTINGS_MODULE defaults and environment reads in settings files. Detection never runs
// the user's code; the generator imports the settings separately (see existing.ts) to prove them.

export interface Assignment {
  /** The assigned name or subscript target as written, e.g. STATIC_ROOT or DATABASES["default"]. */
  target: string;
  /** The base name of the target: DATABASES for DATABASES["default"]. */
  name: string;
  /** The right-hand side, across lines while brackets are open. */
  expression: string;
}

/**
 * Top-level (column 0) assignments to UPPER_CASE names, in order. Django only reads upper-case
 * module attributes as settings, so nothing else matters here.
 */
export function topLevelAssignments(source: string): Assignment[] {
  const found: Assignment[] = [];
  const start = /^([A-Z][A-Z0-9_]*)((?:\[[^\]\n]*\])*)[ \t]*(?:\+|\|)?=(?!=)[ \t]*/gm;
  for (let match = start.exec(source); match; match = start.exec(source)) {
    const expression = readExpression(source, match.index + match[0].length);
    found.push({ target: match[1]! + match[2]!, name: match[1]!, expression });
  }
  return found;
}

/** The text of an expression from `from` to the end of its logical line (open brackets and strings continue it). */
export function readExpression(source: string, from: number): string {
  let depth = 0;
  let position = from;
  while (position < source.length) {
    const char = source[position]!;
    if (char === '#') {
      while (position < source.length && source[position] !== '\n') position += 1;
      continue;
    }
    if (char === '"' || char === "'") {
      position = skipString(source, position);
      continue;
    }
    if (char === '\\' && source[position + 1] === '\n') position += 1;
    else if ('([{'.includes(char)) depth += 1;
    else if (')]}'.includes(char)) depth -= 1;
    else if (char === '\n' && depth <= 0) break;
    position += 1;
  }
  return source.slice(from, position).trim();
}

/** The position after the string literal starting at `from` (any prefix letters already passed). */
function skipString(source: string, from: number): number {
  const quote = source[from]!;
  const delimiter = source.startsWith(quote.repeat(3), from) ? quote.repeat(3) : quote;
  let position = from + delimiter.length;
  while (position < source.length && !source.startsWith(delimiter, position)) {
    if (source[position] === '\\') position += 1;
    else if (source[position] === '\n' && delimiter.length === 1) return position;
    position += 1;
  }
  return position + delimiter.length;
}

/** The value of an expression that is one plain string literal, else undefined. */
export function stringLiteral(expression: string): string | undefined {
  const match = /^[rRuU]?(["'])((?:(?!\1)[^\\\n]|\\.)*)\1$/.exec(expression.trim());
  return match ? match[2] : undefined;
}

/** Every string literal in an expression, in order (for keys such as "ENGINE": "..."). */
export function keyedStrings(expression: string, key: string): string[] {
  const pattern = new RegExp(`["']${key}["']\\s*:\\s*["']([^"'\\n]+)["']`, 'g');
  return [...expression.matchAll(pattern)].map((match) => match[1]!);
}

/** The module a `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")` (or assignment) names. */
export function settingsModuleDefault(source: string): string | undefined {
  const patterns = [
    /os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/,
    /os\.environ\[\s*["']DJANGO_SETTINGS_MODULE["']\s*\]\s*=\s*["']([\w.]+)["']/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(source);
    if (match) return match[1];
  }
  return undefined;
}

/** Modules star-imported at the top level (`from .base import *`), resolved against the importing module. */
export function starImports(source: string, importingModule: string, isPackage: boolean): string[] {
  const modules: string[] = [];
  for (const match of source.matchAll(/^from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\*/gm)) {
    const dots = match[1]!.length;
    const name = match[2]!;
    if (dots === 0) {
      modules.push(name);
      continue;
    }
    // One dot is the importing module's package (the module itself when it is a package's __init__).
    const packageParts = importingModule.split('.').slice(0, isPackage ? undefined : -1);
    const base = packageParts.slice(0, packageParts.length - (dots - 1));
    modules.push([...base, ...(name ? [name] : [])].join('.'));
  }
  return modules;
}

export interface EnvironmentRead {
  variable: string;
  /** No default given: start-up fails without it. */
  required: boolean;
  /** How it is read: os.environ, os.getenv, django-environ, dj-database-url, python-decouple. */
  via: string;
}

const ENVIRONMENT_CALLS: { pattern: RegExp; via: string; alwaysOptional?: boolean; alwaysRequired?: boolean }[] = [
  { pattern: /os\.environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]/g, via: 'os.environ', alwaysRequired: true },
  { pattern: /os\.environ\.get\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g, via: 'os.environ', alwaysOptional: true },
  { pattern: /os\.getenv\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g, via: 'os.environ', alwaysOptional: true },
  { pattern: /\benv(?:\.\w+)?\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g, via: 'django-environ' },
  { pattern: /\bconfig\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/g, via: 'python-decouple' },
];

/** Environment variables a settings file reads, with whether a default is given. */
export function environmentReads(source: string): EnvironmentRead[] {
  const reads: EnvironmentRead[] = [];
  for (const { pattern, via, alwaysOptional, alwaysRequired } of ENVIRONMENT_CALLS) {
    for (const match of source.matchAll(pattern)) {
      const open = source.indexOf('(', match.index);
      const args = alwaysOptional || alwaysRequired ? '' : callArguments(source, open);
      const required = alwaysRequired ? true : alwaysOptional ? false : !/\bdefault\s*=/.test(args) && topLevelCommas(args) === 0;
      reads.push({ variable: match[1]!, required, via });
    }
  }
  // dj-database-url reads DATABASE_URL (or the env= it is given) without naming it in a string first.
  for (const match of source.matchAll(/dj_database_url\.config\(/g)) {
    const args = callArguments(source, match.index + match[0].length - 1);
    const named = /\benv\s*=\s*["']([A-Za-z_][A-Za-z0-9_]*)["']/.exec(args);
    reads.push({ variable: named?.[1] ?? 'DATABASE_URL', required: !/\bdefault\s*=/.test(args), via: 'dj-database-url' });
  }
  return reads;
}

function callArguments(source: string, open: number): string {
  const expression = readExpression(source, open);
  let depth = 0;
  for (let index = 0; index < expression.length; index += 1) {
    const char = expression[index]!;
    if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) return expression.slice(1, index);
  }
  return expression.slice(1);
}

/** Commas outside brackets and strings: the number of arguments minus one. */
function topLevelCommas(args: string): number {
  let depth = 0;
  let commas = 0;
  for (let index = 0; index < args.length; index += 1) {
    const char = args[index]!;
    if (char === '"' || char === "'") index = skipString(args, index) - 1;
    else if ('([{'.includes(char)) depth += 1;
    else if (')]}'.includes(char)) depth -= 1;
    else if (char === ',' && depth === 0) commas += 1;
  }
  // A trailing comma does not add an argument.
  return /,\s*$/.test(args) ? commas - 1 : commas;
}
