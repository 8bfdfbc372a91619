// nginx opens a new connection to gunicorn for every request, and each closed one keeps its local
// port in TIME_WAIT for 60 s. The generated nginx service lets Linux reuse such a port once it is a
// second old (net.ipv4.tcp_tw_reuse=1); with the kernel's default (2: loopback only) the ports run
// out under a steady load and nginx answers 502. The port range is narrowed to 100 ports here so
// that a short, paced load shows what takes minutes at a few hundred requests per second.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { startLoad, summarize } from '../helpers/load.ts';
import { PROFILES } from '../helpers/profiles.ts';

const PORTS = 100;
const TEST_FILE = 'compose.ports-test.yaml';
const KERNEL_DEFAULT_FILE = 'compose.kernel-default.yaml';
const project = `nginx-ports-${randomBytes(3).toString('hex')}`;
let dir = '';
const compose = (files: string[], args: string[]) =>
  run('docker', ['compose', '-p', project, '-f', 'compose.yaml', ...files.flatMap((file) => ['-f', file]), ...args], { cwd: dir });

const SECONDS = 12;

/**
 * Recreates nginx with these Compose files and loads it for SECONDS with one client that pauses
 * 15 ms after each answer: at most ~65 new upstream connections a second, so with reuse every port
 * is free again (a second old) before the range is used up.
 */
async function pacedLoad(files: string[]) {
  compose(files, ['up', '-d', '--wait', '--force-recreate', 'nginx']);
  const port = Number(compose(files, ['port', 'nginx', '443']).trim().split(':').pop());
  const load = startLoad({ port, host: PROFILES['minimal']!['domain'] as string, concurrency: 1, pauseMs: 15, maxSeconds: SECONDS });
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  return load.stop();
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
    writeFileSync(path.join(dir, KERNEL_DEFAULT_FILE), 'services:\n  nginx:\n    sysctls:\n      net.ipv4.tcp_tw_reuse: 2\n');
    compose([TEST_FILE], ['up', '-d', '--build', '--wait', 'nginx']);
  });

  afterAll(() => {
    if (!dir) return;
    const image = (JSON.parse(compose([TEST_FILE], ['config', '--format', 'json'])) as { services: Record<string, { image?: string }> })
      .services['web']?.image;
    compose([TEST_FILE], ['down', '-v', '-t', '5']);
    if (image) run('docker', ['image', 'rm', '-f', image]);
  });

  it('reuse local ports in TIME_WAIT: a steady load needing more connections than ports gets no error', async () => {
    const report = await pacedLoad([TEST_FILE]);
    // Well more requests (each a new upstream connection) than ports, or the test proves nothing.
    expect(report.requests, summarize(report)).toBeGreaterThan(1.5 * PORTS);
    expect(report.failures, summarize(report)).toEqual([]);
  });

  it("control: with the kernel's default (loopback only) the same load runs out of ports and nginx answers 502", async () => {
    const report = await pacedLoad([TEST_FILE, KERNEL_DEFAULT_FILE]);
    expect(report.requests, summarize(report)).toBeGreaterThan(1.5 * PORTS);
    // About half of the connections leave their TIME_WAIT on gunicorn's side (it closed first), so
    // the range lasts for about twice as many requests before nginx cannot connect any more.
    expect(report.failures.length, summarize(report)).toBeGreaterThan(0);
    expect(new Set(report.failures.map((failure) => failure.what)), summarize(report)).toEqual(new Set(['502']));
  });
});
