// The stack benchmark: boots generated projects and loads them with wrk on 127.0.0.1, side by side
// in one run, interleaved and repeated; prints medians and spread. Asserts nothing.
//   node bench/stack.ts            (needs Docker and wrk: apt-get install wrk)
//   BENCH_SECONDS=10 BENCH_REPEATS=3 BENCH_CONNECTIONS=32 node bench/stack.ts
//   BENCH_PARTS=sizing,busy,static,microcache,ports (default: all five; busy: 128 connections)
//   BENCH_ENDPOINTS=/health/,/admin/login/,/bench/login/,/bench/wait/ (default: all four) for the sizing part
//   BENCH_SIZINGS='{"label": {"WEB_CONCURRENCY": "2", "GUNICORN_CMD_ARGS": "--max-requests 0"}}'
//     replaces the gunicorn rows (to try candidates; the generated default stays the first row)
//   BENCH_ASGI_SIZINGS='{"2 uvicorn workers": {"WEB_CONCURRENCY": "2"}}'
//     replaces the ASGI rows after the first (the profile as generated; by default the one after it
//     runs the same project with Django's own ASGIHandler)
// Compared, through nginx over HTTPS and directly to gunicorn:
//   - gunicorn sizings: the generated default (also with gunicorn's access log on), gunicorn's own
//     default (1 sync), a fixed 4 sync (with this config, and as cookiecutter-django runs it), 5 and
//     3 sync, gthread 2 x 3 and 2 x 2, and the ASGI profile (also with Django's own ASGIHandler);
//     the web container's CPU time per request, steadier than req/s on a shared machine;
//   - on a database endpoint (/health/: PostgreSQL and Redis), a template endpoint (/admin/login/ direct;
//     through nginx, which rate-limits login pages, the same view at the bench-only /bench/login/), and
//     a view that waits 20 ms on PostgreSQL (bench-only views added to each generated project: most
//     real views wait on the database longer than /health/);
//   - a static file through nginx (plain, precompressed gzip with gzip_static, gzip per request) and
//     through Django (WhiteNoise, straight to gunicorn; plain and gzip);
//   - a microcached anonymous page against the same page bypassing the cache;
//   - a steady load through nginx for 4 windows in a row, nginx reusing local ports in TIME_WAIT
//     (net.ipv4.tcp_tw_reuse=1, generated) against the kernel's default (loopback only), with
//     nginx's CPU time per request.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMiB } from '../test/helpers/memory-stats.ts';
import { writeKernelDefaultPortReuse, writeNoKeepaliveNginx } from '../test/helpers/nginx-variants.ts';
import { BENCH_HARDWARE, generateProject } from './generate-project.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const DOMAIN = 'localhost';
/** The Python package of every generated bench project (the default project name). */
const BENCH_PACKAGE = 'my_site';
/** What the bench-only waiting view spends in PostgreSQL per request. */
const WAIT_SECONDS = 0.02;

const sh = (command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...options });

