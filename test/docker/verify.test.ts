// End to end: generate a repository, then run exactly what `yo django-prod:verify` runs on it; for
// the defaults, exactly what a newcomer types: the README's first command (sized for the second
// smallest server, 1 CPU and 2048 MiB), then the `Next:` command it prints (`cd my-site && make
// verify`, keeping the stack), in one shell, as root, with nothing installed globally; then a
// bounded load through nginx while Celery runs 40 tasks. With the limits enforced no container
// restarts or is OOM-killed, and each stays under its limit all along.
// The minimal profile runs through an Engine-24-level API (DOCKER_API_VERSION=1.43): verify then
// boots it without healthchecks' start_interval, which that API lacks.
// No Docker engine is a failure here, never a skip: this suite is the proof the stack works.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { containerMemory, expectWithinLimits, memoryTable } from '../helpers/container-memory.ts';
import { runAsync } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { sampleStats } from '../helpers/memory-stats.ts';
import { loadWithTasks } from '../helpers/small-load.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { GENERATOR_VERSION } from '../../generators/lib/version.ts';
import { probesFor } from '../../generators/verify/probes/index.ts';
import { readStoredAnswers } from '../../generators/verify/stored-answers.ts';
import { runVerify } from '../../generators/verify/run.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Celery tasks sent while the load runs, at 1 CPU / 2048 MiB. */
const TASKS = 40;

/** Every probe verify has for the repository's answers (testssl only where installed: CI installs it). */
async function expectedProbes(repoDir: string): Promise<string[]> {
  const render = buildRenderContext(readStoredAnswers(repoDir, FEATURES), FEATURES, GENERATOR_VERSION);
  const expected = (await probesFor(render)).map((probe) => probe.name).filter((name) => name !== 'testssl' || process.env['CI']);
  expect(expected).toEqual(expect.arrayContaining(['services', 'https-health', 'check-deploy', 'hygiene']));
  return expected;
}

describe('yo django-prod:verify', () => {
  it("boots the defaults for 1 CPU / 2048 MiB with the README's first command, then `cd my-site && make verify`: every probe passes, nothing is killed", async () => {
    // The README's first command, with a target of this run's own (the checkout's ./my-site may be the reader's).
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const first = /```sh\n(source scripts\/setup\.sh && npm run generate -- my-site --yes)\s+#/.exec(readme)?.[1];
    expect(first).toBeDefined();
    const site = `my-site-verify-${process.pid}`;
    const script = [
      'set -eo pipefail',
      'log=$(mktemp)',
      `${first!.replace(' my-site ', ` ${site} `)} --cpus 1 --memory-mb 2048 2>&1 | tee "$log"`,
      // As printed, without its explanation: "Next: cd my-site && make verify   (boots ...)".
      'next=$(sed -n "s/^Next: \\(.*\\S\\)   (.*/\\1/p" "$log")',
      'rm "$log"',
      'echo "\\$ $next"',
      // Kept, so the containers' restarts and OOM kills can be read after the probes.
      'eval "$next ARGS=--keep"',
    ].join('\n');
    // verify names its project verify-<answered name>-<random>; the name is the default, my-site.
    const stats = sampleStats('verify-my-site-');
    let downCommand: string | undefined;
    try {
      const run = await runAsync('bash', ['-c', script], { cwd: REPO, timeoutMs: 1_500_000 });
      const output = `${run.stdout}${run.stderr}`;
      downCommand = /remove it with:\n {2}(.+)$/m.exec(output)?.[1];
      expect(output).toContain(`$ cd ${site} && make verify`);
      // make echoes the command: the Makefile reached this checkout's verify (scripts/setup.sh put bin/ on the PATH).
      expect(output).toContain(`${path.join(REPO, 'bin', 'django-prod-verify')} --keep\n`);
      expect(run.code, output).toBe(0);
      const passed = [...output.matchAll(/^(\S+)\s+\| PASS /gm)].map((match) => match[1]);
      expect(passed, output).toEqual(expect.arrayContaining(await expectedProbes(path.join(REPO, site))));
      console.log(
        output
          .split('\n')
          .filter((line) => line.includes(' | '))
          .join('\n'),
      );
      const project = /still running as project (\S+)/.exec(output)![1]!;
      // Then the small sizes' workload: a bounded load through nginx while Celery runs a few tasks.
      const { load, tasksOutput } = await loadWithTasks(project, 'my_site', 'example.com', TASKS, stats);
      expect(tasksOutput).toContain(`${TASKS} tasks done`);
      expect(load.failures, JSON.stringify(load.failures.slice(0, 5))).toEqual([]);
      expect(load.ok).toBeGreaterThan(0);
      const rows = containerMemory(project, stats, 'verify-my-site-');
      console.log(`1 CPU / 2048 MiB, the defaults:\n${memoryTable(rows)}`);
      expectWithinLimits(rows, ['db-1', 'redis-1', 'web-1', 'nginx-1', 'worker-1', 'beat-1', 'backup-1', 'prometheus-1']);
    } finally {
      stats.stop();
      if (downCommand) execFileSync('sh', ['-c', downCommand], { cwd: path.join(REPO, site), stdio: 'ignore' });
      rmSync(path.join(REPO, site), { recursive: true, force: true });
    }
  }, 1_800_000);

  it('boots the minimal profile (every feature off, self-signed) through API 1.43 and every probe passes', async () => {
    const result = await generateProject(PROFILES['minimal']!);
    const lines: string[] = [];
    process.env['DOCKER_API_VERSION'] = '1.43';
    const report = await runVerify({ repoDir: result.cwd, features: FEATURES, log: (line) => lines.push(line) }).finally(() => {
      delete process.env['DOCKER_API_VERSION'];
    });
    expect(lines).toContain(
      'Docker Engine API 1.43 (before Engine 25): healthchecks run without start_interval (probed every interval while starting)',
    );
    const failed = report.results.filter((probe) => probe.status === 'fail');
    expect(failed, `failed probes\n${report.table}\n--- progress ---\n${lines.join('\n')}`).toEqual([]);
    // Every probe of the profile ran: the core ones and those of each feature that is on.
    const ran = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
    expect(ran, report.table).toEqual(expect.arrayContaining(await expectedProbes(result.cwd)));
    console.log(`minimal: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`);
  });
});
