// End to end, existing-project mode: the generator on a copy of a fixture project, then exactly
// what `yo django-prod:verify` runs. Every applicable probe must pass, including check --deploy on
// the new settings module and the project's own /hello/ through nginx; the project's files must
// be byte-identical afterwards, no .env may be in the image or staged in git. No Docker engine is
// a failure here, never a skip.
//
// Booted: six fixtures whose shapes the kit can build (Python 3.13, the wheelhouse's versions).
// Detection and snapshot tests (test/unit/existing.test.ts) cover the others: requires-python
// below 3.13 (the kit has no python:3.11 image), a Git dependency (no network here), Poetry's lock
// (its psycopg-binary wheel is not the kit's). Lean for CI: self-signed TLS, no backups, and
// monitoring and Sentry only where a fixture is about them.
import { FEATURES } from '../../features/index.ts';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateProject, type AnswerFlags } from '../helpers/generate.ts';
import { runVerify } from '../../generators/verify/run.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');

const LEAN = { backups: false, monitoring: false, sentry: false };
/** Python run in web with the stack's settings, printing what a fixture is about. */
const inDjango = (code: string) => ['python', '-c', `import django; django.setup(); ${code}`];
/**
 * `ownSecret`: a variable the fixture's settings require that is a secret file (answer appSecrets):
 * the test fills the file, then finds the value in the settings and nowhere else.
 */
const CASES: Record<string, { flags: AnswerFlags; probes: string[]; settings?: { code: string; prints: string }; ownSecret?: string }> = {
  // Django's startproject: monitoring on, as a new project has it.
  startproject: { flags: { name: 'e14-startproject', sentry: false, backups: false }, probes: ['monitoring'] },
  // Celery in celeryconf.py, psycopg2 (psycopg 3 added for the pool), conditional S3 variables.
  celeryconf: {
    flags: { name: 'e14-celeryconf', backups: false, monitoring: false },
    probes: ['celery', 'sentry'],
    // Django runs on psycopg 3 (its pool needs it), psycopg2 installed beside it.
    settings: { code: 'from django.db import connection; print(connection.Database.__name__)', prints: 'psycopg' },
  },
  // config/django/{base,local,production}: production chosen; a second database, the project's
  // LOGGING and an Error-level check it silences (migrate would stop if deploy.py dropped it).
  styleguide: {
    flags: { name: 'e14-styleguide', ...LEAN },
    probes: [],
    settings: {
      code: 'from django.conf import settings as s; print(sorted(s.DATABASES), sorted(s.LOGGING["handlers"]), s.SILENCED_SYSTEM_CHECKS)',
      prints: "['default', 'reports'] ['audit', 'console', 'stdout'] ['core.E001', 'security.W021']",
    },
  },
  // Its own Dockerfile, docker-compose.yml, .dockerignore and .gitignore without .env, .env files,
  // gunicorn.conf.py; a flat setuptools pyproject that `pip install .` builds. With the cache
  // feature (its own Redis), which no other booted test turns on.
  'own-docker': { flags: { name: 'e14-own-docker', ...LEAN, cache: true }, probes: ['cache'] },
  // uv.lock (the kit's versions and their sha256): installed with --require-hashes. Its settings
  // require SUPPLIER_API_TOKEN and read EMAIL_HOST_PASSWORD with a default: both secret files.
  'uv-lock': { flags: { name: 'e14-uv-lock', ...LEAN }, probes: [], ownSecret: 'SUPPLIER_API_TOKEN' },
  // manage.py inside src/.
  'src-manage': { flags: { name: 'e14-src-manage', ...LEAN }, probes: [] },
};

function fingerprints(dir: string, relative = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(path.join(dir, relative)).sort()) {
    const file = path.join(relative, entry);
    if (file === '.git') continue;
    if (statSync(path.join(dir, file)).isDirectory()) Object.assign(found, fingerprints(dir, file));
    else
      found[file] = createHash('sha256')
        .update(readFileSync(path.join(dir, file)))
        .digest('hex');
  }
  return found;
}

const run = (command: string, args: string[], cwd: string) => spawnSync(command, args, { cwd, encoding: 'utf8' });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The project's own secret reaches its settings (compared by hash, never printed) and is in no
 * container's `docker inspect`, not in deploy/.env and in no file git would commit; an optional one
 * left empty keeps the settings' default; the required one empty stops start-up naming its file.
 */
