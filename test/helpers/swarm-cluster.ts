// A three-node Docker Swarm on this machine (docker:dind nodes + a registry:2 container on one
// network, docker-kit README "A multi-node Swarm on one machine"), and the scenario the Swarm
// e2e test asserts on and bench/swarm.ts prints: deploy a generated repository with its own
// make targets, then a rolling update, a broken update and the loss of a node, each under a
// bounded load through nginx. Every container and network is named i15-<run>-…, and removed.
import { execFile } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { logLineTime, nginxErrorsNear, run } from './docker.ts';
import { startLoad as startRequestLoad, summarize, type LoadReport } from './load.ts';
import { stackConfig } from './swarm.ts';

const execFileAsync = promisify(execFile);

export const SWARM_FLAGS = {
  celery: false,
  sentry: false,
  backups: false,
  tlsMode: 'self-signed',
  domain: 'app.test',
  swarm: true,
  swarmWebReplicas: 3,
  // This kernel has no ESP (CONFIG_INET_ESP), so IPsec-encrypted overlays carry nothing here: the
  // encrypted data network (the default) is checked in stack.yaml by the unit tests only.
  swarmEncryptData: false,
  cpus: 1,
  memoryMb: 1024,
} as const;
const STACK = 'my-site';
const DOMAIN = SWARM_FLAGS.domain;

export interface Cluster {
  prefix: string;
  network: string;
  /** The registry as the nodes name it (SWARM_REGISTRY). */
  registry: string;
  /** The same registry from this machine (SWARM_PUSH_REGISTRY). */
  pushRegistry: string;
  nodes: string[];
  /** DOCKER_HOST of the manager's engine. */
  managerHost: string;
  /** 127.0.0.1 port of the manager's :443, where nginx publishes in host mode. */
  httpsPort: number;
}

const docker = (...args: string[]) => run('docker', args).trim();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const onNode = (node: string, ...args: string[]) => docker('exec', node, 'docker', ...args);
const publishedPort = (container: string, port: number) =>
  Number(docker('port', container, `${port}/tcp`).split('\n')[0]!.split(':').at(-1));

async function until<T>(what: string, seconds: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1000);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Manager (labelled for the stateful services) + 2 workers, and the registry they pull from. */
export async function createCluster(prefix: string): Promise<Cluster> {
  const network = `${prefix}net`;
  const registryName = `${prefix}reg`;
  const nodes = [1, 2, 3].map((n) => `${prefix}node${n}`);
  docker('network', 'create', network);
  docker('run', '-d', '--name', registryName, '--network', network, '-p', '127.0.0.1::5000', 'registry:2');
  for (const [index, node] of nodes.entries()) {
    const published = index === 0 ? ['-p', '127.0.0.1::2375', '-p', '127.0.0.1::443'] : [];
    // The registry is also the nodes' Docker Hub mirror: postgres:17 & co. are pulled from it unchanged.
    docker(
      'run',
      '-d',
      '--privileged',
      '--name',
      node,
      '--hostname',
      node,
      '--network',
      network,
      ...published,
      'docker:dind',
      '--insecure-registry',
      `${registryName}:5000`,
      '--registry-mirror',
      `http://${registryName}:5000`,
    );
  }
  for (const node of nodes) await until(`${node}'s engine`, 60, () => (onNode(node, 'info', '--format', '{{.ID}}') ? true : undefined));
  const managerIp = docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, nodes[0]!);
  onNode(nodes[0]!, 'swarm', 'init', '--advertise-addr', managerIp);
  const token = onNode(nodes[0]!, 'swarm', 'join-token', '-q', 'worker');
  for (const node of nodes.slice(1)) onNode(node, 'swarm', 'join', '--token', token, `${managerIp}:2377`);
  // As the generated README says: the stateful services' node, and the edge (nginx, certbot, static files).
  onNode(nodes[0]!, 'node', 'update', '--label-add', `${STACK}.data=true`, '--label-add', `${STACK}.edge=true`, nodes[0]!);
  return {
    prefix,
    network,
    nodes,
    registry: `${registryName}:5000`,
    pushRegistry: `127.0.0.1:${publishedPort(registryName, 5000)}`,
    managerHost: `tcp://127.0.0.1:${publishedPort(nodes[0]!, 2375)}`,
    httpsPort: publishedPort(nodes[0]!, 443),
  };
}

