// Scheduled pg_dump backups with retention, an optional off-site copy, and a tested restore.
import { checkInteger, featureSwitch, spec } from '../../generators/lib/answer-spec.ts';
import { checkCronSchedule, maxCronIntervalSeconds, normalizeCronSchedule, parseCronSchedule } from '../../generators/lib/grammar.ts';
import { checkBucketPath, checkEndpointUrl } from '../../generators/lib/object-storage.ts';
import { generateAgeKeyPair } from '../../generators/lib/age-key.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { tokenSecret } from '../../generators/lib/secrets.ts';
import { backupsOverride } from './verify.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    backups: boolean;
    backupSchedule: string;
    backupKeepDaily: number;
    backupKeepWeekly: number;
    backupKeepMonthly: number;
    backupS3Bucket: string;
    backupS3AllowHttp: boolean;
    backupS3Endpoint: string;
    backupEncrypt: boolean;
  }
}

export interface BackupFacts {
  /** Cron schedule, in the stack's time zone (fields single-spaced). */
  schedule: string;
  /** The longest interval between two scheduled runs, in seconds (grammar.ts: maxCronIntervalSeconds). */
  maxIntervalSeconds: number;
  /**
   * Seconds after which the healthcheck calls the backup overdue: that interval plus grace for
   * a DST shift (1 h) and the backup's own run time (1 h).
   */
  overdueSeconds: number;
  keep: { daily: number; weekly: number; monthly: number };
  /** Off-site copy: present when a bucket is configured ("bucket" may carry a /key/prefix). */
  s3:
    | {
        bucket: string;
        endpoint: string;
        allowHttp: boolean;
        encrypt: boolean;
        /** The bucket without the key prefix the answer may carry. */
        bucketName: string;
        /** S3 lifecycle configuration (JSON) expiring each folder's copies after its retention, for BACKUP_S3_PRUNE=false. */
        lifecycle: string;
      }
    | undefined;
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    backups: BackupFacts;
  }
}

const OVERDUE_GRACE_SECONDS = 2 * 3600;

/**
 * backup's limit: cron (1 MiB) running pg_dump (5 MiB on the bench's database, growing with the
 * number of tables, not their size: rows are streamed); an off-site copy adds rclone's upload buffers
 * and age.
 */
const BACKUP_MB = { local: 64, offsite: 112 } as const;

/** An S3 lifecycle configuration expiring each folder's copies a day after its retention (days); none for a folder kept 0 days. */
function lifecycleRule(bucket: string, days: Record<'daily' | 'weekly' | 'monthly', number>): string {
  const prefix = bucket.split('/').slice(1).join('/');
  const rules = Object.entries(days)
    .filter(([, kept]) => kept > 0)
    .map(([folder, kept]) => ({
      ID: `${folder}-backups`,
      Filter: { Prefix: `${prefix ? `${prefix}/` : ''}${folder}/` },
      Status: 'Enabled',
      Expiration: { Days: kept + 1 },
    }));
  return JSON.stringify({ Rules: rules });
}
const withBackups = (answers: { backups?: boolean }) => answers.backups === true;

