// End to end: generate a repository, then run exactly what `yo django-prod:verify` runs on it.
// No Docker engine is a failure here, never a skip: this suite is the proof the stack works.
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { GENERATOR_VERSION } from '../../generators/lib/version.ts';
import { probesFor } from '../../generators/verify/probes/index.ts';
import { readStoredAnswers, runVerify } from '../../generators/verify/run.ts';

// Every default (Let's Encrypt staging, which verify swaps for Pebble, and the features on by default),
// with the cache's own Redis too; and every feature off in self-signed mode.
const VERIFIED: Record<string, Record<string, unknown>> = { defaults: { cache: true }, minimal: {} };

describe('yo django-prod:verify', () => {
  for (const [profile, extra] of Object.entries(VERIFIED)) {
    it(`boots the ${profile} profile${Object.keys(extra).length ? ` with ${JSON.stringify(extra)}` : ''} and every probe passes`, async () => {
      const result = await generateProject({ ...PROFILES[profile]!, ...extra });
      const lines: string[] = [];
      const report = await runVerify({ repoDir: result.cwd, features: FEATURES, log: (line) => lines.push(line) });
      const failed = report.results.filter((probe) => probe.status === 'fail');
      expect(failed, `${profile}: failed probes\n${report.table}\n--- progress ---\n${lines.join('\n')}`).toEqual([]);
      // Every probe of the profile ran: the core ones and those of each feature that is on.
      // testssl is skipped only where the tool is absent; CI installs it (.ci/run), so there it
      // must have run and passed.
      const render = buildRenderContext(readStoredAnswers(result.cwd, FEATURES), FEATURES, GENERATOR_VERSION);
      const expected = (await probesFor(render)).map((probe) => probe.name).filter((name) => name !== 'testssl' || process.env['CI']);
      expect(expected).toEqual(expect.arrayContaining(['services', 'https-health', 'check-deploy', 'hygiene']));
      const ran = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
      expect(ran, report.table).toEqual(expect.arrayContaining(expected));
      console.log(
        `${profile}: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`,
      );
    });
  }
});