interface WrkResult {
  requests: number;
  /** Share of the machine's CPU time that was busy during the run (all processes, not only the stack's). */
  cpuBusy?: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** wrk's summary: requests/s, latency percentiles (ms), non-2xx/3xx answers and socket errors. */
export function parseWrk(output: string): WrkResult {
  const ms = (label: string) => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    if (!match) return Number.NaN;
    return Number(match[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[match[2] as 'us' | 'ms' | 's'];
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? Number.NaN),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN),
    p50: ms('50'),
    p99: ms('99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    errors: errors
      ? errors
          .slice(1)
          .map(Number)
          .reduce((sum, count) => sum + count, 0)
      : 0,
  };
}

// BENCH_WEB_COMMAND replaces web's command (a row run the way another project runs gunicorn).
const GUNICORN_OVERRIDES = [
  'WEB_CONCURRENCY',
  'GUNICORN_THREADS',
  'GUNICORN_WORKER_CLASS',
  'GUNICORN_CMD_ARGS',
  'GUNICORN_ACCESS_LOG',
  'BENCH_WEB_COMMAND',
  'BENCH_STATIC_THROUGH_DJANGO',
  'BENCH_NGINX_NO_KEEPALIVE',
];

class Project {
  readonly name: string;
  readonly dir: string;
  private readonly parent: string;
  /** gunicorn overrides of the running web container: every compose call passes them, or an `up` of a
   * service depending on web would recreate it with the generated sizing. */
  private overrides: Record<string, string> = {};
  /** Compose file giving nginx the generated configuration without keepalive (a row's BENCH_NGINX_NO_KEEPALIVE). */
  readonly noKeepaliveFile: string;
  constructor(label: string, flags: string[]) {
    this.name = `bench-${label}-${process.pid}`;
    this.parent = mkdtempSync(path.join(os.tmpdir(), 'bench-stack-'));
    this.dir = path.join(this.parent, 'site');
    generateProject(this.dir, [
      ...BENCH_HARDWARE,
      '--tls-mode',
      'self-signed',
      '--domain',
      DOMAIN,
      '--email',
      'admin@localhost',
      '--backups',
      'false',
      '--sentry',
      'false',
      ...flags,
    ]);
    // A view that waits on PostgreSQL, as views that query more than /health/ does (bench only).
    writeFileSync(
      path.join(this.dir, BENCH_PACKAGE, 'bench_wait.py'),
      [
        'from django.db import connection',
        'from django.http import HttpResponse',
        'from django.views.decorators.cache import never_cache',
        '',
        '',
        '@never_cache',
        'def wait(request):',
        '    with connection.cursor() as cursor:',
        `        cursor.execute("SELECT pg_sleep(${WAIT_SECONDS})")`,
        '    return HttpResponse("waited")',
        '',
      ].join('\n'),
    );
    appendFileSync(
      path.join(this.dir, BENCH_PACKAGE, 'urls.py'),
      [
        '',
        "from .bench_wait import wait  # noqa: E402 (the generator's stack bench)",
        '',
        'urlpatterns.append(path("bench/wait/", wait))',
        // The admin's login page (a template render) where nginx does not rate-limit it: templates through nginx.
        'urlpatterns.append(path("bench/login/", admin.site.login))',
        '',
      ].join('\n'),
    );
    appendFileSync(
      path.join(this.dir, BENCH_PACKAGE, 'settings', 'production.py'),
      [
        '',
        '# The stack bench: static files served by Django (WhiteNoise) when this is set.',
        'if __import__("os").environ.get("BENCH_STATIC_THROUGH_DJANGO"):',
        '    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405',
        '',
      ].join('\n'),
    );
    // Only on 127.0.0.1, random ports; gunicorn published too, for the direct measurements.
    writeFileSync(
      path.join(this.dir, 'compose.bench.yaml'),
      [
        'services:',
        '  nginx:',
        '    ports: !override ["127.0.0.1::443"]',
        '  web:',
        '    ports: ["127.0.0.1::8000"]',
        // Compose fills this in from the environment; unset, web runs the image's own command.
        '    command: ["sh", "-c", "exec ${BENCH_WEB_COMMAND:-gunicorn}"]',
        // gunicorn reads extra command-line settings from this variable (candidates such as --max-requests 0).
        '    environment:',
        '      GUNICORN_CMD_ARGS:',
        '      BENCH_STATIC_THROUGH_DJANGO:',
        '',
      ].join('\n'),
    );
    this.noKeepaliveFile = writeNoKeepaliveNginx(this.dir);
  }

  /** docker compose for this project, with this bench's gunicorn overrides only (none of the shell's). */
  compose(args: string[]): string {
    // An empty WEB_CONCURRENCY would crash gunicorn (it reads the variable as an int on import): unset, not empty.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !GUNICORN_OVERRIDES.includes(key)));
    return sh('docker', ['compose', '-p', this.name, '-f', 'compose.yaml', '-f', 'compose.bench.yaml', ...args], {
      cwd: this.dir,
      env: { ...inherited, ...this.overrides },
    });
  }

