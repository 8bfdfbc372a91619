// Every file the generator can write, and when: the core table below plus each enabled
// feature's own rows (features/<name>/index.ts). A row's path is the file's path in
// the generated repository and, with ".ejs" added, its template's path under templates/ (core)
// or the feature's files/ folder ("_pkg_" stands for the Python package name).
import path from 'node:path';
import type { Feature, FeatureFiles } from './feature.ts';
import type { RenderContext } from './context.ts';
import { PACKAGE_ROOT } from './package-root.ts';

type Condition = (ctx: RenderContext) => boolean;

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const FEATURES_DIR = path.join(PACKAGE_ROOT, 'features');

const withWsgi: Condition = (ctx) => !ctx.asgi;
const withAsgi: Condition = (ctx) => ctx.asgi;
const withAcmeCaBundle: Condition = (ctx) => ctx.tls.hasCaBundle;
const forNewProject: Condition = (ctx) => ctx.existing === undefined;
const forExistingProject: Condition = (ctx) => ctx.existing !== undefined;
const withTestSuite: Condition = (ctx) => ctx.repoHealth.testSuite;
const withDependabot: Condition = (ctx) => ctx.repoHealth.dependencyBot === 'dependabot';
const withRenovate: Condition = (ctx) => ctx.repoHealth.dependencyBot === 'renovate';

export const PACKAGE_PLACEHOLDER = '_pkg_';
/** Existing-project mode: the new settings module's path (next to the user's settings). */
export const DEPLOY_SETTINGS_PLACEHOLDER = '_deploy_settings_.py';
/** Existing-project mode: files placed at the project's root (where their tools look), unless the project has its own. */
const BOT_CONFIG_FILES = new Set(['.github/dependabot.yml', 'renovate.json']);

export const CORE_FILE_TABLE: Record<string, FeatureFiles[]> = {
  repository: [
    { templates: ['README.md', 'Makefile', '.gitignore', '.dockerignore', '.env.example', 'compose.yaml'] },
    { executable: true, templates: ['bin/deploy', 'bin/docker-check', 'db/roles.sh'] },
  ],
  application: [
    // gunicorn.conf.py holds the sized numbers; gunicorn_runtime/ beside it, the code they drive (copied as is).
    {
      templates: [
        'Dockerfile',
        'gunicorn.conf.py',
        'gunicorn_runtime/__init__.py',
        'gunicorn_runtime/sizing.py',
        'gunicorn_runtime/startup.py',
        'gunicorn_runtime/graceful_stop.py',
        'gunicorn_runtime/logs.py',
      ],
    },
    {
      condition: forNewProject,
      templates: [
        'requirements.txt',
        'manage.py',
        '_pkg_/__init__.py',
        '_pkg_/settings/__init__.py',
        '_pkg_/settings/base.py',
        '_pkg_/settings/production.py',
        '_pkg_/urls.py',
        '_pkg_/health.py',
        '_pkg_/static/_pkg_/site.css',
      ],
    },
    // make lock: requirements.txt's ranges pinned with hashes (the lock itself is the user's: only pip knows the hashes).
    { condition: forNewProject, executable: true, templates: ['bin/lock'] },
    { condition: (ctx) => forNewProject(ctx) && withWsgi(ctx), templates: ['_pkg_/wsgi.py'] },
    { condition: (ctx) => forNewProject(ctx) && withAsgi(ctx), templates: ['_pkg_/asgi.py', 'gunicorn_runtime/asgi.py'] },
    // The project's own code stays untouched: one new settings module and the missing requirements;
    // the image's build context is the project, with an ignore file of its own (Dockerfile.dockerignore).
    { condition: forExistingProject, templates: [DEPLOY_SETTINGS_PLACEHOLDER, 'requirements-deploy.txt', 'Dockerfile.dockerignore'] },
    { condition: (ctx) => ctx.existing?.install.lock !== undefined, templates: ['requirements-lock.txt'] },
  ],
  proxy: [
    {
      templates: [
        'nginx/nginx.conf',
        'nginx/conf.d/site.conf',
        'nginx/snippets/security-headers.conf',
        'nginx/snippets/proxy.conf',
        'nginx/conf.d/upstream.conf',
        'nginx/snippets/upstream.conf',
      ],
    },
  ],
  // The repository's own health: the test suite (make test), the CI workflow, dependency updates.
  'repository health': [
    {
      condition: withTestSuite,
      templates: [
        'requirements-dev.txt',
        'pytest.ini',
        'compose.test.yaml',
        '.github/workflows/ci.yml',
        'tests/__init__.py',
        'tests/test_health.py',
        'tests/test_settings.py',
        'tests/test_logging.py',
        'tests/gunicorn_server.py',
        'tests/test_gunicorn_sizing.py',
        'tests/test_gunicorn_startup.py',
        'tests/test_gunicorn_logs.py',
        'tests/test_graceful_stop.py',
      ],
    },
    { condition: (ctx) => withTestSuite(ctx) && withAsgi(ctx), templates: ['tests/test_asgi.py'] },
    { condition: withDependabot, templates: ['.github/dependabot.yml'] },
    { condition: withRenovate, templates: ['renovate.json'] },
  ],
  certificates: [
    { executable: true, templates: ['certbot/entrypoint.sh', 'certbot/deploy-hook.sh', 'nginx/reload-on-renewal.sh'] },
    { condition: withAcmeCaBundle, templates: ['certbot/acme-ca.pem'] },
  ],
};

