// Existing-project mode: from what detection found in the user's project (detect/) to what the
// deployment around it needs. Pure: the generator and verify pass the detection in.
import type { DetectedProject, DependencyManager } from './detect/index.ts';
import { requirementLines } from './detect/lock.ts';
import { normalizeName, requirementName } from './detect/requirements.ts';
import { ENVIRONMENT_VARIABLE } from './answer-spec.ts';

/** The settings module the deployment adds next to the user's (another name when the project has a deploy module). */
export const DEPLOY_SETTINGS_NAMES = ['deploy', 'django_prod_deploy'];
/** Our folder at the project's root, holding every file of the deployment but that settings module. */
export const DEPLOY_DIRECTORIES = ['deploy', 'deploy-django-prod'];
export const DEPLOY_REQUIREMENTS_FILE = 'requirements-deploy.txt';
/** The project's lock file as pinned requirements (in our folder). */
export const LOCK_REQUIREMENTS_FILE = 'requirements-lock.txt';
/** Dependency-bot configurations the project may already have: ours then goes to our folder, for them to merge. */
export const BOT_CONFIGS = {
  dependabot: ['.github/dependabot.yml', '.github/dependabot.yaml'],
  renovate: [
    'renovate.json',
    'renovate.json5',
    '.github/renovate.json',
    '.github/renovate.json5',
    '.gitlab/renovate.json',
    '.renovaterc',
    '.renovaterc.json',
  ],
} as const;

/** Where the deployment's files go in the project, decided from what the project has (existing-mode.ts). */
export interface Placement {
  /** Our folder at the project's root (one of DEPLOY_DIRECTORIES). */
  directory: string;
  /** The new settings module's name in the project's settings package (one of DEPLOY_SETTINGS_NAMES). */
  settingsName: string;
  /** The project has its own dependency-bot configuration: ours is written into our folder instead. */
  botConfigInDirectory: boolean;
  /** The project's own .dockerignore ('' when none): repeated in ours, which BuildKit reads instead. */
  projectDockerignore: string;
}
/** Where the image keeps the collected static files before the migrate job publishes them (nginx's volume). */
export const IMAGE_STATIC_ROOT = '/app/staticfiles';
export const MEDIA_ROOT = '/srv/media';

export interface ExistingDeployment {
  /** The user's production settings module, imported by the new one. */
  userSettingsModule: string;
  /** DJANGO_SETTINGS_MODULE of the stack: <settings package>.deploy. */
  settingsModule: string;
  /** Repository path of the new settings module, e.g. config/settings/deploy.py. */
  settingsFile: string;
  /** Added to PYTHONPATH in the image ('' when the project imports from the root). */
  sourceRoot: string;
  /** Where manage.py is ('' or 'src'): the image's working directory under /app. */
  manageDirectory: string;
  /** Our folder at the project's root (compose.yaml, Dockerfile, .env, ...). */
  directory: string;
  /** The runbook: README.md in our folder (the project keeps its own README). */
  runbook: string;
  /** The project has its own dependency-bot configuration: ours is in our folder. */
  botConfigInDirectory: boolean;
  /** The project's .dockerignore patterns, repeated first in ours. */
  projectDockerignore: string[];
  /**
   * How the Dockerfile installs the project's own dependencies: `pip install -r requirementsFile`,
   * pipenv, the lock's pinned requirements, or (every pyproject kind) `pip install .` through the
   * project's build backend.
   */
  install: {
    manager: DependencyManager | 'none';
    label: string;
    copyFirst: string[];
    requirementsFile?: string;
    /** Lines of requirements-lock.txt (the lock's runtime packages, pinned, hashed when the lock has hashes). */
    lock?: { file: string; source: string; lines: string[]; hashed: boolean };
    /** pip install . builds the project itself (its pyproject has a [build-system]); --no-deps with a lock. */
    installsProject: boolean;
    /** A dependency comes from a Git repository: the builder installs git. */
    needsGit: boolean;
  };
  /** Lines of requirements-deploy.txt: what the stack needs and the project does not declare. */
  extraRequirements: string[];
  /** The project declares psycopg2 only: psycopg 3 is added for Django's connection pool (Django prefers it when both are there). */
  psycopgAdded: boolean;
  /** celery -A target of the user's app, when the project has one. */
  celeryApp?: string;
  /** The user's Celery app reads Django's CELERY_* settings (config_from_object namespace CELERY). */
  celeryReadsSettings: boolean;
  /** Variables the user's settings read that the stack can fill, with their Compose value. */
  environment: { name: string; value: string }[];
  /** Variables the user's settings read that carry a secret: the deployment's settings compose them (string.Template) from the secret files. */
  fromSecrets: { name: string; template: string }[];
  /**
   * The project's own secret variables (answer appSecrets): one file each in <directory>/secrets/,
   * mounted into the app services; the deployment's settings put the value into the environment
   * before the project's settings read it: `file` under secrets/ (/run/secrets/<file>), `path` from
   * the project's root; `required`: the settings read it without a default.
   */
  appSecrets: { name: string; file: string; path: string; required: boolean }[];
  /** Variables the user's settings require that the stack cannot fill: left for .env. */
  requiredByUser: string[];
  /** Variables the settings read optionally or under a condition: passed from .env when set there. */
  optionalFromUser: string[];
  /** collectstatic runs at build time without the stack: values for every variable the settings require. */
  buildPlaceholders: { name: string; value: string }[];
  /** STATIC_ROOT and MEDIA_ROOT in the containers (the image's collect target and nginx's media volume). */
  staticRoot: string;
  mediaRoot: string;
}

