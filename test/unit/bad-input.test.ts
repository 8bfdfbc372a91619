import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../generators/lib/target-state.ts';
import { generateProject } from '../helpers/generate.ts';

/** Runs the generator in a fresh directory that may hold seed files; returns the error and what is left there. */
async function runExpectingRefusal(flags: Record<string, unknown>, seed: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
  for (const [file, content] of Object.entries(seed)) writeFileSync(path.join(dir, file), content);
  const error = await generateProject(flags, { cwd: dir }).then(
    () => undefined,
    (caught: Error) => caught,
  );
  return { error, left: readdirSync(dir).sort() };
}

describe('bad input stops with one line and writes nothing', () => {
  it.each([
    ['a name that is no identifier', { name: '1abc' }, /Invalid answer "name"/],
    ['a package shadowing django', { packageName: 'django' }, /shadow the Python module "django"/],
    ['a bad domain', { domain: 'exa mple.com' }, /Invalid answer "domain"/],
    ['a bad e-mail', { email: 'root@' }, /Invalid answer "email"/],
    ['zero cores', { cpus: 0 }, /Invalid answer "cpus"/],
    ['negative memory', { memoryMb: -1 }, /Invalid answer "memoryMb"/],
    ['a media bucket S3 refuses', { mediaStorage: 's3', s3Bucket: 'My_Media' }, /Invalid answer "s3Bucket".*S3 bucket name/],
    ['a media bucket shaped like an IP address', { mediaStorage: 's3', s3Bucket: '10.0.0.1' }, /Invalid answer "s3Bucket".*IP address/],
    [
      'a plain http media endpoint without the explicit answer',
      { mediaStorage: 's3', s3Endpoint: 'http://minio:9000' },
      /Invalid answer "s3Endpoint".*--s3-allow-http true/,
    ],
    [
      'a media endpoint with the bucket in its path',
      { mediaStorage: 's3', s3Endpoint: 'https://s3.example.com/media' },
      /Invalid answer "s3Endpoint".*the bucket is a separate answer/,
    ],
    ['a backup bucket S3 refuses', { backupS3Bucket: 'xn--backups' }, /Invalid answer "backupS3Bucket".*reserved by S3/],
    [
      'a plain http backup endpoint without the explicit answer',
      { backupS3Bucket: 'b-backups', backupS3Endpoint: 'http://minio:9000' },
      /Invalid answer "backupS3Endpoint".*--backup-s3-allow-http true/,
    ],
    [
      'monitoring asked for on a server too small for it beside the app',
      { cpus: 1, memoryMb: 1024, monitoring: true },
      /Invalid answer "memoryMb".*need at least 1330 MiB.*or leave out monitoring \(--monitoring false\)/,
    ],
  ])('%s', async (_label, flags, expected) => {
    const { error, left } = await runExpectingRefusal(flags);
    expect(error?.message).toMatch(expected);
    expect(error?.message).not.toContain('\n');
    expect(left).toEqual([]);
  });

  it('a non-empty target without --force', async () => {
    const { error, left } = await runExpectingRefusal({}, { 'notes.txt': 'mine' });
    expect(error?.message).toMatch(/is not empty \(1 entries\): choose an empty directory or pass --force/);
    expect(left).toEqual(['notes.txt']);
  });

  it('a malformed answers file', async () => {
    const { error, left } = await runExpectingRefusal({ answers: 'answers.json' }, { 'answers.json': '{"name": ' });
    expect(error?.message).toMatch(/^Answers file answers.json: not valid JSON/);
    expect(left).toEqual(['answers.json']);
  });

  it('an answers file with an unknown key', async () => {
    const { error } = await runExpectingRefusal({ answers: 'answers.json', force: true }, { 'answers.json': '{"colour": "blue"}' });
    expect(error?.message).toMatch(/unknown answer "colour"; allowed: name, packageName/);
  });

  it('an answers file with a bad value', async () => {
    const { error, left } = await runExpectingRefusal(
      { answers: 'answers.json', force: true },
      { 'answers.json': '{"domain": "exa mple.com"}' },
    );
    expect(error?.message).toMatch(/Invalid answer "domain"/);
    expect(left).toEqual(['answers.json']);
  });

  it('--force lets a non-empty target through', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await generateProject({ force: true, tlsMode: 'self-signed', domain: 'app.test' }, { cwd: dir });
    expect(readdirSync(dir)).toContain('compose.yaml');
  });
});

