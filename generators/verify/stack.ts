// Boots a generated repository's own compose.yaml for verification, plus an override that
// makes it testable on one machine without touching the outside world:
//  - nginx publishes 80/443 on random 127.0.0.1 ports (the real ports may be taken, and a
//    verify run must never be reachable from the network);
//  - when certificates come from ACME, certbot talks to a Pebble test CA in the project
//    instead of Let's Encrypt (never spend real rate limits or reach the internet), and nginx
//    answers every domain inside the network so Pebble's http-01 check reaches it;
//  - when Sentry is on, SENTRY_DSN points at a small sink container that records events.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { Document, type Node } from 'yaml';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment, type log as LoggerInstance } from 'testcontainers';
import { generateAgeKeyPair, type AgeKeyPair } from '../lib/age-key.ts';
import type { RenderContext } from '../lib/context.ts';
import { PACKAGE_ROOT } from '../lib/package-root.ts';
import {
  VERIFY_MONITORING_DIR,
  verifyAlertmanagerConfig,
  verifyAlertRules,
  verifyBlackboxConfig,
  verifyPrometheusConfig,
} from '../../features/monitoring/verify-config.ts';
import { execIn, logsOf, type ExecOptions, type ExecResult } from './containers.ts';
import { VerifyError } from './repository.ts';

export { VerifyError };

export type Log = (line: string) => void;

export const PEBBLE_SERVICE = 'pebble';
export const PEBBLE_DIRECTORY = 'https://pebble:14000/dir';
/** Where certbot finds Pebble's CA: the pebble image's /test/certs, shared through a volume. */
export const PEBBLE_CA_IN_CERTBOT = '/verify-pebble-certs/pebble.minica.pem';
export const SINK_SERVICE = 'sentry-sink';
export const SINK_PORT = 9000;
export const SINK_DSN = `http://verify@${SINK_SERVICE}:${SINK_PORT}/1`;
/** An S3 API (moto) in the project: media and off-site backups never reach a real bucket. */
export const MOTO_SERVICE = 'moto';
export const MOTO_ENDPOINT = `http://${MOTO_SERVICE}:5000`;
/** One-shot: creates the buckets (and applies s3/bucket-policy.json) before anything uses them. */
export const S3_SETUP_SERVICE = 's3-setup';
const MOTO_IMAGE = 'motoserver/moto:5.1.1';
/** moto takes any key; these only have to be non-empty. */
const MOTO_KEY = 'verify';
/** Services verify adds: not part of the product, so hygiene rules do not apply to them. */
export const VERIFY_SERVICES = new Set([PEBBLE_SERVICE, SINK_SERVICE, MOTO_SERVICE, S3_SETUP_SERVICE]);
/** Services that run once and exit 0: the release step, and verify's bucket setup. */
export const ONE_SHOT_SERVICES = new Set(['migrate', S3_SETUP_SERVICE]);
const PEBBLE_IMAGE = 'ghcr.io/letsencrypt/pebble:latest';

/** The part of `docker compose config --format json` verify reads. */
export interface ComposeConfig {
  name?: string;
  services: Record<string, ComposeService>;
}
export interface ComposeService {
  command?: string[];
  image?: string;
  build?: unknown;
  environment?: Record<string, string | null>;
  healthcheck?: { disable?: boolean; test?: string[] };
  networks?: Record<string, unknown>;
  ports?: unknown[];
}

export interface Stack {
  project: string;
  repoDir: string;
  render: RenderContext;
  docker: Docker;
  config: ComposeConfig;
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

/** Runs the docker CLI (compose has no API); rejects with its last lines of output. */
function docker(args: string[], cwd: string, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
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

// ---------------------------------------------------------------------------------------
// The override file

/** A YAML tag on a value, e.g. Compose's !override that replaces instead of merging. */
class Tagged {
  readonly tag: string;
  readonly value: unknown;
  constructor(tag: string, value: unknown) {
    this.tag = tag;
    this.value = value;
  }
}

/** Compose interpolates "$" everywhere, including config content: "$$" is a literal "$". */
function composeValue(document: Document, value: unknown): unknown {
  if (value instanceof Tagged) {
    const node = document.createNode(composeValue(document, value.value)) as Node;
    node.tag = value.tag;
    return node;
  }
  if (typeof value === 'string') return value.replaceAll('$', () => '$$');
  if (Array.isArray(value)) return value.map((item) => composeValue(document, item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, composeValue(document, item)]));
  }
  return value;
}

