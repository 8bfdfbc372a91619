// A booted Compose project's containers against their memory limits: restarts, OOM kills (of any
// process in them) and the peak `docker stats` sampled (memory-stats.ts). Shared by the tests that
// boot a small server size (small-server.test.ts, verify.test.ts).
import { expect } from 'vitest';
import { run } from './docker.ts';
import type { StatsSampler } from './memory-stats.ts';

export interface ContainerMemory {
  /** Service and index, e.g. web-1. */
  service: string;
  restarts: number;
  oomKilled: boolean;
  /** Processes the kernel killed for memory (0 for a container that has exited). */
  kills: number;
  /** 0: no limit (verify's own helpers). */
  limitMb: number;
  /** Peak of `docker stats` over every phase, undefined when never sampled. */
  peakMb?: number;
}

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

/** Every container of the project (exited ones too); stats sampled with prefix `statsPrefix` (sampleStats'). */
export function containerMemory(project: string, stats: StatsSampler, statsPrefix: string): ContainerMemory[] {
  const ids = run('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`])
    .trim()
    .split('\n');
  const peaks = new Map<string, number>();
  for (const byName of stats.peaks.values()) for (const [name, mib] of byName) peaks.set(name, Math.max(peaks.get(name) ?? 0, mib));
  const containers = JSON.parse(run('docker', ['inspect', ...ids])) as {
    Name: string;
    RestartCount: number;
    State: { OOMKilled: boolean; Running: boolean };
    HostConfig: { Memory: number };
  }[];
  return containers.map((container) => {
    const name = container.Name.replace(/^\//, '');
    const peakMb = peaks.get(name.slice(statsPrefix.length));
    return {
      service: name.slice(`${project}-`.length),
      restarts: container.RestartCount,
      oomKilled: container.State.OOMKilled,
      kills: container.State.Running ? oomKills(name) : 0,
      limitMb: container.HostConfig.Memory / 1048576,
      ...(peakMb === undefined ? {} : { peakMb }),
    };
  });
}

/** The README's sizing numbers: limit and peak per container, as a Markdown table. */
export function memoryTable(rows: ContainerMemory[]): string {
  return ['| container | limit MiB | peak MiB (docker stats) |', '|---|---|---|']
    .concat(rows.map((row) => `| ${row.service} | ${row.limitMb || 'none'} | ${row.peakMb?.toFixed(1) ?? 'not sampled'} |`))
    .join('\n');
}

/** Nothing restarted or OOM-killed, the given services limited and sampled, and each peak under its limit. */
export function expectWithinLimits(rows: ContainerMemory[], services: string[]): void {
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
  expect(limited.map((row) => row.service)).toEqual(expect.arrayContaining(services));
  // The long-running ones were sampled all along (a one-shot job may come and go between two samples).
  expect(services.filter((service) => rows.find((row) => row.service === service)?.peakMb === undefined)).toEqual([]);
  for (const row of limited.filter((row) => row.peakMb !== undefined)) expect(row.peakMb!, row.service).toBeLessThan(row.limitMb);
}
