// The smallest server the generator accepts runs: the defaults generated for 1 CPU and 1024 MiB
// (monitoring left out for memory), booted by verify with every memory limit enforced, every probe
// passing; then, on the same stack, a bounded load through nginx while Celery runs a few tasks. No
// container is OOM-killed (nor any process in it) or restarted, every task completes, and each
// container's peak in `docker stats` stays under its limit. One boot: it is the slow part.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { runVerify, type VerifyReport } from '../../generators/verify/run.ts';
import { requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { type LoadReport } from '../helpers/load.ts';
import { loadWithTasks } from '../helpers/small-load.ts';
import { containerMemory, expectWithinLimits, memoryTable } from '../helpers/container-memory.ts';
import { sampleStats, type StatsSampler } from '../helpers/memory-stats.ts';

const NAME = `small${process.pid}`;
/** The defaults' domain, which verify's test CA certifies. */
const DOMAIN = 'example.com';
const TASKS = 40;

describe('1 CPU, 1024 MiB: the defaults', () => {
  let dir = '';
  let report: VerifyReport;
  let stats: StatsSampler;
  let load: LoadReport;
  let tasks = '';
  const progress: string[] = [];
  const started = Date.now();

  beforeAll(async () => {
    requireDocker();
    dir = (await generateProject({ name: NAME, cpus: 1, memoryMb: 1024 })).cwd;
    stats = sampleStats(`verify-${NAME}-`);
    report = await runVerify({ repoDir: dir, features: FEATURES, keep: true, log: (line) => progress.push(line) });
    ({ load, tasksOutput: tasks } = await loadWithTasks(report.project, NAME, DOMAIN, TASKS, stats));
  }, 1_200_000);

  afterAll(() => {
    stats?.stop();
    if (report?.downCommand) execFileSync('sh', ['-c', report.downCommand], { cwd: dir, stdio: 'ignore' });
    console.log(`small server: whole test ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });

  it('is generated without monitoring, and every probe of verify passes with the limits enforced', () => {
    expect(
      report.results.filter((probe) => probe.status === 'fail'),
      `${report.table}\n${progress.join('\n')}`,
    ).toEqual([]);
    expect(run('docker', ['ps', '-a', '--format', '{{.Names}}', '--filter', `name=${report.project}-prometheus`]).trim()).toBe('');
    console.log(
      `1 CPU / 1024 MiB: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`,
    );
  });

  it('serves a bounded load through nginx and completes every Celery task', () => {
    expect(tasks).toContain(`${TASKS} tasks done`);
    expect(load.failures, JSON.stringify(load.failures.slice(0, 5))).toEqual([]);
    expect(load.ok).toBeGreaterThan(0);
    console.log(
      `load: ${load.ok} requests in ${((load.stoppedAt - load.startedAt) / 1000).toFixed(0)} s, max latency ${load.maxLatencyMs} ms; ${tasks.trim()}`,
    );
  });

  it('kills and restarts nothing, and every container stays under its limit', () => {
    const rows = containerMemory(report.project, stats, `verify-${NAME}-`);
    console.log(memoryTable(rows));
    expectWithinLimits(rows, ['db-1', 'redis-1', 'web-1', 'nginx-1', 'worker-1', 'beat-1', 'backup-1']);
  });
});
