// The override compose file verify boots the repository's compose.yaml with, so that it is testable
// on one machine without touching the outside world. Pure (no Docker): the tests read it too.
// The core part is here: nginx on random 127.0.0.1 ports, certbot against a Pebble test CA in the
// project; each enabled feature adds its own part (Feature.verify: Sentry's sink, a test S3 API, ...),
// using the stand-ins below.
import path from 'node:path';
import { Document, type Node } from 'yaml';
import type { AgeKeyPair } from '../lib/age-key.ts';
import type { RenderContext } from '../lib/context.ts';

export const PEBBLE_SERVICE = 'pebble';
export const PEBBLE_DIRECTORY = 'https://pebble:14000/dir';
/** Where certbot finds Pebble's CA: the pebble image's /test/certs, shared through a volume. */
export const PEBBLE_CA_IN_CERTBOT = '/verify-pebble-certs/pebble.minica.pem';
const PEBBLE_IMAGE = 'ghcr.io/letsencrypt/pebble:latest';
/** An S3 API (moto) in the project: media and off-site backups never reach a real bucket. */
export const MOTO_SERVICE = 'moto';
export const MOTO_ENDPOINT = `http://${MOTO_SERVICE}:5000`;
/** One-shot: creates the buckets (and applies their policies) before anything uses them. */
export const S3_SETUP_SERVICE = 's3-setup';
const MOTO_IMAGE = 'motoserver/moto:5.1.1';
/** moto takes any key; these only have to be non-empty. */
export const MOTO_KEY = 'verify';
/** Services that run once and exit 0: the release step, and verify's bucket setup. */
export const ONE_SHOT_SERVICES = new Set(['migrate', S3_SETUP_SERVICE]);

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

