// What each service of the stack needs in memory, idle and under load: the measurements behind the
// floors in generators/lib/sizing.ts and the features' limits. Boots a generated project with every
// service on (Celery, backups, monitoring, the cache) sized for a big server, so no limit constrains
// what is measured, then samples `docker stats` of every container all along:
//   idle:  after the stack settled (BENCH_IDLE_SECONDS, default 20);
//   load:  wrk through nginx over HTTPS on /health/ and on the start page (templates, the microcache
//          bypassed by a session cookie), 2 x BENCH_SECONDS each, while Celery runs BENCH_TASKS ping
//          tasks sent from web; then a backup (pg_dump), certbot's CLI, and the migrate job run again.
// Prints, per service, the peak of `docker stats` (what the limit is compared with) idle and under
// load, and the resident memory of each Python process (`docker top`). Asserts nothing.
//   node bench/memory.ts                    (needs Docker and wrk)
//   BENCH_SECONDS=20 BENCH_TASKS=200 BENCH_FLAGS="--server asgi" node bench/memory.ts
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateProject } from './generate-project.ts';
import { sampleStats } from '../test/helpers/memory-stats.ts';
import { pingTasksScript } from '../test/helpers/small-load.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const IDLE_SECONDS = Number(process.env['BENCH_IDLE_SECONDS'] ?? 20);
const TASKS = Number(process.env['BENCH_TASKS'] ?? 200);
const DOMAIN = 'localhost';
const PACKAGE = 'my_site';
/** The answered server: by default a big one, whose limits constrain nothing. */
const CPUS = process.env['BENCH_CPUS'] ?? '2';
const MEMORY_MB = process.env['BENCH_MEMORY_MB'] ?? '16384';
/** Each container's limit in the run (BENCH_LIMIT_MB): above any need, so the sizing measured is the answered one's, unconstrained. */
const LIMIT_MB = process.env['BENCH_LIMIT_MB'];

const sh = (command: string, args: string[], options: { cwd?: string } = {}) =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...options });

function wrk(url: string, headers: string[] = []): string {
  const output = sh('wrk', ['-t2', '-c32', `-d${SECONDS}s`, '--timeout', '10s', ...headers.flatMap((header) => ['-H', header]), url]);
  return /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? '?';
}

const parent = mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
const dir = path.join(parent, 'site');
const project = `bench-memory-${process.pid}`;
generateProject(dir, [
  ...['--cpus', CPUS, '--memory-mb', MEMORY_MB, '--tls-mode', 'self-signed', '--domain', DOMAIN, '--email', 'admin@localhost'],
  ...(process.env['BENCH_FLAGS'] ?? '--sentry false --cache true').split(' ').filter(Boolean),
]);
const compose = (...args: string[]) =>
  sh('docker', ['compose', '-p', project, '-f', 'compose.yaml', '-f', 'compose.bench.yaml', ...args], { cwd: dir });
const services = Object.keys(
  (JSON.parse(sh('docker', ['compose', 'config', '--format', 'json'], { cwd: dir })) as { services: object }).services,
);
writeFileSync(
  path.join(dir, 'compose.bench.yaml'),
  [
    'services:',
    ...services.flatMap((service) => [
      `  ${service}:`,
      ...(service === 'nginx' ? ['    ports: !override ["127.0.0.1::443"]'] : []),
      ...(LIMIT_MB ? [`    mem_limit: ${LIMIT_MB}m`] : []),
    ]),
    '',
  ].join('\n'),
);
const stats = sampleStats(`${project}-`);
try {
  console.log('booting ...');
  compose('up', '-d', '--build', '--wait', '--quiet-pull');
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  stats.phase('idle');
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  stats.phase('load');
  const port = Number(compose('port', 'nginx', '443').trim().split(':').pop());
  const tasks = spawn(
    'docker',
    [
      ...[
        'compose',
        '-p',
        project,
        '-f',
        'compose.yaml',
        '-f',
        'compose.bench.yaml',
        'exec',
        '-T',
        'web',
        'python',
        'manage.py',
        'shell',
        '-c',
      ],
      pingTasksScript(PACKAGE, TASKS, 300),
    ],
    { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const tasksDone = new Promise((resolve) => tasks.on('close', resolve));
  for (let round = 0; round < 2; round += 1) {
    console.log(`/health/ via nginx: ${wrk(`https://${DOMAIN}:${port}/health/`)} req/s`);
    console.log(`/ via nginx, uncached: ${wrk(`https://${DOMAIN}:${port}/`, ['Cookie: sessionid=bench'])} req/s`);
  }
  await tasksDone;
  compose('exec', '-T', 'backup', 'backup.sh');
  compose('exec', '-T', 'certbot', 'certbot', 'certificates');
  compose('run', '--rm', 'migrate');
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const processes = ['web', 'worker', 'beat'].map(
    (service) =>
      `${service} (pid, RSS KiB, command):\n  ${sh('docker', ['top', compose('ps', '-q', service).trim(), '-o', 'pid,rss,args'])
        .trim()
        .split('\n')
        .slice(1)
        .join('\n  ')}`,
  );
  stats.stop();
  // <service>-<n>, or <service>-run-<id> for `compose run`.
  const serviceOf = (name: string) => name.replace(/-(run-[0-9a-f]+|\d+)$/, '');
  const peakOf = (phase: string, service: string) =>
    Math.max(
      ...[...(stats.peaks.get(phase) ?? new Map<string, number>())].filter(([name]) => serviceOf(name) === service).map(([, mib]) => mib),
    );
  const seen = [...new Set([...stats.peaks.values()].flatMap((byName) => [...byName.keys()].map(serviceOf)))].sort();
  const limits = JSON.parse(compose('config', '--format', 'json')) as { services: Record<string, { mem_limit?: string | number }> };
  console.log('\n| service | idle MiB (peak) | under load MiB (peak) | limit as generated |\n|---|---|---|---|');
  for (const service of seen) {
    const cell = (phase: string) =>
      stats.peaks.get(phase) && Number.isFinite(peakOf(phase, service)) ? peakOf(phase, service).toFixed(1) : '';
    const limit = limits.services[service]?.mem_limit;
    console.log(
      `| ${service} | ${cell('idle')} | ${cell('load')} | ${limit === undefined ? 'none' : `${Math.round(Number(limit) / 1048576)} MiB`} |`,
    );
  }
  console.log(`\nprocesses at the end (docker top):\n${processes.join('\n')}`);
} finally {
  stats.stop();
  try {
    compose('down', '-v', '-t', '5');
    sh('docker', ['image', 'rm', '-f', `${project}-app:current`, `${project}-backup:latest`]);
  } catch {
    /* best effort */
  }
  rmSync(parent, { recursive: true, force: true });
}
