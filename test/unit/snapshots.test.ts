import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { readTree, snapshottedFiles } from '../helpers/tree.ts';
import { sizeStack } from '../../generators/lib/sizing.ts';
import { demandsOf } from '../helpers/sizing.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const SNAPSHOTS = fileURLToPath(new URL('__snapshots__', import.meta.url));
/** The admin path's default is random (stored once): snapshots and the determinism check fix one. */
const ADMIN_PATH = 'admin-0123456789ab';

// Per profile: one snapshot of the file list, and one snapshot file per generated file under
// __snapshots__/<profile>/ (".snap" appended, so a generated .gitignore stays inert there). A
// template change then changes exactly the snapshot files it should; review them like code.
// .yo-rc.json (answers) and the pristine store (a copy of every file) are left out.
describe.each(Object.entries(PROFILES))('profile %s', (profile, flags) => {
  it('renders the files in the snapshots', async () => {
    const result = await generateProject({ adminPath: ADMIN_PATH, ...flags });
    const { ['.django-prod/pristine.json']: pristine, ['.yo-rc.json']: stored, ...tree } = readTree(result.cwd);
    expect(pristine).toBeDefined();
    expect(stored).toBeDefined();
    expect(Object.keys(tree)).toMatchSnapshot();
    for (const [file, content] of Object.entries(tree)) {
      // Answers that name files (the CA bundle) hold this checkout's absolute path.
      await expect(content.replaceAll(REPO_ROOT, '<repo>')).toMatchFileSnapshot(`__snapshots__/${profile}/${file}.snap`);
    }
    // A file the generator no longer writes leaves no snapshot behind to be reviewed as if it were.
    expect(snapshottedFiles(path.join(SNAPSHOTS, profile)), `stale snapshot files in __snapshots__/${profile}/`).toEqual(
      Object.keys(tree).sort(),
    );
  });
});

