// End to end, existing-project mode: the generator on a copy of a fixture project, then exactly
// what `yo django-prod:verify` runs. Every applicable probe must pass, including check --deploy on
// the new settings module and the project's own /hello/ through nginx; the project's files must
// be byte-identical afterwards. No Docker engine is a failure here, never a skip.
import { FEATURES } from '../../features/index.ts';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateProject, type AnswerFlags } from '../helpers/generate.ts';
import { runVerify } from '../../generators/verify/run.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');

// Kept small for CI: self-signed TLS, no backups. startproject has no Celery app (celery off);
// the celery fixture runs its own app with worker, beat and Sentry.
const CASES: Record<string, AnswerFlags> = {
  startproject: { name: 'e14-startproject', sentry: false },
  celery: { name: 'e14-celery' },
};

function fingerprints(dir: string, relative = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(path.join(dir, relative)).sort()) {
    const file = path.join(relative, entry);
    if (statSync(path.join(dir, file)).isDirectory()) Object.assign(found, fingerprints(dir, file));
    else
      found[file] = createHash('sha256')
        .update(readFileSync(path.join(dir, file)))
        .digest('hex');
  }
  return found;
}

describe('yo django-prod:verify on existing projects', () => {
  for (const [fixture, flags] of Object.entries(CASES)) {
    it(`deploys the ${fixture} fixture and every probe passes`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), `existing-e2e-${fixture}-`));
      cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
      const before = fingerprints(dir);
      await generateProject({ tlsMode: 'self-signed', domain: 'app.test', backups: false, appPath: '/hello/', ...flags }, { cwd: dir });
      const lines: string[] = [];
      const report = await runVerify({ repoDir: dir, features: FEATURES, log: (line) => lines.push(line) });
      const failed = report.results.filter((probe) => probe.status === 'fail');
      expect(failed, `${fixture}: failed probes\n${report.table}\n--- progress ---\n${lines.join('\n')}`).toEqual([]);
      const passed = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
      expect(passed, report.table).toEqual(
        expect.arrayContaining([
          'services',
          'https-health',
          'app-url',
          'static',
          'check-deploy',
          'hygiene',
          ...(fixture === 'celery' ? ['celery', 'sentry'] : []),
        ]),
      );
      expect(report.results.find((probe) => probe.probe === 'app-url')?.detail).toContain(`hello from ${fixture}`);
      const after = fingerprints(dir);
      for (const [file, hash] of Object.entries(before)) expect(after[file], `${file} changed`).toBe(hash);
      console.log(
        `${fixture}: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`,
      );
    });
  }
});
