import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { answerSchema, AnswerError, answersFromFile, flagOf, resolveAnswers } from '../../generators/lib/answers.ts';

const base = { cpus: 2, memoryMb: 4096 };
const problemOf = (given: Record<string, unknown>): string => {
  try {
    resolveAnswers({ ...base, ...given }, FEATURES);
  } catch (error) {
    expect(error).toBeInstanceOf(AnswerError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(given)}`);
};

describe('answer defaults', () => {
  it('fills every answer with a valid default', () => {
    const answers = resolveAnswers(base, FEATURES);
    expect(Object.keys(answers).sort()).toEqual(
      answerSchema(FEATURES)
        .map((entry) => entry.name)
        .sort(),
    );
    expect(answers).toMatchObject({
      name: 'my-site',
      packageName: 'my_site',
      domain: 'example.com',
      email: 'admin@example.com',
      tlsMode: 'letsencrypt-staging',
    });
  });

  it('derives the package name and e-mail from earlier answers', () => {
    expect(resolveAnswers({ ...base, name: 'shop-front', domain: 'shop.io' }, FEATURES)).toMatchObject({
      packageName: 'shop_front',
      email: 'admin@shop.io',
    });
  });

  it('takes the hardware default from the machine running the generator', () => {
    const answers = resolveAnswers({}, FEATURES);
    expect(answers.cpus).toBeGreaterThan(0);
    expect(answers.memoryMb).toBeGreaterThan(512);
  });

  it('coerces flag strings into numbers, booleans and lists', () => {
    const answers = resolveAnswers({ ...base, cpus: '4', celery: 'false', extraDomains: 'www.example.com, api.example.com' }, FEATURES);
    expect(answers).toMatchObject({ cpus: 4, celery: false, extraDomains: ['www.example.com', 'api.example.com'] });
  });

  it('gives every answer a kebab-case flag', () => {
    expect(flagOf('packageName')).toBe('package-name');
    expect(new Set(answerSchema(FEATURES).map((entry) => flagOf(entry.name))).size).toBe(answerSchema(FEATURES).length);
  });
});

describe('answer validation: one line naming the answer and what is allowed', () => {
  it.each([
    [{ name: '1abc' }, /"name" \(--name\): "1abc" must start with a lowercase letter/],
    [{ name: 'My Site' }, /"name".*a-z, 0-9 and "-"/],
    [{ packageName: 'django' }, /"packageName" \(--package-name\): "django" must not shadow the Python module "django"/],
    [{ packageName: 'test' }, /must not shadow the Python module "test"/],
    [{ packageName: 'celery' }, /must not shadow the Python module "celery"/],
    [{ packageName: 'class' }, /must not be a Python keyword/],
    [{ packageName: '9lives' }, /must be a lowercase Python identifier/],
    [{ domain: 'exa mple.com' }, /"domain" \(--domain\): "exa mple.com" must be a DNS name/],
    [{ domain: '-bad.com' }, /must be a DNS name/],
    [{ domain: 'localhost' }, /must be a public DNS name for Let's Encrypt/],
    [{ domain: '10.0.0.1', tlsMode: 'letsencrypt' }, /not an IP address or localhost/],
    [{ extraDomains: ['ok.example.com', 'bad_name'] }, /"extraDomains".*"bad_name" must be a DNS name/],
    [{ extraDomains: ['example.com'] }, /must not repeat the primary domain/],
    [{ email: 'root@' }, /"email" \(--email\): "root@" must be an e-mail address/],
    [{ email: 'no-at-sign' }, /must be an e-mail address/],
    [{ email: '' }, /"email" \(--email\): "" must be an e-mail address/],
    [{ email: 'admin@localhost', tlsMode: 'letsencrypt' }, /must be a public e-mail address for the ACME account/],
    [{ tlsMode: 'maybe' }, /"tlsMode".*must be one of letsencrypt, letsencrypt-staging, acme, self-signed/],
    [{ tlsMode: 'acme' }, /"acmeDirectory".*must be an https:\/\/ URL/],
    [{ tlsMode: 'acme', acmeDirectory: 'http://ca.internal/dir' }, /must be an https:\/\/ URL/],
    [{ tlsMode: 'acme', acmeDirectory: 'https://ca.internal/dir', acmeCaBundle: 'ca.txt' }, /"acmeCaBundle".*\.pem or \.crt/],
    [{ server: 'cgi' }, /"server".*must be one of wsgi, asgi/],
    [{ cpus: 0 }, /"cpus" \(--cpus\): 0 must be a whole number of cores from 1 to 256/],
    [{ cpus: 1.5 }, /whole number of cores/],
    [{ cpus: 'many' }, /"cpus".*must be a number/],
    [{ memoryMb: -1 }, /"memoryMb" \(--memory-mb\): -1 must be a whole number of MiB from 1024/],
    [{ memoryMb: 512 }, /from 1024/],
    [{ celery: 'perhaps' }, /"celery".*must be true or false/],
    [{ backupSchedule: 'daily' }, /"backupSchedule".*must be a cron schedule: 5 fields/],
    [{ backupSchedule: '61 * * *' }, /must be a cron schedule: 5 fields/],
    [{ backupSchedule: '61 * * * *' }, /"backupSchedule".*minute "61": must be within 0-59/],
    [{ email: 'a"b@example.com' }, /"email".*must be an e-mail address/],
    [{ tlsMode: 'acme', acmeDirectory: 'https://ca.internal/d"ir' }, /"acmeDirectory".*without quotes/],
    [{ packageName: 'nginx' }, /"packageName".*top-level nginx of its own/],
    [{ timeZone: 'europe/paris' }, /"timeZone".*IANA time zone name/],
    [{ backupKeepDaily: 0 }, /"backupKeepDaily".*from 1 to 366/],
    [{ backupS3Bucket: 'Not_A_Bucket' }, /"backupS3Bucket".*S3 bucket name/],
    [{ backupS3Bucket: 'bucket', backupS3Endpoint: 'ftp://x' }, /"backupS3Endpoint".*must be an https:\/\/ URL/],
    [{ backupS3Bucket: 'bucket', backupS3Endpoint: 'http://minio:9000' }, /"backupS3Endpoint".*must be an https:\/\/ URL/],
    [{ hstsSeconds: 0 }, /"hstsSeconds".*from 1 to 63072000/],
    [{ hstsPreload: true }, /"hstsPreload".*needs --hsts-seconds 31536000/],
    [{ uploadLimitMb: 0 }, /"uploadLimitMb".*from 1 to 10240/],
    [{ timeZone: 'Mars/Olympus' }, /"timeZone".*IANA time zone/],
    [{ pythonVersion: '2.7' }, /"pythonVersion".*3.10 or later/],
    [{ postgresVersion: '9' }, /"postgresVersion".*from 14 on/],
    [{ redisVersion: 'latest' }, /"redisVersion".*from 6 on/],
    [{ nginxVersion: '1.18' }, /"nginxVersion".*1.27.3 or later/],
    [{ nginxVersion: '1.26' }, /"nginxVersion".*1.27.3 or later/],
    [{ nginxVersion: '1.27.2' }, /"nginxVersion".*1.27.3 or later/],
    [{ monitoring: 'yes please' }, /"monitoring".*must be true or false/],
    [{ monitoringRetention: '15' }, /"monitoringRetention" \(--monitoring-retention\): "15" must be a duration such as 15d/],
    [{ monitoringRetention: '1.5d' }, /must be a duration/],
    [{ monitoringRetention: '0d' }, /must be a duration/],
    [{ monitoringRetention: '15d; rm' }, /must be a duration/],
    [{ alertSmtpHost: 'smtp example.com' }, /"alertSmtpHost".*must be empty or a host name/],
    [{ alertSmtpHost: 'smtp.example.com:587' }, /"alertSmtpHost".*host name/],
    [{ alertSmtpHost: 'smtp.example.com', alertSmtpPort: 0 }, /"alertSmtpPort".*from 1 to 65535/],
    [{ alertSmtpHost: 'smtp.example.com', alertSmtpPort: 70000 }, /"alertSmtpPort".*from 1 to 65535/],
    [{ alertSmtpHost: 'smtp.example.com', alertSmtpUser: 'a user' }, /"alertSmtpUser".*without spaces, quotes/],
    [{ alertSmtpHost: 'smtp.example.com', alertSmtpUser: 'a"b' }, /"alertSmtpUser".*without spaces, quotes/],
  ])('%j is refused', (given, expected) => {
    const message = problemOf(given);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('accepts every nginx version whose upstream servers re-resolve by name (resolve: 1.27.3 on)', () => {
    for (const nginxVersion of ['1.27', '1.27.3', '1.28', '1.30', '1.30.6', '1.31'])
      expect(resolveAnswers({ ...base, nginxVersion }, FEATURES).nginxVersion).toBe(nginxVersion);
  });

  it('accepts localhost and IP addresses for a self-signed local trial', () => {
    expect(resolveAnswers({ ...base, tlsMode: 'self-signed', domain: 'localhost' }, FEATURES).domain).toBe('localhost');
  });

  it('admits legal hostile-looking values the software accepts', () => {
    expect(
      resolveAnswers({ ...base, email: "o'brien+ops@example.com", timeZone: 'Asia/Kolkata', backupSchedule: '@daily' }, FEATURES),
    ).toMatchObject({ email: "o'brien+ops@example.com", timeZone: 'Asia/Kolkata', backupSchedule: '@daily' });
    expect(
      resolveAnswers({ ...base, backupS3Bucket: 'bucket', backupS3AllowHttp: true, backupS3Endpoint: 'http://minio:9000' }, FEATURES)
        .backupS3Endpoint,
    ).toBe('http://minio:9000');
  });

  it('cuts a long value in the message after 80 characters', () => {
    const message = problemOf({ name: 'a'.repeat(10_000_000) });
    expect(message).toBe(
      `Invalid answer "name" (--name): "${'a'.repeat(80)}…" (10000000 characters) must start with a lowercase letter and use only a-z, 0-9 and "-" (at most 40 characters), e.g. my-site`,
    );
  });

  it('ignores the alert routing answers while monitoring is off', () => {
    expect(resolveAnswers({ ...base, monitoring: false, alertWebhook: true, alertSmtpHost: 'smtp example' }, FEATURES)).toMatchObject({
      alertWebhook: false,
      alertSmtpHost: '',
    });
  });

  it('ignores answers that do not apply (no ACME URL needed outside acme mode)', () => {
    expect(resolveAnswers({ ...base, tlsMode: 'letsencrypt', acmeDirectory: 'not a url' }, FEATURES).acmeDirectory).toBe('');
  });
});

describe('answers file', () => {
  it('refuses unknown keys, naming the key and what is allowed', () => {
    expect(() => answersFromFile('a.json', { nmae: 'x' }, FEATURES)).toThrow(
      /Answers file a.json: unknown answer "nmae"; allowed: name, packageName/,
    );
  });
  it('refuses anything but an object', () => {
    expect(() => answersFromFile('a.json', ['name'], FEATURES)).toThrow(/must hold a JSON object/);
  });
});
