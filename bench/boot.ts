// Boot-to-all-green time of generated stacks, measured with the verify code itself: per
// profile a cold run (Docker build cache emptied first) and a warm one. Prints numbers;
// asserts nothing. Goals: <= 3 min cold, <= 60 s warm on 2 cores. Needs a Docker engine.
//   node bench/boot.ts [defaults|minimal ...]
import { FEATURES } from '../features/index.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runVerify } from '../generators/verify/run.ts';
import { BENCH_HARDWARE, generateProject } from './generate-project.ts';

const PROFILES: Record<string, string[]> = {
  defaults: [],
  minimal: ['--celery', 'false', '--sentry', 'false', '--backups', 'false', '--tls-mode', 'self-signed', '--domain', 'app.test'],
};
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(PROFILES);

const rows: string[] = [];
for (const profile of chosen) {
  const flags = PROFILES[profile];
  if (!flags) throw new Error(`unknown profile ${profile}; known: ${Object.keys(PROFILES).join(', ')}`);
  const parent = mkdtempSync(path.join(os.tmpdir(), `bench-boot-${profile}-`));
  const repo = path.join(parent, 'site');
  generateProject(repo, [...BENCH_HARDWARE, ...flags]);
  for (const cache of ['cold', 'warm']) {
    if (cache === 'cold') execFileSync('docker', ['builder', 'prune', '--all', '--force'], { stdio: 'ignore' });
    const started = Date.now();
    const report = await runVerify({ repoDir: repo, features: FEATURES, log: () => undefined });
    const total = (Date.now() - started) / 1000;
    rows.push(
      `| ${profile} | ${cache} | ${report.buildSeconds.toFixed(0)} | ${report.bootSeconds.toFixed(0)} | ${(report.buildSeconds + report.bootSeconds).toFixed(0)} | ${total.toFixed(0)} | ${report.passed ? 'all passed' : 'FAILED'} |`,
    );
    console.log(rows.at(-1));
  }
  rmSync(parent, { recursive: true, force: true });
}
console.log(
  `\nboot to all green (${os.availableParallelism()} cores), seconds:\n| profile | build cache | build | boot to healthy | boot-to-green | with probes and teardown | probes |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}`,
);
