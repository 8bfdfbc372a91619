// Existing-project mode: from what detection found in the user's project (detect/) to what the
// deployment around it needs. Pure: the generator and verify pass the detection in.
import type { DetectedProject, DependencyManager } from './detect/index.ts';
import { normalizeName, requirementName } from './detect/requirements.ts';

/** The one settings module the deployment adds (next to the user's), and its requirements file. */
export const DEPLOY_SETTINGS_NAME = 'deploy';
export const DEPLOY_REQUIREMENTS_FILE = 'requirements-deploy.txt';
/** Where the image keeps the collected static files before the migrate job publishes them (nginx's volume). */
export const IMAGE_STATIC_ROOT = '/app/staticfiles';
export const MEDIA_ROOT = '/srv/media';

/** Files the deployment writes that a project may already have: skipped (with a suggestion) when the user has one. */
export const SHAREABLE_FILES = ['.gitignore', '.dockerignore', 'Makefile'] as const;

export interface ExistingDeployment {
  /** The user's production settings module, imported by the new one. */
  userSettingsModule: string;
  /** DJANGO_SETTINGS_MODULE of the stack: <settings package>.deploy. */
  settingsModule: string;
  /** Repository path of the new settings module, e.g. config/settings/deploy.py. */
  settingsFile: string;
  /** Added to PYTHONPATH in the image ('' when the project imports from the root). */
  sourceRoot: string;
  /**
   * How the Dockerfile installs the project's own dependencies: `pip install -r requirementsFile`,
   * pipenv, or (every pyproject kind) `pip install .` through the project's build backend.
   */
  install: { manager: DependencyManager | 'none'; label: string; copyFirst: string[]; requirementsFile?: string };
  /** Lines of requirements-deploy.txt: what the stack needs and the project does not declare. */
  extraRequirements: string[];
  /** celery -A target of the user's app, when the project has one. */
  celeryApp?: string;
  /** The user's Celery app reads Django's CELERY_* settings (config_from_object namespace CELERY). */
  celeryReadsSettings: boolean;
  /** Variables the user's settings read that the stack can fill, with their Compose value. */
  environment: { name: string; value: string }[];
  /** Variables the user's settings require that the stack cannot fill: left for .env. */
  requiredByUser: string[];
  /** collectstatic runs at build time without the stack: values for every variable the settings require. */
  buildPlaceholders: { name: string; value: string }[];
  /** Files the user already has among SHAREABLE_FILES: not written. */
  userOwnedFiles: string[];
  /** STATIC_ROOT and MEDIA_ROOT in the containers (the image's collect target and nginx's media volume). */
  staticRoot: string;
  mediaRoot: string;
}

/**
 * Values for variables commonly read by Django settings, in terms of the stack's own variables
 * (Compose interpolates ${...} from .env). The cache uses Redis database 2 as in new projects.
 */
