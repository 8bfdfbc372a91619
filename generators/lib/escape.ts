// Escaping per target language: every answer-derived value reaches a generated file through one
// of these, so what the user typed arrives literally (round trips are unit-tested with the real
// parsers). EJS's own `<%=` escaping is HTML escaping, wrong for every file we write: the render
// replaces it with plainValueGuard, which lets through only values no language needs to escape.

/** Thrown when a value cannot be represented in a target language at all (a bug: grammars must refuse it first). */
export class UnrepresentableError extends Error {}

const hex = (code: number, width: number) => code.toString(16).toUpperCase().padStart(width, '0');
const LONE_SURROGATE = /\p{Surrogate}/u;

function refuseLoneSurrogates(value: string, language: string): void {
  // A lone surrogate has no UTF-8 encoding: the file could not even be written faithfully.
  if (LONE_SURROGATE.test(value)) throw new UnrepresentableError(`${language}: ${JSON.stringify(value)} holds a lone UTF-16 surrogate`);
}

// ---------------------------------------------------------------- YAML and Compose

const YAML_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\0': '\\0' };

/**
 * A double-quoted YAML scalar holding exactly `value`: \ and " escaped, every non-printable
 * character (C0, DEL, C1, the Unicode line/paragraph separators, BOM) as an escape sequence.
 */
export function yamlString(value: string): string {
  refuseLoneSurrogates(value, 'YAML');
  const body = value.replace(/[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]/g, (char) => {
    const code = char.charCodeAt(0);
    return YAML_ESCAPES[char] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
  return `"${body}"`;
}

/**
 * A scalar for compose.yaml: Compose interpolates `$` in values after YAML parsing, so a literal
 * `$` is written `$$` (the replacement is a function: a "$$" replacement string would be a no-op).
 */
export function composeString(value: string): string {
  return yamlString(value.replaceAll('$', () => '$$'));
}

/**
 * A compose.yaml scalar `${variable:-fallback}`: the variable from .env when set, else `fallback`
 * literally (Compose reads `$$` in a default as `$`; a `}` would end the default early).
 */
export function composeVariableOr(variable: string, fallback: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(variable) || fallback.includes('}')) {
    throw new UnrepresentableError(`Compose: \${${variable}:-${JSON.stringify(fallback)}} cannot be written literally`);
  }
  return yamlString(`\${${variable}:-${fallback.replaceAll('$', () => '$$')}}`);
}

// ---------------------------------------------------------------- shell (POSIX sh and bash)

/** One shell word holding exactly `value`: single-quoted, each ' as '\'' (nothing expands inside). */
export function shellWord(value: string): string {
  // A NUL cannot be part of an argument or a variable.
  if (value.includes('\0')) throw new UnrepresentableError(`shell: ${JSON.stringify(value)} holds a NUL character`);
  refuseLoneSurrogates(value, 'shell');
  return `'${value.replaceAll("'", () => "'\\''")}'`;
}

// ---------------------------------------------------------------- Python

const PYTHON_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** A double-quoted Python str literal equal to `value` (like repr, always double quotes, never an f-string). */
export function pythonString(value: string): string {
  const body = value.replace(/[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|\p{Surrogate}/gu, (char) => {
    const code = char.charCodeAt(0);
    return PYTHON_ESCAPES[char] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
  return `"${body}"`;
}

// ---------------------------------------------------------------- nginx

/**
 * A double-quoted nginx string equal to `value`. nginx has no escape for `$` (it starts a
 * variable in most directives) and a newline would split the directive: both are refused.
 */
export function nginxString(value: string): string {
  if (/[$\x00-\x1f\x7f]/.test(value))
    throw new UnrepresentableError(
      `nginx: ${JSON.stringify(value)} holds "$" or a control character, which nginx strings cannot carry literally`,
    );
  refuseLoneSurrogates(value, 'nginx');
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

// ---------------------------------------------------------------- cron

/**
 * One /etc/cron.d line: schedule (single-spaced), user, command. In the command cron turns an
 * unescaped % into a newline (the rest becomes stdin), so each % is written \%.
 */
export function cronLine(schedule: string, user: string, command: string): string {
  const fields = schedule.trim().split(/ +/).join(' ');
  if (/[^\x20-\x7e]/.test(fields) || !/^[a-z_][a-z0-9_-]*$/.test(user) || /[\x00-\x1f\x7f]/.test(command)) {
    throw new UnrepresentableError(`cron: ${JSON.stringify([schedule, user, command])} cannot be one crontab line`);
  }
  return `${fields} ${user} ${command.replaceAll('%', '\\%')}`;
}

// ---------------------------------------------------------------- Markdown (CommonMark + GFM tables)

/**
 * An inline code span showing `value` verbatim: fenced by one more backtick than its longest
 * backtick run, padded when it starts or ends with a backtick; line breaks become spaces (as
 * CommonMark renders them). In a GFM table cell a | splits the row even inside code: \| there.
 */
export function markdownCode(value: string, { inTable = false }: { inTable?: boolean } = {}): string {
  const flat = value.replace(/\r\n|[\r\n]/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '') ? ' ' : '';
  const span = `${fence}${pad}${flat}${pad}${fence}`;
  return inTable ? span.replaceAll('|', '\\|') : span;
}

/** Plain Markdown text showing `value` verbatim: every ASCII punctuation character backslash-escaped, line breaks as spaces. */
export function markdownText(value: string): string {
  return value.replace(/\r\n|[\r\n]/g, ' ').replace(/[!-/:-@[-`{-~]/g, (char) => `\\${char}`);
}

// ---------------------------------------------------------------- EJS's <%= %>

// Characters no target language reads specially inside a value: letters, digits, space and
// . , : ; / @ + = * _ -. (":" is safe where values are written: after "key: " or inside quotes.)
const PLAIN_VALUE = /^[A-Za-z0-9 .,:;/@+=*_-]*$/;

/**
 * Replaces EJS's HTML escaping for `<%= %>` in non-HTML templates: passes values that need no
 * escaping in any language (numbers, names, domains, versions) unchanged and throws for anything
 * else, so a value with a quote, $, backtick, newline or unicode can only be written through
 * one of the helpers above with `<%- %>`. `file` names the template in the error.
 */
export function plainValueGuard(file: string): (value: unknown) => string {
  return (value: unknown) => {
    const text = String(value);
    if (!PLAIN_VALUE.test(text)) {
      throw new UnrepresentableError(
        `${file}: <%= %> got ${JSON.stringify(text)}, which needs escaping: write it with <%- and an escape helper (yamlString, composeString, shellWord, pythonString, nginxString, markdownCode)`,
      );
    }
    return text;
  };
}

// ---------------------------------------------------------------- messages

// JSON.stringify leaves these raw: DEL and C1 controls, the Unicode line/paragraph separators
// (a line break in many terminals and editors), bidi overrides (they reorder what the user sees), BOM.
const INVISIBLE = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const visible = (json: string) => json.replace(INVISIBLE, (char) => `\\u${hex(char.charCodeAt(0), 4)}`);
const quoted = (value: string) => visible(JSON.stringify(value));

/**
 * A value quoted for a one-line message: JSON-escaped, invisible characters too (in a list's items
 * as well), a string cut after `max` characters.
 */
export function messageValue(value: unknown, max = 80): string {
  if (typeof value !== 'string') return visible(JSON.stringify(value) ?? String(value));
  if (value.length <= max) return quoted(value);
  return `${quoted(value.slice(0, max)).slice(0, -1)}…" (${value.length} characters)`;
}