export interface PlannedFile {
  /** Absolute path of the template. */
  template: string;
  /** Path in the generated repository. */
  path: string;
  executable: boolean;
}

/** The files to write for this context: the core table, then each enabled feature's, in registry order. */
export function planFiles(ctx: RenderContext): PlannedFile[] {
  const sources = [
    ...Object.values(CORE_FILE_TABLE)
      .flat()
      .map((section) => ({ section, dir: TEMPLATES_DIR })),
    ...ctx.enabledFeatures.flatMap((feature) =>
      (feature.files ?? []).map((section) => ({ section, dir: path.join(FEATURES_DIR, feature.name, 'files') })),
    ),
  ];
  return sources
    .filter(({ section }) => section.condition?.(ctx) ?? true)
    .flatMap(({ section, dir }) =>
      section.templates
        .filter((template) => keptInExistingMode(template, ctx))
        .map((template) => ({
          template: path.join(dir, `${template}.ejs`),
          path: generatedPath(template, ctx),
          executable: section.executable ?? false,
        })),
    );
}

/**
 * Existing-project mode puts every file in one folder of ours (ctx.existing.directory), so none can
 * be one of the project's and the project's own compose file keeps `docker compose` for
 * development; only the settings module goes beside the project's settings, and the bot config
 * where its tool reads it (unless the project has its own).
 */
export function generatedPath(template: string, ctx: RenderContext): string {
  if (ctx.existing === undefined) return template.replaceAll(PACKAGE_PLACEHOLDER, ctx.packageName);
  if (template === DEPLOY_SETTINGS_PLACEHOLDER) return ctx.existing.settingsFile;
  if (BOT_CONFIG_FILES.has(template) && !ctx.existing.botConfigInDirectory) return template;
  return `${ctx.existing.directory}/${BOT_CONFIG_FILES.has(template) ? path.posix.basename(template) : template}`;
}

/** Existing-project mode writes around the user's code: never the new-project package (features' _pkg_ files included). */
function keptInExistingMode(template: string, ctx: RenderContext): boolean {
  return ctx.existing === undefined || !template.startsWith(`${PACKAGE_PLACEHOLDER}/`);
}

/** Every path the generator can write under some answers ("_pkg_" unreplaced): core rows and every feature's, derived files too. */
export function everyGeneratedPath(features: readonly Feature[]): string[] {
  return [
    ...[...Object.values(CORE_FILE_TABLE).flat(), ...features.flatMap((feature) => feature.files ?? [])].flatMap(
      (section) => section.templates,
    ),
    ...features.flatMap((feature) => (feature.derived ?? []).map((file) => file.template)),
  ];
}