/** The override object as a Compose file (the yaml library writes it; tags such as !override kept). */
export function toYaml(value: unknown): string {
  const document = new Document();
  document.contents = document.createNode(composeValue(document, value)) as Node;
  return document.toString();
}

export function sinkScript(): string {
  const script = path.join(PACKAGE_ROOT, 'generators', 'verify', 'sentry-sink.py');
  if (existsSync(script)) return readFileSync(script, 'utf8');
  throw new VerifyError(`verify cannot find ${script} (broken install?)`);
}

/** service -> this run's tag, for every service whose image the stack builds. */
export function builtImages(base: ComposeConfig, project: string): Record<string, string> {
  const built = new Set(
    Object.values(base.services)
      .filter((service) => service.build && service.image)
      .map((service) => service.image!),
  );
  return Object.fromEntries(
    Object.entries(base.services)
      .filter(([, service]) => service.image && built.has(service.image))
      .map(([name, service]) => [name, `${project}-${service.image!.replace(/:[^:/]+$/, '').replaceAll('/', '-')}:verify`]),
  );
}

const networksOf = (service: ComposeService | undefined) => Object.keys(service?.networks ?? { default: null });

/** The override compose file, as an object (pure: the tests read it too). */
/** The repository's monitoring files verify rewrites (read from monitoring/ by bootStack). */
export interface MonitoringFiles {
  prometheus: string;
  rules: string;
  blackbox: string;
}

/** A service's command with its --config.file flag pointing elsewhere. */
const withConfigFile = (service: ComposeService | undefined, file: string) =>
  new Tagged(
    '!override',
    (service?.command ?? []).map((arg) => (arg.startsWith('--config.file=') ? `--config.file=${file}` : arg)),
  );