const KNOWN_VARIABLES: Record<string, (domains: string[]) => string> = {
  DATABASE_URL: () => 'postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}',
  REDIS_URL: () => 'redis://:${REDIS_PASSWORD}@redis:6379/2',
  CACHE_URL: () => 'redis://:${REDIS_PASSWORD}@redis:6379/2',
  CELERY_BROKER_URL: () => 'redis://:${REDIS_PASSWORD}@redis:6379/0',
  CELERY_RESULT_BACKEND: () => 'redis://:${REDIS_PASSWORD}@redis:6379/1',
  SECRET_KEY: () => '${DJANGO_SECRET_KEY}',
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

/** Distributions that satisfy a stack requirement when the project declares them instead. */
const EQUIVALENTS: Record<string, string[]> = {
  psycopg: ['psycopg', 'psycopg2', 'psycopg2-binary', 'psycopg-binary', 'psycopg-c'],
};

// Every pyproject kind: the project's build backend (hatchling, setuptools, poetry-core,
// pdm-backend) builds it and pip installs its declared dependencies; the code itself runs from
// /app, which comes first on the path and shadows the installed copy.
const INSTALLS: Record<DependencyManager, (project: DetectedProject) => ExistingDeployment['install']> = {
  requirements: (project) => ({
    manager: 'requirements',
    label: `pip install -r ${project.dependencies!.entry}`,
    copyFirst: project.dependencies!.files,
    requirementsFile: project.dependencies!.entry,
  }),
  pyproject: () => ({ manager: 'pyproject', label: 'pip install . (PEP 621)', copyFirst: [] }),
  poetry: () => ({ manager: 'poetry', label: 'pip install . (poetry-core build backend)', copyFirst: [] }),
  pdm: () => ({ manager: 'pdm', label: 'pip install . (pdm-backend)', copyFirst: [] }),
  uv: () => ({ manager: 'uv', label: 'pip install . (uv project)', copyFirst: [] }),
  pipenv: () => ({ manager: 'pipenv', label: 'pipenv install --system --deploy', copyFirst: ['Pipfile', 'Pipfile.lock'] }),
};

export interface ExistingInput {
  project: DetectedProject;
  /** Requirement lines the stack needs (core and enabled features), as new projects list them. */
  stackRequirements: readonly string[];
  domains: string[];
  /** Files present in the project before the first generation (not written by us). */
  presentUserFiles: readonly string[];
}

export function existingDeployment({ project, stackRequirements, domains, presentUserFiles }: ExistingInput): ExistingDeployment {
  const settingsModule = `${project.settingsPackage.module}.${DEPLOY_SETTINGS_NAME}`;
  const declared = new Set(project.dependencies?.packages ?? []);
  const satisfied = (line: string) => {
    const name = requirementName(line)!;
    return (EQUIVALENTS[name] ?? [name]).some((candidate) => declared.has(normalizeName(candidate)));
  };
  const reads = project.facts.environment;
  const environment = reads
    .filter((read) => KNOWN_VARIABLES[read.variable] && !STACK_VARIABLES.has(read.variable))
    .map((read) => ({ name: read.variable, value: KNOWN_VARIABLES[read.variable]!(domains) }));
  const requiredByUser = reads
    .filter((read) => read.required && !KNOWN_VARIABLES[read.variable] && !STACK_VARIABLES.has(read.variable))
    .map((read) => read.variable);
  const buildPlaceholders = reads
    .filter((read) => read.required && read.variable !== 'DJANGO_SECRET_KEY')
    .map((read) => ({ name: read.variable, value: BUILD_VALUES[read.variable] ?? BUILD_PLACEHOLDER }));
  return {
    userSettingsModule: project.settings.module,
    settingsModule,
    settingsFile: `${project.settingsPackage.directory}/${DEPLOY_SETTINGS_NAME}.py`,
    sourceRoot: project.sourceRoot,
    install: project.dependencies
      ? INSTALLS[project.dependencies.manager](project)
      : { manager: 'none', label: "none declared: only the stack's own requirements", copyFirst: [] },
    extraRequirements: stackRequirements.filter((line) => !satisfied(line)),
    ...(project.celery ? { celeryApp: project.celery.target } : {}),
    celeryReadsSettings: project.celery?.namespace === 'CELERY',
    environment,
    requiredByUser,
    buildPlaceholders,
    userOwnedFiles: SHAREABLE_FILES.filter((file) => presentUserFiles.includes(file)),
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
    `python              ${project.python ? `${project.python.spec} (${project.python.source})` : 'not declared'}`,
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
      `${project.settings.file} reads no environment variables: secrets such as SECRET_KEY belong in the environment (${deployment.settingsFile} sets them from .env).`,
    );
  }
  if (facts.databaseEngine === 'django.db.backends.sqlite3') {
    suggestions.push('The project uses SQLite; the deployment runs PostgreSQL (copy existing data with dumpdata/loaddata).');
  }
  for (const file of deployment.userOwnedFiles) {
    suggestions.push(
      file === 'Makefile'
        ? 'You have a Makefile, so none is written: see DEPLOY.md for the compose commands.'
        : `You have a ${file}, so it is left alone: add .env${file === '.dockerignore' ? ', .git and .django-prod' : ''} to it.`,
    );
  }
  if (project.celery && !deployment.celeryReadsSettings) {
    suggestions.push(
      `${project.celery.file} does not read Django's CELERY_* settings (config_from_object(..., namespace="CELERY")), so the deployment cannot point it at the stack's Redis: configure its broker from CELERY_BROKER_URL.`,
    );
  }
  if (deployment.requiredByUser.length > 0) {
    suggestions.push(`Your settings require ${deployment.requiredByUser.join(', ')}: set them in .env (listed in .env.example).`);
  }
  if (project.dependencies?.lockFile && deployment.install.manager !== 'pipenv') {
    suggestions.push(
      `${project.dependencies.lockFile} is not used by the image (pip installs from pyproject.toml): export pinned requirements for reproducible builds.`,
    );
  }
  if (deployment.extraRequirements.length > 0) {
    suggestions.push(
      `Declare ${deployment.extraRequirements.map((line) => requirementName(line)).join(', ')} in your own dependencies; ${DEPLOY_REQUIREMENTS_FILE} adds them meanwhile.`,
    );
  }
  return suggestions;
}
