// Answers -> everything the templates read. Pure: no Yeoman, no file system, no clock,
// no randomness, so the same answers always render the same tree. Templates read these
// derived facts, never raw answers (the context holds none); each fact is computed here once.
import type { Answers, TlsMode } from './answer-spec.ts';
import { contentSecurityPolicy, PERMISSIONS_POLICY } from './browser-headers.ts';
import type { DetectedProject } from './detect/index.ts';
import { existingDeployment, type Placement } from './existing.ts';
import type { Feature, RenderContext } from './feature.ts';
import { renderedTimeZone } from './grammar.ts';
import { DOCKER_FLOORS } from './docker-versions.ts';
import { fileSecrets, projectSecrets, secretFileOf, SECRETS_DIRECTORY, stackSecrets } from './secrets.ts';
import { imagePush } from './repo-health.ts';
import { VERIFY_PEERS } from './verify-peers.ts';
import { nginxPidsLimit, postgresPidsLimit, SMALL_SERVICE_PIDS, webPidsLimit } from './hardening.ts';
import { sizeStack, DB_BASE_MB, MEMORY_SHARE, PROCESS_MB, LIMITS, THREADS_PER_WORKER, type MemoryDemands } from './sizing.ts';

/** Images the stack runs; certbot is pinned because its CLI flags are part of our scripts. */
export const CERTBOT_IMAGE = 'certbot/certbot:v4.0.0';

const ACME_DIRECTORIES: Record<Exclude<TlsMode, 'acme' | 'self-signed'>, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

export type { FeatureFacts, RenderContext } from './feature.ts';

// Ranges, not pins. psycopg is pure Python on the system libpq5 the image installs (no compiler),
// psycopg-pool gives each web worker its bounded pool (settings' DATABASES; unversioned, as psycopg's
// own [pool] extra asks for it: its releases follow psycopg's);
// ASGI runs gunicorn with the uvicorn-worker package (uvicorn.workers is deprecated); whitenoise
// only for its collectstatic storage (hashed names plus precompressed .gz files for nginx).
const CORE_REQUIREMENTS = ['Django>=5.2,<6.0', 'gunicorn>=23.0,<24'];
const ASGI_REQUIREMENTS = ['uvicorn[standard]>=0.30', 'uvicorn-worker>=0.2'];
const SUPPORT_REQUIREMENTS = [
  'psycopg>=3.2,<4',
  'psycopg-pool',
  'redis>=5.0',
  'django-redis>=5.4',
  'python-json-logger>=3.1,<5',
  'whitenoise>=6.5,<7',
];

/** Contents of files the answers point to, read by the caller so this module stays pure. */
export interface InputFiles {
  /** The PEM file named by answers.acmeCaBundle. */
  acmeCaBundlePem?: string;
  /** Existing-project mode: what detection found in the target directory. */
  existingProject?: DetectedProject;
  /** Existing-project mode: where the deployment's files go in the project. */
  placement?: Placement;
}

/** What the features ask of the server's memory for these answers: their services' fixed limits and their process pools. */
export function memoryDemands(enabled: readonly Feature[], answers: Answers): MemoryDemands {
  return {
    reservedMb: Object.assign({}, ...enabled.map((feature) => feature.memory?.reservedMb?.(answers) ?? {})) as Record<string, number>,
    pools: Object.fromEntries(enabled.filter((feature) => feature.memory?.pool).map((feature) => [feature.name, feature.memory!.pool!])),
  };
}

