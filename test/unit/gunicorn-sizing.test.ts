// The generated gunicorn.conf.py re-sizes gunicorn at start-up from the container's cgroups, with
// gunicorn_runtime/sizing.py and the PLAN the generator rendered. Together they must reach the same
// numbers as sizing.ts: run them with python3 against fake cgroup trees and compare with sizeGunicorn
// for a table of hardware. (The generated suite tests sizing.py's own cases: tests/test_gunicorn_sizing.py.)
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
  db_connections: number;
}

/** Answered for a big server, so the database connections never cap the formula being compared. */
const BIG_SERVER = { cpus: 64, memoryMb: 262144 };

/**
 * sizing.size() with the generated PLAN and ASGI switch, read from gunicorn.conf.py by Python's own
 * parser (executing the file would need gunicorn, which the host's python3 lacks).
 */
function computeSizing(project: string, cgroupRoot: string, environ: Record<string, string> = {}): PythonSizing {
  const script = String.raw`
import ast, dataclasses, json, sys
project, root, environ = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, project)
from gunicorn_runtime import sizing
tree = ast.parse(open(project + "/gunicorn.conf.py").read())
assigned = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign) for target in node.targets if isinstance(target, ast.Name)}
plan = eval(compile(ast.Expression(assigned["PLAN"]), "PLAN", "eval"), {"sizing": sizing})
asgi = next(keyword.value.value for keyword in assigned["SIZED"].keywords if keyword.arg == "asgi")
print(json.dumps(dataclasses.asdict(sizing.size(plan, asgi=asgi, root=root, environ=environ, affinity=64, host_memory_mb=1 << 22))))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, project, cgroupRoot, JSON.stringify(environ)], { encoding: 'utf8' }));
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
  let project: string;
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
    project ??= (await generateProject({ server, ...BIG_SERVER })).cwd;
    const expected = sizeGunicorn(cpus, memoryMb, server);
    for (const root of [cgroupV2(cpus, memoryMb), cgroupV1(cpus, memoryMb)]) {
      const actual = computeSizing(project, root);
      expect({ workers: actual.workers, threads: actual.threads, workerClass: actual.worker_class }).toEqual({
        workers: expected.workers,
        threads: expected.threads,
        workerClass: expected.workerClass,
      });
    }
  });
});

describe('gunicorn.conf.py fallbacks and the database connections it was sized for', () => {
  it('without cgroup limits, uses the CPU affinity and the web share of host memory', async () => {
    const project = (await generateProject(BIG_SERVER)).cwd;
    const actual = computeSizing(project, mkdtempSync(path.join(os.tmpdir(), 'cgroup-none-')));
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
    const project = (await generateProject({ cpus: 2, memoryMb: 4096 })).cwd;
    const budget = sizeStack({ cpus: 2, memoryMb: 4096 }, 'wsgi', demandsOf('celery')).database.perWebContainer;
    const uncapped = sizeGunicorn(32, 45875, 'wsgi');
    const actual = computeSizing(project, cgroupV2(32, 45875));
    expect(uncapped.workers * uncapped.threads + 1).toBeGreaterThan(budget);
    expect(actual.db_connections).toBeLessThanOrEqual(budget);
    expect(actual.db_connections).toBe(actual.workers * actual.threads + 1);
    expect(actual.workers).toBeGreaterThanOrEqual(1);
  });
});
