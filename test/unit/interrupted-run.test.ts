// A generator run killed at any moment leaves a target the next run handles: it repairs or
// refuses in one line (exit 2), never crashes (exit 1) on a half-written state; the dead run's
// lock is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../generators/lib/target-state.ts';

const CLI = fileURLToPath(new URL('../../scripts/django-prod.ts', import.meta.url));
const FLAGS = ['--yes', '--tls-mode', 'self-signed', '--domain', 'app.test', '--cpus', '2', '--memory-mb', '4096'];

const run = (dir: string, ...extra: string[]) => spawnSync(process.execPath, [CLI, dir, ...FLAGS, ...extra], { encoding: 'utf8' });

/** Starts a run and SIGKILLs it after `ms` (or lets it finish when it is faster). */
function killedRun(dir: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, dir, ...FLAGS], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('a run killed part-way', () => {
  it.each([400, 2500])(
    'after %i ms leaves a target the next run completes',
    async (ms) => {
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'interrupted-')), 'site');
      await killedRun(dir, ms);
      const stateIsWhole =
        !existsSync(path.join(dir, '.yo-rc.json')) || JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8')) !== null;
      expect(stateIsWhole).toBe(true);
      // --force: files of the killed run may be there without the state that would make this a regeneration.
      const next = run(dir, '--force');
      expect(next.stderr).not.toMatch(/An error occured|at .*\.(ts|js):\d+/);
      expect(next.status).toBe(0);
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))).toHaveProperty(
        ['generator-django-prod', 'answers', 'domain'],
        'app.test',
      );
    },
    120_000,
  );
});

// The moment the timed kills above may or may not hit: manage.py written, the settings it names not yet.
describe('a first run killed after manage.py, before its settings', () => {
  /** A whole generation cut back to that moment, with the dead run's lock; `newProject` as its lock recorded it. */
  function halfWritten(newProject: boolean): string {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'interrupted-')), 'site');
    expect(run(dir).status).toBe(0);
    for (const state of ['.yo-rc.json', '.django-prod', 'my_site/settings']) rmSync(path.join(dir, state), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const owner = {
      pid: Number(dead.stdout),
      host: os.hostname(),
      since: '2026-11-29T12:00:00.000Z',
      ...(newProject ? { newProject } : {}),
    };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(owner));
    return dir;
  }

  it('is completed by the next run with --force, and without it refused in one line that says so', () => {
    const dir = halfWritten(true);
    const plain = run(dir);
    expect(plain.status).toBe(2);
    expect(plain.stderr.trim()).toMatch(
      /^Error: Target .* holds \d+ entries of a django-prod run that was killed before it finished: pass --force to complete it/,
    );
    const forced = run(dir, '--force');
    expect(forced.status).toBe(0);
    expect(existsSync(path.join(dir, 'my_site/settings/production.py'))).toBe(true);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  }, 60_000);

  it("without that record in the lock, its manage.py reads as a project of the user's (what the record prevents)", () => {
    const forced = run(halfWritten(false), '--force');
    expect(forced.status).toBe(2);
    expect(forced.stderr).toMatch(
      /names the settings module my_site\.settings\.production, but no my_site\/settings\/production\.py exists/,
    );
  }, 60_000);
});
