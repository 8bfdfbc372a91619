// The answer profiles every snapshot and static check runs over.
import { fileURLToPath } from 'node:url';
import { FEATURES } from '../../features/index.ts';
import type { AnswerFlags } from './generate.ts';

export const INTERNAL_CA = fileURLToPath(new URL('../fixtures/internal-ca.pem', import.meta.url));

export const PROFILES: Record<string, AnswerFlags> = {
  defaults: {},
  // Every feature off (so a new feature is off here without touching this file; one switched on by
  // another answer is off by default), self-signed.
  minimal: {
    ...Object.fromEntries(FEATURES.filter((feature) => !feature.switchedOnBy).map((feature) => [feature.name, false])),
    tlsMode: 'self-signed',
    domain: 'app.test',
  },
  asgi: { server: 'asgi' },
  'custom-acme': {
    tlsMode: 'acme',
    acmeDirectory: 'https://ca.internal/acme/acme/directory',
    acmeCaBundle: INTERNAL_CA,
    domain: 'shop.internal',
    extraDomains: 'www.shop.internal',
    email: 'ops@shop.internal',
    ciImage: 'ghcr.io/acme/shop',
  },
  // Media and static on an S3-compatible store (a MinIO over http on a private network), and
  // encrypted off-site backups to another bucket: the docker test points both at moto.
  s3: {
    name: 'i16-s3',
    celery: false,
    sentry: false,
    tlsMode: 'self-signed',
    domain: 'app.test',
    mediaStorage: 's3',
    s3Bucket: 'i16-s3-media',
    s3AllowHttp: true,
    s3Endpoint: 'http://minio.internal:9000',
    staticOnS3: true,
    backupS3Bucket: 'i16-s3-backups/db',
    backupS3AllowHttp: true,
    backupS3Endpoint: 'http://minio.internal:9000',
  },
  large: {
    name: 'big-shop',
    cpus: 32,
    memoryMb: 131072,
    domain: 'shop.example.com',
    extraDomains: 'www.shop.example.com',
    tlsMode: 'letsencrypt',
    hstsSeconds: 63072000,
    hstsPreload: true,
    backupS3Bucket: 'big-shop-backups',
    backupS3Endpoint: 'https://s3.eu-west-1.amazonaws.com',
    uploadLimitMb: 100,
    timeZone: 'Europe/Paris',
    swarm: true,
    swarmRegistry: 'registry.example.com/big-shop',
    swarmWebReplicas: 6,
    swarmWorkerReplicas: 4,
    dependencyBot: 'renovate',
    ciImage: 'registry.example.com/big-shop/web',
    monitoringRetention: '90d',
    alertSmtpHost: 'smtp.example.com',
    alertSmtpPort: 465,
    alertSmtpUser: 'alerts@example.com',
    alertWebhook: true,
    cache: true,
  },
  // Docker Swarm on top of the defaults (Celery, Sentry, backups); off in every other profile but large.
  swarm: { swarm: true, swarmRegistry: 'registry.internal:5000', swarmWebReplicas: 3, swarmWorkerReplicas: 2 },
};
