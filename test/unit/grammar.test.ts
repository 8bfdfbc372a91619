import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { PACKAGE_PLACEHOLDER, everyGeneratedPath } from '../../generators/lib/files.ts';
import {
  checkCronSchedule,
  checkEmail,
  checkPackageName,
  checkTimeZone,
  checkUrl,
  generatedTopLevelNames,
  maxCronIntervalSeconds,
  normalizeCronSchedule,
  parseCronSchedule,
  renderedTimeZone,
} from '../../generators/lib/grammar.ts';

describe('e-mail addresses', () => {
  it.each([
    "o'brien@example.com",
    'a+tag@example.com',
    '$x@example.com',
    '${HOME}@example.com',
    'a`b@example.com',
    'first.last@sub.example.co.uk',
    "!#$%&'*+/=?^_`{|}~-@example.com",
    'admin@localhost',
    'UPPER@Example.COM',
  ])('admits %s (RFC 5322 dot-atom @ DNS name)', (value) => {
    expect(checkEmail(value)).toBeUndefined();
  });

  it.each([
    'a"b@example.com',
    '"quoted"@example.com',
    'a b@example.com',
    'a..b@example.com',
    '.a@example.com',
    'a.@example.com',
    '@example.com',
    'root@',
    'a@-x.com',
    'a@x_y.com',
    'a@exa mple.com',
    'a@[10.0.0.1]',
    'a\n@example.com',
    'a@example.com\n',
    'é@example.com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(64)}.com`,
    'a@b@example.com',
  ])('refuses %j', (value) => {
    expect(checkEmail(value)).toMatch(/^must be an e-mail address/);
  });
});

describe('URLs', () => {
  it.each([
    'https://ca.internal/acme/directory',
    'https://ca.internal:8443/d?x=$y&z=1#top',
    'https://10.0.0.5/dir',
    'https://[::1]:14000/dir',
  ])('admits %s', (value) => {
    expect(checkUrl(value)).toBeUndefined();
  });

  it('admits http:// only when allowed', () => {
    expect(checkUrl('http://minio:9000')).toBe('must be an https:// URL');
    expect(checkUrl('http://minio:9000', { allowHttp: true })).toBeUndefined();
  });

  it.each([
    ['https://ca.internal/d"ir$x`id`', /without quotes, backticks/],
    ['http://x"; id; echo "', /printable ASCII without spaces/],
    ['https://ca.internal/d\nir', /printable ASCII/],
    ['https://ca.internal/d\tir', /printable ASCII/],
    [' https://ca.internal/', /printable ASCII/],
    ["https://ca.internal/it's", /without quotes/],
    ['https://ca.internal/{x}', /without quotes/],
    ['https://bücher.example/', /punycode/],
    ['ftp://ca.internal/', /^must be an https:\/\/ URL$/],
    ['ca.internal/dir', /^must be an https:\/\/ URL, e.g./],
    ['https://user:secret@ca.internal/', /without a user name or password/],
    ['', /printable ASCII/],
  ])('refuses %j', (value, problem) => {
    expect(checkUrl(value, { allowHttp: true })?.replace('an http:// or https://', 'an https://')).toMatch(problem);
  });
});

describe('cron schedules as Debian cron reads /etc/cron.d', () => {
  it.each([
    '15 3 * * *',
    '*/15 * * * *',
    '0 0-23/2 * * *',
    '0,30 9-17 * * 1-5',
    '0 3 * * 7',
    '0 3 * * sun',
    '0 3 * * MON',
    '0 3 1 jan *',
    '0 3 1,15 * 5',
    '05 03 * * *',
    '15  3 * * *',
    ' 15 3 * * * ',
    '@daily',
    '@hourly',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@midnight',
  ])('admits %j', (value) => {
    expect(checkCronSchedule(value)).toBeUndefined();
  });

  it.each([
    ['61 * * * *', /minute "61": must be within 0-59/],
    ['0 25 * * *', /hour "25": must be within 0-23/],
    ['0 3 * * 9', /day of week "9": must be within 0-7/],
    ['*/0 * * * *', /minute "\*\/0": a step must be 1 or more/],
    ['0 3 0 * *', /day of month "0": must be within 1-31/],
    ['0 3 * 13 *', /month "13": must be within 1-12/],
    ['5-1 * * * *', /a range must ascend/],
    ['5/10 * * * *', /a step needs \* or a range/],
    ['0 3 * * mon-fri', /one day of week name alone/],
    ['0 3 * * 1 2', /^must be a cron schedule/],
    ['0 3 * *', /^must be a cron schedule/],
    ['0\t3 * * *', /^must be a cron schedule/],
    ['15 3 * * *\n* * * * * root id', /^must be a cron schedule/],
    ['@reboot', /^must be a cron schedule/],
    ['@DAILY', /^must be a cron schedule/],
    ['0 0 31 2 *', /never runs/],
    ['0 0 30 2 *', /never runs/],
    ['% * * * *', /minute "%"/],
  ])('refuses %j', (value, problem) => {
    expect(checkCronSchedule(value)).toMatch(problem);
  });

  it('renders fields single-spaced', () => {
    expect(normalizeCronSchedule('  15   3 * * * ')).toBe('15 3 * * *');
  });
});

