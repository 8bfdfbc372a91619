// Grammars of free-text answers: each admits what the software that reads the value accepts
// (Django, certbot, Compose, Debian's cron and tzdata, Python's import system), so a value that
// passes cannot break the generated repository. Every check returns the text saying what is
// allowed, or undefined when the value is fine; escape.ts renders admitted values per language.
import { TIME_ZONE_RENDERED_AS } from './time-zones.ts';

// ---------------------------------------------------------------- e-mail (RFC 5322 / 5321)

// RFC 5322 atext: the characters of a dot-atom. Quoted local parts ("a b"@x) and address
// literals (a@[10.0.0.1]) are legal too but refused: Let's Encrypt and most mail relays reject them.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM = new RegExp(`^${ATEXT}+(\\.${ATEXT}+)*$`);
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS name (any case): dot-separated labels of letters, digits and inner hyphens. */
export function isDnsName(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every((label) => DNS_LABEL.test(label));
}

/** An addr-spec whose local part is a dot-atom (RFC 5322 3.4.1) and whose domain is a DNS name; RFC 5321 lengths. */
export function checkEmail(value: string): string | undefined {
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const wellFormed = at > 0 && DOT_ATOM.test(local) && local.length <= 64 && isDnsName(domain) && value.length <= 254;
  return wellFormed
    ? undefined
    : "must be an e-mail address such as admin@example.com: before the @ letters, digits and !#$%&'*+/=?^_`{|}~- with single dots between (no quotes or spaces), after it a DNS name";
}

// ---------------------------------------------------------------- URLs (WHATWG)

