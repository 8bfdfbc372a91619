import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputFile } from '../../generators/lib/input-files.ts';
import {
  LOCK_FILE,
  TargetStateError,
  acquireTargetLock,
  assessStoredConfig,
  writeFileAtomic,
  type LockEnvironment,
} from '../../generators/lib/target-state.ts';

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'target-state-'));
const environment = (pid: number, alive: readonly number[] = []): LockEnvironment => ({
  pid,
  host: 'box',
  now: () => new Date('2026-11-29T12:00:00Z'),
  isAlive: (other) => alive.includes(other),
});

describe('the target lock', () => {
  it('lets one run in and refuses a second in one line naming the holder', () => {
    const dir = scratch();
    const first = acquireTargetLock(dir, environment(100, [100, 200]));
    let refusal: unknown;
    try {
      acquireTargetLock(dir, environment(200, [100, 200]));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(TargetStateError);
    expect((refusal as TargetStateError).code).toBe(2);
    expect((refusal as Error).message).toMatch(
      /^Another django-prod run \(pid 100 on box, since 2026-11-29T12:00:00.000Z\) is writing .*: wait for it to finish; if none runs, delete .*\.django-prod\.lock and try again$/,
    );
    first.release('finished');
    expect(readdirSync(dir)).toEqual([]);
    acquireTargetLock(dir, environment(200, [200])).release('finished');
  });

  it('takes over the lock of a dead process on this host', () => {
    const dir = scratch();
    acquireTargetLock(dir, environment(100, [100]));
    const second = acquireTargetLock(dir, environment(200, [200]));
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 200 });
    second.release('finished');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('tells the run that takes over whether the dead run was writing a new project, and passes that on', () => {
    const dir = scratch();
    const unmarked = acquireTargetLock(dir, environment(100, [100]));
    expect(unmarked.interruptedNewProject).toBe(false);
    const first = acquireTargetLock(dir, environment(200, [200]));
    expect(first.interruptedNewProject).toBe(false);
    first.markNewProject();
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 200, newProject: true });
    // The run that takes over dies too, before it decides anything: the third still knows.
    const second = acquireTargetLock(dir, environment(300, [300]));
    expect(second.interruptedNewProject).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 300, newProject: true });
    // A run that stops (a refusal) on that half-written target leaves the record as it found it.
    const third = acquireTargetLock(dir, environment(400, [400]));
    expect(third.interruptedNewProject).toBe(true);
    third.release('stopped');
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 400, newProject: true });
    const fourth = acquireTargetLock(dir, environment(500, [500]));
    expect(fourth.interruptedNewProject).toBe(true);
    fourth.release('finished');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never takes over a lock held on another host or whose owner cannot be read', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 100, host: 'other', since: 'x' }));
    expect(() => acquireTargetLock(dir, environment(200, [200]))).toThrow(/pid 100 on other/);
    writeFileSync(path.join(dir, LOCK_FILE), '');
    expect(() => acquireTargetLock(dir, environment(200, [200]))).toThrow(/its lock file is unreadable/);
  });

  it('creates a missing target and removes it again when the run wrote nothing', () => {
    const dir = path.join(scratch(), 'new', 'site');
    const lock = acquireTargetLock(dir, environment(100, [100]));
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    lock.release('finished');
    expect(existsSync(path.dirname(dir))).toBe(false);
  });

  it('keeps a created target that the run filled', () => {
    const dir = path.join(scratch(), 'site');
    const lock = acquireTargetLock(dir, environment(100, [100]));
    writeFileSync(path.join(dir, 'compose.yaml'), 'x');
    lock.release('finished');
    expect(readdirSync(dir)).toEqual(['compose.yaml']);
  });

  it('admits exactly one of many processes racing for it', async () => {
    const dir = scratch();
    const moduleUrl = new URL('../../generators/lib/target-state.ts', import.meta.url).href;
    // Each racer reports, then holds on (a winner alive) until the test closes its stdin: a
    // winner that exited early would leave a stale lock for a slow starter to take over.
    const racer = `import { acquireTargetLock } from ${JSON.stringify(moduleUrl)};
      try { acquireTargetLock(process.argv[1]); console.log('got'); } catch (e) { console.log(e.code === 2 ? 'refused' : 'crashed ' + e.message); }
      process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
    const children = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--input-type=module', '-e', racer, dir], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const outcomes = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out.includes('\n')) resolve(out.trim());
            });
          }),
      ),
    );
    for (const child of children) child.stdin.end();
    expect(outcomes.filter((outcome) => outcome === 'got')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'refused')).toHaveLength(5);
  }, 60_000);
});

describe('atomic writes', () => {
  it('replaces the content whole and leaves no temp file', () => {
    const dir = scratch();
    const file = path.join(dir, '.django-prod', 'pristine.json');
    writeFileAtomic(file, 'one\n');
    writeFileAtomic(file, 'two\n', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    expect(readdirSync(path.dirname(file))).toEqual(['pristine.json']);
  });
});

describe('a stored .yo-rc.json', () => {
  it.each([
    [undefined, false, 'absent'],
    ['{"generator-django-prod": {}}', true, 'ok'],
    ['', false, 'discard'],
    ['{"generator-dj', false, 'discard'],
    ['[]', false, 'discard'],
  ])('%j (pristine store: %s) is %s', (text, hasPristine, kind) => {
    expect(assessStoredConfig(text, hasPristine, '/site').kind).toBe(kind);
  });

  it('is refused with the repair in one line when generated files depend on it', () => {
    const state = assessStoredConfig('', true, '/site');
    expect(state).toEqual({
      kind: 'refuse',
      message:
        '/site/.yo-rc.json is empty (an interrupted run?): restore it with `git -C /site checkout -- .yo-rc.json` and run again, or delete it and regenerate with your answers and --force',
    });
  });
});

describe('files an answer names', () => {
  it('reads a regular file', () => {
    const file = path.join(scratch(), 'answers.json');
    writeFileSync(file, '{}');
    expect(readInputFile(file, 'Answers file')).toBe('{}');
  });

  it.each([
    [
      'a directory',
      (dir: string) => {
        mkdirSync(path.join(dir, 'x.pem'));
        return path.join(dir, 'x.pem');
      },
      /: is a directory, not a file$/,
    ],
    ['missing', (dir: string) => path.join(dir, 'none.json'), /: does not exist$/],
    [
      'too large',
      (dir: string) => {
        writeFileSync(path.join(dir, 'big.json'), 'x'.repeat(2048));
        return path.join(dir, 'big.json');
      },
      /: is 2048 bytes; at most 1024 are read$/,
    ],
    [
      'under a file',
      (dir: string) => {
        writeFileSync(path.join(dir, 'f'), '');
        return path.join(dir, 'f', 'x.json');
      },
      /: does not exist \(a part of the path is not a directory\)$/,
    ],
  ])('refuses a path that is %s in one line', (_label, make, problem) => {
    const file = make(scratch());
    expect(() => readInputFile(file, 'Answers file', 1024)).toThrow(problem);
  });

  it('refuses a FIFO, which would block the run', () => {
    const file = path.join(scratch(), 'answers.json');
    execFileSync('mkfifo', [file]);
    expect(() => readInputFile(file, 'Answers file')).toThrow(/: is not a regular file$/);
  });
});
