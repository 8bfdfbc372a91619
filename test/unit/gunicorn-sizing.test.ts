// The generated gunicorn.conf.py re-sizes gunicorn at start-up from the container's cgroups.
// It must reach the same numbers as sizing.ts: run its compute_sizing() with python3 against
// fake cgroup trees and compare with sizeGunicorn for a table of hardware.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sizeGunicorn, sizeStack } from '../../generators/lib/sizing.ts';
import { demandsOf } from '../helpers/sizing.ts';
import { generateProject } from '../helpers/generate.ts';

const MiB = 1024 * 1024;

interface PythonSizing {
  workers: number;
  threads: number;
  worker_class: string;
  cpus: number;
  memory_mb: number;
  db_connections: number;
}

/** Answered for a big server, so the database budget never caps the formula being compared. */
const BIG_SERVER = { cpus: 64, memoryMb: 262144 };

function computeSizing(conf: string, cgroupRoot: string, environ: Record<string, string> = {}): PythonSizing {
  const script = [
    'import json, runpy, sys',
    'ns = runpy.run_path(sys.argv[1], run_name="sizing_test")',
    'print(json.dumps(ns["compute_sizing"](root=sys.argv[2], environ=json.loads(sys.argv[3]), affinity=64, host_memory_mb=1 << 22)))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, conf, cgroupRoot, JSON.stringify(environ)], { encoding: 'utf8' }));
}

function cgroupV2(cpus: number, memoryMb: number): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cgroup-v2-'));
  writeFileSync(path.join(root, 'cpu.max'), `${cpus * 100000} 100000\n`);
  writeFileSync(path.join(root, 'memory.max'), `${memoryMb * MiB}\n`);
  return root;
}

function cgroupV1(cpus: number, memoryMb: number): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cgroup-v1-'));
  mkdirSync(path.join(root, 'cpu'));
  mkdirSync(path.join(root, 'memory'));
  writeFileSync(path.join(root, 'cpu', 'cpu.cfs_quota_us'), `${cpus * 50000}\n`);
  writeFileSync(path.join(root, 'cpu', 'cpu.cfs_period_us'), '50000\n');
  writeFileSync(path.join(root, 'memory', 'memory.limit_in_bytes'), `${memoryMb * MiB}\n`);
  return root;
}

describe.each(['wsgi', 'asgi'] as const)('gunicorn.conf.py (%s) sizes like sizing.ts', (server) => {
  let conf: string;
  it.each([
    [1, 512],
    [1, 1433],
    [2, 1433],
    [2, 700],
    [4, 2867],
    [8, 5734],
    [16, 1000],
    [32, 45875],
    // Past the worker cap (32).
    [64, 131072],
  ])('%i CPUs, %i MiB web memory limit', async (cpus, memoryMb) => {
    conf ??= path.join((await generateProject({ server, ...BIG_SERVER })).cwd, 'gunicorn.conf.py');
    const expected = sizeGunicorn(cpus, memoryMb, server);
    for (const root of [cgroupV2(cpus, memoryMb), cgroupV1(cpus, memoryMb)]) {
      const actual = computeSizing(conf, root);
      expect({ workers: actual.workers, threads: actual.threads, workerClass: actual.worker_class }).toEqual({
        workers: expected.workers,
        threads: expected.threads,
        workerClass: expected.workerClass,
      });
    }
  });
});

describe('gunicorn.conf.py overrides and fallbacks', () => {
  it('honours WEB_CONCURRENCY and GUNICORN_THREADS', async () => {
    const conf = path.join((await generateProject({})).cwd, 'gunicorn.conf.py');
    const actual = computeSizing(conf, cgroupV2(2, 1433), { WEB_CONCURRENCY: '3', GUNICORN_THREADS: '2' });
    expect(actual).toMatchObject({ workers: 3, threads: 2, worker_class: 'gthread' });
  });

  it('without cgroup limits, uses the CPU affinity and the web share of host memory', async () => {
    const conf = path.join((await generateProject(BIG_SERVER)).cwd, 'gunicorn.conf.py');
    const actual = computeSizing(conf, mkdtempSync(path.join(os.tmpdir(), 'cgroup-none-')));
    const expected = sizeGunicorn(
      64,
      Math.floor(4 * 1024 * 1024 * sizeStack({ cpus: 64, memoryMb: 4 * 1024 * 1024 }, 'wsgi', demandsOf('celery')).webShare),
      'wsgi',
    );
    expect(actual).toMatchObject({ cpus: 64, workers: expected.workers, threads: expected.threads });
  });

  it('keeps automatic sizing on a bigger host within the database connections it was sized for', async () => {
    // Generated for 2 cores and 4 GiB, started with 32 cores and 45 GiB: more workers would
    // need more connections than PostgreSQL's max_connections has for this container.
    const conf = path.join((await generateProject({ cpus: 2, memoryMb: 4096 })).cwd, 'gunicorn.conf.py');
    const budget = sizeStack({ cpus: 2, memoryMb: 4096 }, 'wsgi', demandsOf('celery')).database.perWebContainer;
    const uncapped = sizeGunicorn(32, 45875, 'wsgi');
    const actual = computeSizing(conf, cgroupV2(32, 45875));
    expect(uncapped.workers * uncapped.threads + 1).toBeGreaterThan(budget);
    expect(actual.db_connections).toBeLessThanOrEqual(budget);
    expect(actual.db_connections).toBe(actual.workers * actual.threads + 1);
    expect(actual.workers).toBeGreaterThanOrEqual(1);
  });

  it('does not cap explicit overrides: the start-up check refuses them instead', async () => {
    const conf = path.join((await generateProject({ cpus: 2, memoryMb: 4096 })).cwd, 'gunicorn.conf.py');
    const actual = computeSizing(conf, cgroupV2(2, 1433), { WEB_CONCURRENCY: '12' });
    expect(actual).toMatchObject({ workers: 12, db_connections: 12 * actual.threads + 1 });
  });
});

describe('gunicorn.conf.py access log', () => {
  /** The conf's accesslog setting (repr) with GUNICORN_ACCESS_LOG as given (absent when undefined). */
  function accessLog(conf: string, value: string | undefined): string {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'GUNICORN_ACCESS_LOG'));
    if (value !== undefined) env['GUNICORN_ACCESS_LOG'] = value;
    const script = 'import runpy, sys\nprint(repr(runpy.run_path(sys.argv[1], run_name="access_log_test")["accesslog"]))';
    return execFileSync('python3', ['-c', script, conf], { encoding: 'utf8', env }).trim();
  }

  it("is off unless GUNICORN_ACCESS_LOG turns it on: nginx's access log has every request", async () => {
    const conf = path.join((await generateProject({})).cwd, 'gunicorn.conf.py');
    expect(accessLog(conf, undefined)).toBe('None');
    expect(accessLog(conf, '')).toBe('None');
    expect(accessLog(conf, '0')).toBe('None');
    expect(accessLog(conf, '1')).toBe("'-'");
    expect(accessLog(conf, 'true')).toBe("'-'");
  });
});
