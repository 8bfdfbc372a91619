// Scheduled pg_dump backups with retention, an optional off-site copy, and a tested restore.
import { checkInteger, featureSwitch, spec } from '../../lib/answer-spec.ts';
import { defineFeature } from '../feature.ts';

declare module '../../lib/answer-spec.ts' {
  interface Answers {
    backups: boolean;
    backupSchedule: string;
    backupKeepDaily: number;
    backupKeepWeekly: number;
    backupKeepMonthly: number;
    backupS3Bucket: string;
    backupS3Endpoint: string;
  }
}

export interface BackupFacts {
  /** Cron schedule, in the stack's time zone. */
  schedule: string;
  keep: { daily: number; weekly: number; monthly: number };
  /** Off-site copy: present when a bucket is configured. */
  s3: { bucket: string; endpoint: string } | undefined;
}

declare module '../../lib/context.ts' {
  interface FeatureFacts {
    backups: BackupFacts;
  }
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const withBackups = (answers: { backups?: boolean }) => answers.backups === true;

export default defineFeature<BackupFacts>({
  name: 'backups',
  answers: [
    featureSwitch('backups', 'Scheduled PostgreSQL backups?', 'Scheduled pg_dump backups with retention and a restore script', true),
    spec({
      name: 'backupSchedule', kind: 'string', message: 'Backup schedule (cron, server time zone)',
      description: 'Cron schedule of the backup (5 fields)',
      default: () => '15 3 * * *',
      when: withBackups,
      check: (value) => {
        const fields = value.trim().split(/\s+/);
        return fields.length === 5 && fields.every((field) => CRON_FIELD.test(field)) ? undefined
          : 'must be a 5-field cron expression of numbers, ranges, steps and *, e.g. "15 3 * * *"';
      },
    }),
    spec({
      name: 'backupKeepDaily', kind: 'number', message: 'Daily backups to keep', description: 'Daily backups kept',
      default: () => 7, when: withBackups, check: (value) => checkInteger(value, 1, 366, 'backups'),
    }),
    spec({
      name: 'backupKeepWeekly', kind: 'number', message: 'Weekly backups to keep', description: 'Weekly (Sunday) backups kept',
      default: () => 4, when: withBackups, check: (value) => checkInteger(value, 0, 520, 'backups'),
    }),
    spec({
      name: 'backupKeepMonthly', kind: 'number', message: 'Monthly backups to keep', description: 'Monthly (1st of the month) backups kept',
      default: () => 6, when: withBackups, check: (value) => checkInteger(value, 0, 240, 'backups'),
    }),
    spec({
      name: 'backupS3Bucket', kind: 'string', message: 'S3 bucket for off-site copies (empty: local only)',
      description: 'S3-compatible bucket for off-site copies of each backup (empty: none); keys go in .env',
      default: () => '', when: withBackups,
      check: (value) => (value === '' || /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w./-]*)?$/.test(value) ? undefined
        : 'must be empty or an S3 bucket name (3-63 of a-z, 0-9, ".", "-"), optionally with a /prefix'),
    }),
    spec({
      name: 'backupS3Endpoint', kind: 'string', message: 'S3 endpoint URL (empty for AWS)',
      description: 'Endpoint of an S3-compatible store (empty: AWS S3)',
      default: () => '', when: (answers) => answers.backups === true && answers.backupS3Bucket !== '',
      check: (value) => (value === '' || /^https?:\/\/[^\s/]+/.test(value) ? undefined : 'must be empty or an http(s):// URL'),
    }),
  ],
  enabled: (answers) => answers.backups,
  facts: (answers) => ({
    schedule: answers.backupSchedule,
    keep: { daily: answers.backupKeepDaily, weekly: answers.backupKeepWeekly, monthly: answers.backupKeepMonthly },
    s3: answers.backupS3Bucket ? { bucket: answers.backupS3Bucket, endpoint: answers.backupS3Endpoint } : undefined,
  }),
  services: ['backup'],
  files: [
    { templates: ['backup/Dockerfile', 'backup/crontab'] },
    { executable: true, templates: ['backup/entrypoint.sh', 'backup/backup.sh', 'backup/restore.sh', 'backup/healthcheck.sh'] },
  ],
  probes: async () => [(await import('./probe.ts')).backupsProbe],
});
