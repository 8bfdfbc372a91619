// Boots a generated repository's own compose.yaml for verification, plus an override
// (override.ts) that makes it testable on one machine without touching the outside world:
//  - nginx publishes 80/443 on random 127.0.0.1 ports (the real ports may be taken, and a
//    verify run must never be reachable from the network);
//  - when certificates come from ACME, certbot talks to a Pebble test CA in the project
//    instead of Let's Encrypt (never spend real rate limits or reach the internet), and nginx
//    answers every domain inside the network so Pebble's http-01 check reaches it;
//  - each enabled feature adds its part (Sentry's sink, a test S3 API, fast monitoring).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment, type log as LoggerInstance } from 'testcontainers';
import { generateAgeKeyPair, type AgeKeyPair } from '../lib/age-key.ts';
import { checkDockerVersions } from '../lib/docker-versions.ts';
import type { RenderContext } from '../lib/context.ts';
import { execIn, logsOf, type ExecOptions, type ExecResult } from './containers.ts';
import { VerifyError } from './stored-answers.ts';
import { buildOverride, builtImages, MOTO_ENDPOINT, PEBBLE_DIRECTORY, toYaml, type ComposeConfig } from './override.ts';

export type { ComposeConfig, ComposeService } from './override.ts';
export { ONE_SHOT_SERVICES } from './override.ts';

export { VerifyError };

export type Log = (line: string) => void;

export interface Stack {
  project: string;
  repoDir: string;
  render: RenderContext;
  docker: Docker;
  config: ComposeConfig;
  /** Services verify added (Pebble, a test S3 API, ...): not part of the product, so hygiene rules do not apply to them. */
  addedServices: ReadonlySet<string>;
  ports: { http: number; https: number };
  buildSeconds: number;
  /** From `compose up` to every container healthy. */
  bootSeconds: number;
  /** The service's container (exited ones included), newest first when scaled. */
  container(service: string): Promise<Docker.Container>;
  inspect(service: string): Promise<Docker.ContainerInspectInfo>;
  exec(service: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  logs(service: string, options?: { tail?: number; sinceSeconds?: number }): Promise<string>;
  /** The command a user runs to remove a kept stack. */
  downCommand: string;
  down(): Promise<void>;
  /** The age key pair of this run: off-site backups are encrypted for it, the restore drill passes its secret key. */
  agePair: AgeKeyPair;
}

export async function pingDocker(docker: Docker): Promise<void> {
  const where =
    process.env['DOCKER_HOST'] || (process.platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock');
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s')), 10_000))]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (reason === 'EACCES') {
      // yo drops root privileges, so even root gets this unless its user may use Docker.
      throw new VerifyError(
        `verify cannot use the Docker engine at ${where}: permission denied (EACCES); add your user to the "docker" group (and log in again) or set DOCKER_HOST`,
      );
    }
    throw new VerifyError(
      `verify needs a Docker engine, and none answers at ${where} (${reason}): start Docker (or set DOCKER_HOST) and run again`,
    );
  }
}

/**
 * The engine's API and Compose's versions, by the rules of the repository's bin/docker-check: stops
 * with one line naming what is needed; else the Compose variables this engine needs.
 */
export async function requireDockerVersions(engine: Docker, log: Log): Promise<Record<string, string>> {
  const { ApiVersion } = await engine.version();
  const compose = await docker(['compose', 'version', '--short'], process.cwd()).then(
    (output) => output.trim(),
    () => undefined,
  );
  const result = checkDockerVersions({ serverApi: ApiVersion, pinnedApi: process.env['DOCKER_API_VERSION'] || undefined, compose });
  if (!result.ok) throw new VerifyError(`verify: ${result.problem}`);
  if (result.note) log(result.note);
  return result.env;
}