export function removeCluster(prefix: string, pushRegistry?: string): void {
  const containers = run('docker', ['ps', '-aq', '--filter', `name=^${prefix}`])
    .split('\n')
    .filter(Boolean);
  if (containers.length > 0) run('docker', ['rm', '-fv', ...containers]);
  if (run('docker', ['network', 'ls', '-q', '--filter', `name=^${prefix}net$`]).trim()) run('docker', ['network', 'rm', `${prefix}net`]);
  // The host-side tags of everything pushed (base images re-tagged, app builds): not the images they name.
  if (pushRegistry) {
    const tags = run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])
      .split('\n')
      .filter((tag) => tag.startsWith(`${pushRegistry}/`));
    if (tags.length > 0) run('docker', ['rmi', ...tags]);
  }
}

/** The stack's public images (postgres, redis, nginx, certbot), pushed once under their Docker Hub names. */
export function pushBaseImages(cluster: Cluster, repoDir: string): void {
  const images = Object.values(stackConfig(repoDir).services)
    .map((service) => service.image)
    .filter((image) => !image.includes('registry.test'));
  for (const image of new Set(images)) {
    const tag = `${cluster.pushRegistry}/${image.includes('/') ? image : `library/${image}`}`;
    docker('tag', image, tag);
    docker('push', '-q', tag);
  }
}

// ------------------------------------------------------------------ the generated repository's make

export interface MakeResult {
  ok: boolean;
  output: string;
  seconds: number;
}

function makeEnv(cluster: Cluster, target: 'host' | 'swarm'): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SWARM_REGISTRY: cluster.registry,
    SWARM_PUSH_REGISTRY: cluster.pushRegistry,
    // Digests cannot be looked up for postgres:17 & co. here (no Docker Hub): nodes pull by tag.
    SWARM_RESOLVE_IMAGE: 'never',
    ...(target === 'swarm' ? { DOCKER_HOST: cluster.managerHost } : {}),
  };
}