// Facts that matter most, asserted directly so a snapshot update can never approve a regression in them.
describe('generated facts', () => {
  it('is deterministic: the same answers render the same tree (random values only in secrets/)', async () => {
    // One after the other: yeoman-test cleans up a previous run's directory when the next starts.
    const first = readTree((await generateProject({ adminPath: ADMIN_PATH })).cwd);
    const second = readTree((await generateProject({ adminPath: ADMIN_PATH })).cwd);
    expect(second).toEqual(first);
  });

  it('mounts the admin at a random path by default, stored in the answers and rate-limited by nginx', async () => {
    const paths = [];
    for (let run = 0; run < 2; run += 1) {
      const tree = readTree((await generateProject({})).cwd);
      const stored = JSON.parse(tree['.yo-rc.json']!)['generator-django-prod'].answers.adminPath as string;
      expect(stored).toMatch(/^admin-[0-9a-f]{12}$/);
      expect(tree['my_site/urls.py']).toContain(`path("${stored}/", admin.site.urls)`);
      expect(tree['nginx/conf.d/site.conf']).toContain(`location /${stored}/ {\n        limit_req zone=admin `);
      expect(tree['nginx/conf.d/site.conf']).toContain(`location /${stored}/login/ {\n        limit_req zone=login `);
      paths.push(stored);
    }
    expect(paths[0]).not.toBe(paths[1]);
  });

  it('keeps secrets in private, git-ignored secret files and nowhere else', async () => {
    const result = await generateProject({});
    const tree = readTree(result.cwd);
    expect(statSync(path.join(result.cwd, '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(result.cwd, 'secrets')).mode & 0o777).toBe(0o700);
    expect(tree['.gitignore']).toMatch(/^\.env$/m);
    expect(tree['.gitignore']).toMatch(/^\/secrets\/$/m);
    expect(tree['.dockerignore']).toMatch(/^secrets$/m);
    expect(tree['.env.example']).not.toMatch(/SECRET_KEY|PASSWORD/);
    const files = Object.keys(tree).filter((file) => file.startsWith('secrets/'));
    expect(files).toEqual([
      'secrets/django_secret_key',
      'secrets/postgres_app_password',
      'secrets/postgres_backup_password',
      'secrets/postgres_monitor_password',
      'secrets/postgres_password',
      'secrets/redis_exporter_passwords',
      'secrets/redis_password',
    ]);
    const secrets = files.map((file) => readFileSync(path.join(result.cwd, file), 'utf8'));
    const redis = readFileSync(path.join(result.cwd, 'secrets/redis_password'), 'utf8');
    expect(JSON.parse(readFileSync(path.join(result.cwd, 'secrets/redis_exporter_passwords'), 'utf8'))).toEqual({
      'redis://redis:6379': redis,
    });
    for (const secret of secrets) expect(secret).toMatch(/^[\w-]{64}$|^\{.*\}\n$/);
    for (const [file, content] of Object.entries(tree)) {
      if (file.startsWith('secrets/')) continue;
      for (const secret of secrets) expect(content.includes(secret), `${file} holds a secret`).toBe(false);
    }
  });

  it('sizes gunicorn, celery and postgres from the hardware answers', async () => {
    const tree = readTree((await generateProject({ cpus: 4, memoryMb: 8192 })).cwd);
    const sizing = sizeStack({ cpus: 4, memoryMb: 8192 }, 'wsgi', demandsOf('celery', 'backups', 'monitoring'));
    expect(tree['gunicorn.conf.py']).toContain(
      `# Sized for 4 CPU(s) and 8192 MiB: ${sizing.gunicorn.workers} worker(s) x ${sizing.gunicorn.threads} thread(s), ${sizing.gunicorn.workerClass}.`,
    );
    expect(tree['compose.yaml']).toContain(`- max_connections=${sizing.postgres.maxConnections}\n`);
    expect(tree['compose.yaml']).toContain(`"--concurrency", "\${CELERY_CONCURRENCY:-${sizing.pools['celery']!.processes}}"`);
    expect(tree['compose.yaml']).toContain(`mem_limit: ${sizing.gunicorn.memoryLimitMb}m`);
  });

  it('writes Celery, backups and Sentry only when they are on', async () => {
    const tree = readTree((await generateProject(PROFILES['minimal']!)).cwd);
    expect(Object.keys(tree).filter((file) => /celery|tasks|backup/.test(file))).toEqual([]);
    expect(tree['compose.yaml']).not.toMatch(/^ {2}(worker|beat|backup):/m);
    expect(tree['requirements.txt']).not.toMatch(/celery|sentry/i);
  });

  it('turns DEBUG off and takes every secret from the environment', async () => {
    const tree = readTree((await generateProject({})).cwd);
    expect(tree['my_site/settings/production.py']).toMatch(/DEBUG = False/);
    expect(tree['my_site/settings/production.py']).toMatch(/DJANGO_SECRET_KEY/);
  });

  it('redirects HTTP to HTTPS except the ACME challenge, and sends HSTS', async () => {
    const tree = readTree((await generateProject({ hstsSeconds: 7200 })).cwd);
    const site = tree['nginx/conf.d/site.conf']!;
    expect(site).toMatch(/location \^~ \/\.well-known\/acme-challenge\//);
    expect(site).toMatch(/return 308 https:\/\/\$host\$request_uri;/);
    expect(tree['nginx/snippets/security-headers.conf']).toMatch(/Strict-Transport-Security "max-age=7200; includeSubDomains" always/);
  });

  it('sends one Referrer-Policy and HSTS value from nginx and Django alike', async () => {
    const tree = readTree((await generateProject({ hstsSeconds: 7200 })).cwd);
    const headers = tree['nginx/snippets/security-headers.conf']!;
    const settings = tree['my_site/settings/production.py']!;
    const policy = /Referrer-Policy "([^"]+)"/.exec(headers)![1];
    expect(settings).toContain(`SECURE_REFERRER_POLICY = "${policy}"`);
    expect(settings).toContain('SECURE_HSTS_SECONDS = 7200');
  });

  it('copies the custom ACME CA bundle into the repository', async () => {
    const tree = readTree((await generateProject(PROFILES['custom-acme']!)).cwd);
    expect(tree['certbot/acme-ca.pem']).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
