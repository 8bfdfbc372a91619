// Wall time of generating the default profile, as a user runs it (a new node process per
// run, cold module loading included). Prints numbers; asserts nothing. Goal: well under 2 s.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const cli = fileURLToPath(new URL('../scripts/django-prod.ts', import.meta.url));
const seconds: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-generate-')), 'my-site');
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, [cli, target, '--yes', '--cpus', '2', '--memory-mb', '4096'], { stdio: 'ignore' });
  seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
  rmSync(path.dirname(target), { recursive: true, force: true });
}
seconds.sort((a, b) => a - b);
const at = (q: number) => seconds[Math.min(seconds.length - 1, Math.floor(q * seconds.length))]!.toFixed(3);
console.log(
  `generate default profile (${RUNS} runs, node ${process.version}, ${os.availableParallelism()} cores): min ${at(0)} s, median ${at(0.5)} s, max ${at(1)} s`,
);