  port(service: string, inner: number): number {
    return Number(
      this.compose(['port', service, String(inner)])
        .trim()
        .split(':')
        .pop(),
    );
  }

  up(): void {
    this.compose(['up', '-d', '--build', '--wait', '--quiet-pull']);
  }

  /**
   * Recreates web with gunicorn overrides (empty: the generated sizing), then nginx: a new container
   * starts with no ports in TIME_WAIT. BENCH_NGINX_NO_KEEPALIVE takes nginx's keepalive connections
   * to gunicorn away (writeNoKeepaliveNginx).
   */
  sizeWeb(env: Record<string, string>): void {
    this.overrides = env;
    this.compose(['up', '-d', '--wait', '--no-deps', '--force-recreate', 'web']);
    const nginxFiles = env['BENCH_NGINX_NO_KEEPALIVE'] ? ['-f', this.noKeepaliveFile] : [];
    this.compose([...nginxFiles, 'up', '-d', '--wait', '--no-deps', '--force-recreate', 'nginx']);
    // The row must measure what it says: gunicorn's processes are the master and its workers.
    const processes = this.compose([
      'exec',
      '-T',
      'web',
      'sh',
      '-c',
      'cat /proc/[0-9]*/cmdline | tr "\\0" " " | grep -o "bin/[g]unicorn" | wc -l',
    ]);
    const workers = Number(processes.trim()) - 1;
    if (env['WEB_CONCURRENCY'] && workers !== Number(env['WEB_CONCURRENCY'])) {
      throw new Error(`web runs ${workers} gunicorn workers, not the ${env['WEB_CONCURRENCY']} asked for`);
    }
  }

  /** CPU time a service's container has used, in ms (cgroup v2, then v1). */
  cpuMs(service: string): number {
    const script =
      'if [ -f /sys/fs/cgroup/cpu.stat ]; then awk \'$1 == "usage_usec" {print $2 / 1000}\' /sys/fs/cgroup/cpu.stat; ' +
      "else awk '{print $1 / 1000000}' /sys/fs/cgroup/cpuacct/cpuacct.usage; fi";
    return Number(this.compose(['exec', '-T', service, 'sh', '-c', script]).trim());
  }

  webMemoryMiB(): number {
    const id = this.compose(['ps', '-q', 'web']).trim();
    return parseMiB(sh('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', id]).split('/')[0]!);
  }

  staticUrl(): string {
    return this.compose([
      'exec',
      '-T',
      'web',
      'python',
      'manage.py',
      'shell',
      '-c',
      "from django.contrib.staticfiles.storage import staticfiles_storage as s; print(s.url('admin/css/base.css'))",
    ])
      .trim()
      .split('\n')
      .pop()!;
  }

  down(): void {
    try {
      this.compose(['down', '-v', '-t', '5']);
      sh('docker', ['image', 'rm', '-f', `${this.name}-app:current`]);
    } catch {
      /* best effort */
    }
    rmSync(this.parent, { recursive: true, force: true });
  }
}

/** The machine's CPU time so far (USER_HZ ticks), all of it and the idle part (idle and iowait): /proc/stat's first line. */
function cpuTicks(): { total: number; idle: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { total: ticks.reduce((sum, tick) => sum + tick, 0), idle: ticks[3]! + ticks[4]! };
}

function wrk(url: string, headers: string[] = [], connections = CONNECTIONS): WrkResult {
  const args = [
    '-t2',
    `-c${connections}`,
    `-d${SECONDS}s`,
    '--timeout',
    '10s',
    '--latency',
    ...headers.flatMap((header) => ['-H', header]),
    url,
  ];
  const before = cpuTicks();
  const result = parseWrk(sh('wrk', args));
  const after = cpuTicks();
  return { ...result, cpuBusy: 1 - (after.idle - before.idle) / (after.total - before.total) };
}

/** A load run, with the CPU time the web container spent per request during it. */
function measureWeb(project: Project, load: () => WrkResult): WrkResult & { webCpuMsPerRequest: number } {
  const before = project.cpuMs('web');
  const result = load();
  return { ...result, webCpuMsPerRequest: (project.cpuMs('web') - before) / result.requests };
}

