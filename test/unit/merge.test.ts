// The regeneration plan and its parts, without Yeoman: git merge-file, every per-file case,
// .env, the pristine store's round trip and the summary's format.
import { describe, expect, it } from 'vitest';
import {
  collectPaths,
  countByStatus,
  filesWithConflictMarkers,
  fillSecretsFile,
  formatSummary,
  planFreshGeneration,
  planRegeneration,
  planSecretFiles,
  type FileAction,
} from '../../generators/lib/merge.ts';
import { gitMergeFile, mergeLines } from '../../generators/lib/merge-lines.ts';
import { parsePristine, pristineOf, serializePristine, PRISTINE_PATH } from '../../generators/lib/pristine.ts';
import type { RenderedTree } from '../../generators/lib/render.ts';
import { tokenSecret } from '../../generators/lib/secrets.ts';

const text = (...lines: string[]) => `${lines.join('\n')}\n`;
const tree = (files: Record<string, string>, executable: string[] = []): RenderedTree =>
  new Map(Object.entries(files).map(([file, content]) => [file, { content, executable: executable.includes(file) }]));
const plan = (base: Record<string, string>, render: Record<string, string>, current: Record<string, string>) =>
  planRegeneration({ base: new Map(Object.entries(base)), render: tree(render), readCurrent: (file) => current[file] });
const only = (actions: FileAction[]) => {
  expect(actions).toHaveLength(1);
  return actions[0]!;
};

