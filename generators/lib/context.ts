// Answers -> everything the templates read. Pure: no Yeoman, no file system, no clock,
// no randomness, so the same answers always render the same tree.
import type { Answers, TlsMode } from './answers.ts';
import { sizeStack, MEMORY_SHARE, PROCESS_MB, LIMITS, type Sizing } from './sizing.ts';

/** Images the stack runs; certbot is pinned because its CLI flags are part of our scripts. */
export const CERTBOT_IMAGE = 'certbot/certbot:v4.0.0';

const ACME_DIRECTORIES: Record<Exclude<TlsMode, 'acme' | 'self-signed'>, string> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

export interface RenderContext {
  answers: Answers;
  generatorVersion: string;
  name: string;
  packageName: string;
  /** Primary domain first. */
  domains: string[];
  images: { python: string; postgres: string; redis: string; nginx: string; certbot: string };
  tls: {
    mode: TlsMode;
    /** Empty in self-signed mode, where certbot never runs. */
    acmeDirectory: string;
    /** Whether certbot/acme-ca.pem is written and trusted by certbot. */
    hasCaBundle: boolean;
    /** Content of certbot/acme-ca.pem: the user's CA bundle file, read by the generator (templates cannot read files). */
    caBundlePem: string;
  };
  /** "max-age=3600; includeSubDomains" (+ "; preload"): the one HSTS value nginx and Django agree on. */
  hstsHeader: string;
  /** Referrer-Policy, one value for nginx and Django (Django's own default since 3.1). */
  referrerPolicy: 'same-origin';
  sizing: Sizing;
  /** Constants the runtime sizing in gunicorn.conf.py shares with sizing.ts. */
  sizingConstants: { processMb: typeof PROCESS_MB; limits: typeof LIMITS; memoryShare: typeof MEMORY_SHARE };
  /** Application module gunicorn loads, e.g. my_site.wsgi:application. */
  appModule: string;
  /** Services in compose.yaml, for the README and Makefile. */
  services: string[];
}

/** Contents of files the answers point to, read by the caller so this module stays pure. */
export interface InputFiles {
  /** The PEM file named by answers.acmeCaBundle. */
  acmeCaBundlePem?: string;
}

export function buildRenderContext(answers: Answers, generatorVersion: string, files: InputFiles = {}): RenderContext {
  const sizing = sizeStack({ cpus: answers.cpus, memoryMb: answers.memoryMb }, answers.server, answers.celery);
  const acmeDirectory = answers.tlsMode === 'acme' ? answers.acmeDirectory
    : answers.tlsMode === 'self-signed' ? '' : ACME_DIRECTORIES[answers.tlsMode];
  return {
    answers,
    generatorVersion,
    name: answers.name,
    packageName: answers.packageName,
    domains: [answers.domain, ...answers.extraDomains],
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
    hstsHeader: `max-age=${answers.hstsSeconds}; includeSubDomains${answers.hstsPreload ? '; preload' : ''}`,
    referrerPolicy: 'same-origin',
    sizing,
    sizingConstants: { processMb: PROCESS_MB, limits: LIMITS, memoryShare: MEMORY_SHARE },
    appModule: `${answers.packageName}.${answers.server}:application`,
    services: [
      'db', 'redis', 'migrate', 'web', 'nginx', 'certbot',
      ...(answers.celery ? ['worker', 'beat'] : []),
      ...(answers.backups ? ['backup'] : []),
    ],
  };
}
