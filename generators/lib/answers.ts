// The core answers, and the whole schema: core answers then each feature module's. Prompt,
// flags, answers file, --help and the README table are all derived from answerSchema(features).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import {
  AnswerError,
  SERVER_KINDS,
  TLS_MODES,
  checkDomain,
  checkInteger,
  defaultPackageName,
  ENVIRONMENT_VARIABLE,
  machineMemoryMb,
  oneOf,
  spec,
  type AnswerName,
  type AnswerSpec,
  type Answers,
  type ServerKind,
  type TlsMode,
} from './answer-spec.ts';
import { messageValue } from './escape.ts';
import type { Feature } from './feature.ts';
import { PACKAGE_PLACEHOLDER, everyGeneratedPath } from './files.ts';
import { checkEmail, checkPackageName, checkTimeZone, checkUrl, generatedTopLevelNames } from './grammar.ts';
import { DEPENDENCY_BOTS, checkImageRepository, type DependencyBot } from './repo-health.ts';

export * from './answer-spec.ts';

// Modules a project package must not shadow: the stdlib ones Django imports at start-up,
// and the distributions the generated requirements install.
const SHADOWED_MODULES = new Set([
  'django',
  'test',
  'tests',
  'celery',
  'gunicorn',
  'uvicorn',
  'uvicorn_worker',
  'redis',
  'psycopg',
  'psycopg2',
  'sentry_sdk',
  'whitenoise',
  'environ',
  'kombu',
  'billiard',
  'vine',
  'django_celery_beat',
  'config',
  'site',
  'os',
  'sys',
  'io',
  'json',
  'logging',
  'email',
  'http',
  'html',
  'string',
  'types',
  'typing',
  'time',
  'datetime',
  'random',
  'secrets',
  'socket',
  'select',
  'signal',
  'queue',
  'abc',
  'code',
  'copy',
  'math',
  'uuid',
  'enum',
  'collections',
  'functools',
  'inspect',
  'operator',
  're',
  'platform',
  'pathlib',
  'shutil',
  'tempfile',
  'unittest',
  'asyncio',
  'contextlib',
  'decimal',
  'hashlib',
  'hmac',
  'base64',
  'calendar',
  'locale',
  'gettext',
  'warnings',
  'weakref',
  'threading',
  'multiprocessing',
  'subprocess',
  'zoneinfo',
  'sqlite3',
  'ssl',
  'struct',
  'array',
  'csv',
  'glob',
  'pickle',
  'urllib',
  'xml',
  'wsgiref',
  'backups',
  'static',
  'media',
  'templates',
]);

const ADMIN_PATH = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
/** First path segments nginx or the health checks own. */
const RESERVED_PATHS = new Set(['static', 'media', 'health']);
const RESERVED_PATHS_TEXT = [...RESERVED_PATHS].join(', ');

const VERSION = /^\d+(\.\d+){0,2}$/;