/**
 * Values for variables commonly read by Django settings that carry a secret, in terms of the app
 * containers' own variables: the deployment's settings compose them at start-up, once the secret
 * files are read (string.Template, the same ${...} syntax), so no secret is in compose.yaml or in
 * the containers' environment. The cache uses Redis database 2 as in new projects. The generated
 * passwords are URL-safe (base64url).
 */
const FROM_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://app:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}',
  REDIS_URL: 'redis://:${REDIS_PASSWORD}@redis:6379/2',
  CACHE_URL: 'redis://:${REDIS_PASSWORD}@redis:6379/2',
  CELERY_BROKER_URL: 'redis://:${REDIS_PASSWORD}@redis:6379/0',
  CELERY_RESULT_BACKEND: 'redis://:${REDIS_PASSWORD}@redis:6379/1',
  SECRET_KEY: '${DJANGO_SECRET_KEY}',
};
/** Values for the other variables commonly read by Django settings (compose.yaml sets them). */
const KNOWN_VARIABLES: Record<string, (domains: string[]) => string> = {
  DJANGO_ALLOWED_HOSTS: (domains) => domains.join(','),
  ALLOWED_HOSTS: (domains) => domains.join(','),
};
/** Syntactically valid stand-ins for build time (collectstatic imports the settings; nothing connects). */
const BUILD_VALUES: Record<string, string> = {
  DATABASE_URL: 'postgres://build:build@localhost:5432/build',
  REDIS_URL: 'redis://localhost:6379/0',
  CACHE_URL: 'redis://localhost:6379/0',
  CELERY_BROKER_URL: 'redis://localhost:6379/0',
  CELERY_RESULT_BACKEND: 'redis://localhost:6379/1',
  DJANGO_ALLOWED_HOSTS: 'localhost',
  ALLOWED_HOSTS: 'localhost',
};
const BUILD_PLACEHOLDER = 'build-only-placeholder';

/** Already in the stack's app environment. */
const STACK_VARIABLES = new Set([
  'DJANGO_SETTINGS_MODULE',
  'DJANGO_SECRET_KEY',
  'DJANGO_LOG_LEVEL',
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_DB',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_PASSWORD',
]);

/** Variables the stack fills itself (its environment, its secrets, or composed from them): never the project's own secrets. */
export const stackFills = (variable: string) =>
  STACK_VARIABLES.has(variable) || FROM_SECRETS[variable] !== undefined || KNOWN_VARIABLES[variable] !== undefined;

// A variable carries a secret when the last word of its name (split at "_") says so: one of these,
// or a word ending in SECRET, PASSWORD, PASSWD or TOKEN (DBPASSWORD, CLIENTSECRET, AUTHTOKEN). The
// last word, because the earlier ones name what a non-secret setting is about: PASSWORD_RESET_TIMEOUT,
// ACCESS_TOKEN_LIFETIME, CACHE_KEY_PREFIX, SSL_KEY_FILE (a path). KEY_ID too: an access key's ID
// (AWS_ACCESS_KEY_ID) travels with its key. PRIVATE is no such word: a private key ends in KEY, and
// alone it names buckets and storage roots (PRIVATE_STORAGE_ROOT).
const SECRET_WORDS = new Set([
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASS',
  'TOKEN',
  'TOKENS',
  'KEY',
  'KEYS',
  'APIKEY',
  'DSN',
  'CREDENTIAL',
  'CREDENTIALS',
  'SALT',
]);
const SECRET_WORD_END = /(SECRET|PASSWORD|PASSWD|TOKEN)$/;

