// Under verify, media (and static) files go to verify's test S3 API: the bucket is created with
// the repository's own policy before the release step uploads to it.
import { MOTO_ENDPOINT, MOTO_KEY, type OverridePart } from '../../generators/verify/override.ts';

export const storageOverride: OverridePart = (override) => {
  const { render } = override;
  for (const name of render.appServices) {
    override.setEnvironment(name, {
      S3_ENDPOINT_URL: MOTO_ENDPOINT,
      S3_ALLOW_HTTP: 'true',
      S3_REGION: 'us-east-1',
      // A CDN host name would not resolve here: URLs point at moto itself.
      S3_CUSTOM_DOMAIN: '',
      S3_ACCESS_KEY_ID: MOTO_KEY,
      S3_SECRET_ACCESS_KEY: MOTO_KEY,
    });
  }
  // The release step uploads static files and the app reads the bucket: it must exist first.
  override.testS3({ name: render.storage!.bucket, policyFile: 's3/bucket-policy.json', dependents: ['migrate'] }, render.appServices);
};