/** make <target> in the generated repository; appTag: the commit whose image it pushes or deploys. */
export async function make(cluster: Cluster, repoDir: string, target: string, appTag: string): Promise<MakeResult> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileAsync('make', [target], {
      cwd: repoDir,
      env: { ...makeEnv(cluster, target === 'swarm-push' ? 'host' : 'swarm'), APP_TAG: appTag },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: true, output: stdout + stderr, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}`, seconds: (Date.now() - started) / 1000 };
  }
}

/** A new commit: make swarm-push tags the image with it. */
export function commit(repoDir: string, message: string): string {
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repoDir }).trim();
  if (!git('rev-parse', '--is-inside-work-tree').startsWith('true')) throw new Error('not a git repository');
  git('add', '-A');
  git('commit', '-qm', message);
  return git('rev-parse', '--short', 'HEAD');
}

export function initRepository(repoDir: string): string {
  run('git', ['init', '-q'], { cwd: repoDir });
  return commit(repoDir, 'generated');
}

/** A code change visible in /health/: a "release" field. */
export function setRelease(repoDir: string, release: string, healthy = true): void {
  const file = path.join(repoDir, 'my_site', 'health.py');
  const source = readFileSync(file, 'utf8').replace(/, "release": "[^"]*"/, '');
  const changed = source
    .replace('**result}', `**result, "release": "${release}"}`)
    // A broken release: /health/ always 503, so its tasks never pass their healthcheck.
    .replace(/^ {4}healthy = .*$/m, healthy ? '    healthy = all(value == "ok" for value in result.values())' : '    healthy = False');
  if (changed === source && release !== '') throw new Error('health.py did not change');
  writeFileSync(file, changed);
}

// ------------------------------------------------------------------ the stack, seen from the manager

export const serviceTasks = (cluster: Cluster, service: string) =>
  onNode(
    cluster.nodes[0]!,
    'service',
    'ps',
    '--filter',
    'desired-state=running',
    '--format',
    '{{.Node}} {{.CurrentState}}',
    `${STACK}_${service}`,
  )
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ node: line.split(' ')[0]!, running: line.includes(' Running ') }));

export const jobTasks = (cluster: Cluster, service: string) =>
  onNode(cluster.nodes[0]!, 'service', 'ps', '--format', '{{.CurrentState}}', `${STACK}_${service}`).split('\n').filter(Boolean);

/** SQL in the db task's container, on the data node. */
export function psql(cluster: Cluster, sql: string): string {
  const manager = cluster.nodes[0]!;
  const container = onNode(manager, 'ps', '-q', '--filter', `name=${STACK}_db.`).split('\n')[0]!;
  return onNode(manager, 'exec', container, 'sh', '-c', `psql -qtA -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "${sql}"`).trim();
}

// ------------------------------------------------------------------ monitoring, from Prometheus's own API

export interface MonitoringReport {
  /** Every scrape target: job, instance and whether its last scrape succeeded. */
  targets: { job: string; instance: string; up: number }[];
  /** Alerting rules Prometheus has loaded, and the rules the generated alerts.yml defines. */
  rulesLoaded: number;
  rulesDefined: number;
  /** Alertmanagers Prometheus sends alerts to, and the Alertmanager task's Docker health. */
  alertmanagersDiscovered: number;
  alertmanagerHealth: string;
}

/** The running container of a service's task on a node (empty: none there). */
const taskContainer = (node: string, service: string) =>
  onNode(node, 'ps', '-q', '--filter', `name=${STACK}_${service}.`, '--filter', 'status=running').split('\n')[0] ?? '';

/**
 * An instant query, asked inside the Prometheus task (pinned to the data node, the manager here):
 * its image has no HTTP client, but promtool queries the API and prints JSON.
 */
function promQuery(cluster: Cluster, expression: string): { metric: Record<string, string>; value: [number, string] }[] {
  const container = taskContainer(cluster.nodes[0]!, 'prometheus');
  const output = onNode(
    cluster.nodes[0]!,
    'exec',
    container,
    'promtool',
    'query',
    'instant',
    '-o',
    'json',
    'http://127.0.0.1:9090',
    expression,
  );
  return JSON.parse(output) as { metric: Record<string, string>; value: [number, string] }[];
}

function monitoringState(cluster: Cluster, repoDir: string): MonitoringReport {
  const number = (expression: string) => Number(promQuery(cluster, expression)[0]?.value[1] ?? 0);
  const alertmanager = taskContainer(cluster.nodes[0]!, 'alertmanager');
  return {
    targets: promQuery(cluster, 'up')
      .map((sample) => ({ job: sample.metric['job']!, instance: sample.metric['instance']!, up: Number(sample.value[1]) }))
      .sort((a, b) => `${a.job} ${a.instance}`.localeCompare(`${b.job} ${b.instance}`)),
    rulesLoaded: number('sum(prometheus_rule_group_rules)'),
    rulesDefined: (readFileSync(path.join(repoDir, 'monitoring/prometheus/rules/alerts.yml'), 'utf8').match(/^ {6}- alert: /gm) ?? [])
      .length,
    alertmanagersDiscovered: number('prometheus_notifications_alertmanagers_discovered'),
    alertmanagerHealth: alertmanager ? onNode(cluster.nodes[0]!, 'inspect', '-f', '{{.State.Health.Status}}', alertmanager) : 'no task',
  };
}

/**
 * What the README's SSH tunnel would reach: its ip() line run on the data node (the tunnel's end), then
 * Prometheus's and Alertmanager's health pages at those addresses.
 */
export function monitoringUiFromNode(cluster: Cluster, repoDir: string): string {
  const readme = readFileSync(path.join(repoDir, 'README.md'), 'utf8');
  const ip = /^ip\(\) \{.*\}$/m.exec(readme)?.[0];
  if (!ip) throw new Error('README.md has no ip() line for the monitoring tunnel');
  const script = `${ip}\ncurl -fsS "http://$(ip prometheus):9090/-/healthy"; echo; curl -fsS "http://$(ip alertmanager):9093/-/healthy"`;
  return docker('exec', cluster.nodes[0]!, 'bash', '-c', script);
}

/**
 * Prometheus's view once it has scraped every target of the stack: each web replica and each node
 * (found through Docker's DNS) and the single-task services; or, after maxSeconds, the last one seen.
 */
export async function waitForMonitoring(
  cluster: Cluster,
  repoDir: string,
  webReplicas: number,
  maxSeconds = 150,
): Promise<MonitoringReport> {
  const deadline = Date.now() + maxSeconds * 1000;
  let last: MonitoringReport | undefined;
  for (;;) {
    try {
      last = monitoringState(cluster, repoDir);
      const count = (job: string) => last!.targets.filter((target) => target.job === job).length;
      if (
        last.targets.every((target) => target.up === 1) &&
        count('django') === webReplicas &&
        count('node') === cluster.nodes.length &&
        last.rulesLoaded === last.rulesDefined &&
        last.alertmanagersDiscovered === 1 &&
        last.alertmanagerHealth === 'healthy'
      )
        return last;
    } catch {
      // Prometheus's task not running yet
    }
    if (Date.now() > deadline) {
      if (last) return last;
      throw new Error(`Prometheus did not answer within ${maxSeconds} s`);
    }
    await sleep(3000);
  }
}

// ------------------------------------------------------------------ bounded load through nginx

export interface Sample {
  at: number;
  ms: number;
  status: number;
  instance?: string;
  release?: string;
  error?: string;
}

export function getHealth(cluster: Cluster, agent: https.Agent, timeoutMs = 20_000): Promise<Sample> {
  const at = Date.now();
  return new Promise((resolve) => {
    const request = https.get(
      {
        host: '127.0.0.1',
        port: cluster.httpsPort,
        path: '/health/',
        servername: DOMAIN,
        headers: { host: DOMAIN },
        rejectUnauthorized: false,
        agent,
        timeout: timeoutMs,
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => {
          let parsed: { instance?: string; release?: string } = {};
          try {
            parsed = JSON.parse(body);
          } catch {
            // not JSON (an nginx error page): the status says it failed
          }
          resolve({ at, ms: Date.now() - at, status: response.statusCode ?? 0, instance: parsed.instance, release: parsed.release });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ at, ms: Date.now() - at, status: 0, error: error.message }));
  });
}

/** Two clients in a loop, ~20 requests/s at most, until stop() (and never more than maxSeconds). */
export function startLoad(cluster: Cluster, maxSeconds = 300): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  const agent = new https.Agent({ keepAlive: true, maxSockets: 2 });
  const deadline = Date.now() + maxSeconds * 1000;
  let running = true;
  const client = async () => {
    while (running && Date.now() < deadline) {
      samples.push(await getHealth(cluster, agent));
      await sleep(100);
    }
  };
  const clients = [client(), client()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      return samples;
    },
  };
}

export const failed = (samples: Sample[]) => samples.filter((sample) => sample.status !== 200);

/** Clients POSTing a form through nginx without pause; Django answers 403 (no CSRF token): it reached Django. */
const startPostLoad = (cluster: Cluster) =>
  startRequestLoad({ port: cluster.httpsPort, host: DOMAIN, method: 'POST', expectStatus: 403, concurrency: 6, maxSeconds: 300 });

/**
 * Requests nginx sent to a web replica after that replica's gunicorn had closed its port (its last
 * "Handling signal: term": without a shutdown delay the first and only one; with it, the delayed
 * one), among the replicas shut down since `since`. A request sent to a closed or closing port is
 * refused or reset: a GET is retried elsewhere, a POST may be answered 502.
 */
export function sentAfterPortClosed(cluster: Cluster, since: number): string[] {
  const manager = cluster.nodes[0]!;
  const nginx = onNode(manager, 'ps', '-q', '--filter', `name=${STACK}_nginx.`, '--filter', 'status=running').split('\n')[0]!;
  const requests = onNode(manager, 'logs', '--timestamps', '--since', String(Math.floor(since / 1000)), nginx)
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line.slice(line.indexOf(' ') + 1)) as { upstream_addr?: string; request_time?: number };
        // When nginx read the request: its log line's time less the request's duration.
        return entry.upstream_addr
          ? [{ startedAt: logLineTime(line) - (entry.request_time ?? 0) * 1000, upstreams: entry.upstream_addr }]
          : [];
      } catch {
        return []; // not an access log line
      }
    });
  const late: string[] = [];
  const tasks = onNode(
    manager,
    'service',
    'ps',
    '--no-trunc',
    '--filter',
    'desired-state=shutdown',
    '--format',
    '{{.ID}} {{.Node}}',
    `${STACK}_web`,
  )
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string]);
  for (const [task, node] of tasks) {
    const [containerId, addresses] = onNode(
      manager,
      'inspect',
      '-f',
      `{{.Status.ContainerStatus.ContainerID}} {{range .NetworksAttachments}}{{if eq .Network.Spec.Name "${STACK}_edge"}}{{range .Addresses}}{{.}}{{end}}{{end}}{{end}}`,
      task,
    ).split(' ');
    let terms: number[];
    try {
      terms = onNode(node, 'logs', '--timestamps', containerId!)
        .split('\n')
        .filter((line) => line.includes('Handling signal: term'))
        .map(logLineTime);
    } catch {
      continue; // its container is gone (a lost node, or beyond the task history)
    }
    const closedAt = terms.at(-1);
    if (closedAt === undefined || closedAt < since) continue;
    const address = `${addresses!.split('/')[0]}:8000`;
    for (const request of requests.filter((entry) => entry.upstreams.split(', ').includes(address) && entry.startedAt > closedAt))
      late.push(
        `${task.slice(0, 12)} (${address}): a request sent ${((request.startedAt - closedAt) / 1000).toFixed(2)} s after its port closed, to ${request.upstreams}`,
      );
  }
  return late;
}

// ------------------------------------------------------------------ the scenario

/** The POSTs' summary; where some failed, with nginx's error lines near them. */
function postsWithNginxErrors(cluster: Cluster, report: LoadReport): string {
  if (report.failures.length === 0) return summarize(report);
  const manager = cluster.nodes[0]!;
  const nginx = onNode(manager, 'ps', '-q', '--filter', `name=${STACK}_nginx.`, '--filter', 'status=running').split('\n')[0]!;
  return `${summarize(report)}\n${nginxErrorsNear(['exec', manager, 'docker', 'logs', '--timestamps', nginx], report.failures)}`;
}

/** A make swarm-deploy under load through nginx: GETs of /health/ and POSTs. */
interface UpdateUnderLoad {
  seconds: number;
  requests: number;
  failed: Sample[];
  releasesAfter: string[];
  /** The POSTs' summary, and those not answered by Django. */
  posts: string;
  lostPosts: LoadReport['failures'];
}

export interface SwarmReport {
  deploySeconds: number;
  /** Prometheus's scrape targets and rules, and Alertmanager, after the first deploy. */
  monitoring: MonitoringReport;
  monitoringSeconds: number;
  /** Prometheus's and Alertmanager's health pages, reached from the data node as the README's tunnel does. */
  monitoringUi: string;
  webNodes: string[];
  placement: Record<string, string[]>;
  instances: string[];
  migrateTasks: string[];
  update: UpdateUnderLoad & { sentAfterPortClosed: string[] };
  brokenUpdate: UpdateUnderLoad & { ok: boolean; output: string };
  nodeLoss: {
    node: string;
    webOnNode: number;
    requests: number;
    failed: number;
    /** From the kill until the last failed or slow (> 2 s) request ended. */
    recoverySeconds: number;
    /** From the kill until web ran all its replicas again, none on the lost node. */
    rescheduledSeconds: number;
    webNodesAfter: string[];
    rowAfter: string;
  };
}

/** `attempts` requests to /health/ through nginx, one new connection each. */
async function instancesAnswering(cluster: Cluster, attempts: number): Promise<Sample[]> {
  const agent = new https.Agent({ keepAlive: false });
  const samples: Sample[] = [];
  for (let i = 0; i < attempts; i += 1) samples.push(await getHealth(cluster, agent));
  return samples;
}

export async function runSwarmScenario(cluster: Cluster, repoDir: string, log: (line: string) => void): Promise<SwarmReport> {
  const step = async (target: string, appTag: string) => {
    const result = await make(cluster, repoDir, target, appTag);
    log(`make ${target} (${appTag}): ${result.ok ? 'ok' : 'FAILED'} in ${result.seconds.toFixed(0)} s`);
    if (!result.ok && target !== 'swarm-deploy') throw new Error(`make ${target} failed:\n${result.output}`);
    return result;
  };

  const v1 = initRepository(repoDir);
  pushBaseImages(cluster, repoDir);
  log('base images pushed to the registry');
  await step('swarm-push', v1);
  // The later releases are built and pushed while the first deploy runs (the tag is passed to
  // make, so the moving HEAD does not matter): a code change, then a broken one.
  const deploying = step('swarm-deploy', v1);
  setRelease(repoDir, 'v2');
  const v2 = commit(repoDir, 'release v2');
  await step('swarm-push', v2);
  setRelease(repoDir, 'v3-broken', false);
  const v3 = commit(repoDir, 'release v3, broken');
  await step('swarm-push', v3);
  const deploy = await deploying;
  if (!deploy.ok) throw new Error(`first deploy failed:\n${deploy.output}`);
  await until('web replicas running', 180, () =>
    serviceTasks(cluster, 'web').filter((task) => task.running).length === 3 ? true : undefined,
  );
  await until('HTTPS through nginx', 120, async () => ((await instancesAnswering(cluster, 1))[0]!.status === 200 ? true : undefined));
  const deploySeconds = deploy.seconds;
  const monitoringStarted = Date.now();
  const monitoring = await waitForMonitoring(cluster, repoDir, SWARM_FLAGS.swarmWebReplicas);
  const monitoringSeconds = (Date.now() - monitoringStarted) / 1000;
  log(`monitoring: ${monitoring.targets.length} targets seen in ${monitoringSeconds.toFixed(0)} s`);
  const monitoringUi = monitoringUiFromNode(cluster, repoDir);

  const placement = Object.fromEntries(
    ['db', 'redis', 'nginx', 'certbot', 'prometheus', 'alertmanager', 'postgres-exporter', 'redis-exporter', 'node-exporter'].map(
      (service) => [service, serviceTasks(cluster, service).map((task) => task.node)],
    ),
  );
  const webNodes = serviceTasks(cluster, 'web').map((task) => task.node);
  const instances = [
    ...new Set((await instancesAnswering(cluster, 30)).filter((sample) => sample.status === 200).map((sample) => sample.instance!)),
  ].sort();
  const migrateTasks = jobTasks(cluster, 'migrate');
  psql(cluster, "CREATE TABLE IF NOT EXISTS swarm_probe (note text); INSERT INTO swarm_probe VALUES ('before the fault')");

  // Rolling update to a code change, under load (POSTs too: nginx never resends one).
  const updateStarted = Date.now();
  let load = startLoad(cluster);
  let posts = startPostLoad(cluster);
  const update = await step('swarm-deploy', v2);
  const updateSamples = await load.stop();
  const updatePosts = await posts.stop();
  const updateSentAfterPortClosed = sentAfterPortClosed(cluster, updateStarted);
  if (!update.ok) throw new Error(`rolling update failed:\n${update.output}`);
  const releasesAfterUpdate = [
    ...new Set((await instancesAnswering(cluster, 12)).map((sample) => `${sample.status} ${sample.release ?? '-'}`)),
  ];

  // A broken release (its /health/ fails): Swarm must roll back by itself.
  load = startLoad(cluster);
  posts = startPostLoad(cluster);
  const broken = await step('swarm-deploy', v3);
  const brokenSamples = await load.stop();
  const brokenPosts = await posts.stop();
  const releasesAfterBroken = [
    ...new Set((await instancesAnswering(cluster, 12)).map((sample) => `${sample.status} ${sample.release ?? '-'}`)),
  ];

  // A worker node holding web replicas dies while serving.
  const tasksBefore = serviceTasks(cluster, 'web');
  const lost = cluster.nodes
    .slice(1)
    .map((node) => ({ node, count: tasksBefore.filter((task) => task.node === node).length }))
    .sort((a, b) => b.count - a.count)[0]!;
  load = startLoad(cluster);
  await sleep(3000);
  const killedAt = Date.now();
  docker('kill', lost.node);
  log(`killed ${lost.node} (${lost.count} web replica(s))`);
  await until('web rescheduled off the lost node', 240, () => {
    const tasks = serviceTasks(cluster, 'web');
    return tasks.filter((task) => task.running && task.node !== lost.node).length === 3 ? true : undefined;
  });
  const rescheduledSeconds = (Date.now() - killedAt) / 1000;
  await sleep(5000);
  const lossSamples = await load.stop();
  const afterKill = lossSamples.filter((sample) => sample.at + sample.ms >= killedAt);
  const bad = afterKill.filter((sample) => sample.status !== 200 || sample.ms > 2000);
  const recoverySeconds = bad.length === 0 ? 0 : (Math.max(...bad.map((sample) => sample.at + sample.ms)) - killedAt) / 1000;

  return {
    deploySeconds,
    monitoring,
    monitoringSeconds,
    monitoringUi,
    webNodes,
    placement,
    instances,
    migrateTasks,
    update: {
      seconds: update.seconds,
      requests: updateSamples.length,
      failed: failed(updateSamples),
      releasesAfter: releasesAfterUpdate,
      posts: postsWithNginxErrors(cluster, updatePosts),
      lostPosts: updatePosts.failures,
      sentAfterPortClosed: updateSentAfterPortClosed,
    },
    brokenUpdate: {
      ok: broken.ok,
      output: broken.output,
      seconds: broken.seconds,
      requests: brokenSamples.length,
      failed: failed(brokenSamples),
      releasesAfter: releasesAfterBroken,
      posts: postsWithNginxErrors(cluster, brokenPosts),
      lostPosts: brokenPosts.failures,
    },
    nodeLoss: {
      node: lost.node,
      webOnNode: lost.count,
      requests: afterKill.length,
      failed: failed(afterKill).length,
      recoverySeconds,
      rescheduledSeconds,
      webNodesAfter: serviceTasks(cluster, 'web').map((task) => task.node),
      rowAfter: psql(cluster, 'SELECT note FROM swarm_probe'),
    },
  };
}