/**
 * Whether a variable the settings read carries a secret, by its name (README "An existing
 * Django project" documents the rule): STRIPE_SECRET_KEY, EMAIL_HOST_PASSWORD, AWS_ACCESS_KEY_ID, SENTRY_DSN,
 * GITHUB_TOKEN, DB_PASS; not DEBUG, AWS_STORAGE_BUCKET_NAME, PASSWORD_RESET_TIMEOUT, CACHE_KEY_PREFIX.
 */
export function carriesSecret(variable: string): boolean {
  const words = variable.toUpperCase().split('_').filter(Boolean);
  const last = words.at(-1) ?? '';
  return SECRET_WORDS.has(last) || SECRET_WORD_END.test(last) || (last === 'ID' && words.at(-2) === 'KEY');
}

/** The appSecrets answer's default: the variables the project's settings read that carry a secret and the stack does not fill. */
export function detectedAppSecrets(project: DetectedProject): string[] {
  return project.facts.environment
    .map((read) => read.variable)
    .filter((variable) => ENVIRONMENT_VARIABLE.test(variable) && !stackFills(variable) && carriesSecret(variable));
}

/**
 * Distributions that satisfy a stack requirement when the project declares them instead. Not
 * psycopg2: Django's connection pool (which gunicorn.conf.py turns on) needs psycopg 3.
 */
const EQUIVALENTS: Record<string, string[]> = {
  psycopg: ['psycopg', 'psycopg-binary', 'psycopg-c'],
};
const PSYCOPG2 = ['psycopg2', 'psycopg2-binary'];
/** Filled only when the stack runs the project's Celery app: otherwise a project that runs tasks eagerly without a broker keeps doing so. */
const CELERY_VARIABLES = new Set(['CELERY_BROKER_URL', 'CELERY_RESULT_BACKEND']);

// Every pyproject kind: the project's build backend (hatchling, setuptools, poetry-core,
// pdm-backend) builds it and pip installs its declared dependencies, or with a lock file the
// locked versions first and the project itself without dependencies; the code itself runs from
// /app, which comes first on the path and shadows the installed copy.
function installOf(project: DetectedProject): ExistingDeployment['install'] {
  const dependencies = project.dependencies;
  if (!dependencies) {
    return {
      manager: 'none',
      label: "none declared: only the stack's own requirements",
      copyFirst: [],
      installsProject: false,
      needsGit: false,
    };
  }
  const common = { manager: dependencies.manager, installsProject: dependencies.buildsPackage, needsGit: dependencies.needsGit };
  const locked = dependencies.locked;
  if (locked && locked.packages.length > 0) {
    return {
      ...common,
      label: `pip install${locked.hashed ? ' --require-hashes' : ''} -r ${LOCK_REQUIREMENTS_FILE} (from ${locked.lockFile})${dependencies.buildsPackage ? ', then pip install --no-deps .' : ''}`,
      copyFirst: [],
      lock: { file: LOCK_REQUIREMENTS_FILE, source: locked.lockFile, lines: requirementLines(locked), hashed: locked.hashed },
    };
  }
  switch (dependencies.manager) {
    case 'requirements':
      return {
        ...common,
        label: `pip install -r ${dependencies.entry}`,
        copyFirst: dependencies.files,
        requirementsFile: dependencies.entry,
      };
    case 'pipenv':
      return { ...common, label: 'pipenv install --system --deploy', copyFirst: ['Pipfile', 'Pipfile.lock'] };
    default:
      return {
        ...common,
        installsProject: true,
        label: `pip install . (${dependencies.manager === 'pyproject' ? 'PEP 621' : `${dependencies.manager} project`})`,
        copyFirst: [],
      };
  }
}

