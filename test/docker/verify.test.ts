// End to end: generate a repository, then run exactly what `yo django-prod:verify` runs on it.
// No Docker engine is a failure here, never a skip: this suite is the proof the stack works.
import { describe, expect, it } from 'vitest';
import { generateProject, type AnswerFlags } from '../helpers/generate.ts';
import { runVerify } from '../../generators/verify/run.ts';

const PROFILES: Record<string, AnswerFlags> = {
  // Every default: Let's Encrypt staging (verify swaps in Pebble), Celery, Sentry, backups.
  defaults: {},
  minimal: { celery: false, sentry: false, backups: false, tlsMode: 'self-signed', domain: 'app.test' },
};

const EXPECTED_PROBES: Record<string, string[]> = {
  defaults: ['services', 'certificate', 'http', 'https-health', 'static', 'headers', 'check-deploy', 'celery', 'sentry', 'backups', 'hygiene', 'tls'],
  minimal: ['services', 'http', 'https-health', 'static', 'headers', 'check-deploy', 'hygiene', 'tls'],
};

describe('yo django-prod:verify', () => {
  for (const [profile, flags] of Object.entries(PROFILES)) {
    it(`boots the ${profile} profile and every probe passes`, async () => {
      const result = await generateProject(flags);
      const lines: string[] = [];
      const report = await runVerify({ repoDir: result.cwd, log: (line) => lines.push(line) });
      const failed = report.results.filter((probe) => probe.status === 'fail');
      expect(failed, `${profile}: failed probes\n${report.table}\n--- progress ---\n${lines.join('\n')}`).toEqual([]);
      // Every probe of the profile ran. testssl is skipped only where the tool is absent; CI
      // installs it (.ci/run), so there it must have run and passed.
      const expected = [...EXPECTED_PROBES[profile]!, ...(process.env['CI'] ? ['testssl'] : [])];
      const ran = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
      expect(ran, report.table).toEqual(expect.arrayContaining(expected));
      console.log(`${profile}: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`);
    });
  }
});
