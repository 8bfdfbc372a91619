// A generator run killed at any moment leaves a target the next run handles: it repairs or
// refuses in one line (exit 2), never crashes (exit 1) on a half-written state; the dead run's
// lock is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../generators/lib/target-state.ts';

const CLI = fileURLToPath(new URL('../../scripts/django-prod.ts', import.meta.url));
const FLAGS = ['--yes', '--tls-mode', 'self-signed', '--domain', 'app.test', '--cpus', '2', '--memory-mb', '4096'];

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
      const next = spawnSync(process.execPath, [CLI, dir, ...FLAGS, '--force'], { encoding: 'utf8' });
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
