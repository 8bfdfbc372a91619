// A small TOML reader for the files detection looks at (pyproject.toml, Pipfile): tables,
// arrays of tables, dotted and quoted keys, strings (basic, literal, multi-line), numbers,
// booleans, arrays and inline tables. Dates and times are kept as their text. No TOML parser
// is among this package's dependencies, and detection only reads a few keys; a malformed file
// raises TomlError naming the line, which detection turns into one line for the user.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {}

const BARE_KEY = /^[A-Za-z0-9_-]+/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

class Cursor {
  pos = 0;
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  get line(): number {
    return this.text.slice(0, this.pos).split('\n').length;
  }

  fail(what: string): never {
    throw new TomlError(`line ${this.line}: ${what}`);
  }

  peek(length = 1): string {
    return this.text.slice(this.pos, this.pos + length);
  }

  /** Skips spaces and tabs, within the line. */
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
  }

  /** Skips spaces, tabs, line breaks and comments (between statements, inside arrays). */
  skipBlankLines(): void {
    for (;;) {
      const char = this.peek();
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') this.pos += 1;
      else if (char === '#') this.skipComment();
      else return;
    }
  }

  skipComment(): void {
    while (this.pos < this.text.length && this.peek() !== '\n') this.pos += 1;
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected "${char}"`);
    this.pos += 1;
  }

  /** After a key/value pair or a header: only a comment may follow on the line. */
  endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') this.skipComment();
    if (this.pos < this.text.length && this.peek() !== '\n' && this.peek(2) !== '\r\n') this.fail('unexpected text after the value');
  }
}

export function parseToml(text: string): TomlTable {
  const cursor = new Cursor(text);
  const root: TomlTable = {};
  let current = root;
  for (;;) {
    cursor.skipBlankLines();
    if (cursor.pos >= text.length) return root;
    if (cursor.peek(2) === '[[') {
      cursor.pos += 2;
      const keys = readKey(cursor);
      cursor.expect(']');
      cursor.expect(']');
      const parent = tableAt(root, keys.slice(0, -1), cursor);
      const last = keys.at(-1)!;
      const list: TomlValue = (parent[last] ??= []);
      if (!Array.isArray(list)) return cursor.fail(`"${keys.join('.')}" is not an array of tables`);
      current = {};
      list.push(current);
    } else if (cursor.peek() === '[') {
      cursor.pos += 1;
      const keys = readKey(cursor);
      cursor.expect(']');
      current = tableAt(root, keys, cursor);
    } else {
      readPair(cursor, current);
    }
    cursor.endOfLine();
  }
}

function readPair(cursor: Cursor, table: TomlTable): void {
  const keys = readKey(cursor);
  cursor.expect('=');
  cursor.skipSpaces();
  const value = readValue(cursor);
  const parent = tableAt(table, keys.slice(0, -1), cursor);
  parent[keys.at(-1)!] = value;
}

/** The table at a dotted key path, created as needed; the last element of an array of tables. */
function tableAt(root: TomlTable, keys: string[], cursor: Cursor): TomlTable {
  let table = root;
  for (const key of keys) {
    let next = (table[key] ??= {});
    if (Array.isArray(next)) next = next.at(-1) as TomlValue;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cursor.fail(`"${key}" is not a table`);
    table = next;
  }
  return table;
}

function readKey(cursor: Cursor): string[] {
  const keys: string[] = [];
  for (;;) {
    cursor.skipSpaces();
    const char = cursor.peek();
    if (char === '"' || char === "'") keys.push(readString(cursor));
    else {
      const bare = BARE_KEY.exec(cursor.text.slice(cursor.pos));
      if (!bare) cursor.fail('expected a key');
      keys.push(bare[0]);
      cursor.pos += bare[0].length;
    }
    cursor.skipSpaces();
    if (cursor.peek() !== '.') return keys;
    cursor.pos += 1;
  }
}

function readValue(cursor: Cursor): TomlValue {
  const char = cursor.peek();
  if (char === '"' || char === "'") return readString(cursor);
  if (char === '[') return readArray(cursor);
  if (char === '{') return readInlineTable(cursor);
  const scalar = /^[^\s,\]}#]+/.exec(cursor.text.slice(cursor.pos));
  if (!scalar) cursor.fail('expected a value');
  cursor.pos += scalar[0].length;
  const word = scalar[0];
  if (word === 'true' || word === 'false') return word === 'true';
  const number = Number(word.replaceAll('_', ''));
  // Dates, times and anything else stay text: detection never needs them as values.
  return /^[+-]?(\d|inf|nan)/.test(word) && !Number.isNaN(number) ? number : word;
}

function readArray(cursor: Cursor): TomlValue[] {
  cursor.expect('[');
  const items: TomlValue[] = [];
  for (;;) {
    cursor.skipBlankLines();
    if (cursor.peek() === ']') break;
    items.push(readValue(cursor));
    cursor.skipBlankLines();
    if (cursor.peek() === ',') cursor.pos += 1;
    else if (cursor.peek() !== ']') cursor.fail('expected "," or "]" in an array');
  }
  cursor.pos += 1;
  return items;
}

function readInlineTable(cursor: Cursor): TomlTable {
  cursor.expect('{');
  const table: TomlTable = {};
  cursor.skipSpaces();
  if (cursor.peek() === '}') {
    cursor.pos += 1;
    return table;
  }
  for (;;) {
    readPair(cursor, table);
    cursor.skipSpaces();
    if (cursor.peek() === '}') break;
    cursor.expect(',');
  }
  cursor.pos += 1;
  return table;
}

function readString(cursor: Cursor): string {
  const quote = cursor.peek();
  const multiLine = cursor.peek(3) === quote.repeat(3);
  const delimiter = multiLine ? quote.repeat(3) : quote;
  cursor.pos += delimiter.length;
  // A newline right after the opening delimiter of a multi-line string is not part of it.
  if (multiLine && cursor.peek() === '\n') cursor.pos += 1;
  let value = '';
  for (;;) {
    if (cursor.pos >= cursor.text.length) cursor.fail('unterminated string');
    if (cursor.peek(delimiter.length) === delimiter) break;
    const char = cursor.peek();
    if (char === '\n' && !multiLine) cursor.fail('newline in a string');
    if (char === '\\' && quote === '"') {
      value += readEscape(cursor, multiLine);
      continue;
    }
    value += char;
    cursor.pos += 1;
  }
  cursor.pos += delimiter.length;
  return value;
}

function readEscape(cursor: Cursor, multiLine: boolean): string {
  const next = cursor.text[cursor.pos + 1] ?? '';
  if (multiLine && (next === '\n' || next === ' ' || next === '\r')) {
    // Line-ending backslash: the line break and leading whitespace of the next line vanish.
    cursor.pos += 1;
    while (/\s/.test(cursor.peek())) cursor.pos += 1;
    return '';
  }
  if (next === 'u' || next === 'U') {
    const length = next === 'u' ? 4 : 8;
    const hex = cursor.text.slice(cursor.pos + 2, cursor.pos + 2 + length);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) cursor.fail('bad unicode escape');
    cursor.pos += 2 + length;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }
  const escaped = ESCAPES[next];
  if (escaped === undefined) cursor.fail(`bad escape "\\${next}"`);
  cursor.pos += 2;
  return escaped;
}

/** A nested value by dotted path, or undefined when any step is missing. */
export function tomlGet(table: TomlTable, ...keys: string[]): TomlValue | undefined {
  let value: TomlValue | undefined = table;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = value[key];
  }
  return value;
}
