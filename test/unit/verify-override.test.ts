// The compose override verify boots with: what keeps a verification run local and isolated.
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveAnswers, type Answers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import {
  buildOverride,
  MOTO_ENDPOINT,
  MOTO_SERVICE,
  PEBBLE_DIRECTORY,
  S3_SETUP_SERVICE,
  toYaml,
  type ComposeConfig,
  type OverrideOptions,
} from '../../generators/verify/override.ts';
import { renderTree } from '../../generators/lib/render.ts';
import { VERIFY_FOR, VERIFY_INTERVAL } from '../../features/monitoring/verify.ts';
import { SINK_DSN } from '../../features/sentry/verify.ts';

const app = { image: 'my-site-app:latest' };
const base: ComposeConfig = {
  services: {
    web: { ...app, build: { context: '.' } },
    migrate: app,
    worker: app,
    beat: app,
    nginx: { image: 'nginx:1.28' },
    certbot: { image: 'certbot/certbot:v4.0.0' },
    db: { image: 'postgres:17' },
  },
};
const answersWith = (given: Partial<Answers>) =>
  buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096, ...given }, FEATURES), FEATURES, '0.0.0-test');
const AGE_PAIR = { recipient: 'age1test', identity: 'AGE-SECRET-KEY-1TEST' };
/** The repository's files, where a feature's part reads one (monitoring's). */
const options = (files: ReadonlyMap<string, { content: string }>): OverrideOptions => ({
  agePair: AGE_PAIR,
  readFile: (file) => files.get(file)!.content,
});
type Override = {
  services: Record<string, { image?: string; environment?: Record<string, string>; networks?: Record<string, { aliases: string[] }> }>;
};
const overrideOf = (given: Partial<Answers>) =>
  parse(toYaml(buildOverride(base, answersWith(given), 'verify-x', options(renderTree(answersWith(given))))), {
    customTags: [{ tag: '!override', collection: 'seq', resolve: (seq) => seq }],
  }) as Override;

