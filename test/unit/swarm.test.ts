// The Swarm feature's answers and facts: a strict registry name, replicas sized into PostgreSQL,
// secrets delivered as files. (stack.yaml itself is checked by docker stack config in
// test/docker/static-checks.test.ts and deployed on three nodes in test/docker/swarm.test.ts.)
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MONITORING_MB } from '../../features/monitoring/index.ts';
import { checkRegistry } from '../../features/swarm/index.ts';
import { AnswerError } from '../../generators/lib/answer-spec.ts';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { renderTree } from '../../generators/lib/render.ts';
import { sizeReplicated } from '../../generators/lib/sizing.ts';

const contextWith = (given: Record<string, unknown>) =>
  buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096, swarm: true, ...given }, FEATURES), FEATURES, '0.0.0-test');

describe('swarmRegistry', () => {
  it.each([
    'registry.example.com',
    'reg:5000',
    'localhost:5000',
    'localhost',
    'ghcr.io/acme',
    'registry.example.com:443/team/apps',
    'a.b/c_d/e-f',
    '10.0.0.5:5000',
  ])('accepts %s', (value) => {
    expect(checkRegistry(value)).toBeUndefined();
  });

  it.each([
    '',
    'https://registry.example.com',
    'registry.example.com/',
    'Registry.example.com',
    'acme',
    'reg:0',
    'reg:65536',
    'reg:5000:1',
    'registry.example.com/app:1',
    'registry.example.com/Team',
    'reg istry.com',
    '-reg.example.com',
    'registry.example.com//x',
    'registry.example.com/a;rm',
  ])('rejects %j', (value) => {
    expect(checkRegistry(value)).toMatch(/^must be a registry host/);
    expect(() => resolveAnswers({ swarm: true, swarmRegistry: value }, FEATURES)).toThrow(AnswerError);
  });

  it('is not asked, nor checked, while Swarm is off', () => {
    expect(() => resolveAnswers({ swarm: false, swarmRegistry: 'https://x' }, FEATURES)).not.toThrow();
  });
});