export interface ExistingInput {
  project: DetectedProject;
  /** Requirement lines the stack needs (core and enabled features), as new projects list them. */
  stackRequirements: readonly string[];
  domains: string[];
  placement: Placement;
  /** The stack runs the project's Celery app (the celery answer). */
  celery: boolean;
  /** The project's own secret variables that become secret files (answer appSecrets, less the stack's own), with their files. */
  appSecrets: readonly { name: string; file: string; path: string }[];
}

export function existingDeployment({
  project,
  stackRequirements,
  domains,
  placement,
  celery,
  appSecrets,
}: ExistingInput): ExistingDeployment {
  const settingsModule = `${project.settingsPackage.module}.${placement.settingsName}`;
  const declared = new Set(project.dependencies?.packages ?? []);
  const satisfied = (line: string) => {
    const name = requirementName(line)!;
    return (EQUIVALENTS[name] ?? [name]).some((candidate) => declared.has(normalizeName(candidate)));
  };
  const reads = project.facts.environment;
  const known = (variable: string) =>
    (KNOWN_VARIABLES[variable] !== undefined || FROM_SECRETS[variable] !== undefined) && (celery || !CELERY_VARIABLES.has(variable));
  const ours = reads.filter((read) => known(read.variable) && !STACK_VARIABLES.has(read.variable));
  const environment = ours
    .filter((read) => KNOWN_VARIABLES[read.variable])
    .map((read) => ({ name: read.variable, value: KNOWN_VARIABLES[read.variable]!(domains) }));
  const fromSecrets = ours
    .filter((read) => FROM_SECRETS[read.variable])
    .map((read) => ({ name: read.variable, template: FROM_SECRETS[read.variable]! }));
  const fromUser = reads.filter(
    (read) => !known(read.variable) && !STACK_VARIABLES.has(read.variable) && !appSecrets.some((secret) => secret.name === read.variable),
  );
  const requiredByUser = fromUser.filter((read) => read.required).map((read) => read.variable);
  const optionalFromUser = fromUser.filter((read) => !read.required).map((read) => read.variable);
  const extraRequirements = stackRequirements.filter((line) => !satisfied(line));
  const buildPlaceholders = reads
    .filter((read) => read.required && read.variable !== 'DJANGO_SECRET_KEY')
    .map((read) => ({ name: read.variable, value: BUILD_VALUES[read.variable] ?? BUILD_PLACEHOLDER }));
  return {
    userSettingsModule: project.settings.module,
    settingsModule,
    settingsFile: `${project.settingsPackage.directory}/${placement.settingsName}.py`,
    sourceRoot: project.sourceRoot,
    manageDirectory: project.manageDirectory,
    directory: placement.directory,
    runbook: `${placement.directory}/README.md`,
    botConfigInDirectory: placement.botConfigInDirectory,
    projectDockerignore: placement.projectDockerignore
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
    install: installOf(project),
    extraRequirements,
    psycopgAdded: extraRequirements.some((line) => requirementName(line) === 'psycopg') && PSYCOPG2.some((name) => declared.has(name)),
    ...(project.celery ? { celeryApp: project.celery.target } : {}),
    celeryReadsSettings: project.celery?.namespace === 'CELERY',
    environment,
    fromSecrets,
    appSecrets: appSecrets.map((secret) => ({ ...secret, required: reads.some((read) => read.variable === secret.name && read.required) })),
    requiredByUser,
    optionalFromUser,
    buildPlaceholders,
    staticRoot: IMAGE_STATIC_ROOT,
    mediaRoot: MEDIA_ROOT,
  };
}