/** A YAML tag on a value, e.g. Compose's !override that replaces instead of merging. */
export class Tagged {
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

/** What a feature's verify part (Feature.verify) reads and changes. */
export interface Override {
  base: ComposeConfig;
  render: RenderContext;
  /** An age key pair of this run (encrypted off-site backups restore with it). */
  agePair: AgeKeyPair;
  /** A file of the repository (its own monitoring configuration, ...); throws when it is missing. */
  readFile(file: string): string;
  /** The override of a service (created empty). */
  edit(service: string): Record<string, unknown>;
  /** Adds variables to a service's environment (merged with what other parts set). */
  setEnvironment(service: string, variables: Record<string, string>): void;
  /** Adds a service of verify's own: not part of the product, so hygiene rules do not apply to it. */
  addService(name: string, service: Record<string, unknown>): void;
  /** Top-level volumes and configs of the override. */
  volumes: Record<string, unknown>;
  configs: Record<string, unknown>;
  /** The networks a service of the repository is on (default when it names none). */
  networksOf(service: string): string[];
  /** A test S3 API (moto) with these buckets, reachable by `users` and created before `dependents` start. */
  testS3(bucket: TestBucket, users: readonly string[]): void;
}

/** A bucket on verify's test S3 API; policyFile: a file of the repository applied as its bucket policy. */
export interface TestBucket {
  name: string;
  policyFile?: string;
  /** Services that start only once the bucket exists. */
  dependents: readonly string[];
}

/** A feature's part of the override (Feature.verify). */
export type OverridePart = (override: Override) => void;

declare module '../lib/feature.ts' {
  interface VerifyParts {
    override: OverridePart;
  }
}

export interface OverrideOptions {
  agePair: AgeKeyPair;
  readFile: (file: string) => string;
}

/** The override compose file, as an object. */
export function buildOverride(
  base: ComposeConfig,
  render: RenderContext,
  project: string,
  options: OverrideOptions,
): Record<string, unknown> {
  const services: Record<string, Record<string, unknown>> = {};
  const volumes: Record<string, unknown> = {};
  const configs: Record<string, unknown> = {};
  const buckets: TestBucket[] = [];
  const bucketUsers = new Set<string>();
  const override: Override = {
    base,
    render,
    agePair: options.agePair,
    readFile: options.readFile,
    edit: (name) => (services[name] ??= {}),
    setEnvironment: (name, variables) => {
      const service = override.edit(name);
      service['environment'] = { ...(service['environment'] as Record<string, string> | undefined), ...variables };
    },
    addService: (name, service) => {
      services[name] = service;
    },
    volumes,
    configs,
    networksOf: (name) => Object.keys(base.services[name]?.networks ?? { default: null }),
    testS3: (bucket, users) => {
      buckets.push(bucket);
      for (const user of users) bucketUsers.add(user);
    },
  };

  // Images the stack builds get names of this run: verify on a server must not retag the
  // images production runs, and it removes its own afterwards.
  for (const [name, image] of Object.entries(builtImages(base, project))) override.edit(name)['image'] = image;
  override.edit('nginx')['ports'] = new Tagged('!override', ['127.0.0.1::80', '127.0.0.1::443']);
  if (render.tls.mode !== 'self-signed') pebble(override);
  for (const feature of render.enabledFeatures) feature.verify?.(override);
  if (buckets.length > 0) testS3(override, buckets, [...bucketUsers]);

  return {
    services,
    ...(Object.keys(volumes).length ? { volumes } : {}),
    ...(Object.keys(configs).length ? { configs } : {}),
  };
}

/** Names the domains resolve to inside the project: nginx, as public DNS points at the server. */
export function aliasDomainsToNginx(override: Override): void {
  override.edit('nginx')['networks'] = Object.fromEntries(
    override.networksOf('nginx').map((network) => [network, { aliases: override.render.domains }]),
  );
}

/** certbot talks to a Pebble test CA in the project instead of the real ACME server. */
function pebble(override: Override): void {
  aliasDomainsToNginx(override);
  // nginx's watcher picks the issued certificate up within seconds, not its production minute.
  override.setEnvironment('nginx', { RELOAD_CHECK_SECONDS: '2' });
  const certbot = override.edit('certbot');
  certbot['environment'] = {
    ACME_DIRECTORY_URL: PEBBLE_DIRECTORY,
    ACME_CA_BUNDLE: PEBBLE_CA_IN_CERTBOT,
    REQUESTS_CA_BUNDLE: PEBBLE_CA_IN_CERTBOT,
    // Pebble may still be starting when certbot first asks: retry after seconds, not 30 s.
    ISSUE_RETRY_SECONDS: '3',
  };
  certbot['volumes'] = [`verify-pebble-certs:${path.posix.dirname(PEBBLE_CA_IN_CERTBOT)}:ro`];
  certbot['depends_on'] = { [PEBBLE_SERVICE]: { condition: 'service_started' } };
  override.addService(PEBBLE_SERVICE, {
    image: PEBBLE_IMAGE,
    command: ['-config', '/test/config/pebble-config-http80.json'],
    // No sleeps before validation, no random nonce rejections: fast and deterministic.
    environment: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    // An empty named volume is filled from the image on first mount: that is how certbot
    // gets the CA of Pebble's own TLS certificate without verify shipping it.
    volumes: ['verify-pebble-certs:/test/certs'],
    networks: [...new Set([...override.networksOf('certbot'), ...override.networksOf('nginx')])],
  });
  override.volumes['verify-pebble-certs'] = {};
}

/** moto, and a one-shot service creating the buckets (moto's image has boto3) as the user would before the first deploy. */
function testS3(override: Override, buckets: readonly TestBucket[], users: readonly string[]): void {
  const networks = [...new Set(users.flatMap((name) => override.networksOf(name)))];
  for (const bucket of buckets)
    for (const name of bucket.dependents)
      override.edit(name)['depends_on'] = { [S3_SETUP_SERVICE]: { condition: 'service_completed_successfully' } };
  override.addService(MOTO_SERVICE, {
    image: MOTO_IMAGE,
    healthcheck: {
      test: ['CMD', 'python3', '-c', 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:5000/moto-api/", timeout=3)'],
      interval: '2s',
      timeout: '5s',
      retries: 30,
    },
    networks,
  });
  const policies = buckets.filter((bucket) => bucket.policyFile);
  override.addService(S3_SETUP_SERVICE, {
    image: MOTO_IMAGE,
    entrypoint: ['python3', '-c', s3SetupScript(buckets)],
    restart: 'no',
    ...(policies.length ? { volumes: policies.map((bucket) => `./${bucket.policyFile}:/verify/${bucket.name}.json:ro`) } : {}),
    depends_on: { [MOTO_SERVICE]: { condition: 'service_healthy' } },
    networks,
  });
}

/** Python for the s3-setup service: the buckets, and their policies from the repository. */
function s3SetupScript(buckets: readonly TestBucket[]): string {
  return [
    'import boto3, pathlib',
    `s3 = boto3.client("s3", endpoint_url="${MOTO_ENDPOINT}", aws_access_key_id="${MOTO_KEY}", aws_secret_access_key="${MOTO_KEY}", region_name="us-east-1")`,
    ...buckets.flatMap((bucket) => [
      `s3.create_bucket(Bucket=${JSON.stringify(bucket.name)})`,
      ...(bucket.policyFile
        ? [`s3.put_bucket_policy(Bucket=${JSON.stringify(bucket.name)}, Policy=pathlib.Path("/verify/${bucket.name}.json").read_text())`]
        : []),
    ]),
    'print("buckets ready")',
  ].join('\n');
}

/** A service's command with its --config.file flag pointing elsewhere (replacing compose.yaml's). */
export const withConfigFile = (service: ComposeService | undefined, file: string) =>
  new Tagged(
    '!override',
    (service?.command ?? []).map((arg) => (arg.startsWith('--config.file=') ? `--config.file=${file}` : arg)),
  );