export function buildOverride(
  base: ComposeConfig,
  render: RenderContext,
  project: string,
  agePair: AgeKeyPair = generateAgeKeyPair(),
  monitoringFiles?: MonitoringFiles,
): Record<string, unknown> {
  const services: Record<string, Record<string, unknown>> = {};
  const edit = (name: string) => (services[name] ??= {});
  const setEnvironment = (name: string, variables: Record<string, string>) => {
    edit(name)['environment'] = { ...(edit(name)['environment'] as Record<string, string> | undefined), ...variables };
  };
  const { domains } = render;

  // Images the stack builds get names of this run: verify on a server must not retag the
  // images production runs, and it removes its own afterwards.
  for (const [name, image] of Object.entries(builtImages(base, project))) edit(name)['image'] = image;

  edit('nginx')['ports'] = new Tagged('!override', ['127.0.0.1::80', '127.0.0.1::443']);

  const volumes: Record<string, unknown> = {};
  const configs: Record<string, unknown> = {};

  const nginxNetworks = networksOf(base.services['nginx']);
  if (render.tls.mode !== 'self-signed' || render.has['monitoring']) {
    // Pebble (ACME) and blackbox-exporter (monitoring) resolve the domains with Docker's DNS:
    // nginx's aliases make them point at nginx, as public DNS points at the server.
    edit('nginx')['networks'] = Object.fromEntries(nginxNetworks.map((network) => [network, { aliases: domains }]));
  }

  if (render.tls.mode !== 'self-signed') {
    const certbotNetworks = networksOf(base.services['certbot']);
    // nginx's watcher picks the issued certificate up within seconds, not its production minute.
    setEnvironment('nginx', { RELOAD_CHECK_SECONDS: '2' });
    const certbot = edit('certbot');
    certbot['environment'] = {
      ACME_DIRECTORY_URL: PEBBLE_DIRECTORY,
      ACME_CA_BUNDLE: PEBBLE_CA_IN_CERTBOT,
      REQUESTS_CA_BUNDLE: PEBBLE_CA_IN_CERTBOT,
      // Pebble may still be starting when certbot first asks: retry after seconds, not 30 s.
      ISSUE_RETRY_SECONDS: '3',
    };
    certbot['volumes'] = [`verify-pebble-certs:${path.posix.dirname(PEBBLE_CA_IN_CERTBOT)}:ro`];
    certbot['depends_on'] = { [PEBBLE_SERVICE]: { condition: 'service_started' } };
    services[PEBBLE_SERVICE] = {
      image: PEBBLE_IMAGE,
      command: ['-config', '/test/config/pebble-config-http80.json'],
      // No sleeps before validation, no random nonce rejections: fast and deterministic.
      environment: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
      // An empty named volume is filled from the image on first mount: that is how certbot
      // gets the CA of Pebble's own TLS certificate without verify shipping it.
      volumes: ['verify-pebble-certs:/test/certs'],
      networks: [...new Set([...certbotNetworks, ...nginxNetworks])],
    };
    volumes['verify-pebble-certs'] = {};
  }

  if (render.has['sentry']) {
    const reporters = render.appServices;
    for (const name of reporters) setEnvironment(name, { SENTRY_DSN: SINK_DSN });
    services[SINK_SERVICE] = {
      // The app's own base image: already present after the build, and it has Python.
      image: render.images.python,
      command: ['python', '/sentry-sink.py'],
      environment: { SINK_PORT: String(SINK_PORT), PYTHONUNBUFFERED: '1' },
      configs: [{ source: 'verify-sentry-sink', target: '/sentry-sink.py' }],
      healthcheck: {
        test: ['CMD', 'python', '-c', `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${SINK_PORT}/health', timeout=3)`],
        interval: '2s',
        timeout: '5s',
        retries: 15,
      },
      networks: [...new Set(reporters.flatMap((name) => networksOf(base.services[name])))],
    };
    configs['verify-sentry-sink'] = { content: sinkScript() };
  }

  const mediaBucket = render.storage?.bucket;
  // The answer may carry a key prefix after the bucket ("bucket/prefix").
  const backupBucket = render.backups?.s3?.bucket.split('/')[0];
  if (mediaBucket || backupBucket) {
    const users: string[] = [];
    if (mediaBucket) {
      users.push(...render.appServices);
      for (const name of render.appServices) {
        setEnvironment(name, {
          S3_ENDPOINT_URL: MOTO_ENDPOINT,
          S3_ALLOW_HTTP: 'true',
          S3_REGION: 'us-east-1',
          // A CDN host name would not resolve here: URLs point at moto itself.
          S3_CUSTOM_DOMAIN: '',
          S3_ACCESS_KEY_ID: MOTO_KEY,
          S3_SECRET_ACCESS_KEY: MOTO_KEY,
        });
      }
      // The release step uploads static files and the app reads the bucket: it must exist first.
      edit('migrate')['depends_on'] = { [S3_SETUP_SERVICE]: { condition: 'service_completed_successfully' } };
    }
    if (backupBucket) {
      users.push('backup');
      setEnvironment('backup', {
        BACKUP_S3_ENDPOINT: MOTO_ENDPOINT,
        BACKUP_S3_REGION: 'us-east-1',
        BACKUP_S3_ACCESS_KEY_ID: MOTO_KEY,
        BACKUP_S3_SECRET_ACCESS_KEY: MOTO_KEY,
      });
      // A pair of this run: the restore from the bucket needs the secret key, which the
      // repository's .env may rightly no longer hold.
      if (render.backups?.s3?.encrypt)
        setEnvironment('backup', { BACKUP_AGE_RECIPIENT: agePair.recipient, BACKUP_AGE_IDENTITY: agePair.identity });
      edit('backup')['depends_on'] = { [S3_SETUP_SERVICE]: { condition: 'service_completed_successfully' } };
    }
    const networks = [...new Set(users.flatMap((name) => networksOf(base.services[name])))];
    services[MOTO_SERVICE] = {
      image: MOTO_IMAGE,
      healthcheck: {
        test: ['CMD', 'python3', '-c', 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:5000/moto-api/", timeout=3)'],
        interval: '2s',
        timeout: '5s',
        retries: 30,
      },
      networks,
    };
    // moto's image has boto3: it creates the buckets as the user would before the first deploy.
    services[S3_SETUP_SERVICE] = {
      image: MOTO_IMAGE,
      entrypoint: ['python3', '-c', s3SetupScript(mediaBucket, backupBucket)],
      restart: 'no',
      ...(mediaBucket ? { volumes: ['./s3/bucket-policy.json:/verify/bucket-policy.json:ro'] } : {}),
      depends_on: { [MOTO_SERVICE]: { condition: 'service_healthy' } },
      networks,
    };
  }

  if (render.has['monitoring'] && monitoringFiles) {
    // Minutes, not hours: short intervals and for: durations; no notification leaves the machine.
    const file = (name: string) => `${VERIFY_MONITORING_DIR}/${name}`;
    configs['verify-prometheus'] = { content: verifyPrometheusConfig(monitoringFiles.prometheus) };
    configs['verify-alert-rules'] = { content: verifyAlertRules(monitoringFiles.rules) };
    configs['verify-blackbox'] = { content: verifyBlackboxConfig(monitoringFiles.blackbox) };
    configs['verify-alertmanager'] = { content: verifyAlertmanagerConfig() };
    Object.assign(edit('prometheus'), {
      command: withConfigFile(base.services['prometheus'], file('prometheus.yml')),
      configs: [
        { source: 'verify-prometheus', target: file('prometheus.yml') },
        { source: 'verify-alert-rules', target: file('alerts.yml') },
      ],
    });
    Object.assign(edit('blackbox-exporter'), {
      command: withConfigFile(base.services['blackbox-exporter'], file('blackbox.yml')),
      configs: [{ source: 'verify-blackbox', target: file('blackbox.yml') }],
    });
    Object.assign(edit('alertmanager'), {
      command: withConfigFile(base.services['alertmanager'], file('alertmanager.yml')),
      configs: [{ source: 'verify-alertmanager', target: file('alertmanager.yml') }],
    });
  }

  return {
    services,
    ...(Object.keys(volumes).length ? { volumes } : {}),
    ...(Object.keys(configs).length ? { configs } : {}),
  };
}

function readMonitoringFiles(repoDir: string): MonitoringFiles {
  const read = (file: string) => {
    const full = path.join(repoDir, 'monitoring', file);
    if (!existsSync(full))
      throw new VerifyError(
        `verify needs ${path.join('monitoring', file)} (monitoring is on in .yo-rc.json): regenerate the repository or restore the file`,
      );
    return readFileSync(full, 'utf8');
  };
  return {
    prometheus: read('prometheus/prometheus.yml'),
    rules: read('prometheus/rules/alerts.yml'),
    blackbox: read('blackbox/blackbox.yml'),
  };
}

/** Python for the s3-setup service: the buckets, and the media bucket's policy from the repository. */
function s3SetupScript(mediaBucket: string | undefined, backupBucket: string | undefined): string {
  return [
    'import boto3, pathlib',
    `s3 = boto3.client("s3", endpoint_url="${MOTO_ENDPOINT}", aws_access_key_id="${MOTO_KEY}", aws_secret_access_key="${MOTO_KEY}", region_name="us-east-1")`,
    ...(mediaBucket
      ? [
          `s3.create_bucket(Bucket=${JSON.stringify(mediaBucket)})`,
          `s3.put_bucket_policy(Bucket=${JSON.stringify(mediaBucket)}, Policy=pathlib.Path("/verify/bucket-policy.json").read_text())`,
        ]
      : []),
    ...(backupBucket ? [`s3.create_bucket(Bucket=${JSON.stringify(backupBucket)})`] : []),
    'print("buckets ready")',
  ].join('\n');
}

/** Refuses to boot anything that could still write to a real bucket. */
function checkNoRealS3(merged: ComposeConfig): void {
  for (const [name, service] of Object.entries(merged.services)) {
    for (const key of ['S3_ENDPOINT_URL', 'BACKUP_S3_ENDPOINT']) {
      const value = service.environment?.[key];
      if (
        value !== undefined &&
        value !== MOTO_ENDPOINT &&
        service.environment?.[key === 'S3_ENDPOINT_URL' ? 'S3_BUCKET' : 'BACKUP_S3_BUCKET']
      ) {
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
}

export async function bootStack({ repoDir, render, log, docker: engine }: BootOptions): Promise<Stack> {
  const project = `verify-${render.name}-${randomBytes(3).toString('hex')}`;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'django-prod-verify-'));
  const overridePath = path.join(workDir, 'compose.verify.yaml');
  const files = ['-f', path.join(repoDir, 'compose.yaml'), '-f', overridePath];
  const compose = (args: string[], onLine?: (line: string) => void) =>
    docker(['compose', '-p', project, ...files, ...args], repoDir, onLine);

  const base = JSON.parse(
    await docker(['compose', '-p', project, '-f', path.join(repoDir, 'compose.yaml'), 'config', '--format', 'json'], repoDir),
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
  const monitoringFiles = render.has['monitoring'] ? readMonitoringFiles(repoDir) : undefined;
  writeFileSync(
    overridePath,
    `# Written by yo django-prod:verify for project ${project}; removed with the stack.\n${toYaml(buildOverride(base, render, project, undefined, monitoringFiles))}\n`,
  );
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
    buildSeconds,
    bootSeconds,
    downCommand,
    ports: { http: nginx.getMappedPort(80), https: nginx.getMappedPort(443) },
    container: containerOf,
    inspect: async (service) => (await containerOf(service)).inspect(),
    exec: async (service, cmd, options) => execIn(engine, await containerOf(service), cmd, options),
    logs: async (service, options) => logsOf(await containerOf(service), options),
    down,
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
