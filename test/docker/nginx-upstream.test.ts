// nginx keeps its connections to gunicorn open between requests (conf.d/upstream.conf: keepalive).
// Where connections still churn (more requests at once than nginx keeps idle connections, a sync
// worker), each one nginx closes keeps its local port in TIME_WAIT for 60 s; the generated nginx
// service lets Linux reuse such a port once it is a second old (net.ipv4.tcp_tw_reuse=1); with the
// kernel's default (2: loopback only) the ports run out under a steady load and nginx answers 502.
// The port range is narrowed to 100 ports here so that a short, paced load shows what takes minutes
// at a few hundred requests per second.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeConfig, requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { startLoad, summarize } from '../helpers/load.ts';
import { writeKernelDefaultPortReuse, writeNoKeepaliveNginx } from '../helpers/nginx-variants.ts';
import { PROFILES } from '../helpers/profiles.ts';

const PORTS = 100;
const TEST_FILE = 'compose.ports-test.yaml';
const project = `nginx-ports-${randomBytes(3).toString('hex')}`;
let dir = '';
let kernelDefaultFile = '';
/** The generated nginx configuration without its keepalive lines: a new connection per request. */
let noKeepaliveFile = '';
const compose = (files: string[], args: string[]) =>
  run('docker', ['compose', '-p', project, '-f', 'compose.yaml', ...files.flatMap((file) => ['-f', file]), ...args], { cwd: dir });

const SECONDS = 12;

/**
 * Recreates nginx with these Compose files and loads it for SECONDS with one client that pauses
 * 15 ms after each answer: at most ~65 new upstream connections a second, so with reuse every port
 * is free again (a second old) before the range is used up.
 */
async function pacedLoad(files: string[]) {
  compose(files, ['up', '-d', '--wait', '--no-deps', '--force-recreate', 'nginx']);
  const port = Number(compose(files, ['port', 'nginx', '443']).trim().split(':').pop());
  const opensBefore = activeOpens(files);
  const load = startLoad({ port, host: PROFILES['minimal']!['domain'] as string, concurrency: 1, pauseMs: 15, maxSeconds: SECONDS });
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const report = await load.stop();
  // nginx's sockets to gunicorn's port (8000 = 1F40) in TIME_WAIT (06): connections nginx closed.
  const timeWait = Number(
    compose(files, ['exec', '-T', 'nginx', 'sh', '-c', 'awk \'$3 ~ /:1F40$/ && $4 == "06"\' /proc/net/tcp | wc -l']).trim(),
  );
  return { report, timeWait, opened: activeOpens(files) - opensBefore };
}

/**
 * TCP connections opened from nginx's network namespace so far (/proc/net/snmp, Tcp: ActiveOpens):
 * its connections to gunicorn, plus the few its healthcheck opens.
 */
function activeOpens(files: string[]): number {
  const script = "awk '/^Tcp:/ { if (header) print $6; header = 1 }' /proc/net/snmp";
  return Number(compose(files, ['exec', '-T', 'nginx', 'sh', '-c', script]).trim());
}

describe("nginx's connections to gunicorn", () => {
  beforeAll(async () => {
    requireDocker();
    dir = (await generateProject(PROFILES['minimal']!)).cwd;
    writeFileSync(
      path.join(dir, TEST_FILE),
      [
        'services:',
        '  nginx:',
        '    ports: !override ["127.0.0.1::443"]',
        '    sysctls:',
        `      net.ipv4.ip_local_port_range: "40000 ${40000 + PORTS - 1}"`,
        '',
      ].join('\n'),
    );
    kernelDefaultFile = writeKernelDefaultPortReuse(dir);
    noKeepaliveFile = writeNoKeepaliveNginx(dir);
    compose([TEST_FILE], ['up', '-d', '--build', '--wait', 'nginx']);
  });

  afterAll(() => {
    if (!dir) return;
    const image = composeConfig(dir, { COMPOSE_PROJECT_NAME: project, COMPOSE_FILE: ['compose.yaml', TEST_FILE].join(path.delimiter) })
      .services['web']?.image;
    compose([TEST_FILE], ['down', '-v', '-t', '5']);
    if (image) run('docker', ['image', 'rm', '-f', image]);
  });

  it('keeps connections to gunicorn open: more requests than local ports, no error, few connections opened', async () => {
    // Even with the kernel's default port reuse: nginx hardly closes a connection.
    const { report, timeWait } = await pacedLoad([TEST_FILE, kernelDefaultFile]);
    // Well more requests than ports, or the test proves nothing.
    expect(report.requests, summarize(report)).toBeGreaterThan(1.5 * PORTS);
    expect(report.failures, summarize(report)).toEqual([]);
    expect(timeWait, `${timeWait} connections to gunicorn in TIME_WAIT after ${report.requests} requests`).toBeLessThan(10);
  });

  it('where connections churn, local ports in TIME_WAIT are reused: the same load without keepalive gets no error', async () => {
    const { report, opened } = await pacedLoad([TEST_FILE, noKeepaliveFile]);
    expect(report.requests, summarize(report)).toBeGreaterThan(1.5 * PORTS);
    // Every proxied request opened a connection of its own, so the 100 local ports were each used
    // more than once. (Counting TIME_WAIT instead is no bound: with reuse it hovers about PORTS / 2.)
    expect(opened, 'a new connection per request').toBeGreaterThanOrEqual(report.requests);
    expect(report.failures, summarize(report)).toEqual([]);
  });

  it("control: without keepalive and with the kernel's default (loopback only) it runs out of ports: 502", async () => {
    const { report } = await pacedLoad([TEST_FILE, noKeepaliveFile, kernelDefaultFile]);
    expect(report.requests, summarize(report)).toBeGreaterThan(1.5 * PORTS);
    // About half of the connections leave their TIME_WAIT on gunicorn's side (it closed first), so
    // the range lasts for about twice as many requests before nginx cannot connect any more.
    expect(report.failures.length, summarize(report)).toBeGreaterThan(0);
    expect(new Set(report.failures.map((failure) => failure.what)), summarize(report)).toEqual(new Set(['502']));
  });
});
