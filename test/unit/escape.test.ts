// Round trips through the real parsers: YAML (the yaml package + Compose's interpolation rule),
// Python (ast.literal_eval), bash (printf %s). Values are batched so each parser starts once.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import ejs from 'ejs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  UnrepresentableError,
  composeString,
  cronLine,
  markdownCode,
  markdownText,
  messageValue,
  nginxString,
  plainValueGuard,
  pythonString,
  shellWord,
  yamlString,
} from '../../generators/lib/escape.ts';
import { HOSTILE_PIECES } from '../helpers/hostile.ts';

// NUL and a byte order mark too: the escape functions must refuse or carry them.
const HOSTILE = [...HOSTILE_PIECES, '\0', '\ufeff'];
/** Strings from a hostile alphabet mixed with arbitrary Unicode (lone surrogates included). */
const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 16 }),
);
const samples = (count: number) => fc.sample(hostile, { numRuns: count, seed: 10 });
const hasLoneSurrogate = (value: string) => /\p{Surrogate}/u.test(value);

/** What Compose does to a value after YAML parsing: $$ -> $, any other $ starts an interpolation. */
function composeInterpolate(value: string): string {
  return value.replace(/\$\$|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$/g, (match) => (match === '$$' ? '$' : `<interpolated ${match}>`));
}

describe('yamlString / composeString', () => {
  it('round-trips hostile strings through a YAML parser', () => {
    for (const value of samples(400).filter((sample) => !hasLoneSurrogate(sample))) {
      expect(parseYaml(`key: ${yamlString(value)}\n`)).toEqual({ key: value });
    }
  });

  it('round-trips through YAML and then Compose interpolation', () => {
    for (const value of samples(400).filter((sample) => !hasLoneSurrogate(sample))) {
      const parsed = parseYaml(`services:\n  x:\n    environment:\n      V: ${composeString(value)}\n`) as {
        services: { x: { environment: { V: string } } };
      };
      expect(composeInterpolate(parsed.services.x.environment.V)).toBe(value);
    }
  });

  it('writes one line, $ doubled for Compose', () => {
    expect(composeString('${HOME}@x\n')).toBe('"$${HOME}@x\\n"');
    expect(yamlString('a"b\\c\u2028')).toBe('"a\\"b\\\\c\\u2028"');
  });

  it('refuses a lone surrogate (no UTF-8 encoding)', () => {
    expect(() => yamlString('a\ud800')).toThrow(UnrepresentableError);
  });
});

