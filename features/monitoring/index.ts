// Prometheus and Alertmanager watching every part of the stack: Django (django-prometheus),
// nginx, PostgreSQL, Redis and Celery's queue, the host and the volumes' disks, the backups and
// the public HTTPS endpoint; alert rules with promtool unit tests; nothing published on the host.
import { checkInteger, featureSwitch, spec, type Answers } from '../../generators/lib/answer-spec.ts';
import { isDnsName } from '../../generators/lib/grammar.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { tokenSecret } from '../../generators/lib/secrets.ts';
import { monitoringOverride } from './verify.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    monitoring: boolean;
    monitoringRetention: string;
    alertSmtpHost: string;
    alertSmtpPort: number;
    alertSmtpUser: string;
    alertWebhook: boolean;
  }
}

/**
 * Memory limits of the monitoring services (MiB), from their use idle and under load on the generated
 * stack (bench/memory.ts: Prometheus 28-38 MiB, Alertmanager 17-19, each exporter 6-10) with room for
 * growth (a few thousand series keep Prometheus well under its limit; Go's heap may double before a
 * collection). Set aside before the app's shares; on a server too small for them beside the app,
 * monitoring is left out unless asked for (memory.optional).
 */
export const MONITORING_MB = {
  prometheus: 128,
  alertmanager: 48,
  'node-exporter': 32,
  'postgres-exporter': 32,
  'redis-exporter': 32,
  'nginx-exporter': 24,
  'blackbox-exporter': 32,
} as const;
export type MonitoringService = keyof typeof MONITORING_MB;

/** The images (the kit provides these tags offline; Prometheus config must suit 2.53 and 3.x). */
export const MONITORING_IMAGES: Record<MonitoringService, string> = {
  prometheus: 'prom/prometheus:v3.5.0',
  alertmanager: 'prom/alertmanager:v0.28.1',
  'node-exporter': 'prom/node-exporter:v1.9.0',
  'postgres-exporter': 'prometheuscommunity/postgres-exporter:v0.17.1',
  'redis-exporter': 'oliver006/redis_exporter:v1.69.0',
  'nginx-exporter': 'nginx/nginx-prometheus-exporter:1.4.1',
  'blackbox-exporter': 'prom/blackbox-exporter:v0.26.0',
};

/** gunicorn's master serves the workers' summed metrics here; nginx proxies only :8000. */
export const DJANGO_METRICS_PORT = 8001;
/** nginx's stub_status listener: not published, private addresses only. */
export const STUB_STATUS_PORT = 8080;

export interface MonitoringFacts {
  /** Prometheus --storage.tsdb.retention.time, e.g. 15d. */
  retention: string;
  images: Record<MonitoringService, string>;
  ports: { djangoMetrics: number; stubStatus: number };
  /** What blackbox_exporter probes: https://<domain>/health/ for every domain. */
  probeUrls: string[];
  /** Self-signed certificates are trusted by nobody: the probe checks only their expiry. */
  skipTlsVerify: boolean;
  /** Let's Encrypt staging certificates are untrusted by design: the probe fails (SiteDown) until production. */
  untrustedStaging: boolean;
  /** Named volumes whose disks node-exporter watches (mounted read-only at /volumes/<name>). */
  watchedVolumes: string[];
  /** E-mail to the admin through an SMTP relay (smarthost = host:port). */
  email: { smarthost: string; from: string; to: string; user: string | undefined } | undefined;
  /** Alertmanager posts alerts to the URL in secrets/alertmanager_webhook_url (it often holds a token). */
  webhook: boolean;
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    monitoring: MonitoringFacts;
  }
}

const withMonitoring = (answers: Partial<Answers>) => answers.monitoring === true;
const withSmtp = (answers: Partial<Answers>) => answers.monitoring === true && answers.alertSmtpHost !== '';

