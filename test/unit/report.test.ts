// The per-file lines of a run: Yeoman's words (create, identical, force, conflict, skip) where it
// has them, and paths relative to the target.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileAction } from '../../generators/lib/merge.ts';
import { REPORT_VERBS, formatReportLine, reportVerb } from '../../generators/lib/report.ts';
import { read, regenerate, write } from '../helpers/regenerate.ts';

const written = (status: FileAction['status'], content = 'new'): FileAction => ({ path: 'f', status, write: { content, mode: 0o644 } });

describe('reportVerb', () => {
  it.each([
    ['a new file', written('added'), undefined, 'create'],
    ['a file written with the text it already had', written('added', 'same'), 'same', 'identical'],
    ['a fresh generation overwriting a different file (--force)', written('added'), 'old', 'force'],
    ['an untouched file replaced by the new render', written('updated'), 'old', 'update'],
    ['a merged file', written('merged'), 'old', 'merged'],
    ['a file left with conflict markers', written('conflict'), 'old', 'conflict'],
    ['a kept user edit', { path: 'f', status: 'kept' }, 'mine', 'skip'],
    ['a dropped file', { path: 'f', status: 'removed', remove: true }, 'old', 'remove'],
    ['an unchanged file', { path: 'f', status: 'unchanged' }, 'same', 'identical'],
  ] as const)('%s: %s', (_label, action, current, verb) => {
    expect(reportVerb(action, current)).toBe(verb);
  });

  it('lays lines out as Yeoman does: the verb right-aligned, then the path', () => {
    expect(formatReportLine('create', 'compose.yaml')).toBe('   create compose.yaml');
    expect(formatReportLine('identical', 'a/b.py')).toBe('identical a/b.py');
    expect(formatReportLine('skip', 'x', (_verb, text) => `<${text}>`)).toBe('<     skip> x');
  });
});

describe('a run reports every file once, relative to the target', () => {
  it('create on a first run; identical, update and merged on a regeneration', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'report-'));
    const first = await regenerate(dir, { tlsMode: 'self-signed', domain: 'app.test', celery: false });
    expect(first.error).toBeUndefined();
    expect(first.log.split('\n')).toEqual(expect.arrayContaining(['   create compose.yaml', '   create .env', '   create .yo-rc.json']));
    write(dir, 'compose.yaml', `${read(dir, 'compose.yaml')}# mine\n`);
    const { error, log } = await regenerate(dir, { celery: true });
    expect(error).toBeUndefined();
    const lines = log.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '   create my_site/celery.py',
        'identical manage.py',
        '   update README.md',
        '   merged compose.yaml',
        '   update .yo-rc.json',
      ]),
    );
    const reportLine = new RegExp(`^ *(${REPORT_VERBS.join('|')}) compose\\.yaml$`);
    expect(lines.filter((line) => reportLine.test(line))).toEqual(['   merged compose.yaml']);
    for (const run of [first.log, log]) expect(run).not.toMatch(/ force |\.\.\//);
  });
});