/** The core answers; a package name must not be one of the top-level names the generator writes. */
const coreAnswers = (generatedTopLevel: ReadonlySet<string>) =>
  [
    spec({
      name: 'name',
      kind: 'string',
      message: 'Project name (Compose project, image and volume names)',
      description: 'Project name: lowercase letters, digits and hyphens, starting with a letter',
      default: () => 'my-site',
      check: (value) =>
        /^[a-z][a-z0-9-]{0,39}$/.test(value) && !value.endsWith('-')
          ? undefined
          : 'must start with a lowercase letter and use only a-z, 0-9 and "-" (at most 40 characters), e.g. my-site',
    }),
    spec({
      name: 'packageName',
      advanced: true,
      kind: 'string',
      message: 'Python package of the Django project',
      description: 'Python package holding settings, urls and the WSGI/ASGI modules',
      default: (answers) => defaultPackageName(answers.name ?? 'my-site'),
      // Every folder and module the generator writes at the top level, features included.
      check: (value) => checkPackageName(value, { shadowedModules: SHADOWED_MODULES, generatedTopLevel }),
    }),
    spec({
      name: 'tlsMode',
      kind: 'choice',
      choices: TLS_MODES,
      message: 'Where certificates come from',
      description: 'letsencrypt, letsencrypt-staging (recommended first run), acme (any ACME directory) or self-signed (local trial)',
      default: (): TlsMode => 'letsencrypt-staging',
      check: oneOf(TLS_MODES),
    }),
    spec({
      name: 'domain',
      kind: 'string',
      message: 'Primary domain the site is served on',
      description: 'Primary domain (the certificate name and the canonical host)',
      default: () => 'example.com',
      check: checkDomain,
    }),
    spec({
      name: 'extraDomains',
      kind: 'list',
      message: 'Extra domains on the same certificate (comma-separated, may be empty)',
      description: 'Extra domains served and put on the certificate, comma-separated',
      default: () => [],
      check: (values, answers) => {
        for (const domain of values) {
          const problem = checkDomain(domain, answers);
          if (problem) return `${messageValue(domain)} ${problem}`;
        }
        if (values.includes(answers.domain ?? '') || new Set(values).size !== values.length)
          return 'must not repeat the primary domain or each other';
        return undefined;
      },
    }),
    spec({
      name: 'email',
      kind: 'string',
      message: 'Admin e-mail (ACME account, error mails)',
      description: 'Admin e-mail: the ACME account and Django ADMINS',
      default: (answers) => `admin@${answers.domain ?? 'example.com'}`,
      check: (value, answers) => {
        const problem = checkEmail(value);
        if (problem) return problem;
        // The ACME account needs a reachable address; a local trial may use admin@localhost.
        if (answers.tlsMode !== 'self-signed' && !value.split('@')[1]!.includes('.'))
          return 'must be a public e-mail address for the ACME account';
        return undefined;
      },
    }),
    spec({
      name: 'acmeDirectory',
      kind: 'string',
      message: 'ACME directory URL',
      description: 'ACME directory URL (tls-mode acme only), e.g. https://ca.internal/acme/acme/directory',
      default: () => '',
      when: (answers) => answers.tlsMode === 'acme',
      check: (value) => checkUrl(value),
    }),
    spec({
      name: 'acmeCaBundle',
      kind: 'string',
      message: 'PEM file of the CA that signs the ACME server (empty if publicly trusted)',
      description: "Path to a PEM CA bundle the ACME server's TLS certificate chains to (tls-mode acme only; copied into the repository)",
      default: () => '',
      when: (answers) => answers.tlsMode === 'acme',
      check: (value) => (value === '' || /\.(pem|crt)$/.test(value) ? undefined : 'must be empty or the path of a .pem or .crt file'),
    }),
    spec({
      name: 'server',
      advanced: true,
      kind: 'choice',
      choices: SERVER_KINDS,
      message: 'Application interface',
      description: 'wsgi (gunicorn sync/gthread workers) or asgi (gunicorn with uvicorn workers)',
      default: (): ServerKind => 'wsgi',
      check: oneOf(SERVER_KINDS),
    }),
    spec({
      name: 'cpus',
      kind: 'number',
      message: 'CPU cores of the PRODUCTION server (not this machine)',
      description: "CPU cores of the production server (default: this machine's count)",
      default: () => os.availableParallelism(),
      check: (value) => checkInteger(value, 1, 256, 'cores'),
    }),
    spec({
      name: 'memoryMb',
      kind: 'number',
      message: 'Memory of the PRODUCTION server in MiB (not this machine)',
      description: "Memory of the production server in MiB (default: this machine's)",
      default: () => machineMemoryMb(),
      check: (value) => checkInteger(value, 1024, 4 * 1024 * 1024, 'MiB'),
    }),
    spec({
      name: 'hstsSeconds',
      advanced: true,
      kind: 'number',
      message: 'HSTS max-age in seconds (one year with a trusted certificate; raise a trial one once HTTPS is proven)',
      description: 'Strict-Transport-Security max-age in seconds',
      // One year (OWASP, Mozilla's minimum) where browsers trust the certificate; an hour while it is
      // a staging or self-signed one, so a trial does not pin browsers to HTTPS for long.
      default: (answers) => (answers.tlsMode === 'letsencrypt' || answers.tlsMode === 'acme' ? 31536000 : 3600),
      check: (value) => checkInteger(value, 1, 63072000, 'seconds'),
    }),
    spec({
      name: 'hstsPreload',
      advanced: true,
      kind: 'boolean',
      message: 'Ask browsers to preload HSTS (hard to undo)?',
      description: 'Add "preload" to HSTS (needs max-age >= 31536000; hard to undo)',
      default: () => false,
      check: (value, answers) => (value && (answers.hstsSeconds ?? 0) < 31536000 ? 'needs --hsts-seconds 31536000 or more' : undefined),
    }),
    spec({
      name: 'adminPath',
      advanced: true,
      kind: 'string',
      message: 'URL path of the Django admin (no slashes around it)',
      description: "URL path of the Django admin: nginx rate-limits it (an existing project: its urls.py's; default there: admin)",
      // Random, as cookiecutter-django's DJANGO_ADMIN_URL: scanners that try /admin/ find nothing.
      // Stored with the other answers, so a regeneration keeps it.
      // An existing project's is detected as admin (lib/existing-mode.ts).
      default: () => `admin-${randomBytes(6).toString('hex')}`,
      check: (value) =>
        !ADMIN_PATH.test(value) || value.length > 64
          ? 'must be path segments of a-z, 0-9, "-" and "_" joined by "/", at most 64 characters, e.g. admin or staff/site-admin'
          : RESERVED_PATHS.has(value.split('/')[0]!)
            ? `must not start with ${RESERVED_PATHS_TEXT} (nginx serves those paths itself)`
            : undefined,
    }),
    spec({
      name: 'uploadLimitMb',
      advanced: true,
      kind: 'number',
      message: 'Largest request body (uploads) in MiB',
      description: 'Upload size limit in MiB (nginx client_max_body_size and Django)',
      default: () => 10,
      check: (value) => checkInteger(value, 1, 10240, 'MiB'),
    }),
    spec({
      name: 'timeZone',
      advanced: true,
      kind: 'string',
      message: 'Time zone (Django TIME_ZONE and cron)',
      description: 'IANA time zone, e.g. UTC or Europe/Paris',
      default: () => 'UTC',
      check: checkTimeZone,
    }),
    spec({
      name: 'pythonVersion',
      advanced: true,
      kind: 'string',
      message: 'Python version (python:<version>-slim image)',
      description: 'Python image version',
      default: () => '3.13',
      check: (value) =>
        /^3\.\d{1,2}$/.test(value) && Number(value.split('.')[1]) >= 10 ? undefined : 'must be 3.10 or later, as MAJOR.MINOR',
    }),
    spec({
      name: 'postgresVersion',
      advanced: true,
      kind: 'string',
      message: 'PostgreSQL major version',
      description: 'postgres image major version',
      default: () => '17',
      check: (value) => (/^\d{2}$/.test(value) && Number(value) >= 14 ? undefined : 'must be a major version from 14 on, e.g. 17'),
    }),
    spec({
      name: 'redisVersion',
      advanced: true,
      kind: 'string',
      message: 'Redis version',
      description: 'redis image version',
      default: () => '8',
      check: (value) =>
        VERSION.test(value) && Number(value.split('.')[0]) >= 6 ? undefined : 'must be a version from 6 on, e.g. 8 or 7.4',
    }),
    spec({
      name: 'nginxVersion',
      advanced: true,
      kind: 'string',
      message: 'nginx version',
      description: 'nginx image version',
      default: () => '1.30',
      // resolve (upstream servers re-resolved by name) is open source since 1.27.3.
      check: (value) => {
        const [, minor, patch] = /^1\.(\d{2})(?:\.(\d+))?$/.exec(value) ?? [];
        const resolves = Number(minor) > 27 || (Number(minor) === 27 && (patch === undefined || Number(patch) >= 3));
        return minor !== undefined && resolves
          ? undefined
          : 'must be 1.27.3 or later (upstream servers re-resolved by name: resolve), e.g. 1.30';
      },
    }),
    spec({
      name: 'existing',
      kind: 'boolean',
      message: 'Deploy the existing Django project in the target directory (adds files, edits none)?',
      description:
        'Existing-project mode: add the deployment to the Django project in the target directory (default: on when a new run finds a manage.py there)',
      default: () => false,
      check: () => undefined,
    }),
    spec({
      name: 'appPath',
      kind: 'string',
      message: 'A URL path of your project that answers 200 (verify requests it through nginx)',
      description: 'Existing-project mode: a path of your own URLs that verify requests through nginx, e.g. /hello/',
      default: () => '/',
      when: (answers) => answers.existing === true,
      check: (value) =>
        /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(value) ? undefined : 'must be a URL path starting with "/", e.g. /hello/',
    }),
    spec({
      name: 'settingsModule',
      kind: 'string',
      message: 'Your settings module that production imports (the deployment adds its own on top)',
      description:
        'Existing-project mode: the settings module production imports, e.g. config.settings.production (default: detected; a production module beside the one wsgi.py names is preferred)',
      default: () => '',
      when: (answers) => answers.existing === true,
      check: (value) =>
        value === '' || /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(value)
          ? undefined
          : 'must be a dotted module path, e.g. config.settings.production',
    }),
    spec({
      name: 'appSecrets',
      kind: 'list',
      message: "Your settings' variables that hold a secret: secret files, not .env (comma-separated, may be empty)",
      description:
        'Existing-project mode: variables your settings read that hold a secret (API keys, passwords, DSNs), each a git-ignored file deploy/secrets/<name> instead of a .env line (default: detected, README "An existing Django project")',
      // The project's names come from detection (lib/existing.ts detectedAppSecrets): offered as the default there.
      default: () => [],
      when: (answers) => answers.existing === true,
      check: (values) => {
        const bad = values.find((value) => !ENVIRONMENT_VARIABLE.test(value));
        if (bad !== undefined)
          return `${messageValue(bad)} must be an environment variable name in capitals (A-Z, 0-9, "_"), e.g. STRIPE_SECRET_KEY`;
        return new Set(values).size === values.length ? undefined : 'must not name a variable twice';
      },
    }),
    spec({
      name: 'dependencyBot',
      advanced: true,
      kind: 'choice',
      choices: DEPENDENCY_BOTS,
      message: 'Dependency update bot',
      description: 'dependabot (.github/dependabot.yml), renovate (renovate.json) or none: weekly grouped update pull requests',
      default: (): DependencyBot => 'dependabot',
      check: oneOf(DEPENDENCY_BOTS),
    }),
    spec({
      name: 'ci',
      advanced: true,
      kind: 'boolean',
      message: 'Write a test suite (make test) and a CI workflow that runs it?',
      description: 'A pytest suite (make test) and a GitHub Actions workflow running it on every pull request (new projects)',
      default: () => true,
      when: (answers) => answers.existing !== true,
      check: () => undefined,
    }),
    spec({
      name: 'ciImage',
      advanced: true,
      kind: 'string',
      message: 'Image repository CI pushes to from the default branch (empty: no push)',
      description:
        'Image repository the CI workflow pushes to on the default branch, e.g. ghcr.io/acme/my-site (empty: build and test only)',
      default: () => '',
      when: (answers) => answers.ci === true,
      check: checkImageRepository,
    }),
  ] as const satisfies readonly AnswerSpec[];