/** Runs the docker CLI (compose has no API), env added to the process's; rejects with its last lines of output. */
function docker(args: string[], cwd: string, onLine?: (line: string) => void, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let tail: string[] = [];
    const take = (chunk: Buffer, keep: boolean) => {
      const text = chunk.toString('utf8');
      if (keep) stdout += text;
      for (const line of text.split(/\r?\n/)) {
        if (!line.trim()) continue;
        tail = [...tail.slice(-19), line];
        onLine?.(line);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, false));
    child.on('error', (error) =>
      reject(new VerifyError(`cannot run "docker ${args[0]}": ${error.message} (verify needs the docker CLI with Compose v2)`)),
    );
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new VerifyError(`"docker ${args.join(' ')}" failed (exit ${code}):\n${tail.join('\n')}`)),
    );
  });
}

/** A file of the repository that verify's override reads; a missing one stops verify with one line. */
function repositoryFile(repoDir: string): (file: string) => string {
  return (file) => {
    const full = path.join(repoDir, file);
    if (!existsSync(full))
      throw new VerifyError(`verify needs ${file} (a feature of .yo-rc.json uses it): regenerate the repository or restore the file`);
    return readFileSync(full, 'utf8');
  };
}

/** Refuses to boot anything that could still write to a real bucket: every <X>S3_ENDPOINT(_URL) of a bucket is the test S3 API. */
function checkNoRealS3(merged: ComposeConfig): void {
  for (const [name, service] of Object.entries(merged.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      const prefix = /^(.*)S3_ENDPOINT(?:_URL)?$/.exec(key)?.[1];
      if (prefix !== undefined && value !== MOTO_ENDPOINT && service.environment?.[`${prefix}S3_BUCKET`]) {
        throw new VerifyError(
          `verify refuses to boot: ${name}'s ${key} would be ${JSON.stringify(value)}, not the test S3 API ${MOTO_ENDPOINT}`,
        );
      }
    }
  }
}

