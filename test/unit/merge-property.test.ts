// Property tests of regeneration through the real generator (yeoman-test):
// 1. any user edits, regenerated with the same generator and answers, are left byte-identical;
// 2. after a template change in a region (simulated by rewriting the stored pristine base of that
//    region to an older variant), every user edit that does not touch the changed region survives,
//    and the file also gets the generator's change;
// 3. where the new template inserts lines and the user inserted lines at the same place, both are
//    kept (the user's first), with no conflict, beside the user's other edits.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISTINE_PATH } from '../../generators/lib/pristine.ts';
import { generateProject } from '../helpers/generate.ts';
import { read, readPristine, regenerate, rewritePristine, write } from '../helpers/regenerate.ts';
import { readTree } from '../helpers/tree.ts';

// Bounded for the unit suite; PROPERTY_RUNS=500 explores more.
const NUM_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 25);
/** Lines an edit must keep between itself and a changed region (git needs untouched context). */
const GAP = 3;

let template: string;
let scratch: string;
let files: string[];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'merge-property-'));
  template = path.join(scratch, 'template');
  mkdirSync(template);
  await generateProject({ tlsMode: 'self-signed', domain: 'app.test', celery: true, backups: true }, { cwd: template });
  // Files with room for a region and edits on both sides of it.
  files = [...readPristine(template).keys()].filter((file) => read(template, file).split('\n').length >= 12);
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
function copyProject(): string {
  const dir = path.join(scratch, `run-${runs++}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

type Op = { kind: 'insert' | 'delete' | 'replace'; at: number; text: string };

/** Applies ops (positions in the original lines) bottom-up so earlier positions stay valid. */
function applyOps(content: string, ops: readonly Op[]): string {
  const lines = content.split('\n');
  const byPosition = new Map<number, Op>();
  for (const op of ops) if (!byPosition.has(op.at)) byPosition.set(op.at, op);
  for (const op of [...byPosition.values()].sort((a, b) => b.at - a.at)) {
    if (op.kind === 'insert') lines.splice(op.at, 0, op.text);
    else if (op.kind === 'delete') lines.splice(op.at, 1);
    else lines[op.at] = op.text;
  }
  return lines.join('\n');
}

const lineText = fc.string({ maxLength: 30 }).map((text) => text.replace(/[\r\n]/g, ' '));
/** A place in a file, as a fraction of its length. */
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const opArbitrary = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace') as fc.Arbitrary<Op['kind']>,
  position: fraction,
  text: lineText,
});
type RawOp = { kind: Op['kind']; position: number; text: string };
/** Which file, where in it and how many lines the template change spans. */
const templateChange = [fc.nat(), fraction, fc.integer({ min: 1, max: 3 })] as const;

/** Positions as fractions of the file, so one arbitrary fits files of any length. */
function toOps(content: string, raw: RawOp[], allowed: (op: Op) => boolean): Op[] {
  // The last element after a final "\n" is not a line: edits stay before it.
  const count = content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
  return raw.map((op) => ({ kind: op.kind, at: Math.floor(op.position * count), text: op.text })).filter(allowed);
}

/**
 * The user's edits of `content` where `away` allows: insertions, and changes of lines unique in the
 * file only (so that the diffs are unambiguous), each with a text of its own.
 */
function userEdits(content: string, raw: RawOp[], away: (op: Op) => boolean): Op[] {
  const lines = content.split('\n');
  let unique = 0;
  return toOps(content, raw, (op) => {
    if (!away(op)) return false;
    if (op.kind === 'insert') return true;
    const line = lines[op.at]!;
    return line.trim() !== '' && lines.indexOf(line) === lines.lastIndexOf(line);
  }).map((op) => ({ ...op, text: `# user edit ${unique++}: ${op.text}` }));
}

describe('regeneration properties (fast-check, real generator)', () => {
  it('same generator and answers: every user edit stays byte-identical', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ file: fc.nat(), ops: fc.array(opArbitrary, { minLength: 1, maxLength: 6 }), deleteFile: fc.boolean() }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const dir = copyProject();
          for (const edit of edits) {
            const file = files[edit.file % files.length]!;
            // A deleted file stays deleted: rare, so only when also asked by the first op's kind.
            if (edit.deleteFile && edit.ops[0]!.kind === 'delete') rmSync(path.join(dir, file), { force: true });
            else
              write(
                dir,
                file,
                applyOps(
                  safeRead(dir, file),
                  toOps(safeRead(dir, file), edit.ops, () => true),
                ),
              );
          }
          const before = readTree(dir);
          const { error } = await regenerate(dir, { celery: true, backups: true });
          expect(error).toBeUndefined();
          expect(readTree(dir)).toEqual(before);
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  it('template changed in a region: edits outside it survive, the change is applied', async () => {
    await fc.assert(
      fc.asyncProperty(
        ...templateChange,
        fc.array(opArbitrary, { maxLength: 8 }),
        fc.array(fc.record({ file: fc.nat(), ops: fc.array(opArbitrary, { minLength: 1, maxLength: 4 }) }), { maxLength: 3 }),
        async (fileIndex, regionAt, regionLength, opsInChanged, otherEdits) => {
          const dir = copyProject();
          const changed = files[fileIndex % files.length]!;
          const rendered = read(dir, changed);
          const lines = rendered.split('\n');
          const region = chooseRegion(lines, regionAt, regionLength);
          if (region === undefined) return; // no line there is unique in the file: nothing to test
          // The older template had other (unique) lines in the region.
          const older = lines
            .map((line, index) => (index >= region.start && index < region.end ? `# older template line ${index}` : line))
            .join('\n');
          rewritePristine(dir, { [changed]: () => older });
          // The user edits the file (as it was generated by the older template) away from the region.
          const ops = userEdits(older, opsInChanged, (op) => {
            const before = op.kind === 'insert' ? op.at <= region.start - GAP : op.at <= region.start - GAP - 1;
            return before || op.at >= region.end + GAP;
          });
          write(dir, changed, applyOps(older, ops));
          // Edits to other files, which the new render did not change.
          const expected = new Map<string, string>([[changed, applyOps(rendered, ops)]]);
          for (const edit of otherEdits) {
            const file = files[edit.file % files.length]!;
            if (file === changed) continue;
            const content = read(dir, file);
            const edited = applyOps(
              content,
              toOps(content, edit.ops, () => true),
            );
            write(dir, file, edited);
            expected.set(file, edited);
          }
          const { error } = await regenerate(dir, { celery: true, backups: true });
          expect(error).toBeUndefined();
          for (const [file, content] of expected) expect(read(dir, file), file).toBe(content);
          expect(readPristine(dir).get(changed)).toBe(rendered);
          expect(read(dir, PRISTINE_PATH)).toBe(read(template, PRISTINE_PATH));
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  it("both inserted lines at the same place: both kept, the user's first, no conflict", async () => {
    await fc.assert(
      fc.asyncProperty(
        ...templateChange,
        fc.array(lineText, { minLength: 1, maxLength: 3 }),
        fc.array(opArbitrary, { maxLength: 6 }),
        async (fileIndex, regionAt, regionLength, inserted, opsElsewhere) => {
          const dir = copyProject();
          const changed = files[fileIndex % files.length]!;
          const rendered = read(dir, changed);
          const lines = rendered.split('\n');
          const region = chooseRegion(lines, regionAt, regionLength);
          if (region === undefined) return;
          // The older template lacked the region: the new render inserts it at region.start.
          const older = [...lines.slice(0, region.start), ...lines.slice(region.end)].join('\n');
          rewritePristine(dir, { [changed]: () => older });
          const length = region.end - region.start;
          const mine: Op = {
            kind: 'insert',
            at: region.start,
            text: inserted.map((text, index) => `# user insert ${index}: ${text}`).join('\n'),
          };
          // Other edits, away from the insertion point.
          const others = userEdits(older, opsElsewhere, (op) =>
            op.kind === 'insert' ? op.at <= region.start - GAP || op.at >= region.start + GAP : Math.abs(op.at - region.start) >= GAP,
          );
          write(dir, changed, applyOps(older, [mine, ...others]));
          // In the new render the same edits sit after the region's lines: the user's insertion before them.
          const shifted = others.map((op) => (op.at >= region.start ? { ...op, at: op.at + length } : op));
          const expected = applyOps(rendered, [mine, ...shifted]);
          const { error, log } = await regenerate(dir, { celery: true, backups: true });
          expect(error).toBeUndefined();
          expect(read(dir, changed)).toBe(expected);
          expect(log).toContain(`merged:\n`);
          expect(readPristine(dir).get(changed)).toBe(rendered);
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);
});

const safeRead = (dir: string, file: string): string => {
  try {
    return read(dir, file);
  } catch {
    return '';
  }
};

/**
 * A region of `length` lines near `at` (fraction of the file) whose lines are non-blank and unique
 * in the file, with room for edits around it; undefined when there is none.
 */
function chooseRegion(lines: string[], at: number, length: number): { start: number; end: number } | undefined {
  const count = lines.length - 1;
  const isUnique = (index: number) => lines[index]!.trim() !== '' && lines.indexOf(lines[index]!) === lines.lastIndexOf(lines[index]!);
  const first = Math.floor(at * count);
  for (let offset = 0; offset < count; offset++) {
    const start = (first + offset) % count;
    const end = start + length;
    if (end > count) continue;
    let ok = true;
    for (let index = start; index < end; index++) ok &&= isUnique(index);
    if (ok) return { start, end };
  }
  return undefined;
}