export default defineFeature<BackupFacts>({
  name: 'backups',
  answers: [
    featureSwitch('backups', 'Scheduled PostgreSQL backups?', 'Scheduled pg_dump backups with retention and a restore script', true),
    spec({
      name: 'backupSchedule',
      advanced: true,
      kind: 'string',
      message: 'Backup schedule (cron, server time zone)',
      description: 'Cron schedule of the backup (5 fields)',
      default: () => '15 3 * * *',
      when: withBackups,
      check: checkCronSchedule,
    }),
    spec({
      name: 'backupKeepDaily',
      advanced: true,
      kind: 'number',
      message: 'Daily backups to keep',
      description: 'Daily backups kept',
      default: () => 7,
      when: withBackups,
      check: (value) => checkInteger(value, 1, 366, 'backups'),
    }),
    spec({
      name: 'backupKeepWeekly',
      advanced: true,
      kind: 'number',
      message: 'Weekly backups to keep',
      description: 'Weekly (Sunday) backups kept',
      default: () => 4,
      when: withBackups,
      check: (value) => checkInteger(value, 0, 520, 'backups'),
    }),
    spec({
      name: 'backupKeepMonthly',
      advanced: true,
      kind: 'number',
      message: 'Monthly backups to keep',
      description: 'Monthly (1st of the month) backups kept',
      default: () => 6,
      when: withBackups,
      check: (value) => checkInteger(value, 0, 240, 'backups'),
    }),
    spec({
      name: 'backupS3Bucket',
      advanced: true,
      kind: 'string',
      message: 'S3 bucket for off-site copies (empty: local only)',
      description: 'S3-compatible bucket for off-site copies of each backup (empty: none); keys go in .env',
      default: () => '',
      when: withBackups,
      check: (value) => (value === '' ? undefined : checkBucketPath(value)),
    }),
    spec({
      name: 'backupS3AllowHttp',
      advanced: true,
      kind: 'boolean',
      message: 'Allow a plain http:// S3 endpoint (local networks only)?',
      description: 'Allow an http:// S3 endpoint, e.g. a MinIO on the local network (default: https only)',
      default: () => false,
      when: (answers) => answers.backups === true && answers.backupS3Bucket !== '',
      check: () => undefined,
    }),
    spec({
      name: 'backupS3Endpoint',
      advanced: true,
      kind: 'string',
      message: 'S3 endpoint URL (empty for AWS)',
      description: 'Endpoint of an S3-compatible store (empty: AWS S3)',
      default: () => '',
      when: (answers) => answers.backups === true && answers.backupS3Bucket !== '',
      check: (value, answers) =>
        value === '' ? undefined : checkEndpointUrl(value, answers.backupS3AllowHttp === true, 'backup-s3-allow-http'),
    }),
    spec({
      name: 'backupEncrypt',
      advanced: true,
      kind: 'boolean',
      message: 'Encrypt off-site copies with age (key pair generated into .env)?',
      description: 'Encrypt each off-site copy with age before upload (public key in .env; the secret key is printed once, never stored)',
      default: () => true,
      when: (answers) => answers.backups === true && answers.backupS3Bucket !== '',
      check: () => undefined,
    }),
  ],
  enabled: (answers) => answers.backups,
  slots: ['compose.services', 'compose.volumes', 'env', 'makefile', 'readme', 'readme.files'],
  facts: (answers) => {
    // The answer passed checkCronSchedule, so it parses and runs at some time.
    const maxIntervalSeconds = maxCronIntervalSeconds(parseCronSchedule(answers.backupSchedule).schedule!)!;
    return {
      schedule: normalizeCronSchedule(answers.backupSchedule),
      maxIntervalSeconds,
      overdueSeconds: maxIntervalSeconds + OVERDUE_GRACE_SECONDS,
      keep: { daily: answers.backupKeepDaily, weekly: answers.backupKeepWeekly, monthly: answers.backupKeepMonthly },
      s3: answers.backupS3Bucket
        ? {
            bucket: answers.backupS3Bucket,
            endpoint: answers.backupS3Endpoint,
            allowHttp: answers.backupS3AllowHttp,
            encrypt: answers.backupEncrypt,
            bucketName: answers.backupS3Bucket.split('/')[0]!,
            lifecycle: lifecycleRule(answers.backupS3Bucket, {
              daily: answers.backupKeepDaily,
              weekly: answers.backupKeepWeekly * 7,
              monthly: answers.backupKeepMonthly * 31,
            }),
          }
        : undefined,
    };
  },
  services: ['backup'],
  memory: { reservedMb: (answers) => ({ backup: answers.backupS3Bucket === '' ? BACKUP_MB.local : BACKUP_MB.offsite }) },
  secrets: (answers) => [
    // The backup role's (db/roles.sh): reads every table, writes none of the live database.
    tokenSecret('POSTGRES_BACKUP_PASSWORD', { db: true }),
    ...(answers.backupS3Bucket === ''
      ? []
      : [
          // The bucket's key (the entrypoint reads *_FILE).
          { variables: ['BACKUP_S3_ACCESS_KEY_ID'] },
          { variables: ['BACKUP_S3_SECRET_ACCESS_KEY'] },
          // The age key pair, generated once: uploads are encrypted for the recipient; the identity restores.
          ...(answers.backupEncrypt
            ? [
                {
                  variables: ['BACKUP_AGE_RECIPIENT', 'BACKUP_AGE_IDENTITY'],
                  offServer: {
                    variable: 'BACKUP_AGE_IDENTITY',
                    what: 'the only key that decrypts the off-site backups',
                    section: 'Backups and restore',
                  },
                  generate: () => {
                    const pair = generateAgeKeyPair();
                    return [pair.recipient, pair.identity];
                  },
                },
              ]
            : []),
        ]),
  ],
  files: [
    { templates: ['backup/Dockerfile', 'backup/crontab'] },
    {
      executable: true,
      templates: ['backup/entrypoint.sh', 'backup/secret-files.sh', 'backup/backup.sh', 'backup/restore.sh', 'backup/healthcheck.sh'],
    },
    { executable: true, condition: (ctx) => ctx.backups?.s3 !== undefined, templates: ['backup/offsite.sh'] },
  ],
  verify: backupsOverride,
  probes: async () => [(await import('./probe.ts')).backupsProbe],
  // Next to db, with the backups volume on that node (copy it off-site: backupS3Bucket, which needs the way out).
  swarm: (ctx) => ({ backup: { networks: ctx.backups!.s3 ? ['data', 'edge'] : ['data'], node: 'data' } }),
});