export function buildRenderContext(
  answers: Answers,
  features: readonly Feature[],
  generatorVersion: string,
  files: InputFiles = {},
): RenderContext {
  const enabled = features.filter((feature) => feature.enabled(answers));
  const has = Object.fromEntries(features.map((feature) => [feature.name, enabled.includes(feature)]));
  const sizing = sizeStack({ cpus: answers.cpus, memoryMb: answers.memoryMb }, answers.server, memoryDemands(enabled, answers));
  const acmeDirectory =
    answers.tlsMode === 'acme' ? answers.acmeDirectory : answers.tlsMode === 'self-signed' ? '' : ACME_DIRECTORIES[answers.tlsMode];
  const featureFacts = Object.fromEntries(
    enabled.filter((feature) => feature.facts).map((feature) => [feature.name, feature.facts!(answers, sizing)]),
  );
  const longRunningAppServices = ['web', ...enabled.flatMap((feature) => feature.appServices ?? [])];
  const featureRequirements = enabled.flatMap((feature) => feature.requirements ?? []);
  const stackRequirements = [
    ...CORE_REQUIREMENTS,
    ...(answers.server === 'asgi' ? ASGI_REQUIREMENTS : []),
    ...SUPPORT_REQUIREMENTS,
    ...featureRequirements,
  ];
  const domains = [answers.domain, ...answers.extraDomains];
  const { existingProject, placement } = files;
  const existing =
    answers.existing && existingProject && placement
      ? {
          ...existingDeployment({
            project: existingProject,
            stackRequirements,
            domains,
            placement,
            celery: has['celery'] === true,
            appSecrets: projectSecrets(answers, enabled).map((name) => ({
              name,
              file: secretFileOf(name),
              path: `${placement.directory}/${SECRETS_DIRECTORY}/${secretFileOf(name)}`,
            })),
          }),
          appPath: answers.appPath,
        }
      : undefined;
  return {
    ...featureFacts,
    generatorVersion,
    verifyPackages: [`generator-django-prod@${generatorVersion}`, ...VERIFY_PEERS.map((peer) => `${peer.name}@${peer.range}`)],
    name: answers.name,
    packageName: answers.packageName,
    has,
    enabledFeatures: enabled,
    domains,
    adminEmail: answers.email,
    hardware: { cpus: answers.cpus, memoryMb: answers.memoryMb },
    asgi: answers.server === 'asgi',
    dockerFloors: DOCKER_FLOORS,
    images: {
      python: `python:${answers.pythonVersion}-slim`,
      postgres: `postgres:${answers.postgresVersion}`,
      redis: `redis:${answers.redisVersion}`,
      nginx: `nginx:${answers.nginxVersion}`,
      certbot: CERTBOT_IMAGE,
    },
    tls: {
      mode: answers.tlsMode,
      acmeDirectory,
      hasCaBundle: answers.tlsMode === 'acme' && answers.acmeCaBundle !== '',
      caBundlePem: files.acmeCaBundlePem ?? '',
    },
    hsts: {
      seconds: answers.hstsSeconds,
      preload: answers.hstsPreload,
      header: `max-age=${answers.hstsSeconds}; includeSubDomains${answers.hstsPreload ? '; preload' : ''}`,
    },
    referrerPolicy: 'same-origin',
    browserPolicy: {
      contentSecurity: contentSecurityPolicy(enabled.flatMap((feature) => feature.fileOrigins?.(answers) ?? [])),
      permissions: PERMISSIONS_POLICY,
    },
    adminPath: answers.adminPath,
    warnings: enabled.flatMap((feature) => feature.warnings?.(answers) ?? []),
    uploadLimitMb: answers.uploadLimitMb,
    localFiles: {
      media: !enabled.some((feature) => feature.filesElsewhere?.(answers).includes('media')),
      static: !enabled.some((feature) => feature.filesElsewhere?.(answers).includes('static')),
    },
    timeZone: renderedTimeZone(answers.timeZone),
    sizing,
    pids: {
      db: postgresPidsLimit(sizing.postgres),
      web: webPidsLimit(sizing.gunicorn),
      nginx: nginxPidsLimit(answers.cpus),
      small: SMALL_SERVICE_PIDS,
    },
    sizingConstants: {
      processMb: PROCESS_MB,
      limits: LIMITS,
      memoryShare: MEMORY_SHARE,
      threadsPerWorker: THREADS_PER_WORKER,
      dbBaseMb: DB_BASE_MB,
    },
    appModule:
      files.existingProject && answers.existing
        ? files.existingProject.application
        : `${answers.packageName}.${answers.server}:application`,
    services: ['db', 'redis', 'migrate', 'web', 'nginx', 'certbot', ...enabled.flatMap((feature) => feature.services ?? [])],
    appServices: ['migrate', ...longRunningAppServices],
    longRunningAppServices,
    secrets: fileSecrets(stackSecrets(answers, enabled)).map(({ secret, variable }) => ({
      variable,
      file: secretFileOf(variable),
      app: secret.app === true,
      db: secret.db === true,
    })),
    featureRequirements,
    stackRequirements,
    settingsModule: existing?.settingsModule ?? `${answers.packageName}.settings.production`,
    celeryApp: existing?.celeryApp ?? answers.packageName,
    existing,
    repoHealth: { testSuite: answers.ci && existing === undefined, dependencyBot: answers.dependencyBot, push: imagePush(answers.ciImage) },
    backgroundAppServices: longRunningAppServices.filter((service) => service !== 'web'),
  };
}
