// End to end on the s3 profile: media and static in a bucket, encrypted off-site backups, all
// against the S3 API verify runs next to the stack (moto). Proves an upload through Django comes
// back through its signed URL (never through nginx), and that a backup restores from the bucket
// alone once the local backups are gone. No Docker engine is a failure here, never a skip.
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { runVerify } from '../../generators/verify/run.ts';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';

// Only what the profile changes, plus what must stay true: the full probe list runs in verify.test.ts.
const PROBES = ['services', 'static', 'headers', 'object-storage', 'backups', 'check-deploy', 'hygiene'];

describe('object storage (s3 profile)', () => {
  it('serves media and static from the bucket and restores a backup from the bucket alone', async () => {
    // Monitoring's six services prove nothing here (verify.test.ts boots them): off, to keep this test short.
    const result = await generateProject({ ...PROFILES['s3']!, monitoring: false });
    const lines: string[] = [];
    const report = await runVerify({ repoDir: result.cwd, features: FEATURES, only: PROBES, log: (line) => lines.push(line) });
    const passed = report.results.filter((probe) => probe.status === 'pass').map((probe) => probe.probe);
    expect(passed.sort(), `${report.table}\n--- progress ---\n${lines.slice(-60).join('\n')}`).toEqual([...PROBES].sort());
    const details = Object.fromEntries(report.results.map((probe) => [probe.probe, probe.detail]));
    expect(details['object-storage']).toMatch(/signed URL on moto:5000 reads it back.*unsigned 403.*no media volume/);
    expect(details['static']).toMatch(/from the bucket, Cache-Control "public, max-age=31536000, immutable"/);
    expect(details['backups']).toMatch(/age-encrypted \(not a pg_dump archive\); local backups deleted, \d+ rows restored from the bucket/);
    console.log(`s3: build ${report.buildSeconds.toFixed(0)} s, boot ${report.bootSeconds.toFixed(0)} s\n${report.table}`);
  });
});
