import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { readTree } from '../helpers/tree.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

// One snapshot of the whole generated tree per answer profile. Review snapshot diffs like code.
describe.each(Object.entries(PROFILES))('profile %s', (_profile, flags) => {
  it('renders the whole tree as in the snapshot', async () => {
    const result = await generateProject(flags);
    // The pristine store repeats every file; regenerate.test.ts covers it.
    const { ['.django-prod/pristine.json']: pristine, ...tree } = readTree(result.cwd);
    expect(pristine).toBeDefined();
    // Answers that name files (the CA bundle) hold this checkout's absolute path.
    const portable = Object.fromEntries(Object.entries(tree).map(([file, content]) => [file, content.replaceAll(REPO_ROOT, '<repo>')]));
    expect(portable).toMatchSnapshot();
  });
});

// Facts that matter most, asserted directly so a snapshot update can never approve a regression in them.
describe('generated facts', () => {
  it('is deterministic: the same answers render the same tree (secrets only in .env)', async () => {
    // One after the other: yeoman-test cleans up a previous run's directory when the next starts.
    const first = readTree((await generateProject({})).cwd);
    const second = readTree((await generateProject({})).cwd);
    expect(second).toEqual(first);
  });

  it('keeps secrets in a private, git-ignored .env and nowhere else', async () => {
    const result = await generateProject({});
    const tree = readTree(result.cwd);
    expect(statSync(path.join(result.cwd, '.env')).mode & 0o777).toBe(0o600);
    expect(tree['.gitignore']).toMatch(/^\.env$/m);
    expect(tree['.env.example']).toMatch(/^DJANGO_SECRET_KEY=$/m);
    const secrets = [...readFileSync(path.join(result.cwd, '.env'), 'utf8').matchAll(/^(?:DJANGO_SECRET_KEY|POSTGRES_PASSWORD|REDIS_PASSWORD)=(.+)$/gm)].map((match) => match[1]!);
    expect(secrets).toHaveLength(3);
    for (const [file, content] of Object.entries(tree)) {
      for (const secret of secrets) expect(content.includes(secret), `${file} holds a secret`).toBe(false);
    }
  });

  it('sizes gunicorn, celery and postgres from the hardware answers', async () => {
    const tree = readTree((await generateProject({ cpus: 4, memoryMb: 8192 })).cwd);
    expect(tree['gunicorn.conf.py']).toMatch(/9/);
    expect(tree['compose.yaml']).toMatch(/max_connections=30/);
    expect(tree['compose.yaml']).toMatch(/--concurrency/);
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