// WHATWG parsing silently drops tabs and newlines and trims spaces, so the raw text is checked
// first: what is admitted is exactly what every consumer (certbot, rclone, shell, YAML) sees.
// Quotes, backticks, \ and the characters WHATWG percent-encodes or rejects are refused outright.
const URL_FORBIDDEN = /["'`<>\\^{|}]/;

/** An absolute https:// URL (http:// too when allowHttp), printable ASCII, no credentials. */
export function checkUrl(value: string, { allowHttp = false }: { allowHttp?: boolean } = {}): string | undefined {
  const schemes = allowHttp ? 'an http:// or https:// URL' : 'an https:// URL';
  if (!/^[\x21-\x7e]+$/.test(value)) return `must be ${schemes} of printable ASCII without spaces (international names in punycode)`;
  if (URL_FORBIDDEN.test(value)) return `must be ${schemes} without quotes, backticks or any of < > \\ ^ { | }`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be ${schemes}, e.g. https://ca.internal/acme/directory`;
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return `must be ${schemes}`;
  if (url.hostname === '') return `must be ${schemes} with a host name`;
  if (url.username !== '' || url.password !== '') return `must be ${schemes} without a user name or password (keys belong in .env)`;
  return undefined;
}

// ---------------------------------------------------------------- cron (Debian's cron, /etc/cron.d)

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Three-letter names cron accepts (case-insensitive), index = value - min (weekday: sun = 0). */
  names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  // 7 is Sunday as well as 0.
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

// Debian's cron (3.0pl1, entry.c) knows these instead of the five fields; @reboot is left out:
// it never repeats, so a backup would run once per container start and never again.
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The times a schedule matches, as cron evaluates them. */
export interface CronSchedule {
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0-6, Sunday = 0 (a 7 in the schedule is folded into 0). */
  daysOfWeek: number[];
  /**
   * cron's rule for the two day fields: when either one starts with "*" a day must match both,
   * otherwise either (crontab(5): "30 4 1,15 * 5" runs on the 1st, the 15th and every Friday).
   */
  dayFieldsAnd: boolean;
}

export type CronParse = { schedule: CronSchedule; problem?: undefined } | { schedule?: undefined; problem: string };

const CRON_ALLOWED =
  'must be a cron schedule: 5 fields (minute 0-59, hour 0-23, day 1-31, month 1-12 or jan-dec, ' +
  'weekday 0-7 or sun-sat) of *, numbers, ascending ranges a-b, steps */n or a-b/n (n >= 1) and comma lists, e.g. "15 3 * * *", ' +
  `or one of ${Object.keys(CRON_MACROS).join(' ')}`;

function parseCronField(text: string, field: CronField): number[] | string {
  const fail = (why: string) => `${field.name} "${text}": ${why}`;
  // crontab(5): a name stands alone ("Ranges or lists of names are not allowed").
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return [field.min + named];
  const values = new Set<number>();
  for (const element of text.split(',')) {
    const match = /^(?:(\*)|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(element);
    if (!match) return fail(field.names ? `use numbers, ranges, steps, or one ${field.name} name alone` : 'use numbers, ranges and steps');
    const [, star, from, to, step] = match;
    // cron only takes a step after * or a range ("5/10" is refused by cron's parser).
    if (step !== undefined && star === undefined && to === undefined)
      return fail('a step needs * or a range before it, e.g. */10 or 0-30/10');
    const low = star ? field.min : Number(from);
    const high = star ? field.max : to !== undefined ? Number(to) : low;
    const every = step !== undefined ? Number(step) : 1;
    if (low < field.min || high > field.max) return fail(`must be within ${field.min}-${field.max}`);
    if (low > high) return fail('a range must ascend');
    if (every < 1) return fail('a step must be 1 or more');
    for (let value = low; value <= high; value += every) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Parses a schedule as Debian's cron reads a /etc/cron.d line's first five fields (or a macro). */
export function parseCronSchedule(text: string): CronParse {
  const trimmed = text.trim();
  if (!/^[\x20-\x7e]*$/.test(text)) return { problem: CRON_ALLOWED };
  // cron compares the macro names case-sensitively.
  const expanded = CRON_MACROS[trimmed] ?? trimmed;
  const fields = expanded.split(/ +/);
  if (fields.length !== 5) return { problem: CRON_ALLOWED };
  const parsed: number[][] = [];
  for (const [index, field] of CRON_FIELDS.entries()) {
    const values = parseCronField(fields[index]!, field);
    if (typeof values === 'string') return { problem: `${CRON_ALLOWED}; ${values}` };
    parsed.push(values);
  }
  const [minutes, hours, daysOfMonth, months, weekdays] = parsed as [number[], number[], number[], number[], number[]];
  const daysOfWeek = [...new Set(weekdays.map((day) => day % 7))].sort((a, b) => a - b);
  const dayFieldsAnd = fields[2]!.startsWith('*') || fields[4]!.startsWith('*');
  const schedule = { minutes, hours, daysOfMonth, months, daysOfWeek, dayFieldsAnd };
  if (maxCronIntervalSeconds(schedule) === undefined) return { problem: `${CRON_ALLOWED}; "${trimmed}" matches no date, so it never runs` };
  return { schedule };
}

export function checkCronSchedule(text: string): string | undefined {
  return parseCronSchedule(text).problem;
}

/** The schedule in the one spelling rendered into crontab files: fields single-spaced. */
export function normalizeCronSchedule(text: string): string {
  return text.trim().split(/ +/).join(' ');
}

// The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks), so one
// cycle holds every gap a schedule can have, Feb 29 and weekday alignments included.
const CYCLE_DAYS = 146097;
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The longest time between two consecutive runs, in seconds, in local wall-clock time (a DST
 * change shifts it by up to an hour: callers add a grace period). Undefined when the schedule
 * matches no date at all (e.g. "0 0 31 2 *"), i.e. never runs.
 */
export function maxCronIntervalSeconds(schedule: CronSchedule): number | undefined {
  const timesOfDay = schedule.hours.flatMap((hour) => schedule.minutes.map((minute) => hour * 60 + minute)).sort((a, b) => a - b);
  const months = new Set(schedule.months);
  const daysOfMonth = new Set(schedule.daysOfMonth);
  const daysOfWeek = new Set(schedule.daysOfWeek);
  let firstDay: number | undefined;
  let previousDay: number | undefined;
  let longestDayGap = 0;
  // Day 0 is 2000-01-01, a Saturday.
  let day = 0;
  for (let year = 2000; year < 2400; year++) {
    for (let month = 1; month <= 12; month++) {
      const length = month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!;
      for (let date = 1; date <= length; date++, day++) {
        if (!months.has(month)) continue;
        const domMatch = daysOfMonth.has(date);
        const dowMatch = daysOfWeek.has((day + 6) % 7);
        if (!(schedule.dayFieldsAnd ? domMatch && dowMatch : domMatch || dowMatch)) continue;
        if (previousDay !== undefined) longestDayGap = Math.max(longestDayGap, day - previousDay);
        firstDay ??= day;
        previousDay = day;
      }
    }
  }
  if (firstDay === undefined || previousDay === undefined || timesOfDay.length === 0) return undefined;
  longestDayGap = Math.max(longestDayGap, firstDay + CYCLE_DAYS - previousDay);
  const first = timesOfDay[0]!;
  const last = timesOfDay.at(-1)!;
  let longestWithinDay = 0;
  for (let index = 1; index < timesOfDay.length; index++)
    longestWithinDay = Math.max(longestWithinDay, timesOfDay[index]! - timesOfDay[index - 1]!);
  // Across days: from the day's last run to the next matching day's first run.
  const acrossDays = longestDayGap * 1440 - last + first;
  return Math.max(longestWithinDay, acrossDays) * 60;
}

// ---------------------------------------------------------------- Python package names

// Hard keywords plus the soft ones (match, case, type, _) a package name would only confuse.
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'match',
  'case',
  'type',
  '_',
]);

/**
 * Names a package would collide with at the repository's top level: every folder the generator
 * writes (nginx, backup, certbot, ...) and every top-level Python module (manage, gunicorn);
 * `paths` are the generated files' paths, the package folder's own placeholder excluded.
 */
export function generatedTopLevelNames(paths: Iterable<string>, packagePlaceholder: string): Set<string> {
  const names = new Set<string>();
  for (const file of paths) {
    const [top, ...rest] = file.split('/');
    if (top === undefined || top === packagePlaceholder) continue;
    if (rest.length > 0) names.add(top);
    else if (top.endsWith('.py')) names.add(top.slice(0, -'.py'.length).split('.')[0]!);
  }
  return names;
}

/** A lowercase Python identifier: no keyword, no dunder, no module the stack imports, no generated top-level name. */
export function checkPackageName(
  value: string,
  { shadowedModules, generatedTopLevel }: { shadowedModules: ReadonlySet<string>; generatedTopLevel: ReadonlySet<string> },
): string | undefined {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value))
    return 'must be a lowercase Python identifier (a-z, 0-9, _; not starting with a digit; at most 63 characters), e.g. my_site';
  if (PYTHON_KEYWORDS.has(value)) return `must not be a Python keyword ("${value}")`;
  if (value.startsWith('__') && value.endsWith('__')) return `must not be a dunder name ("${value}"), e.g. my_site`;
  if (shadowedModules.has(value)) return `must not shadow the Python module "${value}" that the stack imports; pick e.g. ${value}_site`;
  if (generatedTopLevel.has(value)) {
    return `must not be "${value}": the generated repository has a top-level ${value} of its own (${[...generatedTopLevel].sort().join(', ')}); pick e.g. ${value}_site`;
  }
  return undefined;
}

// ---------------------------------------------------------------- IANA time zones

/** A zone or alias name of the IANA database (exact spelling), as Debian's tzdata knows it. */
export function checkTimeZone(value: string): string | undefined {
  return Object.hasOwn(TIME_ZONE_RENDERED_AS, value)
    ? undefined
    : 'must be an IANA time zone name, spelled exactly, such as UTC, Europe/Paris or Asia/Kolkata';
}

/** The name written into the generated files: the zone itself, or for an alias Debian 13 no longer ships, its target. */
export function renderedTimeZone(value: string): string {
  return TIME_ZONE_RENDERED_AS[value] ?? value;
}
