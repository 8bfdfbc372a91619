// Least privilege on one booted stack (issue 30), every default service on: the stack starts on a
// volume as the previous release left it (the app connected as the superuser, which owns every
// table), then each assertion reads the running stack: PostgreSQL's roles, what `docker inspect`
// shows of every container, the processes' users, the mounts, and nginx's and Django's answers to
// forged Host and X-Forwarded-* headers; a real Chromium finds no browser-policy violation on the
// pages and the admin.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSiteBrowser, steadily } from '../helpers/browser.ts';
import { composeConfig, requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';

const DOMAIN = 'app.test';
const project = `sec-${randomBytes(3).toString('hex')}`;
/** nginx on ephemeral loopback ports: other stacks on this engine may hold 80 and 443. */
const PORTS_FILE = 'compose.ports-test.yaml';
/** The previous release's db: no roles script, so the superuser is all there is. */
const PREVIOUS_RELEASE_FILE = 'compose.previous-release.yaml';
let dir = '';
let env: Record<string, string> = {};
/** Where the admin is mounted (the answers' random default). */
let adminPath = '';
/** A network with a public-looking subnet (TEST-NET-3) nginx joins: its clients are not on a private network. */
const PUBLIC_NETWORK = `${project}-public`;
/** The secret files' values (secrets/), by file name. */
let secrets: Record<string, string> = {};
/** A webhook receiver on the stack's network (its token is in the URL, as chat webhooks carry theirs). */
const HOOKS = `${project}-hooks`;
const HOOK_PATH = `/alerts/${randomBytes(16).toString('hex')}`;
/** Prints each POST's path and its alerts' names. */
const HOOK_RECEIVER = [
  'import http.server, json',
  'class Hook(http.server.BaseHTTPRequestHandler):',
  '    def do_POST(self):',
  "        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))",
  "        print('POST', self.path, ','.join(alert['labels']['alertname'] for alert in body['alerts']), flush=True)",
  '        self.send_response(200)',
  '        self.end_headers()',
  "http.server.HTTPServer(('', 8080), Hook).serve_forever()",
].join('\n');

const compose = (args: string[], files: string[] = []) =>
  run('docker', ['compose', '-p', project, '-f', 'compose.yaml', '-f', PORTS_FILE, ...files.flatMap((file) => ['-f', file]), ...args], {
    cwd: dir,
  });
/** psql in db as the superuser, unaligned rows. */
const psql = (sql: string) => compose(['exec', '-T', 'db', 'sh', '-c', `psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Atc "${sql}"`]).trim();
const containerOf = (service: string) => compose(['ps', '-a', '-q', service]).trim().split('\n')[0]!;
const inspect = (service: string) => JSON.parse(run('docker', ['inspect', containerOf(service)]))[0];
/** curl against nginx's published port, resolving the domain to it; returns status, headers and body. */
function curl(port: number, scheme: 'http' | 'https', pathname: string, headers: string[] = []): string {
  const args = ['-sS', '-k', '-i', '--max-time', '10', '--resolve', `${DOMAIN}:${port}:127.0.0.1`];
  for (const header of headers) args.push('-H', header);
  try {
    return run('curl', [...args, `${scheme}://${DOMAIN}:${port}${pathname}`]);
  } catch (error) {
    // nginx's 444 closes the connection without an answer.
    return `no answer: ${(error as Error).message.split('\n').slice(1).join(' ')}`;
  }
}
/**
 * An exporter's metrics, through its own network namespace with curl from the (local) nginx image:
 * the exporter images have no HTTP client.
 */
const exporterMetrics = (service: string, port: number) =>
  run('docker', [
    'run',
    '--rm',
    '--network',
    `container:${containerOf(service)}`,
    '--entrypoint',
    'curl',
    inspect('nginx').Config.Image,
    '-fsS',
    `http://127.0.0.1:${port}/metrics`,
  ]);
const publishedPort = (port: number) =>
  Number(
    compose(['port', 'nginx', String(port)])
      .trim()
      .split(':')
      .pop(),
  );

describe('least privilege on a booted stack', () => {
  beforeAll(async () => {
    requireDocker();
    dir = (await generateProject({ name: project, domain: DOMAIN, tlsMode: 'self-signed', sentry: false, alertWebhook: true })).cwd;
    // What the README says to do with a webhook: its URL in the secret file.
    writeFileSync(path.join(dir, 'secrets', 'alertmanager_webhook_url'), `http://hooks.test:8080${HOOK_PATH}\n`);
    env = Object.fromEntries(
      readFileSync(path.join(dir, '.env'), 'utf8')
        .split('\n')
        .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => [match[1]!, match[2]!]),
    );
    adminPath = JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers.adminPath;
    secrets = Object.fromEntries(
      readdirSync(path.join(dir, 'secrets')).map((file) => [file, readFileSync(path.join(dir, 'secrets', file), 'utf8')]),
    );
    writeFileSync(path.join(dir, PORTS_FILE), 'services:\n  nginx:\n    ports: !override ["127.0.0.1::80", "127.0.0.1::443"]\n');
    writeFileSync(
      path.join(dir, PREVIOUS_RELEASE_FILE),
      [
        'services:',
        '  db:',
        '    healthcheck:',
        `      test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U \\"$\${POSTGRES_USER}\\" -d \\"$\${POSTGRES_DB}\\""]`,
        '',
      ].join('\n'),
    );
    // The previous release: migrations applied by the superuser, which owns the database and its tables.
    compose(['build', 'web']);
    compose(['up', '-d', '--wait', 'db', 'redis'], [PREVIOUS_RELEASE_FILE]);
    compose(
      [
        'run',
        '--rm',
        '--no-deps',
        '-e',
        `POSTGRES_USER=${env['POSTGRES_USER']}`,
        '-e',
        `POSTGRES_PASSWORD=${secrets['postgres_password']}`,
        'migrate',
      ],
      [PREVIOUS_RELEASE_FILE],
    );
    expect(psql("SELECT count(*) FROM pg_roles WHERE rolname = 'app'")).toBe('0');
    // This release on that volume: db is recreated and makes the roles before anything connects.
    compose(['up', '-d', '--wait']);
    const network = Object.keys(inspect('alertmanager').NetworkSettings.Networks)[0]!;
    run('docker', [
      'run',
      '-d',
      '--name',
      HOOKS,
      '--network',
      network,
      '--network-alias',
      'hooks.test',
      'python:3.13-slim',
      'python',
      '-c',
      HOOK_RECEIVER,
    ]);
  });

  afterAll(() => {
    if (!dir) return;
    const images = Object.values(composeConfig(dir, { COMPOSE_PROJECT_NAME: project }).services)
      .filter((service) => service.build !== undefined)
      .map((service) => service.image!);
    run('docker', ['rm', '-f', HOOKS]);
    compose(['down', '-v', '-t', '5']);
    run('docker', ['network', 'rm', '-f', PUBLIC_NETWORK]);
    run('docker', ['image', 'rm', '-f', ...new Set(images)]);
  });

  it('app owns the database and the previous release tables, and is no superuser; monitor and backup only read', () => {
    const roles = psql(
      'SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, ' +
        "coalesce((SELECT string_agg(b.rolname, ',' ORDER BY b.rolname) FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid), '') " +
        "FROM pg_roles r WHERE rolname IN ('app', 'monitor', 'backup') ORDER BY 1",
    );
    expect(roles.split('\n')).toEqual(['app|f|f|f|f|f|', 'backup|f|f|t|f|f|pg_read_all_data', 'monitor|f|f|f|f|f|pg_monitor']);
    expect(psql('SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()')).toBe('app');
    const owners = psql(
      "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    );
    expect(owners).toBe('app');
    expect(Number(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))).toBeGreaterThan(5);
    // web and Celery hold their connections as app; no service connects as the superuser.
    const users = psql(
      'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND usename IS NOT NULL AND pid <> pg_backend_pid() ORDER BY 1',
    );
    expect(users.split('\n')).toContain('app');
    expect(users.split('\n').filter((user) => !['app', 'monitor', 'backup'].includes(user))).toEqual([]);
  });

  it('postgres-exporter reads PostgreSQL as monitor', () => {
    expect(exporterMetrics('postgres-exporter', 9187)).toMatch(/^pg_up 1$/m);
    expect(inspect('postgres-exporter').Config.Env).toContain('DATA_SOURCE_USER=monitor');
  });

  it('the app role can alter its tables but cannot run programs on the server; the backup role cannot write', () => {
    const asRole = (role: string, password: string, sql: string) =>
      compose([
        'exec',
        '-T',
        '-e',
        `PGPASSWORD=${password}`,
        'db',
        'psql',
        '-h',
        '127.0.0.1',
        '-U',
        role,
        '-d',
        env['POSTGRES_DB']!,
        '-Atc',
        sql,
      ]);
    expect(
      asRole(
        'app',
        secrets['postgres_app_password']!,
        'ALTER TABLE django_migrations ADD COLUMN probe int; ALTER TABLE django_migrations DROP COLUMN probe',
      ),
    ).toContain('ALTER TABLE');
    expect(() => asRole('app', secrets['postgres_app_password']!, "COPY (SELECT 1) TO PROGRAM 'id'")).toThrow(/pg_execute_server_program/);
    expect(() => asRole('backup', secrets['postgres_backup_password']!, 'DELETE FROM django_migrations')).toThrow(/permission denied/);
  });

  it('backups dump as the backup role and the restore drill passes', () => {
    expect(compose(['exec', '-T', 'backup', 'backup.sh'])).toContain('dump ok');
    expect(compose(['exec', '-T', 'backup', 'restore.sh', '--drill'])).toContain('drill ok');
  });

  it('every container: no capability beyond its named few, read-only root, process limit, no-new-privileges', () => {
    const added: Record<string, string[]> = {
      nginx: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'],
      backup: ['CAP_SETGID', 'CAP_SETUID'],
    };
    const services = compose(['ps', '--format', '{{.Service}}']).trim().split('\n').sort();
    expect(services).toEqual(expect.arrayContaining(['db', 'redis', 'web', 'nginx', 'certbot', 'worker', 'beat', 'backup', 'prometheus']));
    for (const service of services) {
      const { HostConfig } = inspect(service);
      const seen = {
        service,
        capDrop: HostConfig.CapDrop,
        capAdd: [...(HostConfig.CapAdd ?? [])].map((cap: string) => (cap.startsWith('CAP_') ? cap : `CAP_${cap}`)).sort(),
        readOnly: HostConfig.ReadonlyRootfs,
        pidsLimited: HostConfig.PidsLimit > 0,
        noNewPrivileges: HostConfig.SecurityOpt?.includes('no-new-privileges:true') ?? false,
      };
      expect(seen).toEqual({
        service,
        capDrop: ['ALL'],
        capAdd: added[service] ?? [],
        readOnly: true,
        pidsLimited: true,
        noNewPrivileges: true,
      });
    }
  });

  it('processes run as non-root users, except nginx master, certbot and cron (README says why)', () => {
    const rootAllowed = new Set(['nginx', 'certbot', 'backup']);
    for (const service of compose(['ps', '--format', '{{.Service}}']).trim().split('\n')) {
      const processes = run('docker', ['top', containerOf(service), '-eo', 'uid,pid,args'])
        .trim()
        .split('\n')
        .slice(1);
      const asRoot = processes.filter((line) => line.trim().startsWith('0 '));
      if (service === 'nginx') {
        // Only the master (and its certificate watcher); every worker is the nginx user.
        expect(processes.filter((line) => line.includes('worker process')).every((line) => !line.trim().startsWith('0 '))).toBe(true);
        expect(asRoot.some((line) => line.includes('worker process'))).toBe(false);
      } else if (!rootAllowed.has(service)) {
        expect({ service, asRoot }).toEqual({ service, asRoot: [] });
      }
    }
  });

  it('static files are mounted read-only into nginx and not at all into web', () => {
    const mounts = (service: string) =>
      (inspect(service).Mounts as { Destination: string; RW: boolean }[]).map(
        ({ Destination, RW }) => `${Destination}:${RW ? 'rw' : 'ro'}`,
      );
    expect(mounts('nginx')).toContain('/srv/static:ro');
    expect(mounts('web').some((mount) => mount.startsWith('/srv/static'))).toBe(false);
    expect(() => compose(['exec', '-T', 'web', 'sh', '-c', 'touch /app/probe'])).toThrow(/Read-only file system/);
  });

  it('no secret in docker inspect of any container (environment, command, labels), only files under /run/secrets', () => {
    const values = Object.values(secrets).filter((value) => value.length >= 16);
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const service of compose(['ps', '-a', '--format', '{{.Service}}']).trim().split('\n')) {
      const info = inspect(service);
      const text = JSON.stringify(info);
      expect([service, values.filter((value) => text.includes(value)).length]).toEqual([service, 0]);
      const secretMounts = (info.Mounts as { Destination: string; RW: boolean }[]).filter((mount) =>
        mount.Destination.startsWith('/run/secrets/'),
      );
      expect([service, secretMounts.filter((mount) => mount.RW)]).toEqual([service, []]);
    }
    // The secrets do arrive: the app reads its key from the file, db's roles have the files' passwords.
    const key = compose([
      'exec',
      '-T',
      'web',
      'python',
      'manage.py',
      'shell',
      '-c',
      'from django.conf import settings; print(settings.SECRET_KEY)',
    ]);
    expect(key.trim().split('\n').pop()).toBe(secrets['django_secret_key']);
  });

  it('no secret in a committed file: git ignores secrets/ and .env, and no tracked file holds a value', () => {
    const git = (args: string[]) => run('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir });
    git(['init', '-q']);
    git(['add', '-A']);
    const tracked = git(['ls-files']).trim().split('\n');
    expect(tracked).toContain('compose.yaml');
    expect(tracked.filter((file) => file.startsWith('secrets/') || path.basename(file) === '.env')).toEqual([]);
    for (const file of tracked) {
      const content = readFileSync(path.join(dir, file), 'utf8');
      expect([file, Object.values(secrets).filter((value) => value.length >= 16 && content.includes(value)).length]).toEqual([file, 0]);
    }
  });

  it('no secret in the app image: not in its history, not in any file of its file system', () => {
    const image = String(inspect('web').Config.Image);
    const values = Object.values(secrets).filter((value) => value.length >= 16);
    const history = run('docker', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', image]);
    expect(history).toContain('collectstatic');
    expect(values.filter((value) => history.includes(value))).toEqual([]);
    const container = run('docker', ['create', image]).trim();
    try {
      const files = execFileSync('docker', ['export', container], { maxBuffer: 2 * 1024 * 1024 * 1024 });
      expect(files.length).toBeGreaterThan(10 * 1024 * 1024);
      expect(values.filter((value) => files.includes(value))).toEqual([]);
    } finally {
      run('docker', ['rm', '-f', container]);
    }
  });

  it('ALLOWED_HOSTS holds only the domain', () => {
    const code = 'from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.USE_X_FORWARDED_HOST)';
    const hosts = compose(['exec', '-T', 'web', 'python', 'manage.py', 'shell', '-c', code]);
    // The last line: Django's shell first says what it imported.
    expect(hosts.trim().split('\n').pop()).toBe(`['${DOMAIN}'] False`);
  });

  it('forged Host and X-Forwarded-* headers: dropped by nginx or ignored, no foreign cache entry, no foreign host in a redirect', () => {
    const https = publishedPort(443);
    const http = publishedPort(80);
    // A foreign Host is answered by the default server (444: no answer), on either port.
    expect(curl(https, 'https', '/', ['Host: evil.example'])).toMatch(/^no answer/);
    expect(curl(http, 'http', '/', ['Host: evil.example'])).toMatch(/^no answer/);
    // The domain with a port: the redirect and the page use the bare domain.
    expect(curl(http, 'http', '/subscribe/', [`Host: ${DOMAIN}:1234`])).toMatch(
      new RegExp(`^location: https://${DOMAIN}/subscribe/\\r?$`, 'im'),
    );
    const forged = [`Host: ${DOMAIN}:1234`, 'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: http', 'X-Forwarded-Port: 1234'];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const answer = curl(https, 'https', '/', forged);
      expect(answer).toMatch(/^HTTP\/\S+ 200/);
      expect(answer).not.toMatch(/evil\.example|:1234/);
    }
    const next = curl(https, 'https', '/');
    expect(next).toMatch(/^x-cache-status: HIT\r?$/im);
    expect(next).not.toMatch(/evil\.example|:1234/);
    // Every microcache entry is keyed by the bare domain.
    const keys = compose(['exec', '-T', '-u', 'nginx', 'nginx', 'sh', '-c', "grep -rah '^KEY: ' /var/cache/nginx/microcache"])
      .trim()
      .split('\n');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(new RegExp(`^KEY: https${DOMAIN.replace('.', '\\.')}/`));
  });

  it('browser policy headers on pages, the admin and static files; HSTS as the answers say', () => {
    const https = publishedPort(443);
    const staticFile = /href="(\/static\/admin\/css\/base\.[0-9a-f]{12}\.css)"/.exec(curl(https, 'https', `/${adminPath}/login/`))![1]!;
    for (const pathname of ['/', '/subscribe/', `/${adminPath}/login/`, staticFile, '/no-such-page/']) {
      const answer = curl(https, 'https', pathname);
      expect({ pathname, csp: /^content-security-policy: (.*?)\r?$/im.exec(answer)?.[1] }).toEqual({
        pathname,
        csp: "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
      });
      expect(answer).toMatch(/^permissions-policy: .*camera=\(\).*\r?$/im);
      expect(answer).toMatch(/^cross-origin-resource-policy: same-origin\r?$/im);
      expect(answer).toMatch(/^cross-origin-opener-policy: same-origin\r?$/im);
      // Self-signed here: the trial's hour (letsencrypt and acme get a year: snapshot tests).
      expect(answer).toMatch(/^strict-transport-security: max-age=3600; includeSubDomains\r?$/im);
    }
  });

  it('/health/ names the container and release to private networks only; a client cannot choose', () => {
    const https = publishedPort(443);
    // From the host (nginx sees Docker's gateway, a private address), even claiming to be public.
    const inside = curl(https, 'https', '/health/', ['X-Health-Public: 1']);
    expect(inside).toMatch(/"instance": "[^"]+", "version": "[^"]+"/);
    // From a public-looking address: the status alone.
    run('docker', ['network', 'create', '--subnet', '203.0.113.0/24', PUBLIC_NETWORK]);
    run('docker', ['network', 'connect', '--ip', '203.0.113.10', PUBLIC_NETWORK, containerOf('nginx')]);
    const outside = run('docker', [
      'run',
      '--rm',
      '--network',
      PUBLIC_NETWORK,
      '--entrypoint',
      'curl',
      inspect('nginx').Config.Image,
      '-sSk',
      '--resolve',
      `${DOMAIN}:443:203.0.113.10`,
      `https://${DOMAIN}/health/`,
    ]);
    expect(JSON.parse(outside)).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
  });

  it('Chromium: no Content-Security-Policy violation on the pages, the admin login and admin pages after login', async () => {
    const password = randomBytes(12).toString('hex');
    compose([
      'exec',
      '-T',
      '-e',
      `DJANGO_SUPERUSER_PASSWORD=${password}`,
      'web',
      'python',
      'manage.py',
      'createsuperuser',
      '--noinput',
      '--username',
      'csp',
      '--email',
      'csp@app.test',
    ]);
    const browser = await openSiteBrowser(DOMAIN, publishedPort(443));
    try {
      const seen: Record<string, { status: number; violations: string[]; console: string[] }> = {};
      const visit = async (pathname: string, page?: Parameters<typeof browser.open>[1]) => {
        const opened = await browser.open(pathname, page);
        seen[pathname] = { status: opened.status, ...opened.report };
        return opened;
      };
      await visit('/');
      await visit('/subscribe/');
      const { page } = await visit(`/${adminPath}/login/`);
      await steadily(async () => {
        if (page.url().endsWith(`/${adminPath}/`)) return;
        if (!page.url().endsWith('/login/')) await page.goto(`https://${DOMAIN}/${adminPath}/login/`);
        await page.fill('#id_username', 'csp');
        await page.fill('#id_password', password);
        await Promise.all([page.waitForURL(`**/${adminPath}/`), page.click('input[type=submit]')]);
      });
      for (const pathname of ['', 'auth/user/', 'auth/user/add/', 'auth/user/1/change/', 'auth/group/add/']) {
        await visit(`/${adminPath}/${pathname}`, page);
      }
      const expected = Object.fromEntries(Object.keys(seen).map((pathname) => [pathname, { status: 200, violations: [], console: [] }]));
      expect(seen).toEqual(expected);
      // The watch is live: an inline script on the same page is reported.
      const { page: probe, report } = await browser.open('/subscribe/');
      await probe.addScriptTag({ content: 'document.title = "inline"' }).catch(() => undefined);
      await expect.poll(() => report.violations.join('\n')).toMatch(/^script-src\S* blocked inline/m);
      expect(await probe.title()).toBe('Subscribe');
    } finally {
      await browser.close();
    }
  });
  it("failures are loud: Prometheus and Alertmanager are healthy, and beat's heartbeat, run by a worker, reaches redis-exporter", async () => {
    const health = (service: string) => inspect(service).State.Health?.Status;
    expect({ prometheus: health('prometheus'), alertmanager: health('alertmanager') }).toEqual({
      prometheus: 'healthy',
      alertmanager: 'healthy',
    });
    // beat sends it every minute (the first a minute after it starts); the stack has been up longer by now.
    const heartbeat = () =>
      Number(/^redis_key_value\{db="db0",key="celery-heartbeat"\} (\S+)$/m.exec(exporterMetrics('redis-exporter', 9121))?.[1] ?? 0);
    await expect.poll(heartbeat, { timeout: 120_000, interval: 5_000 }).toBeGreaterThan(Date.now() / 1000 - 180);
  });

  it('Alertmanager posts an alert to the webhook URL it reads from its secret file', async () => {
    compose([
      'exec',
      '-T',
      'alertmanager',
      'amtool',
      'alert',
      'add',
      'WebhookProbe',
      'severity=info',
      '--alertmanager.url=http://127.0.0.1:9093',
    ]);
    // The first notification of a group waits group_wait (30 s).
    const received = () => run('docker', ['logs', HOOKS]);
    await expect.poll(received, { timeout: 120_000, interval: 5_000 }).toContain(`POST ${HOOK_PATH} WebhookProbe`);
  });

  // Last: it spends this address's admin allowance.
  it('the admin is at its random path only; every admin page is rate limited', () => {
    const https = publishedPort(443);
    expect(adminPath).toMatch(/^admin-[0-9a-f]{12}$/);
    expect(curl(https, 'https', '/admin/login/')).toMatch(/^HTTP\/\S+ 404/);
    // 2 a second with a burst of 20: 60 requests at once from one address (curl starts them over a
    // few seconds, while the allowance refills), many refused.
    const statuses = run('bash', [
      '-c',
      `for i in $(seq 60); do curl -sk -o /dev/null -w '%{http_code}\\n' --resolve ${DOMAIN}:${https}:127.0.0.1 https://${DOMAIN}:${https}/${adminPath}/jsi18n/ & done; wait`,
    ])
      .trim()
      .split('\n');
    expect(statuses.filter((status) => status === '429').length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((status) => status === '429' || status === '302' || status === '200')).toBe(true);
  });
});