interface Case {
  group: string;
  label: string;
  setup?: () => void;
  measure: () => WrkResult & { nginxCpuMsPerRequest?: number; webCpuMsPerRequest?: number };
  memory?: () => number;
}
type Run = WrkResult & { memory: number; nginxCpuMsPerRequest?: number; webCpuMsPerRequest?: number };
const results = new Map<string, { group: string; runs: Run[] }>();

/**
 * Runs every case once per round, REPEATS rounds. With `rotate` (cases that each set up their own
 * container), round r starts at the r-th case, so each row takes each place in the round in turn and
 * no row always follows the same one.
 */
function runCases(cases: Case[], { rotate = false } = {}): void {
  for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
    const start = rotate ? (repeat - 1) % cases.length : 0;
    for (const item of [...cases.slice(start), ...cases.slice(0, start)]) {
      item.setup?.();
      const result = { ...item.measure(), memory: item.memory?.() ?? Number.NaN };
      const entry = results.get(item.label) ?? { group: item.group, runs: [] };
      entry.runs.push(result);
      results.set(item.label, entry);
      console.log(
        `[${repeat}/${REPEATS}] ${item.label}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(0)} ms, non-2xx ${result.non2xx}, errors ${result.errors}${Number.isNaN(result.memory) ? '' : `, web ${result.memory.toFixed(0)} MiB`}`,
      );
    }
  }
}

const median = (values: number[]) => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};
const spread = (values: number[], digits = 0) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/**
 * Each row's ratio to the first row is taken round by round (runCases interleaves the rows, so a round's
 * runs share the machine's state of that minute), then its median and range: a slow minute moves both
 * sides of a round's ratio alike, where it would move only one side of a ratio of medians.
 */
function roundRatios(runs: Run[], baselineRuns: Run[]): number[] {
  return runs.map((run, round) => run.rps / baselineRuns[round]!.rps);
}

/** The web container's CPU time per request: steadier than requests per second on a shared machine. */
function webCpu(runs: Run[]): string {
  const values = runs.map((run) => run.webCpuMsPerRequest ?? Number.NaN).filter((value) => !Number.isNaN(value));
  return values.length ? `${median(values).toFixed(2)} (${spread(values, 2)})` : '';
}

