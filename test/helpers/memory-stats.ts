// Each container's memory as `docker stats` reports it (usage less the inactive page cache: what a
// limit is compared with), sampled all along and kept as a peak per container name. Shared by the
// small-server test, bench/memory.ts and bench/stack.ts.
import { spawn } from 'node:child_process';

/** `docker stats` usage ("12.5MiB / 1GiB") in MiB. */
export function parseMiB(usage: string): number {
  const match = /([\d.]+)\s*([KMG]i?B|B)/.exec(usage);
  if (!match) return Number.NaN;
  const unit = { B: 1 / 1048576, KiB: 1 / 1024, KB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 }[match[2]!] ?? Number.NaN;
  return Number(match[1]) * unit;
}

export interface StatsSampler {
  /** Names the phase later samples count under (the first is "boot"). */
  phase(name: string): void;
  /** Peak MiB by phase, then by container name (without the prefix). */
  peaks: Map<string, Map<string, number>>;
  stop(): void;
}

/** Streams `docker stats` of every running container whose name starts with prefix (new ones included). */
export function sampleStats(prefix: string): StatsSampler {
  const peaks = new Map<string, Map<string, number>>();
  let phase = 'boot';
  const child = spawn('docker', ['stats', '--format', '{{.Name}}\t{{.MemUsage}}'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const raw of lines) {
      // eslint-disable-next-line no-control-regex -- the stream clears the screen between frames
      const [name, usage] = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\t');
      if (!name?.startsWith(prefix) || !usage) continue;
      const mib = parseMiB(usage.split('/')[0]!);
      // "--" while a container starts or stops.
      if (Number.isNaN(mib)) continue;
      const byName = peaks.get(phase) ?? new Map<string, number>();
      byName.set(name.slice(prefix.length), Math.max(byName.get(name.slice(prefix.length)) ?? 0, mib));
      peaks.set(phase, byName);
    }
  });
  return {
    phase: (name) => {
      phase = name;
    },
    peaks,
    stop: () => child.kill(),
  };
}