describe('swarm facts', () => {
  it('sizes PostgreSQL for the replicas, and only the stack file gets that size', () => {
    const ctx = contextWith({ swarmWebReplicas: 4, swarmWorkerReplicas: 3 });
    const expected = sizeReplicated(ctx.sizing, { web: 4, pools: { celery: 3 } });
    expect(ctx.swarm!.postgres).toEqual(expected.postgres);
    expect(ctx.swarm!.postgres.maxConnections).toBeGreaterThan(ctx.sizing.postgres.maxConnections);
    const tree = renderTree(ctx);
    expect(tree.get('stack.yaml')!.content).toContain(`- max_connections=${expected.postgres.maxConnections}\n`);
    expect(tree.get('compose.yaml')!.content).toContain(`- max_connections=${ctx.sizing.postgres.maxConnections}\n`);
    expect(tree.get('README.md')!.content).toContain(
      `| **${expected.postgres.maxConnections}** (one server: ${ctx.sizing.postgres.maxConnections}) |`,
    );
  });

  it('replicates web and worker by the answers, and runs exactly one beat', () => {
    const stack = renderTree(contextWith({ swarmWebReplicas: 5, swarmWorkerReplicas: 2 })).get('stack.yaml')!.content;
    const replicas = (service: string) => new RegExp(`\\n  ${service}:\\n[\\s\\S]*?\\n      replicas: (\\d+)\\n`).exec(stack)?.[1];
    expect([replicas('web'), replicas('worker'), replicas('beat')]).toEqual(['5', '2', '1']);
  });

  it('delivers every secret as a file: *_FILE variables, never the value variable', () => {
    const ctx = contextWith({ backupS3Bucket: 'shop-backups' });
    expect(ctx.secrets.map((secret) => secret.variable)).toEqual([
      'DJANGO_SECRET_KEY',
      'POSTGRES_PASSWORD',
      'REDIS_PASSWORD',
      'POSTGRES_APP_PASSWORD',
      'POSTGRES_BACKUP_PASSWORD',
      'BACKUP_S3_ACCESS_KEY_ID',
      'BACKUP_S3_SECRET_ACCESS_KEY',
      'POSTGRES_MONITOR_PASSWORD',
      'REDIS_EXPORTER_PASSWORDS',
    ]);
    const tree = renderTree(ctx);
    const stack = tree.get('stack.yaml')!.content;
    for (const { variable } of ctx.secrets) expect(stack).not.toMatch(new RegExp(`^\\s+${variable}:`, 'm'));
    expect(tree.get('my_site/settings/base.py')!.content).toContain(
      'if _name.endswith("_FILE") and _file.startswith("/run/secrets/") and not os.environ.get(_name[:-5]):',
    );
  });

  it('encrypts the data network between nodes unless answered off; media S3 keys are Swarm secrets', () => {
    const stackOf = (given: Record<string, unknown>) =>
      parse(renderTree(contextWith(given)).get('stack.yaml')!.content, { merge: true, maxAliasCount: -1 }) as {
        networks: Record<string, { driver_opts?: Record<string, string> }>;
        services: Record<string, { secrets?: string[]; environment?: Record<string, string> }>;
        secrets: Record<string, unknown>;
      };
    const stack = stackOf({ mediaStorage: 's3', s3Bucket: 'shop-media' });
    expect(stack.networks['data']!.driver_opts).toEqual({ encrypted: '' });
    expect(stack.networks['edge']!.driver_opts).toBeUndefined();
    expect(stack.services['web']!.secrets).toEqual(expect.arrayContaining(['s3_access_key_id', 's3_secret_access_key']));
    expect(stack.services['web']!.environment).toMatchObject({ S3_ACCESS_KEY_ID_FILE: '/run/secrets/s3_access_key_id' });
    expect(Object.keys(stack.secrets)).toEqual(expect.arrayContaining(['s3_access_key_id', 's3_secret_access_key']));
    expect(stackOf({ swarmEncryptData: false }).networks['data']!.driver_opts).toBeUndefined();
  });

  it('has no worker replicas without Celery, and no Celery connections', () => {
    const ctx = contextWith({ celery: false, swarmWebReplicas: 2 });
    expect(ctx.swarm!.replicas).toEqual({ web: 2, worker: 0 });
    expect(ctx.swarm!.connections.pools).toEqual({});
    expect(renderTree(ctx).get('stack.yaml')!.content).not.toMatch(/^ {2}(worker|beat):/m);
  });
});

describe('a web task leaving the Swarm', () => {
  // Swarm removes a task from Docker's DNS 2 s before SIGTERM (moby's defaultGossipConvergeDelay);
  // nginx may hold the old answer for its resolver's valid= time, so gunicorn must go on serving
  // past that, and still finish its graceful shutdown before Swarm's SIGKILL.
  const SWARM_DNS_REMOVAL_BEFORE_SIGTERM = 2;
  // Room for the removal to reach the edge node by gossip (measured: requests up to 0.34 s after SIGTERM).
  const GOSSIP_MARGIN = 2;
  it('serves on after SIGTERM longer than nginx caches the DNS answer, and stops within its grace period', () => {
    const tree = renderTree(contextWith({}));
    const stack = tree.get('stack.yaml')!.content;
    const web = /\n {2}web:\n([\s\S]*?)\n {2}\w+:\n/.exec(stack)![1]!;
    const delay = Number(/^ {6}GUNICORN_SHUTDOWN_DELAY: "(\d+)"$/m.exec(web)?.[1]);
    const grace = Number(/^ {4}stop_grace_period: (\d+)s$/m.exec(web)?.[1]);
    const cached = Number(/^resolver .* valid=(\d+)s/m.exec(tree.get('nginx/conf.d/upstream.conf')!.content)?.[1]);
    const gunicorn = tree.get('gunicorn.conf.py')!.content;
    const graceful = Number(/^graceful_timeout = (\d+)$/m.exec(gunicorn)?.[1]);
    expect(SWARM_DNS_REMOVAL_BEFORE_SIGTERM + delay).toBeGreaterThan(cached + GOSSIP_MARGIN);
    expect(delay + graceful).toBeLessThan(grace);
    expect(gunicorn).toContain('SHUTDOWN_DELAY = float(os.environ.get("GUNICORN_SHUTDOWN_DELAY", "0"))');
    // Compose does not delay: a stopping container refuses new connections at once (nginx leaves it out).
    expect(tree.get('compose.yaml')!.content).not.toContain('GUNICORN_SHUTDOWN_DELAY');
  });
});

