import { describe, expect, it } from 'vitest';
import { checkBucketName, checkBucketPath, checkCustomDomain, checkEndpointUrl } from '../../generators/lib/object-storage.ts';

describe('bucket names', () => {
  it.each(['my-site-media', 'abc', 'a.b.c', 'x'.repeat(63), 'shop-2026.backups'])('accepts %s', (name) => {
    expect(checkBucketName(name)).toBeUndefined();
  });

  it.each([
    ['ab', /3 to 63/],
    ['x'.repeat(64), /3 to 63/],
    ['My-Bucket', /lowercase/],
    ['my_bucket', /lowercase/],
    ['-media', /starting and ending/],
    ['media-', /starting and ending/],
    ['a..b', /adjacent dots/],
    ['192.168.5.4', /IP address/],
    ['xn--media', /"xn--"/],
    ['sthree-media', /"sthree-"/],
    ['media-s3alias', /"-s3alias"/],
    ['media--ol-s3', /"--ol-s3"/],
    ['media.mrap', /"\.mrap"/],
  ])('refuses %s', (name, reason) => {
    expect(checkBucketName(name)).toMatch(reason);
  });

  it('takes an optional key prefix after the bucket', () => {
    expect(checkBucketPath('backups/site-a/db')).toBeUndefined();
    expect(checkBucketPath('backups/')).toBeUndefined();
    expect(checkBucketPath('Backups/db')).toMatch(/lowercase/);
    expect(checkBucketPath('backups/a b')).toMatch(/key\/prefix/);
    expect(checkBucketPath('backups//x')).toMatch(/key\/prefix/);
  });
});

describe('endpoint URLs', () => {
  it.each(['https://s3.eu-west-1.amazonaws.com', 'https://abc.r2.cloudflarestorage.com', 'https://minio.internal:9000/'])(
    'accepts %s',
    (url) => {
      expect(checkEndpointUrl(url, false, 's3-allow-http')).toBeUndefined();
    },
  );

  it('refuses plain http unless it was allowed explicitly', () => {
    expect(checkEndpointUrl('http://minio:9000', false, 's3-allow-http')).toMatch(/https:\/\/ URL.*--s3-allow-http true/);
    expect(checkEndpointUrl('http://minio:9000', true, 's3-allow-http')).toBeUndefined();
  });

  it.each([
    ['s3.amazonaws.com', /http:\/\/ or https:\/\/ URL/],
    ['ftp://s3.example.com', /http:\/\/ or https:\/\/ URL/],
    ['https://key:secret@s3.example.com', /password/],
    ['https://s3.example.com/bucket', /scheme, host/],
    ['https://s3.example.com/?x=1', /scheme, host/],
  ])('refuses %s', (url, reason) => {
    expect(checkEndpointUrl(url, true, 's3-allow-http')).toMatch(reason);
  });
});

describe('custom domains', () => {
  it('accepts a host name and refuses a URL', () => {
    expect(checkCustomDomain('media.example.com')).toBeUndefined();
    expect(checkCustomDomain('https://media.example.com')).toMatch(/host name/);
    expect(checkCustomDomain('media')).toMatch(/host name/);
  });
});
