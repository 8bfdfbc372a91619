// End to end: generate a repository, then run exactly what `yo django-prod:verify` runs on it; for
// the defaults, exactly what a newcomer types: the README's first command, then the `Next:` command
// it prints (`cd my-site && make verify`), in one shell, as root, with nothing installed globally.
// No Docker engine is a failure here, never a skip: this suite is the proof the stack works.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { GENERATOR_VERSION } from '../../generators/lib/version.ts';
import { probesFor } from '../../generators/verify/probes/index.ts';
import { readStoredAnswers } from '../../generators/verify/stored-answers.ts';
import { runVerify } from '../../generators/verify/run.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Every probe verify has for the repository's answers (testssl only where installed: CI installs it). */
async function expectedProbes(repoDir: string): Promise<string[]> {
  const render = buildRenderContext(readStoredAnswers(repoDir, FEATURES), FEATURES, GENERATOR_VERSION);
  const expected = (await probesFor(render)).map((probe) => probe.name).filter((name) => name !== 'testssl' || process.env['CI']);
  expect(expected).toEqual(expect.arrayContaining(['services', 'https-health', 'check-deploy', 'hygiene']));
  return expected;
}

describe('yo django-prod:verify', () => {
  it("boots the defaults with the README's first command, then `cd my-site && make verify`: every probe passes", async () => {
    // The README's first command, with a target of this run's own (the checkout's ./my-site may be the reader's).
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const first = /```sh\n(source scripts\/setup\.sh && npm run generate -- my-site --yes)\s+#/.exec(readme)?.[1];
    expect(first).toBeDefined();
    const site = `my-site-verify-${process.pid}`;
    const script = [
      'set -eo pipefail',
      'log=$(mktemp)',
      `${first!.replace(' my-site ', ` ${site} `)} 2>&1 | tee "$log"`,
      // As printed, without its explanation: "Next: cd my-site && make verify   (boots ...)".
      'next=$(sed -n "s/^Next: \\(.*\\S\\)   (.*/\\1/p" "$log")',
      'rm "$log"',
      'echo "\\$ $next"',
      'eval "$next"',
    ].join('\n');
    try {
      const run = spawnSync('bash', ['-c', script], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const output = `${run.stdout}${run.stderr}`;
      expect(output).toContain(`$ cd ${site} && make verify`);
      // make echoes the command: the Makefile reached this checkout's verify (scripts/setup.sh put bin/ on the PATH).
      expect(output).toContain(`${path.join(REPO, 'bin', 'django-prod-verify')} \n`);
      expect(run.status, output).toBe(0);
      const passed = [...output.matchAll(/^(\S+)\s+\| PASS /gm)].map((match) => match[1]);
      expect(passed, output).toEqual(expect.arrayContaining(await expectedProbes(path.join(REPO, site))));
      console.log(
        output
          .split('\n')
          .filter((line) => line.includes(' | '))
          .join('\n'),
      );
    } finally {
      rmSync(path.join(REPO, site), { recursive: true, force: true });
    }
  });

  it('boots the minimal profile (every feature off, self-signed) and every probe passes', async () => {
    const result = await generateProject(PROFILES['minimal']!);
    const lines: string[] = [];
    const report = await runVerify({ repoDir: result.cwd, features: FEATURES, log: (line) => lines.push(line) });
    const failed = report.results.filter((probe) => probe.status === 'fail');
    expect(failed, `failed probes\n${report.table}\n--- progress ---\n${lines.join('\n')}`).toEqual([]);
    // Every probe of the profile ran: the core ones and those of each feature that is on.
    const ran = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
    expect(ran, report.table).toEqual(expect.arrayContaining(await expectedProbes(result.cwd)));
    console.log(`minimal: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`);
  });
});