const schemas = new WeakMap<readonly Feature[], readonly AnswerSpec[]>();

/** Every answer, in the order asked: the core ones, then each feature's (registry order). */
export function answerSchema(features: readonly Feature[]): readonly AnswerSpec[] {
  let schema = schemas.get(features);
  if (schema === undefined) {
    const generatedTopLevel = generatedTopLevelNames(everyGeneratedPath(features), PACKAGE_PLACEHOLDER);
    schema = [...coreAnswers(generatedTopLevel), ...features.flatMap((feature) => feature.answers)];
    schemas.set(features, schema);
  }
  return schema;
}

export const answerSpec = (name: AnswerName, features: readonly Feature[]): AnswerSpec =>
  answerSchema(features).find((entry) => entry.name === name)!;

/** kebab-case flag of an answer: packageName -> --package-name */
export const flagOf = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Turns a flag's or answers file's raw value into the answer's type, or says what is allowed. */
export function coerceAnswer(entry: AnswerSpec, raw: unknown): unknown {
  const problem = (allowed: string) => {
    throw new AnswerError(`Invalid answer "${entry.name}" (--${flagOf(entry.name)}): ${messageValue(raw)} ${allowed}`);
  };
  switch (entry.kind) {
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      return typeof value === 'number' && Number.isFinite(value) ? value : problem('must be a number');
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      // A bare boolean flag (--existing) arrives as the empty string.
      if (raw === 'true' || raw === 'yes' || raw === '') return true;
      if (raw === 'false' || raw === 'no') return false;
      return problem('must be true or false');
    case 'list':
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw;
      if (typeof raw === 'string')
        return raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      return problem('must be a comma-separated list');
    default:
      return typeof raw === 'string' ? raw : problem('must be text');
  }
}