function report(): void {
  const groups = [...new Set([...results.values()].map((entry) => entry.group))];
  for (const group of groups) {
    const rows = [...results.entries()].filter(([, entry]) => entry.group === group);
    const baselineRuns = rows[0]![1].runs;
    const connections = group.includes(' connections') ? '' : ` -c${CONNECTIONS}`;
    console.log(
      `\n${group} (wrk -t2${connections} -d${SECONDS}s, ${REPEATS} interleaved runs, medians; ratio to the first row, round by round: median (range))`,
    );
    console.log(
      '| configuration | req/s (spread) | ratio (range) | p50 ms | p99 ms | non-2xx | socket errors | machine CPU busy | web MiB | web CPU ms/request (range) | nginx CPU ms/request |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    const shown = (value: number, digits: number) => (Number.isNaN(value) ? '' : value.toFixed(digits));
    for (const [label, { runs }] of rows) {
      const rps = runs.map((run) => run.rps);
      const ratios = roundRatios(runs, baselineRuns);
      console.log(
        `| ${label} | ${median(rps).toFixed(0)} (${spread(rps)}) | ${median(ratios).toFixed(2)}× (${spread(ratios, 2)}) | ${median(runs.map((run) => run.p50)).toFixed(1)} | ` +
          `${median(runs.map((run) => run.p99)).toFixed(0)} | ${runs.reduce((sum, run) => sum + run.non2xx, 0)} | ${runs.reduce((sum, run) => sum + run.errors, 0)} | ` +
          `${shown(median(runs.map((run) => (run.cpuBusy ?? Number.NaN) * 100)), 0)} % | ` +
          `${shown(median(runs.map((run) => run.memory)), 0)} | ${webCpu(runs)} | ` +
          `${shown(median(runs.map((run) => run.nginxCpuMsPerRequest ?? Number.NaN)), 2)} |`,
      );
    }
  }
}

type Sizings = Record<string, Record<string, string>>;
/** Rows given as JSON in an environment variable (label -> gunicorn overrides), if it is set. */
const sizingsFrom = (variable: string): Sizings | undefined =>
  process.env[variable] ? (JSON.parse(process.env[variable]) as Sizings) : undefined;

const SIZINGS: Sizings = {
  'generated default': {},
  ...(sizingsFrom('BENCH_SIZINGS') ?? {
    // What gunicorn's access log costs (off by default since 2026-11-30).
    "generated default, gunicorn's access log on": { GUNICORN_ACCESS_LOG: '1' },
    "gunicorn's default (1 sync)": { WEB_CONCURRENCY: '1', GUNICORN_THREADS: '1', GUNICORN_WORKER_CLASS: 'sync' },
    'fixed 4 sync': { WEB_CONCURRENCY: '4', GUNICORN_THREADS: '1', GUNICORN_WORKER_CLASS: 'sync' },
    // As cookiecutter-django starts it: gunicorn's defaults (no preload, no config file) and
    // WEB_CONCURRENCY=4; trusting nginx's X-Forwarded-* as it does.
    'fixed 4 sync as cookiecutter-django runs it (no preload)': {
      WEB_CONCURRENCY: '4',
      BENCH_WEB_COMMAND: `gunicorn ${BENCH_PACKAGE}.wsgi -c /dev/null --bind 0.0.0.0:8000 --forwarded-allow-ips=*`,
    },
    '2 x cores + 1 sync (5; the generated default until 2026-11)': {
      WEB_CONCURRENCY: '5',
      GUNICORN_THREADS: '1',
      GUNICORN_WORKER_CLASS: 'sync',
    },
    'gthread 2 x 3 (the default until 2026-11-30)': { WEB_CONCURRENCY: '2', GUNICORN_THREADS: '3', GUNICORN_WORKER_CLASS: 'gthread' },
    // nginx opening a new connection to gunicorn per request (the generated configuration until 2026-11-30).
    'generated default without nginx keepalive': { BENCH_NGINX_NO_KEEPALIVE: '1' },
    'gthread 2 x 2': { WEB_CONCURRENCY: '2', GUNICORN_THREADS: '2', GUNICORN_WORKER_CLASS: 'gthread' },
    '3 sync': { WEB_CONCURRENCY: '3', GUNICORN_THREADS: '1', GUNICORN_WORKER_CLASS: 'sync' },
  }),
};
const ASGI_SIZINGS: Sizings = {
  'ASGI profile': {},
  ...(sizingsFrom('BENCH_ASGI_SIZINGS') ?? {
    // The same project and sizing with Django's own ASGI handler instead of asgi.py's.
    "ASGI, Django's own ASGIHandler": { BENCH_WEB_COMMAND: "gunicorn 'django.core.asgi:get_asgi_application()'" },
  }),
};
// With one ASGI row, it measures the container as booted; with more, each row recreates web.
const ASGI_ROWS_DIFFER = Object.keys(ASGI_SIZINGS).length > 1;
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'sizing,busy,static,microcache,ports').split(','));
const BUSY_CONNECTIONS = 128;
// The login page is the template endpoint; nginx rate-limits /admin/login/ (429), so through nginx the
// same view is loaded at /bench/login/.
const ENDPOINTS = [
  { endpoint: 'database (/health/)', urlPath: '/health/', vias: ['nginx HTTPS', 'direct to gunicorn'] },
  { endpoint: 'template (/admin/login/)', urlPath: '/admin/login/', vias: ['direct to gunicorn'] },
  { endpoint: 'template (/bench/login/: the admin login page, not rate-limited)', urlPath: '/bench/login/', vias: ['nginx HTTPS'] },
  { endpoint: `waiting ${WAIT_SECONDS * 1000} ms on PostgreSQL (/bench/wait/)`, urlPath: '/bench/wait/', vias: ['nginx HTTPS'] },
] as const;