describe('gitMergeFile', () => {
  const base = text('a', 'b', 'c', 'd', 'e');
  it('merges changes to different regions cleanly', () => {
    const result = gitMergeFile(base, text('A', 'b', 'c', 'd', 'e'), text('a', 'b', 'c', 'd', 'E'));
    expect(result).toEqual({ content: text('A', 'b', 'c', 'd', 'E'), conflicts: 0 });
  });
  it('marks a conflict with the standard yours/generator markers', () => {
    const result = gitMergeFile(base, text('a', 'mine', 'c', 'd', 'e'), text('a', 'theirs', 'c', 'd', 'e'));
    expect(result.conflicts).toBe(1);
    expect(result.content).toBe(text('a', '<<<<<<< yours', 'mine', '=======', 'theirs', '>>>>>>> generator', 'c', 'd', 'e'));
  });
  it('counts each conflict block', () => {
    // (git joins conflicts fewer than 4 lines apart into one block)
    const long = text('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const result = gitMergeFile(long, text('1', 'b', 'c', 'd', 'e', 'f', 'g', '8'), text('x', 'b', 'c', 'd', 'e', 'f', 'g', 'y'));
    expect(result.conflicts).toBe(2);
  });
  it('with an empty base: identical sides are clean, different sides conflict', () => {
    expect(gitMergeFile('', text('same'), text('same'))).toEqual({ content: text('same'), conflicts: 0 });
    expect(gitMergeFile('', text('mine'), text('theirs')).conflicts).toBe(1);
  });
  it('keeps a missing final newline', () => {
    expect(gitMergeFile('a\nb', 'A\nb', 'a\nb').content).toBe('A\nb');
  });
});

describe('mergeLines: insertions on both sides are kept', () => {
  const urlsBase = text('from .health import health', '', 'urlpatterns = [', '    path("health/", health),', ']');
  const urlsYours = text(
    'from .health import health',
    'from .views import hello',
    '',
    'urlpatterns = [',
    '    path("health/", health),',
    '    path("hello/", hello),',
    ']',
  );
  const urlsGenerator = text(
    'from .health import health',
    'from .pages import home',
    '',
    'urlpatterns = [',
    '    path("health/", health),',
    '    path("", home),',
    ']',
  );

  it("both inserted at the same places: both kept, the user's first, where git alone conflicts", () => {
    expect(gitMergeFile(urlsBase, urlsYours, urlsGenerator).conflicts).toBe(1);
    expect(mergeLines(urlsBase, urlsYours, urlsGenerator)).toEqual({
      content: text(
        'from .health import health',
        'from .views import hello',
        'from .pages import home',
        '',
        'urlpatterns = [',
        '    path("health/", health),',
        '    path("hello/", hello),',
        '    path("", home),',
        ']',
      ),
      conflicts: 0,
    });
  });
  it("keeps each side's block whole (git's --union would interleave lines they share)", () => {
    const base = text('a', 'b');
    const merged = mergeLines(base, text('a', 'foo(', '    x,', ')', 'b'), text('a', 'bar(', '    y,', ')', 'b'));
    expect(merged).toEqual({ content: text('a', 'foo(', '    x,', ')', 'bar(', '    y,', ')', 'b'), conflicts: 0 });
  });
  it('a line changed on one side and lines inserted beside it on the other: both applied', () => {
    const base = text('a', 'b', 'c');
    expect(gitMergeFile(base, text('a', 'B', 'c'), text('a', 'b', 'new', 'c')).conflicts).toBe(1);
    expect(mergeLines(base, text('a', 'B', 'c'), text('a', 'b', 'new', 'c'))).toEqual({
      content: text('a', 'B', 'new', 'c'),
      conflicts: 0,
    });
    expect(mergeLines(base, text('a', 'new', 'b', 'c'), text('a', 'B', 'c'))).toEqual({
      content: text('a', 'new', 'B', 'c'),
      conflicts: 0,
    });
  });
  it('a change both made, one side also adding a line after it: merged', () => {
    expect(mergeLines(text('a', 'b', 'c'), text('a', 'B', 'mine', 'c'), text('a', 'B', 'c'))).toEqual({
      content: text('a', 'B', 'mine', 'c'),
      conflicts: 0,
    });
  });
  it('both changed or deleted the same lines: still a conflict, standard markers', () => {
    const base = text('a', 'b', 'c');
    expect(mergeLines(base, text('a', 'mine', 'c'), text('a', 'theirs', 'c'))).toEqual(
      gitMergeFile(base, text('a', 'mine', 'c'), text('a', 'theirs', 'c')),
    );
    expect(mergeLines(base, text('a', 'c'), text('a', 'theirs', 'c')).conflicts).toBe(1);
    // An insertion inside lines the other side replaced has no place left.
    expect(mergeLines(text('a', 'b', 'c', 'd'), text('a', 'b', 'new', 'c', 'd'), text('a', 'X', 'd')).conflicts).toBe(1);
  });
  it('resolves the insertions and leaves the real conflict of the same file marked', () => {
    const base = text('1', '2', '3', '4', '5', '6', '7', '8', '9');
    const merged = mergeLines(
      base,
      text('1', 'mine', '2', '3', '4', '5', '6', '7', 'eight', '9'),
      text('1', 'theirs', '2', '3', '4', '5', '6', '7', 'EIGHT', '9'),
    );
    expect(merged).toEqual({
      content: text(
        '1',
        'mine',
        'theirs',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        '<<<<<<< yours',
        'eight',
        '=======',
        'EIGHT',
        '>>>>>>> generator',
        '9',
      ),
      conflicts: 1,
    });
  });
  it('a file\'s own "=======" lines (a Markdown heading) are not taken for markers', () => {
    const base = text('Title', '=======', '', 'text');
    expect(mergeLines(base, text('Title', '=======', 'mine', '', 'text'), text('Title', '=======', 'theirs', '', 'text'))).toEqual({
      content: text('Title', '=======', 'mine', 'theirs', '', 'text'),
      conflicts: 0,
    });
  });
  it("keeps a missing final newline of the user's file", () => {
    expect(mergeLines('a\nb', 'a\nb\nmine', 'a\nb\ntheirs')).toEqual({ content: 'a\nb\nmine\ntheirs', conflicts: 0 });
  });
});

describe('planRegeneration: one case each', () => {
  const v1 = text('one', 'two', 'three', 'four', 'five');
  const v2 = text('one', 'TWO', 'three', 'four', 'five');
  const mine = text('one', 'two', 'three', 'four', 'five', 'mine');

  it('untouched and unchanged: unchanged, nothing written', () => {
    expect(only(plan({ f: v1 }, { f: v1 }, { f: v1 }))).toEqual({ path: 'f', status: 'unchanged' });
  });
  it('untouched, changed by the render: updated with the render (and its mode)', () => {
    const [action] = planRegeneration({ base: new Map([['s.sh', v1]]), render: tree({ 's.sh': v2 }, ['s.sh']), readCurrent: () => v1 });
    expect(action).toEqual({ path: 's.sh', status: 'updated', write: { content: v2, mode: 0o755 } });
  });
  it('changed by the user only: kept, nothing written', () => {
    const action = only(plan({ f: v1 }, { f: v1 }, { f: mine }));
    expect(action.status).toBe('kept');
    expect(action.write).toBeUndefined();
  });
  it('changed by both in different regions: merged', () => {
    const action = only(plan({ f: v1 }, { f: v2 }, { f: mine }));
    expect(action.status).toBe('merged');
    expect(action.write?.content).toBe(text('one', 'TWO', 'three', 'four', 'five', 'mine'));
  });
  it('changed by both the same way: unchanged', () => {
    expect(only(plan({ f: v1 }, { f: v2 }, { f: v2 })).status).toBe('unchanged');
  });
  it('changed by both on the same lines: conflict, written with markers', () => {
    const action = only(plan({ f: v1 }, { f: v2 }, { f: text('one', 'deux', 'three', 'four', 'five') }));
    expect(action.status).toBe('conflict');
    expect(action.write?.content).toContain('<<<<<<< yours\ndeux\n=======\nTWO\n>>>>>>> generator\n');
  });
  it('deleted by the user: stays deleted even if the render changed', () => {
    const action = only(plan({ f: v1 }, { f: v2 }, {}));
    expect(action).toMatchObject({ status: 'kept', note: 'deleted by you: stays deleted' });
    expect(action.write).toBeUndefined();
  });
  it('dropped by the render and untouched: removed', () => {
    expect(only(plan({ f: v1 }, {}, { f: v1 }))).toEqual({ path: 'f', status: 'removed', remove: true });
  });
  it('dropped by the render but edited: kept and reported', () => {
    const action = only(plan({ f: v1 }, {}, { f: mine }));
    expect(action.status).toBe('kept');
    expect(action.remove).toBeUndefined();
    expect(action.note).toMatch(/no longer generated/);
  });
  it('dropped by the render and deleted by the user: not reported', () => {
    expect(plan({ f: v1 }, {}, {})).toEqual([]);
  });
  it('new in the render: added', () => {
    expect(only(plan({}, { f: v1 }, {}))).toEqual({ path: 'f', status: 'added', write: { content: v1, mode: 0o644 } });
  });
  it('both inserted at the same place: merged, not a conflict', () => {
    const action = only(
      plan(
        { f: v1 },
        { f: text('one', 'two', 'new', 'three', 'four', 'five') },
        { f: text('one', 'two', 'mine', 'three', 'four', 'five') },
      ),
    );
    expect(action).toMatchObject({ status: 'merged', write: { content: text('one', 'two', 'mine', 'new', 'three', 'four', 'five') } });
  });
  it("requirements files merge by package: the user's pin wins, no conflict", () => {
    const base = text('Django>=5.2,<6.0', 'gunicorn>=23.0,<24');
    const render = text('Django>=5.2,<7.0', 'gunicorn>=23.0,<24', 'whitenoise>=6.5');
    const action = only(
      plan(
        { 'requirements-dev.txt': base },
        { 'requirements-dev.txt': render },
        { 'requirements-dev.txt': text('Django==5.2.7', 'gunicorn>=23.0,<24') },
      ),
    );
    expect(action).toMatchObject({ status: 'merged', write: { content: text('Django==5.2.7', 'gunicorn>=23.0,<24', 'whitenoise>=6.5') } });
  });
  it('new in the render where the user made a file: merged against an empty base', () => {
    expect(only(plan({}, { f: v1 }, { f: v1 })).status).toBe('unchanged');
    const action = only(plan({}, { f: v1 }, { f: text('mine') }));
    expect(action.status).toBe('conflict');
    expect(action.note).toMatch(/you created this file/);
  });
  it('plans files in sorted order and never .env', () => {
    const actions = plan({ b: v1, '.env': 'X=1\n' }, { c: v1, a: v1, '.env': 'X=2\n' }, { b: v1 });
    expect(actions.map((action) => action.path)).toEqual(['a', 'b', 'c']);
    expect(collectPaths(new Map([['z', '']]), tree({ y: '', '.env': '' }))).toEqual(['y', 'z']);
  });
  it('fresh generation writes every file as added, sorted', () => {
    const actions = planFreshGeneration(tree({ z: v1, a: v2, '.env': '' }, ['a']));
    expect(actions).toEqual([
      { path: 'a', status: 'added', write: { content: v2, mode: 0o755 } },
      { path: 'z', status: 'added', write: { content: v1, mode: 0o644 } },
    ]);
  });
});

describe('filesWithConflictMarkers', () => {
  it('finds files still holding our markers, sorted, and ignores look-alikes', () => {
    const files: Record<string, string> = {
      b: text('<<<<<<< yours', 'x', '=======', 'y', '>>>>>>> generator'),
      a: text('x', '<<<<<<< yours', '=======', '>>>>>>> generator'),
      c: text('<<<<<<< HEAD', 'x', '=======', '>>>>>>> other'),
      d: text('  <<<<<<< yours in a comment'),
    };
    expect(filesWithConflictMarkers(['b', 'a', 'c', 'd', 'missing'], (file) => files[file])).toEqual(['a', 'b']);
  });
});

describe('fillSecretsFile (.env)', () => {
  const example = text('DJANGO_LOG_LEVEL=INFO', 'SENTRY_DSN=');
  const tokens = (value: string) => ['DJANGO_SECRET_KEY', 'REDIS_PASSWORD'].map((variable) => tokenSecret(variable, {}, () => value));
  it('fresh: added as the example, no secret, mode 600', () => {
    const action = fillSecretsFile(example, undefined, tokens('token'));
    expect(action).toEqual({ path: '.env', status: 'added', write: { content: example, mode: 0o600 } });
  });
  it('existing: values untouched; unchanged when nothing is new', () => {
    expect(fillSecretsFile(example, text('DJANGO_LOG_LEVEL=DEBUG', 'SENTRY_DSN=x'), tokens('new')).status).toBe('unchanged');
  });
  it('existing: new variables appended, existing values kept', () => {
    const action = fillSecretsFile(text('DJANGO_LOG_LEVEL=INFO', 'SENTRY_DSN='), text('DJANGO_LOG_LEVEL=DEBUG'), tokens('new'));
    expect(action.status).toBe('updated');
    expect(action.write?.content).toBe(text('DJANGO_LOG_LEVEL=DEBUG', '# added by generator-django-prod on regeneration', 'SENTRY_DSN='));
    expect(action.note).toBe("new variables appended (SENTRY_DSN), existing values untouched: add them to each server's .env too");
  });
  it('upgrade: the secrets an older release kept in .env leave it (planSecretFiles moved them)', () => {
    const action = fillSecretsFile(example, text('DJANGO_SECRET_KEY=old', 'DJANGO_LOG_LEVEL=INFO', 'SENTRY_DSN='), tokens('new'));
    expect(action.write?.content).toBe(example);
    expect(action.note).toBe('secrets moved to secrets/ (DJANGO_SECRET_KEY)');
  });
});

describe('planSecretFiles', () => {
  const secrets = [
    tokenSecret('DJANGO_SECRET_KEY', {}, () => 'generated'),
    tokenSecret('REDIS_PASSWORD', {}, () => 'generated'),
    { variables: ['S3_ACCESS_KEY_ID'] },
  ];
  it('generates each secret file once, leaves the ones for the user empty, and keeps existing files', () => {
    const current: Record<string, string> = { 'secrets/redis_password': 'kept' };
    expect(planSecretFiles(secrets, new Map(), (file) => current[file])).toEqual([
      { path: 'secrets/django_secret_key', status: 'added', write: { content: 'generated', mode: 0o644 } },
      { path: 'secrets/redis_password', status: 'unchanged' },
      { path: 'secrets/s3_access_key_id', status: 'added', write: { content: '', mode: 0o644 } },
    ]);
  });
  it('writes a secret .env still holds from its value: nothing is regenerated behind the server', () => {
    const env = new Map([['DJANGO_SECRET_KEY', 'from-env']]);
    expect(planSecretFiles(secrets, env, () => undefined, 'deploy/secrets')[0]).toEqual({
      path: 'deploy/secrets/django_secret_key',
      status: 'added',
      write: { content: 'from-env', mode: 0o644 },
      note: "DJANGO_SECRET_KEY's value in .env",
    });
  });
});

describe('pristine store', () => {
  it('round-trips exact bytes (trailing newline or not, empty files, unicode)', () => {
    const files = new Map([
      ['b.txt', 'x\ny'],
      ['a/c.txt', 'line\n'],
      ['empty', ''],
      ['u', 'é — ✓\n\n'],
    ]);
    expect(parsePristine(serializePristine(files))).toEqual(files);
  });
  it('is sorted, one JSON line per file line, and never holds .env', () => {
    const serialized = serializePristine(pristineOf(tree({ 'z.txt': 'a\nb\n', '.env': 'SECRET=1\n', 'a.txt': 'c\n' })));
    expect(serialized).toBe(
      '{\n  "format": 1,\n  "files": {\n    "a.txt": [\n      "c",\n      ""\n    ],\n    "z.txt": [\n      "a",\n      "b",\n      ""\n    ]\n  }\n}\n',
    );
  });
  it('rejects a damaged store with one line naming it', () => {
    expect(() => parsePristine('{')).toThrow(new RegExp(`^${PRISTINE_PATH.replace('.', '\\.')}: not valid JSON`));
    expect(() => parsePristine('{"format": 2, "files": {}}')).toThrow(/not a format 1 pristine store; restore it from git/);
    expect(() => parsePristine('{"format": 1, "files": {"a": "text"}}')).toThrow(/entry "a" must be an array of lines/);
  });
});

describe('formatSummary', () => {
  const actions: FileAction[] = [
    { path: 'b', status: 'updated' },
    { path: 'a', status: 'updated' },
    { path: 'c', status: 'conflict', note: '1 conflict' },
    { path: 'd', status: 'unchanged' },
  ];
  it('prints counts for every status in a fixed order, then the files per status, sorted', () => {
    expect(countByStatus(actions)).toEqual({ updated: 2, merged: 0, conflict: 1, kept: 0, added: 0, removed: 0, unchanged: 1 });
    const summary = formatSummary(actions);
    expect(summary.split('\n').slice(0, 8)).toEqual([
      'Regeneration summary',
      '  updated       2',
      '  merged        0',
      '  conflict      1',
      '  kept          0',
      '  added         0',
      '  removed       0',
      '  unchanged     1',
    ]);
    expect(summary).toContain('updated:\n  a\n  b\n\nconflict:\n  c  (1 conflict)\n\nunchanged:\n  d');
    expect(summary).toMatch(/1 file has conflicts: resolve each "<<<<<<< yours" \.\.\. ">>>>>>> generator" block/);
  });
  it('says when nothing was written', () => {
    expect(formatSummary([], { dryRun: true })).toMatch(/^Regeneration plan \(--dry-run: nothing written\)/);
  });
});
