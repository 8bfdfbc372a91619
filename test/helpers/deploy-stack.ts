// A generated repository run the way a server runs it: a git checkout, booted and updated with
// its own bin/deploy under a unique Compose project, nginx published on 127.0.0.1 only, on ports
// free at boot that stay when nginx is recreated, as 80 and 443 do on a server (a Compose file
// added through COMPOSE_FILE, as a user could). Shared by the deploy tests
// and bench/deploy.ts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { request, type HttpResponse } from '../../generators/verify/http.ts';
import { run, runAsync, type Finished } from './docker.ts';
import { startLoad, type Load, type LoadOptions } from './load.ts';

const TEST_COMPOSE_FILE = 'compose.deploy-test.yaml';
/** nginx on these 127.0.0.1 ports; `image` replaces the project's nginx image. */
const nginxOverride = (ports: { http: number; https: number }, image?: string) => `services:
  nginx:
${image ? `    image: ${image}\n` : ''}    ports: !override
      - "127.0.0.1:${ports.http}:80"
      - "127.0.0.1:${ports.https}:443"
`;

/** A TCP port of 127.0.0.1 that is free now (the system picks it). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

export interface DeployStack {
  dir: string;
  project: string;
  /** The site's domain (Host and TLS server name of every request). */
  host: string;
  /** nginx's HTTPS port on 127.0.0.1. */
  port: number;
  env: NodeJS.ProcessEnv;
  /** docker compose in the repository, with this stack's project and files (blocks: not under load). */
  compose(...args: string[]): string;
  /** bin/deploy with arguments, without blocking (a load loop runs meanwhile). */
  deploy(...args: string[]): Promise<Finished>;
  /** Edits files, commits, and returns the version bin/deploy will build (12-digit commit). */
  commit(message: string, edit: () => void): string;
  /** Ids of the service's running containers. */
  containers(service: string): string[];
  health(): Promise<HttpResponse>;
  /** A load loop through nginx (GET /health/ unless the options say otherwise). */
  load(options?: Omit<LoadOptions, 'port' | 'host'>): Load;
  down(): void;
}

const git = (dir: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=deploy-test', '-c', 'user.email=deploy-test@example.com', '-c', 'init.defaultBranch=main', ...args],
    { cwd: dir, encoding: 'utf8' },
  ).trim();

/**
 * Commits the generated repository and boots it with `bin/deploy` (its first run starts the
 * whole stack). env: extra variables for Compose (e.g. CELERY_CONCURRENCY).
 */
export async function bootDeployStack(
  dir: string,
  host: string,
  env: Record<string, string> = {},
  { nginxImage }: { nginxImage?: string } = {},
): Promise<DeployStack> {
  const project = `i11-deploy-${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  writeFileSync(path.join(dir, TEST_COMPOSE_FILE), nginxOverride({ http: await freePort(), https: port }, nginxImage));
  git(dir, 'init', '-q');
  // The test's Compose file stays out of the history: the checkout is clean, as on a server.
  appendFileSync(path.join(dir, '.git', 'info', 'exclude'), `${TEST_COMPOSE_FILE}\n`);
  git(dir, 'add', '-A');
  // --allow-empty: a repository committed already (the upgrade corpus) has nothing new.
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'generated');
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    COMPOSE_PROJECT_NAME: project,
    COMPOSE_FILE: `compose.yaml:${TEST_COMPOSE_FILE}`,
  };
  const compose = (...args: string[]) => run('docker', ['compose', ...args], { cwd: dir, env: fullEnv });
  const down = () => {
    try {
      compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
    } finally {
      const images = run('docker', ['image', 'ls', '--format', '{{.ID}}', `${project}-app`])
        .split('\n')
        .filter(Boolean);
      if (images.length) run('docker', ['image', 'rm', '--force', ...new Set(images)]);
    }
  };
  const deploy = (...args: string[]) => runAsync('bin/deploy', args, { cwd: dir, env: fullEnv, timeoutMs: 900_000 });

  const booted = await deploy();
  if (booted.code !== 0) {
    const logs = (() => {
      try {
        return compose('logs', '--tail', '30');
      } catch {
        return '';
      }
    })();
    down();
    throw new Error(`bin/deploy could not boot the stack (exit ${booted.code}):\n${booted.stdout}${booted.stderr}\n${logs}`);
  }
  return {
    dir,
    project,
    host,
    port,
    env: fullEnv,
    compose,
    deploy,
    down,
    commit: (message, edit) => {
      edit();
      git(dir, 'commit', '-q', '-a', '-m', message);
      return git(dir, 'rev-parse', '--short=12', 'HEAD');
    },
    containers: (service) => compose('ps', '--quiet', service).split('\n').filter(Boolean),
    health: () => request({ port, secure: true, host, path: '/health/' }),
    load: (options = {}) => startLoad({ port, host, maxSeconds: 300, ...options }),
  };
}

/** The "version" /health/ reports (the running release), or undefined when it does not answer 200. */
export async function servedVersion(stack: DeployStack): Promise<string | undefined> {
  const response = await stack.health().catch(() => undefined);
  if (response?.status !== 200) return undefined;
  return (JSON.parse(response.body) as { version?: string }).version;
}

/** Appends a line to a file of the repository. */
export const appendTo = (stack: { dir: string }, file: string, line: string) =>
  writeFileSync(path.join(stack.dir, file), `${readFileSync(path.join(stack.dir, file), 'utf8')}${line}\n`);