/** Prometheus durations Prometheus 2.53 and 3.x both accept for retention, in whole hours, days, weeks or years. */
export function checkRetention(value: string): string | undefined {
  return /^[1-9]\d{0,4}[hdwy]$/.test(value)
    ? undefined
    : 'must be a duration such as 15d, 12w, 720h or 1y (a whole number and one of h, d, w, y)';
}

/** An SMTP login: printable ASCII without spaces or quotes (what Alertmanager sends verbatim). */
export function checkSmtpUser(value: string): string | undefined {
  return /^[\x21-\x7e]{0,254}$/.test(value) && !/["'`\\]/.test(value)
    ? undefined
    : 'must be empty or a login of printable ASCII without spaces, quotes or backslashes, e.g. alerts@example.com';
}

export default defineFeature<MonitoringFacts>({
  name: 'monitoring',
  answers: [
    featureSwitch(
      'monitoring',
      'Monitor the stack with Prometheus and Alertmanager?',
      'Prometheus, exporters and Alertmanager with tested alert rules (nothing published)',
      true,
    ),
    spec({
      name: 'monitoringRetention',
      advanced: true,
      kind: 'string',
      message: 'How long Prometheus keeps metrics',
      description: 'Prometheus retention (h, d, w or y), e.g. 15d',
      default: () => '15d',
      when: withMonitoring,
      check: checkRetention,
    }),
    spec({
      name: 'alertSmtpHost',
      kind: 'string',
      message: 'SMTP relay for alert e-mails to the admin (empty: none)',
      description: 'SMTP host Alertmanager mails alerts through to the admin e-mail (empty: no e-mail); password in .env',
      default: () => '',
      when: withMonitoring,
      check: (value) => (value === '' || isDnsName(value) ? undefined : 'must be empty or a host name such as smtp.example.com'),
    }),
    spec({
      name: 'alertSmtpPort',
      advanced: true,
      kind: 'number',
      message: 'SMTP port (587 STARTTLS, 465 TLS)',
      description: 'SMTP port of the relay (587: STARTTLS, 465: TLS)',
      default: () => 587,
      when: withSmtp,
      check: (value) => checkInteger(value, 1, 65535, 'port'),
    }),
    spec({
      name: 'alertSmtpUser',
      kind: 'string',
      message: 'SMTP user name (empty: no login)',
      description: 'SMTP login (its password goes in secrets/alertmanager_smtp_password)',
      default: () => '',
      when: withSmtp,
      check: checkSmtpUser,
    }),
    // The URL is a secret (chat and paging webhooks carry their token in it): a file, never an answer.
    spec({
      name: 'alertWebhook',
      kind: 'boolean',
      message: 'Post alerts to a webhook? (you write its URL in secrets/alertmanager_webhook_url)',
      description: 'Alertmanager posts alerts (webhook JSON) to the URL in secrets/alertmanager_webhook_url, a git-ignored file',
      default: () => false,
      when: withMonitoring,
      check: () => undefined,
    }),
  ],
  enabled: (answers) => answers.monitoring,
  // postgres-exporter's role (db/roles.sh), the password of the SMTP login when there is one, and
  // the webhook's URL (the user writes both).
  secrets: (answers) => [
    tokenSecret('POSTGRES_MONITOR_PASSWORD', { db: true }),
    // redis_exporter reads passwords from a file only as JSON, by Redis address (redis-exporter's REDIS_ADDR).
    {
      variables: ['REDIS_EXPORTER_PASSWORDS'],
      derive: { from: 'REDIS_PASSWORD', content: (password) => `${JSON.stringify({ 'redis://redis:6379': password })}\n` },
    },
    ...(answers.alertSmtpHost && answers.alertSmtpUser ? [{ variables: ['ALERTMANAGER_SMTP_PASSWORD'] }] : []),
    ...(answers.alertWebhook ? [{ variables: ['ALERTMANAGER_WEBHOOK_URL'] }] : []),
  ],
  slots: ['compose.services', 'compose.volumes', 'gunicorn', 'makefile', 'readme', 'readme.files', 'settings.production'],
  facts: (answers) => ({
    retention: answers.monitoringRetention,
    images: { ...MONITORING_IMAGES },
    ports: { djangoMetrics: DJANGO_METRICS_PORT, stubStatus: STUB_STATUS_PORT },
    probeUrls: [answers.domain, ...answers.extraDomains].map((domain) => `https://${domain}/health/`),
    skipTlsVerify: answers.tlsMode === 'self-signed',
    untrustedStaging: answers.tlsMode === 'letsencrypt-staging',
    // Media lives in the bucket when it is on S3: no volume to watch then.
    watchedVolumes: [
      'postgres-data',
      'redis-data',
      ...(answers.mediaStorage === 's3' ? [] : ['media']),
      ...(answers.backups ? ['backups'] : []),
      'prometheus-data',
    ],
    email: answers.alertSmtpHost
      ? {
          smarthost: `${answers.alertSmtpHost}:${answers.alertSmtpPort}`,
          from: `alertmanager@${answers.domain}`,
          to: answers.email,
          user: answers.alertSmtpUser || undefined,
        }
      : undefined,
    webhook: answers.alertWebhook,
  }),
  // Alertmanager without a receiver drops every alert: a failure would go unnoticed.
  warnings: (answers) =>
    answers.alertSmtpHost === '' && !answers.alertWebhook
      ? [
          'alerts go nowhere: Alertmanager has no receiver. Regenerate with --alert-smtp-host (mails go to --email) or --alert-webhook (README.md, "Monitoring")',
        ]
      : [],
  services: Object.keys(MONITORING_MB),
  memory: { reservedMb: () => MONITORING_MB, optional: true },
  // On a Swarm: Prometheus and Alertmanager beside their volumes on the data node; the exporters beside
  // what they read (PostgreSQL and Redis on the data node, nginx's one task on the edge node);
  // node-exporter on every node; the web replicas found by DNS (swarm/monitoring/prometheus/prometheus.yml).
  // Prometheus reaches everything (edge and data); what sends or probes outside is on edge, which has
  // a way out; the exporters of the data services stay on data, which has none.
  swarm: () => ({
    prometheus: { networks: ['edge', 'data'], node: 'data' },
    alertmanager: { networks: ['edge'], node: 'data' },
    // One per node: the host's CPU, memory and load, and the disk Docker keeps volumes on, of every
    // node. Where a watched volume is not on the node, Swarm makes an empty one: its disk is still Docker's.
    'node-exporter': { networks: ['data'], deploy: { mode: 'global' } },
    'postgres-exporter': { networks: ['data'], node: 'data' },
    'redis-exporter': { networks: ['data'], node: 'data' },
    'nginx-exporter': { networks: ['edge'], node: 'edge' },
    'blackbox-exporter': { networks: ['edge'] },
  }),
  requirements: ['django-prometheus>=2.3,<3'],
  verify: monitoringOverride,
  probes: async () => [(await import('./probe.ts')).monitoringProbe],
  files: [
    {
      templates: [
        'monitoring/prometheus/prometheus.yml',
        'monitoring/prometheus/rules/alerts.yml',
        'monitoring/prometheus/tests/alerts.test.yml',
        'monitoring/alertmanager/alertmanager.yml',
        'monitoring/blackbox/blackbox.yml',
        'nginx/conf.d/monitoring.conf',
        'gunicorn_runtime/metrics.py',
      ],
    },
    // The same Prometheus configuration for stack.yaml, with per-task discovery (features/swarm/stack.ts ships it).
    { condition: (ctx) => ctx.has['swarm'] === true, templates: ['swarm/monitoring/prometheus/prometheus.yml'] },
    { condition: (ctx) => ctx.repoHealth.testSuite, templates: ['tests/test_metrics.py'] },
    {
      condition: (ctx) => ctx.has['backups'] === true,
      executable: true,
      templates: ['backup/metrics.sh'],
    },
  ],
});
