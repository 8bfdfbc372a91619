// Validation of S3-compatible storage answers: what S3 itself would refuse is refused here,
// before anything is written, with one line saying what is allowed.

import { checkUrl } from './grammar.ts';

// AWS's bucket naming rules (general purpose buckets), which the other S3 implementations follow.
const BUCKET_SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
const IPV4_SHAPE = /^\d{1,3}(\.\d{1,3}){3}$/;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why S3 would refuse this bucket name, or undefined when it is valid. */
export function checkBucketName(name: string): string | undefined {
  if (!BUCKET_SHAPE.test(name)) {
    return 'must be an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'must not contain two adjacent dots (S3 refuses such bucket names)';
  if (IPV4_SHAPE.test(name)) return 'must not look like an IP address (S3 refuses such bucket names)';
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return `must not start with "${prefix}" (reserved by S3)`;
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return `must not end with "${suffix}" (reserved by S3)`;
  return undefined;
}

/** A bucket name optionally followed by /a/key/prefix (letters, digits, "_", ".", "-", "/"). */
export function checkBucketPath(value: string): string | undefined {
  const [bucket = '', ...prefix] = value.split('/');
  const bucketProblem = checkBucketName(bucket);
  if (bucketProblem) return bucketProblem;
  const rest = prefix.join('/');
  if (rest !== '' && !/^[\w.-]+(\/[\w.-]+)*\/?$/.test(rest)) {
    return 'may continue after the bucket name only with /a/key/prefix of letters, digits, "_", "." and "-"';
  }
  return undefined;
}

/**
 * An endpoint URL of an S3-compatible API (grammar.ts's URL rules): https only unless plain http
 * was allowed explicitly (a MinIO on the same private network), and nothing after the host and
 * port: the bucket is its own answer.
 */
export function checkEndpointUrl(value: string, allowHttp: boolean, allowHttpAnswer: string): string | undefined {
  const problem = checkUrl(value, { allowHttp });
  if (problem && !allowHttp && value.startsWith('http://')) {
    return `must be an https:// URL: keys and data would cross the network in clear (plain http only with --${allowHttpAnswer} true, e.g. for a MinIO on a private network)`;
  }
  if (problem) return problem;
  const url = new URL(value);
  if (url.pathname !== '/' || url.search || url.hash)
    return 'must be only scheme, host and optional port, e.g. https://s3.eu-west-1.amazonaws.com (the bucket is a separate answer)';
  return undefined;
}

/** A CDN or custom domain in front of the bucket: a host name, no scheme or path. */
export function checkCustomDomain(value: string): string | undefined {
  const labels = value.split('.');
  return value.length <= 253 && labels.length >= 2 && labels.every((label) => HOST_LABEL.test(label))
    ? undefined
    : 'must be a host name such as media.example.com (no https://, no path)';
}
