// Every file the generator can write, and when. A row's path is the file's path in the
// generated repository and, with ".ejs" added, its template's path under templates/
// ("_pkg_" stands for the Python package name).
import type { RenderContext } from './context.ts';

type Condition = (ctx: RenderContext) => boolean;

export interface FileSection {
  condition?: Condition;
  /** Executable scripts get mode 755. */
  executable?: boolean;
  templates: string[];
}

const withCelery: Condition = (ctx) => ctx.answers.celery;
const withBackups: Condition = (ctx) => ctx.answers.backups;
const withWsgi: Condition = (ctx) => ctx.answers.server === 'wsgi';
const withAsgi: Condition = (ctx) => ctx.answers.server === 'asgi';
const withAcmeCaBundle: Condition = (ctx) => ctx.tls.hasCaBundle;

export const PACKAGE_PLACEHOLDER = '_pkg_';

export const FILE_TABLE: Record<string, FileSection[]> = {
  repository: [
    { templates: ['README.md', 'Makefile', '.gitignore', '.dockerignore', '.env.example', 'compose.yaml'] },
  ],
  application: [
    {
      templates: [
        'Dockerfile', 'requirements.txt', 'gunicorn.conf.py', 'manage.py',
        '_pkg_/__init__.py', '_pkg_/settings/__init__.py', '_pkg_/settings/base.py', '_pkg_/settings/production.py',
        '_pkg_/urls.py', '_pkg_/health.py', '_pkg_/static/_pkg_/site.css',
      ],
    },
    { condition: withWsgi, templates: ['_pkg_/wsgi.py'] },
    { condition: withAsgi, templates: ['_pkg_/asgi.py'] },
    { condition: withCelery, templates: ['_pkg_/celery.py', '_pkg_/tasks.py'] },
  ],
  proxy: [
    { templates: ['nginx/nginx.conf', 'nginx/conf.d/site.conf', 'nginx/snippets/security-headers.conf', 'nginx/snippets/proxy.conf'] },
  ],
  certificates: [
    { executable: true, templates: ['certbot/entrypoint.sh', 'certbot/deploy-hook.sh', 'nginx/reload-on-renewal.sh'] },
    { condition: withAcmeCaBundle, templates: ['certbot/acme-ca.pem'] },
  ],
  backups: [
    { condition: withBackups, templates: ['backup/Dockerfile', 'backup/crontab'] },
    { condition: withBackups, executable: true, templates: ['backup/entrypoint.sh', 'backup/backup.sh', 'backup/restore.sh', 'backup/healthcheck.sh'] },
  ],
};

export interface PlannedFile {
  template: string;
  /** Path in the generated repository. */
  path: string;
  executable: boolean;
}

/** The files to write for this context, in table order. */
export function planFiles(ctx: RenderContext): PlannedFile[] {
  return Object.values(FILE_TABLE)
    .flat()
    .filter((section) => section.condition?.(ctx) ?? true)
    .flatMap((section) => section.templates.map((template) => ({
      template,
      path: template.replaceAll(PACKAGE_PLACEHOLDER, ctx.packageName),
      executable: section.executable ?? false,
    })));
}
