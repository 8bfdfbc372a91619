// Every yes/no answer's flag given bare (no value), each directly before another flag: what the
// command line must read as true without taking the next flag as its value.
import { FEATURES } from '../../features/index.ts';
import { answerSchema, flagOf } from '../../generators/lib/answers.ts';

/** Answers that make every yes/no answer apply (an S3 bucket for the S3 ones, a long HSTS for preload). */
const COMPANIONS = {
  tlsMode: 'self-signed',
  domain: 'app.test',
  cpus: '2',
  memoryMb: '4096',
  hstsSeconds: '31536000',
  mediaStorage: 's3',
  s3Endpoint: 'http://minio.internal:9000',
  backupS3Bucket: 'site-backups',
  backupS3Endpoint: 'http://minio.internal:9000',
};

/** The yes/no answers of a new project (existing mode needs a Django project: tested on a fixture). */
export const BARE_FLAG_ANSWERS = answerSchema(FEATURES)
  .filter((entry) => entry.kind === 'boolean' && entry.name !== 'existing')
  .map((entry) => entry.name);

/** `--celery --sentry ... --tls-mode self-signed ... --yes`: every yes/no flag bare, then the companions, then --yes. */
export const bareFlagArgs = (): string[] => [
  ...BARE_FLAG_ANSWERS.map((name) => `--${flagOf(name)}`),
  ...Object.entries(COMPANIONS).flatMap(([name, value]) => [`--${flagOf(name)}`, value]),
  '--yes',
];