describe('pythonString', () => {
  it('round-trips hostile strings through ast.literal_eval', () => {
    const values = samples(600);
    const literals = values.map(pythonString);
    expect(literals.every((literal) => !literal.includes('\n'))).toBe(true);
    const script = 'import ast, json, sys\nprint(json.dumps([ast.literal_eval(line) for line in json.load(sys.stdin)]))';
    const output = execFileSync('python3', ['-c', script], { input: JSON.stringify(literals), encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual(values);
  });

  it('escapes quotes, backslashes and control characters, keeps printable unicode', () => {
    expect(pythonString(`o'brien "x" \\ \n é`)).toBe(`"o'brien \\"x\\" \\\\ \\n é"`);
  });
});

describe('shellWord', () => {
  it('round-trips hostile strings through bash printf %s', () => {
    const values = samples(600).filter((value) => !value.includes('\0') && !hasLoneSurrogate(value));
    const script = `printf '%s\\0' ${values.map(shellWord).join(' ')}`;
    const output = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(output.split('\0').slice(0, -1)).toEqual(values);
  });

  it('quotes every word, even the empty one', () => {
    expect(shellWord('')).toBe("''");
    expect(shellWord("it's")).toBe("'it'\\''s'");
  });

  it('refuses NUL', () => {
    expect(() => shellWord('a\0b')).toThrow(UnrepresentableError);
  });
});

describe('nginxString', () => {
  it('escapes quotes and backslashes', () => {
    expect(nginxString('max-age=3600; includeSubDomains')).toBe('"max-age=3600; includeSubDomains"');
    expect(nginxString('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it.each(['$host', 'a\nb', 'a\0'])('refuses %j, which nginx cannot carry literally', (value) => {
    expect(() => nginxString(value)).toThrow(UnrepresentableError);
  });
});

describe('cronLine', () => {
  it('single-spaces the schedule and escapes % in the command', () => {
    expect(cronLine(' 15  3 * * * ', 'root', 'date +%F')).toBe('15 3 * * * root date +\\%F');
  });

  it.each([
    ['15 3 * * *\n* * * * *', 'root', 'x'],
    ['15 3 * * *', 'root x', 'x'],
    ['15 3 * * *', 'root', 'a\nb'],
  ])('refuses %j', (schedule, user, command) => {
    expect(() => cronLine(schedule, user, command)).toThrow(UnrepresentableError);
  });
});

describe('Markdown', () => {
  it.each([
    ['a`b', '``a`b``'],
    ['`x`', '`` `x` ``'],
    ['a|b', '`a|b`'],
    ['line\nbreak', '`line break`'],
  ])('markdownCode(%j) is %s', (value, code) => {
    expect(markdownCode(value)).toBe(code);
  });

  it('escapes | inside a table cell', () => {
    expect(markdownCode('a|b', { inTable: true })).toBe('`a\\|b`');
  });

  it('code spans hold the value: no backtick run of the fence length inside', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const code = markdownCode(value);
        const fence = /^`+/.exec(code)![0];
        const inner = code.slice(fence.length, -fence.length);
        expect(inner.match(/`+/g)?.some((run) => run.length === fence.length) ?? false).toBe(false);
        expect(code).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 300, seed: 10 },
    );
  });

  it('markdownText escapes punctuation', () => {
    expect(markdownText('*a* <b> [c](d) `e`')).toBe('\\*a\\* \\<b\\> \\[c\\]\\(d\\) \\`e\\`');
  });
});

describe("EJS's <%= %> guarded for non-HTML files", () => {
  const render = (template: string, data: Record<string, unknown>) => ejs.render(template, data, { escape: plainValueGuard('x.py') });

  it('passes plain values (names, domains, numbers, versions, cron fields) unchanged', () => {
    expect(render('<%= a %> <%= b %> <%= c %>', { a: 'app.example.com', b: 3600, c: '15 3 * * *' })).toBe(
      'app.example.com 3600 15 3 * * *',
    );
  });

  it.each(["o'brien", 'a"b', '$x', 'a`b', 'a\nb', 'é', '<%', '{{', '&'])('throws for %j instead of HTML-escaping it', (value) => {
    expect(() => render('<%= v %>', { v: value })).toThrow(/needs escaping: write it with <%- and an escape helper/);
  });

  it('leaves <%- %> to the helpers', () => {
    expect(ejs.render('X = <%- pythonString(v) %>', { v: "o'brien", pythonString }, { escape: plainValueGuard('x.py') })).toBe(
      `X = "o'brien"`,
    );
  });
});

describe('messageValue', () => {
  it('quotes short values whole and cuts long ones after 80 characters', () => {
    expect(messageValue('a\nb')).toBe('"a\\nb"');
    const long = messageValue('x'.repeat(10_000_000));
    expect(long).toBe(`"${'x'.repeat(80)}…" (10000000 characters)`);
    expect(messageValue(42)).toBe('42');
  });

  it('escapes what JSON leaves raw but a terminal shows as a break or reorders', () => {
    expect(messageValue('a\u2028b\u202ec\u0085')).toBe('"a\\u2028b\\u202Ec\\u0085"');
    // A list answer (extraDomains) is quoted as JSON too: its items must not break the line either.
    expect(messageValue(['"\u2028"', 'b\u202e'])).toBe('["\\"\\u2028\\"","b\\u202E"]');
  });
});