/**
 * Completes partial answers with defaults in schema order (defaults may depend on earlier
 * answers) and validates every answer that applies. Throws AnswerError with one line.
 */
export function resolveAnswers(given: Partial<Record<AnswerName, unknown>>, features: readonly Feature[]): Answers {
  const { answers, problem } = walkAnswers(given, features, () => true);
  if (problem) throw problem;
  return answers;
}

/**
 * The first broken rule among the answers decided so far (given, or asked, or passed over with
 * their default), during an interactive run: a rule is checked once its answer and every answer
 * it reads are decided, so a rule between two answers is checked at whichever completes it.
 */
export function firstProblem(
  given: Partial<Record<AnswerName, unknown>>,
  decided: ReadonlySet<AnswerName>,
  features: readonly Feature[],
): AnswerError | undefined {
  return walkAnswers(given, features, (name) => decided.has(name)).problem;
}

function walkAnswers(
  given: Partial<Record<AnswerName, unknown>>,
  features: readonly Feature[],
  decided: (name: AnswerName) => boolean,
): { answers: Answers; problem: AnswerError | undefined } {
  const answers: Partial<Record<AnswerName, unknown>> = {};
  // A rule that reads an answer not decided yet is checked later, when that answer is (set by the view, reset per answer).
  let readsUndecided: boolean;
  const view = new Proxy(answers, {
    get: (target, name) => {
      if (typeof name === 'string' && !decided(name as AnswerName)) readsUndecided = true;
      return target[name as AnswerName];
    },
  }) as Partial<Answers>;
  for (const entry of answerSchema(features)) {
    readsUndecided = false;
    const applies = entry.when?.(view) ?? true;
    const raw = given[entry.name];
    let value: unknown = entry.default(answers as Partial<Answers>);
    if (applies && decided(entry.name) && !readsUndecided) {
      try {
        if (raw !== undefined) value = coerceAnswer(entry, raw);
        const problem = entry.check(value as never, view);
        if (problem && !readsUndecided) {
          throw new AnswerError(`Invalid answer "${entry.name}" (--${flagOf(entry.name)}): ${messageValue(value)} ${problem}`);
        }
      } catch (error) {
        if (error instanceof AnswerError) return { answers: answers as Answers, problem: error };
        throw error;
      }
    } else if (applies && raw !== undefined) {
      // Not checkable yet: its value still counts for the answers after it, when it is one.
      try {
        value = coerceAnswer(entry, raw);
      } catch {
        // Checked once it is decided.
      }
    }
    answers[entry.name] = value;
  }
  return { answers: answers as Answers, problem: undefined };
}

/** Reads an answers file's parsed JSON: an object whose keys are answer names. */
export function answersFromFile(file: string, parsed: unknown, features: readonly Feature[]): Partial<Record<AnswerName, unknown>> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AnswerError(`Answers file ${file}: must hold a JSON object of answers, e.g. {"name": "my-site"}`);
  }
  const known = new Set<string>(answerSchema(features).map((entry) => entry.name));
  const unknown = Object.keys(parsed).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new AnswerError(`Answers file ${file}: unknown answer ${messageValue(unknown[0])}; allowed: ${[...known].join(', ')}`);
  }
  return parsed as Partial<Record<AnswerName, unknown>>;
}