/** What detection found, as shown before anything is written. */
export function describeDetection(project: DetectedProject): string[] {
  const facts = project.facts;
  const staticStorage =
    facts.storagesStaticBackend ??
    (facts.staticfilesStorage ? `${facts.staticfilesStorage} (STATICFILES_STORAGE, ignored since Django 5.1)` : 'Django default');
  const database = facts.databaseEngine ?? (facts.databaseUrlVariable ? `from ${facts.databaseUrlVariable}` : 'not found');
  const required = facts.environment.filter((read) => read.required).map((read) => read.variable);
  return [
    `settings module     ${project.settings.module} (from ${project.settings.source}${project.manageSettingsModule !== project.settings.module ? `; manage.py: ${project.manageSettingsModule}` : ''})`,
    `application         ${project.application} (${project.server.toUpperCase()}: ${project.serverReason})`,
    `source root         ${project.sourceRoot === '' ? '.' : project.sourceRoot}`,
    `dependencies        ${project.dependencies ? `${project.dependencies.manager}: ${project.dependencies.files.join(', ')}${project.dependencies.lockFile ? ` (lock: ${project.dependencies.lockFile})` : ''}` : 'none found'}`,
    `python              ${project.python ? `${project.python.spec} (${project.python.source})${'version' in project.python.image ? `: the python:${project.python.image.version} image` : ''}` : 'not declared'}`,
    `celery              ${project.celery ? `${project.celery.target}${project.celery.namespace ? ` (namespace ${project.celery.namespace})` : ''}` : 'no Celery app'}`,
    `static              STATIC_ROOT ${facts.staticRoot ?? 'unset'}; storage ${staticStorage}`,
    `media               MEDIA_ROOT ${facts.mediaRoot ?? 'unset'}`,
    `database            ${database}`,
    `environment         ${facts.environment.length === 0 ? 'settings read no environment variables' : `${facts.environment.length} variable(s) read${required.length > 0 ? `; required: ${required.join(', ')}` : ''}`}`,
  ];
}

/** What the user might change in their own files (never changed by the generator). */
export function suggestionsFor(project: DetectedProject, deployment: ExistingDeployment): string[] {
  const facts = project.facts;
  const suggestions: string[] = [];
  if (facts.staticfilesStorage && !facts.hasStorages) {
    suggestions.push(
      'STATICFILES_STORAGE is ignored since Django 5.1: move it to STORAGES["staticfiles"] (deploy settings use a Manifest storage meanwhile).',
    );
  }
  if (facts.environment.length === 0) {
    suggestions.push(
      `${project.settings.file} reads no environment variables: secrets such as SECRET_KEY belong in the environment (${deployment.settingsFile} sets them from ${deployment.directory}/.env).`,
    );
  }
  if (facts.databaseEngine === 'django.db.backends.sqlite3') {
    suggestions.push('The project uses SQLite; the deployment runs PostgreSQL (copy existing data with dumpdata/loaddata).');
  }
  if (deployment.botConfigInDirectory) {
    suggestions.push(
      `You have your own dependency-bot configuration, so ours is in ${deployment.directory}/: merge its entries (our Dockerfile and compose.yaml images) into yours.`,
    );
  }
  if (deployment.psycopgAdded) {
    suggestions.push(
      "You declare psycopg2: psycopg 3 is added (Django's connection pool needs it; Django uses it when both are installed). Move to psycopg 3 in your own dependencies.",
    );
  }
  if (project.celery && !deployment.celeryReadsSettings) {
    suggestions.push(
      `${project.celery.file} does not read Django's CELERY_* settings (config_from_object(..., namespace="CELERY")), so the deployment cannot point it at the stack's Redis: configure its broker from CELERY_BROKER_URL.`,
    );
  }
  if (deployment.requiredByUser.length > 0) {
    suggestions.push(
      `Your settings require ${deployment.requiredByUser.join(', ')}: set them in ${deployment.directory}/.env (listed in .env.example there).`,
    );
  }
  const read = new Set(facts.environment.map((entry) => entry.variable));
  const unread = deployment.appSecrets.filter((secret) => !read.has(secret.name)).map((secret) => secret.name);
  if (unread.length > 0) {
    suggestions.push(
      `Your settings do not read ${unread.join(', ')} (answer appSecrets): the secret file still fills the environment for code that reads it at run time; drop a typo with --app-secrets.`,
    );
  }
  const inEnv = [...deployment.requiredByUser, ...deployment.optionalFromUser].filter(carriesSecret);
  if (inEnv.length > 0) {
    suggestions.push(
      `Passed through ${deployment.directory}/.env into the containers' environment (docker inspect shows it), though named like a secret: ${inEnv.join(', ')}. Add to --app-secrets to make each a secret file.`,
    );
  }
  if (deployment.install.lock && !deployment.install.lock.hashed) {
    suggestions.push(
      `${project.dependencies!.lockFile} has packages without hashes (Git or URL sources): the image installs its pinned versions without --require-hashes.`,
    );
  }
  if (deployment.extraRequirements.length > 0) {
    suggestions.push(
      `Declare ${deployment.extraRequirements.map((line) => requirementName(line)).join(', ')} in your own dependencies; ${deployment.directory}/${DEPLOY_REQUIREMENTS_FILE} adds them meanwhile.`,
    );
  }
  return suggestions;
}