/** Independent oracle: steps minute by minute through two UTC years and measures the longest gap between matches. */
function bruteForceMaxGapSeconds(schedule: string): number {
  const parsed = parseCronSchedule(schedule).schedule!;
  const start = Date.UTC(2023, 0, 1);
  const end = Date.UTC(2025, 0, 1);
  let previous: number | undefined;
  let longest = 0;
  for (let time = start; time < end; time += 60_000) {
    const date = new Date(time);
    if (
      !parsed.minutes.includes(date.getUTCMinutes()) ||
      !parsed.hours.includes(date.getUTCHours()) ||
      !parsed.months.includes(date.getUTCMonth() + 1)
    )
      continue;
    const dom = parsed.daysOfMonth.includes(date.getUTCDate());
    const dow = parsed.daysOfWeek.includes(date.getUTCDay());
    if (!(parsed.dayFieldsAnd ? dom && dow : dom || dow)) continue;
    if (previous !== undefined) longest = Math.max(longest, (time - previous) / 1000);
    previous = time;
  }
  return longest;
}

describe('longest interval between two runs', () => {
  const day = 86400;
  it.each([
    ['15 3 * * *', day],
    ['*/15 * * * *', 900],
    ['0 */6 * * *', 6 * 3600],
    ['0 1,23 * * *', 22 * 3600],
    ['0 3 * * 1-5', 3 * day],
    ['0 3 * * 0', 7 * day],
    ['0 0 1 * *', 31 * day],
    ['0 0 1 1 *', 366 * day],
    ['@hourly', 3600],
  ])('%j: %i s', (schedule, seconds) => {
    expect(maxCronIntervalSeconds(parseCronSchedule(schedule).schedule!)).toBe(seconds);
  });

  it('spans the 400-year calendar cycle: Feb 29 runs are 8 years apart around 2100', () => {
    expect(maxCronIntervalSeconds(parseCronSchedule('0 0 29 2 *').schedule!)).toBe((Date.UTC(2104, 1, 29) - Date.UTC(2096, 1, 29)) / 1000);
  });

  it.each(['30 4 1,15 * 5', '0 3 */2 * *', '0 12 * * 1,3', '0 6 13 * 5', '0 6 1-7 * 1', '45 */7 * * *', '0 0 31 * *', '*/20 8-17 * jun *'])(
    '%j agrees with a minute-by-minute simulation',
    (schedule) => {
      expect(maxCronIntervalSeconds(parseCronSchedule(schedule).schedule!)).toBe(bruteForceMaxGapSeconds(schedule));
    },
  );
});

describe('package names', () => {
  const generatedTopLevel = generatedTopLevelNames(everyGeneratedPath(FEATURES), PACKAGE_PLACEHOLDER);
  const check = (value: string) => checkPackageName(value, { shadowedModules: new Set(['django']), generatedTopLevel });

  it('derives the generated top-level folders and modules from the file table, features included', () => {
    expect([...generatedTopLevel].sort()).toEqual(expect.arrayContaining(['backup', 'certbot', 'gunicorn', 'manage', 'nginx']));
    expect(generatedTopLevel.has(PACKAGE_PLACEHOLDER)).toBe(false);
    expect(generatedTopLevel.has('Dockerfile')).toBe(false);
  });

  it.each(['my_site', 'shop', '_private', 'site2'])('admits %s', (value) => {
    expect(check(value)).toBeUndefined();
  });

  it.each([
    ['nginx', /top-level nginx of its own/],
    ['backup', /top-level backup/],
    ['certbot', /top-level certbot/],
    ['manage', /top-level manage/],
    ['__init__', /dunder/],
    ['__main__', /dunder/],
    ['class', /keyword/],
    ['match', /keyword/],
    ['_', /keyword/],
    ['django', /shadow the Python module "django"/],
    ['My_site', /lowercase Python identifier/],
    ['1abc', /identifier/],
    ['my-site', /identifier/],
    ['a'.repeat(64), /at most 63/],
  ])('refuses %s', (value, problem) => {
    expect(check(value)).toMatch(problem);
  });
});

describe('time zones', () => {
  it.each([
    'Asia/Kolkata',
    'Europe/Kyiv',
    'Etc/UTC',
    'Asia/Calcutta',
    'Europe/Kiev',
    'UTC',
    'Europe/Paris',
    'America/Argentina/Buenos_Aires',
    'Etc/GMT+5',
    'US/Pacific',
  ])('admits %s', (value) => {
    expect(checkTimeZone(value)).toBeUndefined();
  });

  it.each([
    'europe/paris',
    'Foo/Bar',
    '+05:00',
    'GMT+5',
    'Factory',
    'localtime',
    'posixrules',
    '',
    'Europe/Paris\n',
    'toString',
    '__proto__',
  ])('refuses %j', (value) => {
    expect(checkTimeZone(value)).toMatch(/^must be an IANA time zone name/);
  });

  it("renders an alias Debian 13's tzdata dropped (tzdata-legacy) as the zone it links to, the rest as given", () => {
    expect(renderedTimeZone('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(renderedTimeZone('Europe/Kiev')).toBe('Europe/Kyiv');
    expect(renderedTimeZone('US/Pacific')).toBe('America/Los_Angeles');
    expect(renderedTimeZone('UTC')).toBe('UTC');
    expect(renderedTimeZone('Etc/UTC')).toBe('Etc/UTC');
    expect(renderedTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });
});
