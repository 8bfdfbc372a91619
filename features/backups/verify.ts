// Under verify, off-site copies go to verify's test S3 API, encrypted for a key pair of this run:
// the restore from the bucket gets its secret key on standard input (probe.ts), as a user types it.
import { MOTO_ENDPOINT, MOTO_KEY, type OverridePart } from '../../generators/verify/override.ts';

export const backupsOverride: OverridePart = (override) => {
  const s3 = override.render.backups?.s3;
  if (!s3) return;
  override.setEnvironment('backup', {
    BACKUP_S3_ENDPOINT: MOTO_ENDPOINT,
    BACKUP_S3_REGION: 'us-east-1',
    BACKUP_S3_ACCESS_KEY_ID: MOTO_KEY,
    BACKUP_S3_SECRET_ACCESS_KEY: MOTO_KEY,
    ...(s3.encrypt ? { BACKUP_AGE_RECIPIENT: override.agePair.recipient } : {}),
  });
  // The answer may carry a key prefix after the bucket ("bucket/prefix").
  override.testS3({ name: s3.bucket.split('/')[0]!, dependents: ['backup'] }, ['backup']);
};