/** Refuses to boot anything that could still reach a real ACME server. */
function checkNoRealAcme(merged: ComposeConfig, render: RenderContext): void {
  if (render.tls.mode === 'self-signed') return;
  const certbot = merged.services['certbot'];
  const directory = certbot?.environment?.['ACME_DIRECTORY_URL'];
  if (directory !== PEBBLE_DIRECTORY) {
    throw new VerifyError(
      `verify refuses to boot: certbot's ACME_DIRECTORY_URL would be ${JSON.stringify(directory)}, not the test CA ${PEBBLE_DIRECTORY}`,
    );
  }
  for (const [name, service] of Object.entries(merged.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (typeof value === 'string' && /api\.letsencrypt\.org/.test(value)) {
        throw new VerifyError(`verify refuses to boot: ${name}'s ${key} still points at Let's Encrypt (${value})`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Boot and teardown

export interface BootOptions {
  repoDir: string;
  render: RenderContext;
  log: Log;
  docker: Docker;
  /** Variables for every Compose command (requireDockerVersions'). */
  composeEnv?: Record<string, string>;
}

/**
 * Compose copies a `content:` config into the container before it starts, which a read-only root
 * file system refuses; a `file:` config is bind-mounted instead. Writes each such config into dir.
 */
function configsAsFiles(override: Record<string, unknown>, dir: string): void {
  const configs = (override['configs'] ?? {}) as Record<string, { content?: string; file?: string }>;
  for (const [name, config] of Object.entries(configs)) {
    if (config.content === undefined) continue;
    const file = path.join(dir, `config-${name}`);
    writeFileSync(file, config.content, { mode: 0o644 });
    configs[name] = { file };
  }
}

export async function bootStack({ repoDir, render, log, docker: engine, composeEnv = {} }: BootOptions): Promise<Stack> {
  const project = `verify-${render.name}-${randomBytes(3).toString('hex')}`;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'django-prod-verify-'));
  const overridePath = path.join(workDir, 'compose.verify.yaml');
  const files = ['-f', path.join(repoDir, 'compose.yaml'), '-f', overridePath];
  const compose = (args: string[], onLine?: (line: string) => void) =>
    docker(['compose', '-p', project, ...files, ...args], repoDir, onLine, composeEnv);

  const base = JSON.parse(
    await docker(
      ['compose', '-p', project, '-f', path.join(repoDir, 'compose.yaml'), 'config', '--format', 'json'],
      repoDir,
      undefined,
      composeEnv,
    ),
  ) as ComposeConfig;
  const images = [...new Set(Object.values(builtImages(base, project)))];
  const downCommand = `docker compose -p ${project} -f compose.yaml -f ${overridePath} down -v && docker image rm ${images.join(' ')}`;
  const removeImages = async () => {
    for (const image of images)
      await engine
        .getImage(image)
        .remove()
        .catch(() => undefined);
  };
  const agePair = generateAgeKeyPair();
  const override = buildOverride(base, render, project, { agePair, readFile: repositoryFile(repoDir) });
  configsAsFiles(override, workDir);
  writeFileSync(overridePath, `# Written by yo django-prod:verify for project ${project}; removed with the stack.\n${toYaml(override)}\n`);
  const addedServices = new Set(Object.keys((override as { services: object }).services).filter((name) => !base.services[name]));
  const config = JSON.parse(await compose(['config', '--format', 'json'])) as ComposeConfig;
  checkNoRealAcme(config, render);
  checkNoRealS3(config);
  const serviceNames = Object.keys(config.services);
  log(`project ${project}: services ${serviceNames.join(', ')}`);

  let started: StartedDockerComposeEnvironment | undefined;
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  const down = async () => {
    if (started) await started.down({ removeVolumes: true, timeout: 10_000 });
    else await compose(['down', '-v', '--remove-orphans', '-t', '5']).catch(() => undefined);
    await removeImages();
    removeWorkDir();
  };

  const buildStart = Date.now();
  log('build: building images (the first build downloads and compiles dependencies; later ones hit the cache)');
  try {
    await compose(['--progress', 'plain', 'build'], progressOfBuild(log));
  } catch (error) {
    await removeImages();
    removeWorkDir();
    throw error;
  }
  const buildSeconds = (Date.now() - buildStart) / 1000;
  log(`build: done in ${buildSeconds.toFixed(1)} s`);

  const failures = await watchFailures(engine, project);
  const environment = new DockerComposeEnvironment(repoDir, [path.join(repoDir, 'compose.yaml'), overridePath])
    .withProjectName(project)
    .withEnvironment(composeEnv)
    .withBuild()
    .withStartupTimeout(240_000)
    .withClientOptions({ logger: progressOfUp(log, project) });
  for (const [name, service] of Object.entries(config.services)) {
    // Containers are named <service>-<index> for Testcontainers; one-shot services exit and are not waited on.
    if (service.healthcheck && !service.healthcheck.disable) environment.withWaitStrategy(`${name}-1`, Wait.forHealthCheck());
  }
  const upStart = Date.now();
  log('up: starting the stack and waiting for every healthcheck');
  try {
    started = await environment.up();
  } catch (error) {
    const diagnosis = await failures.report();
    failures.stop();
    // Testcontainers downs a failed stack itself; again, in case that failed too (idempotent).
    await down();
    // Compose's error text starts with its progress lines: the reason is the last telling line.
    const lines = String((error as Error).message ?? error)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const reason =
      lines.findLast((line) => /error|fail|didn't|unhealthy|timed? ?out|exited/i.test(line)) ?? lines.at(-1) ?? 'unknown error';
    throw new VerifyError(`the stack did not become healthy: ${reason}${diagnosis ? `\n${diagnosis}` : ''}`);
  }
  failures.stop();
  const bootSeconds = (Date.now() - upStart) / 1000;
  log(`up: all healthy ${bootSeconds.toFixed(1)} s after "compose up"`);

  const nginx = started.getContainer('nginx-1');
  const containerOf = async (service: string): Promise<Docker.Container> => {
    const list = await engine.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] },
    });
    const newest = list.sort((a, b) => b.Created - a.Created)[0];
    if (!newest) throw new Error(`no container for service "${service}" in project ${project}`);
    return engine.getContainer(newest.Id);
  };

  return {
    project,
    repoDir,
    render,
    docker: engine,
    config,
    addedServices,
    buildSeconds,
    bootSeconds,
    downCommand,
    ports: { http: nginx.getMappedPort(80), https: nginx.getMappedPort(443) },
    container: containerOf,
    inspect: async (service) => (await containerOf(service)).inspect(),
    exec: async (service, cmd, options) => execIn(engine, await containerOf(service), cmd, options),
    logs: async (service, options) => logsOf(await containerOf(service), options),
    down,
    agePair,
  };
}

