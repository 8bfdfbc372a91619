// The smallest server the generator accepts runs: the defaults generated for 1 CPU and 1024 MiB
// (monitoring left out for memory), booted by verify with every memory limit enforced, every probe
// passing; then, on the same stack, a bounded load through nginx while Celery runs a few tasks. No
// container is OOM-killed (nor any process in it) or restarted, every task completes, and each
// container's peak in `docker stats` stays under its limit. One boot: it is the slow part.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { runVerify, type VerifyReport } from '../../generators/verify/run.ts';
import { requireDocker, run, runAsync } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { startLoad, type LoadReport } from '../helpers/load.ts';
import { sampleStats, type StatsSampler } from '../helpers/memory-stats.ts';

const NAME = `small${process.pid}`;
/** The defaults' domain, which verify's test CA certifies. */
const DOMAIN = 'example.com';
const TASKS = 40;

interface ContainerState {
  name: string;
  restarts: number;
  oomKilled: boolean;
  limitMb: number;
  running: boolean;
}

const inspect = (ids: string[]): ContainerState[] =>
  (
    JSON.parse(run('docker', ['inspect', ...ids])) as {
      Name: string;
      RestartCount: number;
      State: { OOMKilled: boolean; Running: boolean };
      HostConfig: { Memory: number };
    }[]
  ).map((container) => ({
    name: container.Name.replace(/^\//, ''),
    restarts: container.RestartCount,
    oomKilled: container.State.OOMKilled,
    limitMb: container.HostConfig.Memory / 1048576,
    running: container.State.Running,
  }));

/** Processes the kernel killed for memory in a running container, any of them (not only its main one, which OOMKilled covers). */
const oomKills = (name: string): number => {
  const events = run('docker', [
    'exec',
    name,
    'sh',
    '-c',
    'cat /sys/fs/cgroup/memory.events 2>/dev/null || cat /sys/fs/cgroup/memory/memory.oom_control',
  ]);
  return Number(/^oom_kill (\d+)$/m.exec(events)?.[1] ?? Number.NaN);
};

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
    stats.phase('load');
    const port = Number(
      run('docker', ['port', `${report.project}-nginx-1`, '443'])
        .trim()
        .split('\n')[0]!
        .split(':')
        .pop(),
    );
    const loading = startLoad({ port, host: DOMAIN, concurrency: 8, maxSeconds: 30 });
    const script = `from ${NAME}.tasks import ping\nresults = [ping.delay() for _ in range(${TASKS})]\nprint(sum(r.get(timeout=240) == "pong" for r in results), "tasks done")`;
    const sent = await runAsync('docker', ['exec', `${report.project}-web-1`, 'python', 'manage.py', 'shell', '-c', script], {
      timeoutMs: 300_000,
    });
    tasks = `${sent.stdout}${sent.stderr}`;
    await new Promise((resolve) => setTimeout(resolve, 30_000 - Math.min(30_000, sent.seconds * 1000)));
    load = await loading.stop();
    // A last sample after the load, then the stream ends.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    stats.stop();
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
    const ids = run('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${report.project}`])
      .trim()
      .split('\n');
    const containers = inspect(ids);
    const peaks = new Map<string, number>();
    for (const byName of stats.peaks.values()) for (const [name, mib] of byName) peaks.set(name, Math.max(peaks.get(name) ?? 0, mib));
    const rows = containers.map((container) => {
      const service = container.name.slice(`${report.project}-`.length);
      return {
        ...container,
        service,
        peakMb: peaks.get(container.name.slice(`verify-${NAME}-`.length)),
        kills: container.running ? oomKills(container.name) : 0,
      };
    });
    console.log(
      ['| container | limit MiB | peak MiB (docker stats) |', '|---|---|---|']
        .concat(rows.map((row) => `| ${row.service} | ${row.limitMb || 'none'} | ${row.peakMb?.toFixed(1) ?? 'not sampled'} |`))
        .join('\n'),
    );
    for (const row of rows) {
      expect({ service: row.service, restarts: row.restarts, oomKilled: row.oomKilled, kills: row.kills }).toEqual({
        service: row.service,
        restarts: 0,
        oomKilled: false,
        kills: 0,
      });
    }
    // The generated services (verify's own helpers, such as its ACME server, come with no limit).
    const limited = rows.filter((row) => row.limitMb > 0);
    expect(limited.map((row) => row.service)).toEqual(
      expect.arrayContaining(['db-1', 'redis-1', 'web-1', 'nginx-1', 'worker-1', 'beat-1', 'backup-1']),
    );
    for (const row of limited.filter((row) => row.peakMb !== undefined)) expect(row.peakMb!, row.service).toBeLessThan(row.limitMb);
  });
});