describe('the custom ACME CA bundle', () => {
  it('must be a readable PEM file', async () => {
    const { error, left } = await runExpectingRefusal({
      tlsMode: 'acme',
      acmeDirectory: 'https://ca.internal/dir',
      acmeCaBundle: '/nonexistent/ca.pem',
    });
    expect(error?.message).toMatch(
      /Invalid answer "acmeCaBundle" \(--acme-ca-bundle\): "\/nonexistent\/ca.pem" must name a readable PEM file/,
    );
    expect(left).toEqual([]);
  });
});

describe('files named by answers, and the target state', () => {
  it.each([
    [
      'an answers file that is a directory',
      'answers.json',
      { answers: 'answers.json' },
      /^Answers file answers.json: is a directory, not a file$/,
    ],
    [
      'a CA bundle that is a directory',
      'ca.pem',
      { tlsMode: 'acme', acmeDirectory: 'https://ca.internal/dir', acmeCaBundle: 'ca.pem' },
      /^Invalid answer "acmeCaBundle" \(--acme-ca-bundle\): .*ca\.pem: is a directory, not a file$/,
    ],
  ])('%s', async (_label, directory, flags: Record<string, unknown>, expected) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    mkdirSync(path.join(dir, directory));
    const error = await generateProject({ force: true, ...flags }, { cwd: dir }).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).toMatch(expected);
    expect(readdirSync(dir)).toEqual([directory]);
  });

  it('a too large answers file, without echoing it', async () => {
    const { error, left } = await runExpectingRefusal(
      { answers: 'answers.json' },
      { 'answers.json': `{"name": "${'a'.repeat(2_000_000)}"}` },
    );
    expect(error?.message).toBe('Answers file answers.json: is 2000012 bytes; at most 1048576 are read');
    expect(left).toEqual(['answers.json']);
  });

  it('a target another live run holds', async () => {
    const lock = JSON.stringify({ pid: process.ppid, host: os.hostname(), since: '2026-11-29T12:00:00.000Z' });
    const { error, left } = await runExpectingRefusal({}, { [LOCK_FILE]: lock });
    expect(error?.message).toMatch(
      /^Another django-prod run \(pid \d+ on .*\) is writing .*: wait for it to finish; if none runs, delete .*\.django-prod\.lock and try again$/,
    );
    expect(left).toEqual([LOCK_FILE]);
  });

  it('an empty .yo-rc.json next to generated files, with the repair', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    mkdirSync(path.join(dir, '.django-prod'));
    writeFileSync(path.join(dir, '.django-prod', 'pristine.json'), '{"format": 1, "files": {}}\n');
    writeFileSync(path.join(dir, '.yo-rc.json'), '');
    const refusal = await generateProject({}, { cwd: dir }).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(refusal?.message).toMatch(
      /\.yo-rc\.json is empty \(an interrupted run\?\): restore it with `git -C .* checkout -- \.yo-rc\.json` and run again/,
    );
  });

  it('an empty .yo-rc.json alone (an interrupted first run) is removed and the project generated', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    writeFileSync(path.join(dir, '.yo-rc.json'), '');
    await generateProject({ tlsMode: 'self-signed', domain: 'app.test' }, { cwd: dir });
    expect(JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))).toHaveProperty(
      ['generator-django-prod', 'answers', 'domain'],
      'app.test',
    );
    expect(readdirSync(dir)).not.toContain(LOCK_FILE);
  });
});

describe('the command line', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/django-prod.ts', import.meta.url)), ...args], {
      cwd: mkdtempSync(path.join(os.tmpdir(), 'bad-input-')),
      encoding: 'utf8',
    });

  it('prints a refusal as its one line (no Yeoman banner) and exits 2', () => {
    const result = cli(['--yes', '--email', 'a"b@example.com']);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Error: Invalid answer "email" \(--email\): "a\\"b@example.com" must be an e-mail address/),
    ]);
    expect(result.status).toBe(2);
  });

  it('refuses an unknown flag in one line with exit code 2', () => {
    const result = cli(['--yes', '--colour', 'blue']);
    expect(result.stderr.trim()).toBe("Error: unknown option '--colour'; see --help");
    expect(result.status).toBe(2);
  });
});