/** BuildKit's plain progress, reduced to one line per build step. */
function progressOfBuild(log: Log): (line: string) => void {
  const seen = new Set<string>();
  return (line) => {
    const step = /^#\d+ (\[[^\]]+\] .*)$/.exec(line.trim());
    if (step && !seen.has(step[1]!)) {
      seen.add(step[1]!);
      log(`build: ${step[1]!.slice(0, 110)}`);
    }
  };
}

/** Compose's own "Container x  Started/Healthy" lines as progress (through Testcontainers' logger hook). */
function progressOfUp(log: Log, project: string): typeof LoggerInstance {
  const seen = new Set<string>();
  const logger = {
    enabled: () => true,
    trace: (message: string) => {
      const match = /Container (\S+)\s+(Started|Healthy|Exited|Error.*)$/.exec(message.trim());
      const line = match && `up: ${match[1]!.replace(`${project}-`, '')} ${match[2]!.toLowerCase()}`;
      if (line && !seen.has(line)) {
        seen.add(line);
        log(line);
      }
    },
  };
  for (const level of ['debug', 'info', 'warn', 'error'] as const) (logger as Record<string, unknown>)[level] = logger.trace;
  return logger as unknown as typeof LoggerInstance;
}

/**
 * Testcontainers removes a stack that fails to come up, logs and all. Docker events let us keep
 * the last words of any container that exits with an error or turns unhealthy, for the report.
 */
async function watchFailures(engine: Docker, project: string): Promise<{ stop(): void; report(): Promise<string> }> {
  const notes = new Map<string, string>();
  const pending: Promise<void>[] = [];
  const stream = await engine.getEvents({ filters: { type: ['container'], label: [`com.docker.compose.project=${project}`] } });
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as { Action?: string; id?: string; Actor?: { Attributes?: Record<string, string> } };
      const attributes = event.Actor?.Attributes ?? {};
      const service = attributes['com.docker.compose.service'] ?? event.id ?? '?';
      const failed = (event.Action === 'die' && attributes['exitCode'] !== '0') || event.Action === 'health_status: unhealthy';
      if (!failed || !event.id) continue;
      const container = engine.getContainer(event.id);
      pending.push(
        (async () => {
          try {
            const info = await container.inspect();
            const health = info.State.Health?.Log?.at(-1)?.Output?.trim();
            const logs = (await logsOf(container, { tail: 25 })).trimEnd();
            notes.set(
              service,
              `--- ${service}: ${event.Action === 'die' ? `exited with code ${attributes['exitCode']}` : 'unhealthy'}` +
                `${health ? `\n(last healthcheck: ${health.slice(0, 400)})` : ''}\n${logs}`,
            );
          } catch {
            notes.set(service, `--- ${service}: ${event.Action} (container already removed, no logs)`);
          }
        })(),
      );
    }
  });
  return {
    stop: () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.(),
    report: async () => {
      await Promise.all(pending);
      return [...notes.values()].join('\n');
    },
  };
}
