// Media (and optionally static) files on S3-compatible object storage through django-storages:
// uploads go straight to the bucket, private files get signed URLs, nginx mounts no media volume.
import { spec, type Answers } from '../../generators/lib/answer-spec.ts';
import { checkBucketName, checkCustomDomain, checkEndpointUrl } from '../../generators/lib/object-storage.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { storageOverride } from './verify.ts';

export const MEDIA_STORAGES = ['local', 's3'] as const;
export type MediaStorage = (typeof MEDIA_STORAGES)[number];

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    mediaStorage: MediaStorage;
    s3Bucket: string;
    s3Region: string;
    s3AllowHttp: boolean;
    s3Endpoint: string;
    s3CustomDomain: string;
    staticOnS3: boolean;
  }
}

export interface StorageFacts {
  bucket: string;
  /** Empty: the client library's default (us-east-1 on AWS). */
  region: string;
  /** Empty: AWS S3. */
  endpoint: string;
  /** Plain http:// endpoint allowed (a MinIO on a private network). */
  allowHttp: boolean;
  /** Host name of a CDN or custom domain serving the public prefixes (empty: the bucket's own URL). */
  customDomain: string;
  /** collectstatic uploads to the bucket in the release step; nginx serves no static volume. */
  staticOnS3: boolean;
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    storage: StorageFacts;
  }
}

/**
 * Where browsers fetch the bucket's files: the custom domain (django-storages writes https:// URLs
 * for it) for public files, the endpoint for signed ones, path-style or virtual-hosted (the bucket
 * as a subdomain); AWS's global and regional names when no endpoint is given.
 */
function bucketOrigins(answers: Answers): string[] {
  const custom = answers.s3CustomDomain === '' ? [] : [`https://${answers.s3CustomDomain}`];
  if (answers.s3Endpoint !== '') {
    const endpoint = new URL(answers.s3Endpoint);
    return [...custom, endpoint.origin, `${endpoint.protocol}//${answers.s3Bucket}.${endpoint.host}`];
  }
  const regional = answers.s3Region === '' ? [] : [`https://${answers.s3Bucket}.s3.${answers.s3Region}.amazonaws.com`];
  return [...custom, `https://${answers.s3Bucket}.s3.amazonaws.com`, ...regional];
}

const onS3 = (answers: { mediaStorage?: MediaStorage }) => answers.mediaStorage === 's3';

export default defineFeature<StorageFacts>({
  name: 'storage',
  answers: [
    spec({
      name: 'mediaStorage',
      kind: 'choice',
      choices: MEDIA_STORAGES,
      message: 'Where uploaded media files live',
      description: 'local (a volume nginx serves) or s3 (an S3-compatible bucket through django-storages; keys go in .env)',
      default: () => 'local' as const,
      check: (value) => (MEDIA_STORAGES.includes(value) ? undefined : `must be one of ${MEDIA_STORAGES.join(', ')}`),
    }),
    spec({
      name: 's3Bucket',
      kind: 'string',
      message: 'Bucket for media files',
      description: 'Bucket of the media (and static) files (media storage s3)',
      default: (answers) => `${answers.name ?? 'my-site'}-media`,
      when: onS3,
      check: checkBucketName,
    }),
    spec({
      name: 's3Region',
      advanced: true,
      kind: 'string',
      message: 'Bucket region (empty: the provider default)',
      description: 'Region of the bucket, e.g. eu-west-1 (empty: the provider default)',
      default: () => '',
      when: onS3,
      check: (value) => (/^[a-z0-9-]{0,32}$/.test(value) ? undefined : 'must be empty or a region name such as eu-west-1 (a-z, 0-9, "-")'),
    }),
    spec({
      name: 's3AllowHttp',
      advanced: true,
      kind: 'boolean',
      message: 'Allow a plain http:// endpoint (a private network only)?',
      description: 'Allow an http:// S3 endpoint, e.g. a MinIO on the local network (default: https only)',
      default: () => false,
      when: onS3,
      check: () => undefined,
    }),
    spec({
      name: 's3Endpoint',
      kind: 'string',
      message: 'S3 endpoint URL (empty for AWS S3)',
      description: 'Endpoint of the S3-compatible store (empty: AWS S3)',
      default: () => '',
      when: onS3,
      check: (value, answers) => (value === '' ? undefined : checkEndpointUrl(value, answers.s3AllowHttp === true, 's3-allow-http')),
    }),
    spec({
      name: 's3CustomDomain',
      advanced: true,
      kind: 'string',
      message: 'CDN or custom domain for public files (empty: none)',
      description: 'Host name of a CDN/custom domain in front of the bucket, for public and static files (empty: none)',
      default: () => '',
      when: onS3,
      check: (value) => (value === '' ? undefined : checkCustomDomain(value)),
    }),
    spec({
      name: 'staticOnS3',
      advanced: true,
      kind: 'boolean',
      message: 'Static files on the bucket too (collectstatic in the release step)?',
      description: 'Serve static files from the bucket too (default: nginx serves them)',
      default: () => false,
      when: onS3,
      check: () => undefined,
    }),
  ],
  enabled: onS3 as (answers: { mediaStorage: MediaStorage }) => boolean,
  // The bucket's key, for the user to fill in (the settings read *_FILE).
  secrets: () => [
    { variables: ['S3_ACCESS_KEY_ID'], app: true },
    { variables: ['S3_SECRET_ACCESS_KEY'], app: true },
  ],
  slots: [
    'compose.app-environment',
    'compose.test.environment',
    'env',
    'readme',
    'readme.files',
    'settings.production',
    'urls',
    'urls.imports',
  ],
  switchedOnBy: { mediaStorage: 's3' },
  facts: (answers) => ({
    bucket: answers.s3Bucket,
    region: answers.s3Region,
    endpoint: answers.s3Endpoint,
    allowHttp: answers.s3AllowHttp,
    customDomain: answers.s3CustomDomain,
    staticOnS3: answers.staticOnS3,
  }),
  filesElsewhere: (answers) => (answers.staticOnS3 ? ['media', 'static'] : ['media']),
  fileOrigins: bucketOrigins,
  requirements: ['django-storages[s3]>=1.14,<2', 'boto3>=1.34,<2'],
  files: [{ templates: ['_pkg_/uploads.py', 's3/bucket-policy.json'] }],
  verify: storageOverride,
  probes: async () => [(await import('./probe.ts')).storageProbe],
});