describe('verify override', () => {
  it('publishes nginx only on random 127.0.0.1 ports, replacing (!override) the real 80/443', () => {
    const text = toYaml(buildOverride(base, answersWith({}), 'verify-x', options(renderTree(answersWith({})))));
    expect(text).toMatch(/ports: !override\n\s+- 127\.0\.0\.1::80\n\s+- 127\.0\.0\.1::443/);
  });

  it.each(['letsencrypt', 'letsencrypt-staging'] as const)(
    "never lets certbot reach Let's Encrypt (%s): Pebble instead, nginx aliased as every domain",
    (tlsMode) => {
      const override = overrideOf({ tlsMode, domain: 'shop.example.com', extraDomains: ['www.shop.example.com'] });
      expect(override.services['certbot']!.environment!['ACME_DIRECTORY_URL']).toBe(PEBBLE_DIRECTORY);
      expect(override.services['nginx']!.networks!['default']!.aliases).toEqual(['shop.example.com', 'www.shop.example.com']);
      expect(JSON.stringify(override)).not.toMatch(/letsencrypt\.org/);
    },
  );

  it('starts no Pebble in self-signed mode', () => {
    expect(Object.keys(overrideOf({ tlsMode: 'self-signed', domain: 'app.test' }).services)).not.toContain('pebble');
  });

  it('points every Sentry reporter at the local sink, and only when Sentry is on', () => {
    const on = overrideOf({});
    for (const name of ['web', 'worker', 'beat', 'migrate']) expect(on.services[name]!.environment!['SENTRY_DSN']).toBe(SINK_DSN);
    expect(JSON.stringify(overrideOf({ sentry: false }))).not.toContain('SENTRY_DSN');
  });

  it('tags the images it builds per run, so production images are never retagged', () => {
    const override = overrideOf({});
    for (const name of ['web', 'migrate', 'worker', 'beat']) expect(override.services[name]!.image).toBe('verify-x-my-site-app:verify');
    expect(override.services['db']?.image).toBeUndefined();
  });

  it("runs the repository's monitoring files fast and silent: short intervals and for:, no notification leaves", () => {
    const render = answersWith({ tlsMode: 'self-signed', domain: 'app.test', alertWebhook: true });
    const tree = renderTree(render);
    const file = (name: string) => tree.get(`monitoring/${name}`)!.content;
    const withCommands: ComposeConfig = {
      services: {
        ...base.services,
        prometheus: { command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.retention.time=15d'] },
        alertmanager: { command: ['--config.file=/etc/alertmanager/alertmanager.yml'] },
        'blackbox-exporter': { command: ['--config.file=/etc/blackbox_exporter/config.yml'] },
      },
    };
    const override = parse(toYaml(buildOverride(withCommands, render, 'verify-x', options(tree))), {
      customTags: [{ tag: '!override', collection: 'seq', resolve: (seq) => seq }],
    }) as {
      services: Record<string, { command: string[] }>;
      configs: Record<string, { content: string }>;
    };
    expect(override.services['prometheus']!.command).toEqual([
      '--config.file=/verify-monitoring/prometheus.yml',
      '--storage.tsdb.retention.time=15d',
    ]);
    const prometheus = parse(override.configs['verify-prometheus']!.content) as {
      global: Record<string, string>;
      scrape_configs: unknown[];
    };
    expect(prometheus.global).toMatchObject({ scrape_interval: VERIFY_INTERVAL, evaluation_interval: VERIFY_INTERVAL });
    expect(prometheus.scrape_configs).toEqual((parse(file('prometheus/prometheus.yml')) as { scrape_configs: unknown[] }).scrape_configs);
    const durations = [...override.configs['verify-alert-rules']!.content.matchAll(/^\s+for: (\S+)$/gm)].map((match) => match[1]);
    expect(durations.length).toBeGreaterThan(5);
    expect(new Set(durations)).toEqual(new Set([VERIFY_FOR]));
    expect(override.configs['verify-alertmanager']!.content).not.toMatch(/webhook|email|smtp/);
    expect(override.services['alertmanager']!.command).toEqual(['--config.file=/verify-monitoring/alertmanager.yml']);
    // blackbox reaches the site by its name: nginx answers to it inside the network, as public DNS would.
    expect(overrideOf({ tlsMode: 'self-signed', domain: 'app.test' }).services['nginx']!.networks!['default']!.aliases).toEqual([
      'app.test',
    ]);
  });

  it('escapes "$" for Compose interpolation', () => {
    expect(toYaml({ content: 'cost: $5\n' })).toContain('cost: $$5');
  });

  it('points media and off-site backups at a moto S3 API in the project, never at the real endpoints', () => {
    const withBackup: ComposeConfig = { services: { ...base.services, backup: { image: 'my-site-backup:latest', build: './backup' } } };
    const render = answersWith({
      mediaStorage: 's3',
      s3Bucket: 'shop-media',
      s3Endpoint: 'https://s3.eu-west-1.amazonaws.com',
      s3CustomDomain: 'cdn.example.com',
      backupS3Bucket: 'shop-backups/db',
      backupS3Endpoint: 'https://s3.eu-west-1.amazonaws.com',
    });
    const override = buildOverride(withBackup, render, 'verify-x', options(renderTree(render))) as {
      services: Record<string, { environment?: Record<string, string>; entrypoint?: string[]; depends_on?: Record<string, unknown> }>;
    };
    for (const name of render.appServices) {
      expect(override.services[name]!.environment).toMatchObject({
        S3_ENDPOINT_URL: MOTO_ENDPOINT,
        S3_ALLOW_HTTP: 'true',
        S3_CUSTOM_DOMAIN: '',
      });
    }
    const backup = override.services['backup']!.environment!;
    expect(backup['BACKUP_S3_ENDPOINT']).toBe(MOTO_ENDPOINT);
    expect(backup['BACKUP_AGE_RECIPIENT']).toMatch(/^age1/);
    // The secret key stays with verify (the restore drill passes it on standard input).
    expect(JSON.stringify(override)).not.toContain('AGE-SECRET-KEY');
    // Sentry's sink address is kept alongside: environments are merged, not replaced.
    expect(override.services['web']!.environment!['SENTRY_DSN']).toBe(SINK_DSN);
    // Both buckets (the backup one without its key prefix) exist before migrate and backup start.
    const setup = override.services[S3_SETUP_SERVICE]!.entrypoint!.join(' ');
    expect(setup).toContain('create_bucket(Bucket="shop-media")');
    expect(setup).toContain('create_bucket(Bucket="shop-backups")');
    expect(override.services['migrate']!.depends_on).toHaveProperty(S3_SETUP_SERVICE);
    expect(override.services['backup']!.depends_on).toHaveProperty(S3_SETUP_SERVICE);
    expect(JSON.stringify(override)).not.toContain('amazonaws.com');
  });

  it('starts no S3 API when nothing uses one', () => {
    expect(Object.keys(overrideOf({}).services)).not.toContain(MOTO_SERVICE);
  });
});