describe("the Swarm's nginx", () => {
  // One site for Compose and Swarm: the stack ships nginx/conf.d/site.conf itself, so a change to the site
  // (headers, locations, TLS) reaches both; only how a location reaches web (snippets/upstream.conf) differs.
  it.each([
    {},
    { domain: 'shop.example.com', extraDomains: 'www.shop.example.com', server: 'asgi' },
    { mediaStorage: 's3', staticOnS3: true },
  ])('is conf.d/site.conf with the Compose upstream files (%j)', (given) => {
    const tree = renderTree(contextWith(given));
    const stack = tree.get('stack.yaml')!.content;
    const configFile = (name: string) => new RegExp(`^  ${name}:\\n.*\\n {4}file: (.+)$`, 'm').exec(stack)?.[1];
    const mountedAt = (name: string) => new RegExp(`- source: ${name}\\n {8}target: (.+)$`, 'm').exec(stack)?.[1];
    expect([configFile('nginx_conf_d_site'), mountedAt('nginx_conf_d_site')]).toEqual([
      './nginx/conf.d/site.conf',
      '/etc/nginx/conf.d/site.conf',
    ]);
    expect([configFile('nginx_snippets_upstream'), mountedAt('nginx_snippets_upstream')]).toEqual([
      './nginx/snippets/upstream.conf',
      '/etc/nginx/snippets/upstream.conf',
    ]);
    expect([configFile('nginx_conf_d_upstream'), mountedAt('nginx_conf_d_upstream')]).toEqual([
      './nginx/conf.d/upstream.conf',
      '/etc/nginx/conf.d/upstream.conf',
    ]);
    const site = tree.get('nginx/conf.d/site.conf')!.content;
    // Every proxying location takes the upstream from the snippet; nothing else in the site names web.
    const proxying = site.match(/include \/etc\/nginx\/snippets\/proxy\.conf;/g)!.length;
    expect(proxying).toBeGreaterThanOrEqual(5);
    expect(site.match(/include \/etc\/nginx\/snippets\/upstream\.conf;/g)).toHaveLength(proxying);
    expect(site).not.toMatch(/proxy_pass|resolver|\bweb\b/);
    // Compose and Swarm alike: the upstream block re-resolves web's alias (conf.d/upstream.conf),
    // which web carries on the network it shares with nginx, and the stack ships the very files
    // compose.yaml mounts.
    expect(tree.get('nginx/snippets/upstream.conf')!.content).toMatch(/^proxy_pass http:\/\/django;$[\s\S]*^proxy_next_upstream /m);
    expect(tree.get('nginx/conf.d/upstream.conf')!.content).toMatch(
      /^resolver 127\.0\.0\.11 [\s\S]*^upstream django \{$[\s\S]*^ {4}server django:8000 resolve /m,
    );
    const services = (parse(stack) as { services: Record<string, { networks: unknown }> }).services;
    expect(services['web']!.networks).toEqual({ edge: { aliases: ['django'] }, data: {} });
    expect(services['nginx']!.networks).toEqual(['edge']);
    const compose = parse(tree.get('compose.yaml')!.content) as { services: Record<string, { networks?: unknown }> };
    expect(compose.services['web']!.networks).toEqual({ default: { aliases: ['django'] } });
    expect(stack).not.toMatch(/swarm\/nginx-upstream|web-upstream/);
  });
});

describe('monitoring on the Swarm', () => {
  interface ScrapeConfig {
    job_name: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }
  const scrapeJobs = (text: string) =>
    Object.fromEntries((parse(text) as { scrape_configs: ScrapeConfig[] }).scrape_configs.map((job) => [job.job_name, job]));

  it('runs every monitoring service: node-exporter on each node, the rest beside what they read, nothing published', () => {
    const ctx = contextWith({ backups: true });
    const stack = parse(renderTree(ctx).get('stack.yaml')!.content, { merge: true, maxAliasCount: -1 }) as {
      services: Record<string, { ports?: unknown; networks: string[]; deploy: { mode?: string; placement?: { constraints: string[] } } }>;
    };
    const placed = (service: string) => stack.services[service]!.deploy.placement?.constraints;
    const data = [`node.labels.${ctx.swarm!.labels.data} == true`];
    for (const service of ['prometheus', 'alertmanager', 'postgres-exporter', 'redis-exporter'])
      expect([service, placed(service)]).toEqual([service, data]);
    expect(placed('nginx-exporter')).toEqual([`node.labels.${ctx.swarm!.labels.edge} == true`]);
    expect(stack.services['node-exporter']!.deploy.mode).toBe('global');
    expect(placed('node-exporter')).toBeUndefined();
    for (const service of Object.keys(MONITORING_MB)) expect([service, stack.services[service]!.ports]).toEqual([service, undefined]);
    // Prometheus reaches every target; the exporters of the data services have no way out.
    expect(stack.services['prometheus']!.networks).toEqual(['edge', 'data']);
    for (const service of ['postgres-exporter', 'redis-exporter', 'node-exporter'])
      expect(stack.services[service]!.networks).toEqual(['data']);
  });

  it("ships Prometheus's Swarm configuration, the Compose one but for per-task discovery of web and the nodes", () => {
    const tree = renderTree(contextWith({ swarmWebReplicas: 3 }));
    const stack = tree.get('stack.yaml')!.content;
    expect(stack).toMatch(/- source: monitoring_prometheus_prometheus\n {8}target: \/etc\/prometheus\/prometheus.yml\n/);
    expect(stack).toMatch(/^ {2}monitoring_prometheus_prometheus:\n.*\n {4}file: \.\/swarm\/monitoring\/prometheus\/prometheus.yml$/m);
    expect(stack).not.toContain('file: ./monitoring/prometheus/prometheus.yml');
    const compose = scrapeJobs(tree.get('monitoring/prometheus/prometheus.yml')!.content);
    const swarm = scrapeJobs(tree.get('swarm/monitoring/prometheus/prometheus.yml')!.content);
    expect(swarm['django']!.dns_sd_configs).toEqual([{ names: ['tasks.web'], type: 'A', port: 8001, refresh_interval: '15s' }]);
    expect(swarm['node']!.dns_sd_configs).toEqual([{ names: ['tasks.node-exporter'], type: 'A', port: 9100, refresh_interval: '15s' }]);
    const rest = (jobs: Record<string, ScrapeConfig>) => Object.entries(jobs).filter(([name]) => name !== 'django' && name !== 'node');
    expect(rest(swarm)).toEqual(rest(compose));
    expect(Object.keys(swarm)).toEqual(Object.keys(compose));
  });

  it('has no monitoring on the Swarm when monitoring is off', () => {
    const tree = renderTree(contextWith({ monitoring: false }));
    expect(tree.has('swarm/monitoring/prometheus/prometheus.yml')).toBe(false);
    expect(tree.get('stack.yaml')!.content).not.toMatch(/prometheus|exporter/);
  });
});