try {
  sh('wrk', ['--version']);
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error('bench/stack.ts needs wrk (Debian/Ubuntu: apt-get install wrk)');
    process.exit(2);
  }
}

const wsgi = new Project('wsgi', []);
const asgi = PARTS.has('sizing') || PARTS.has('busy') ? new Project('asgi', ['--server', 'asgi']) : undefined;
try {
  console.log('booting the generated projects ...');
  wsgi.up();
  asgi?.up();
  const nginxHttps = (project: Project, urlPath: string) => `https://${DOMAIN}:${project.port('nginx', 443)}${urlPath}`;
  // Straight to gunicorn: Django still wants the proxy's headers (host, HTTPS).
  const direct = (project: Project, urlPath: string, headers: string[] = [], connections = CONNECTIONS) =>
    wrk(
      `http://127.0.0.1:${project.port('web', 8000)}${urlPath}`,
      [`Host: ${DOMAIN}`, 'X-Forwarded-Proto: https', ...headers],
      connections,
    );
  const via = {
    'nginx HTTPS': (project: Project, urlPath: string) => wrk(nginxHttps(project, urlPath)),
    'direct to gunicorn': (project: Project, urlPath: string) => direct(project, urlPath),
  };

  const endpoints = ENDPOINTS.filter(
    ({ urlPath }) => !process.env['BENCH_ENDPOINTS'] || process.env['BENCH_ENDPOINTS'].split(',').includes(urlPath),
  );
  for (const { endpoint, urlPath, vias } of PARTS.has('sizing') ? endpoints : []) {
    for (const route of vias) {
      const asgiProject = asgi!;
      const group = `${endpoint} via ${route}`;
      runCases(
        [
          ...Object.entries(SIZINGS).map(([label, env]) => ({
            group,
            label: `${label} · ${group}`,
            setup: () => wsgi.sizeWeb(env),
            measure: () => measureWeb(wsgi, () => via[route](wsgi, urlPath)),
            memory: () => wsgi.webMemoryMiB(),
          })),
          ...Object.entries(ASGI_SIZINGS).map(([label, env]) => ({
            group,
            label: `${label} · ${group}`,
            setup: ASGI_ROWS_DIFFER ? () => asgiProject.sizeWeb(env) : undefined,
            measure: () => measureWeb(asgiProject, () => via[route](asgiProject, urlPath)),
            memory: () => asgiProject.webMemoryMiB(),
          })),
        ],
        { rotate: true },
      );
    }
  }

  wsgi.sizeWeb({});
  if (ASGI_ROWS_DIFFER) asgi?.sizeWeb({});
  if (PARTS.has('busy') && asgi) {
    const group = `database (/health/) at ${BUSY_CONNECTIONS} connections`;
    const busyDirect = (project: Project) => direct(project, '/health/', [], BUSY_CONNECTIONS);
    const busyNginx = (project: Project) => wrk(nginxHttps(project, '/health/'), [], BUSY_CONNECTIONS);
    // nginx with and without keepalive to gunicorn: each such row recreates web and nginx first.
    const noKeepalive = { BENCH_NGINX_NO_KEEPALIVE: '1' };
    runCases([
      { group, label: 'generated default via nginx HTTPS', setup: () => wsgi.sizeWeb({}), measure: () => busyNginx(wsgi) },
      {
        group,
        label: 'generated default via nginx HTTPS, without nginx keepalive',
        setup: () => wsgi.sizeWeb(noKeepalive),
        measure: () => busyNginx(wsgi),
      },
      { group, label: 'generated default direct to gunicorn', measure: () => busyDirect(wsgi) },
      { group, label: 'ASGI profile via nginx HTTPS', setup: () => asgi.sizeWeb({}), measure: () => busyNginx(asgi) },
      {
        group,
        label: 'ASGI profile via nginx HTTPS, without nginx keepalive',
        setup: () => asgi.sizeWeb(noKeepalive),
        measure: () => busyNginx(asgi),
      },
      { group, label: 'ASGI profile direct to gunicorn', measure: () => busyDirect(asgi) },
    ]);
    wsgi.sizeWeb({});
    asgi.sizeWeb({});
  }
  if (PARTS.has('static')) {
    const staticPath = wsgi.staticUrl();
    const group = 'static file (admin/css/base.css)';
    // Django serving it instead: WhiteNoise's middleware (the image has whitenoise for its storage).
    const throughDjango = (headers: string[]) => direct(wsgi, staticPath, headers);
    runCases([
      { group, label: 'nginx HTTPS, plain', measure: () => wrk(nginxHttps(wsgi, staticPath)) },
      {
        group,
        label: 'nginx HTTPS, gzip precompressed (gzip_static)',
        measure: () => wrk(nginxHttps(wsgi, staticPath), ['Accept-Encoding: gzip']),
      },
      {
        group,
        label: 'Django (WhiteNoise) straight to gunicorn, plain',
        setup: () => wsgi.sizeWeb({ BENCH_STATIC_THROUGH_DJANGO: '1' }),
        measure: () => throughDjango([]),
      },
      { group, label: 'Django (WhiteNoise) straight to gunicorn, gzip', measure: () => throughDjango(['Accept-Encoding: gzip']) },
    ]);
    wsgi.sizeWeb({});
    // Without the .gz files nginx compresses each response itself (gzip on): the old setting.
    wsgi.compose(['exec', '-T', 'web', 'sh', '-c', 'find /srv/static -name "*.gz" -delete']);
    runCases([
      {
        group,
        label: 'nginx HTTPS, gzip per request (no .gz files)',
        measure: () => wrk(nginxHttps(wsgi, staticPath), ['Accept-Encoding: gzip']),
      },
    ]);
  }

  if (PARTS.has('microcache')) {
    runCases([
      { group: 'start page via nginx HTTPS', label: 'microcached (anonymous)', measure: () => wrk(nginxHttps(wsgi, '/')) },
      {
        group: 'start page via nginx HTTPS',
        label: 'uncached (session cookie: bypass)',
        measure: () => wrk(nginxHttps(wsgi, '/'), ['Cookie: sessionid=bench']),
      },
    ]);
  }
  if (PARTS.has('ports')) {
    // Each nginx connection to gunicorn closed by nginx keeps its local port in TIME_WAIT for 60 s;
    // nginx is recreated (a new network namespace, no TIME_WAIT) before each setting's windows.
    // Without keepalive nginx closes one per request: what the port reuse is there for.
    const kernelDefault = ['-f', writeKernelDefaultPortReuse(wsgi.dir)];
    const noKeepalive = ['-f', wsgi.noKeepaliveFile];
    const WINDOWS = 4;
    const group = `database (/health/) via nginx HTTPS, ${WINDOWS} windows in a row`;
    const settings = [
      { name: 'generated (keepalive, tcp_tw_reuse 1)', files: [] as string[] },
      { name: 'without keepalive, tcp_tw_reuse 1', files: noKeepalive },
      { name: "without keepalive, kernel's default (tcp_tw_reuse 2: loopback only)", files: [...noKeepalive, ...kernelDefault] },
    ];
    runCases(
      settings.flatMap(({ name, files }) =>
        Array.from({ length: WINDOWS }, (_, index) => ({
          group,
          label: `${name}, seconds ${index * SECONDS}–${(index + 1) * SECONDS}`,
          setup:
            index === 0 ? () => void wsgi.compose([...files, 'up', '-d', '--wait', '--no-deps', '--force-recreate', 'nginx']) : undefined,
          measure: () => {
            const before = wsgi.cpuMs('nginx');
            const result = wrk(nginxHttps(wsgi, '/health/'));
            return { ...result, nginxCpuMsPerRequest: (wsgi.cpuMs('nginx') - before) / result.requests };
          },
        })),
      ),
    );
    wsgi.compose(['up', '-d', '--wait', '--no-deps', '--force-recreate', 'nginx']);
  }
  report();
} finally {
  wsgi.down();
  asgi?.down();
}