function expectOwnSecretOnlyInSettings(dir: string, project: string, variable: string, value: string): void {
  const web = `${project}-web-1`;
  const code = `import hashlib; from django.conf import settings as s; print(hashlib.sha256(s.${variable}.encode()).hexdigest(), repr(s.EMAIL_HOST_PASSWORD))`;
  const printed = run('docker', ['exec', web, ...inDjango(code)], dir);
  // EMAIL_HOST_PASSWORD's file is empty: the variable stays unset, so the settings' default (None) holds.
  expect(printed.stdout.trim(), printed.stderr).toBe(`${sha256(value)} None`);
  const containers = run('docker', ['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`], dir);
  const ids = containers.stdout.split('\n').filter(Boolean);
  expect(ids.length, containers.stderr).toBeGreaterThan(3);
  const inspect = run('docker', ['inspect', ...ids], dir);
  expect(inspect.status, inspect.stderr).toBe(0);
  expect(inspect.stdout).toContain(`${variable}_FILE=/run/secrets/${variable.toLowerCase()}`);
  expect(inspect.stdout.includes(value), `the value of ${variable} is in docker inspect`).toBe(false);
  expect(readFileSync(path.join(dir, 'deploy/.env'), 'utf8')).not.toContain(value);
  expect(run('git', ['add', '-A'], dir).status).toBe(0);
  expect(run('git', ['grep', '--cached', '-l', '-F', value], dir).stdout).toBe('');
  // Its file emptied (another path, as a server with an empty file would have it): one clear line.
  const empty = run('docker', ['exec', '-e', `${variable}_FILE=/dev/null`, web, ...inDjango('pass')], dir);
  expect(empty.status).not.toBe(0);
  expect(empty.stderr).toContain(
    `django.core.exceptions.ImproperlyConfigured: ${variable} is empty: put its value in deploy/secrets/${variable.toLowerCase()} on the server, then make up`,
  );
}

describe('yo django-prod:verify on existing projects', () => {
  for (const [fixture, { flags, probes, settings, ownSecret }] of Object.entries(CASES)) {
    it(`deploys the ${fixture} fixture and every probe passes`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), `existing-e2e-${fixture}-`));
      cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
      expect(run('git', ['init', '-q'], dir).status).toBe(0);
      const before = fingerprints(dir);
      await generateProject({ tlsMode: 'self-signed', domain: 'app.test', appPath: '/hello/', ...flags }, { cwd: dir });
      // As the runbook asks: the value alone in the file the run left empty.
      const secretValue = randomBytes(24).toString('hex');
      if (ownSecret) writeFileSync(path.join(dir, 'deploy/secrets', ownSecret.toLowerCase()), `${secretValue}\n`);
      const lines: string[] = [];
      // Kept after the probes, to look inside the image; removed below.
      const report = await runVerify({ repoDir: dir, features: FEATURES, log: (line) => lines.push(line), keep: true });
      try {
        const failed = report.results.filter((probe) => probe.status === 'fail');
        expect(failed, `${fixture}: failed probes\n${report.table}\n--- progress ---\n${lines.join('\n')}`).toEqual([]);
        const passed = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
        expect(passed, report.table).toEqual(
          expect.arrayContaining(['services', 'https-health', 'app-url', 'static', 'check-deploy', 'hygiene', ...probes]),
        );
        expect(report.results.find((probe) => probe.probe === 'app-url')?.detail).toContain(`hello from ${fixture}`);
        // No .env (nor .git, nor our folder) in the image the stack runs.
        const found = run(
          'docker',
          [
            'exec',
            `${report.project}-web-1`,
            'find',
            '/app',
            '/etc/gunicorn',
            '-name',
            '.env*',
            '-o',
            '-name',
            '.git',
            '-o',
            '-name',
            'deploy',
            '-type',
            'd',
          ],
          dir,
        );
        expect(found.status, found.stderr).toBe(0);
        expect(found.stdout.trim()).toBe('');
        if (settings) {
          const printed = run('docker', ['exec', `${report.project}-web-1`, ...inDjango(settings.code)], dir);
          expect(printed.stdout.trim(), printed.stderr).toBe(settings.prints);
        }
        if (ownSecret) expectOwnSecretOnlyInSettings(dir, report.project, ownSecret, secretValue);
      } finally {
        const down = run('sh', ['-c', report.downCommand!], path.join(dir, 'deploy'));
        expect(down.status, down.stderr).toBe(0);
      }
      const after = fingerprints(dir);
      for (const [file, hash] of Object.entries(before)) expect(after[file], `${file} changed`).toBe(hash);
      // Nothing .env-like would be committed by `git add -A`.
      run('git', ['add', '-A'], dir);
      const staged = run('git', ['diff', '--cached', '--name-only'], dir).stdout.split('\n');
      expect(staged.filter((file) => /(^|\/)\.env(\.|$)/.test(file) && !file.endsWith('.env.example'))).toEqual([]);
      console.log(
        `${fixture}: build ${report.buildSeconds.toFixed(0)} s, boot to healthy ${report.bootSeconds.toFixed(0)} s\n${report.table}`,
      );
    });
  }
});
