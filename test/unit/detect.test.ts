// Detection of existing Django projects: each fixture project, then the layouts and dependency
// managers no fixture has (in memory), then bad input.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { DetectionError, detectProject, directoryReader, memoryReader } from '../../generators/lib/detect/index.ts';
import { rangeVersion } from '../../generators/lib/detect/dependencies.ts';
import { imagePythonFor } from '../../generators/lib/detect/python-version.ts';
import {
  celeryInstances,
  environmentReads,
  settingsModuleDefault,
  starImports,
  topLevelAssignments,
} from '../../generators/lib/detect/python-source.ts';
import { readRequirements } from '../../generators/lib/detect/requirements.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');
const detectFixture = (name: string) => detectProject(directoryReader(path.join(FIXTURES, name)), name);

const MANAGE = (module: string) => `import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "${module}")\n`;
const MINIMAL_SETTINGS = 'WSGI_APPLICATION = "site1.wsgi.application"\n';
const minimalProject = (extra: Record<string, string> = {}) =>
  memoryReader({
    'manage.py': MANAGE('site1.settings'),
    'site1/__init__.py': '',
    'site1/settings.py': MINIMAL_SETTINGS,
    'site1/wsgi.py': MANAGE('site1.settings'),
    ...extra,
  });

describe('detection of the fixture projects', () => {
  it('startproject defaults with requirements.txt', () => {
    const project = detectFixture('startproject');
    expect(project).toMatchObject({
      manageDirectory: '',
      sourceRoot: '',
      settings: { module: 'mysite.settings', file: 'mysite/settings.py', source: 'mysite/wsgi.py' },
      settingsPackage: { module: 'mysite', directory: 'mysite' },
      server: 'wsgi',
      application: 'mysite.wsgi:application',
      dependencies: { manager: 'requirements', entry: 'requirements.txt', packages: ['django'] },
      facts: { databaseEngine: 'django.db.backends.sqlite3', environment: [], hasStorages: false },
    });
    expect(project.facts.staticRoot).toBeUndefined();
    expect(project.facts.mediaRoot).toBeUndefined();
    expect(project.python).toBeUndefined();
    expect(project.celery).toBeUndefined();
  });

  it('split settings: wsgi.py names production while manage.py names local; -r includes are followed', () => {
    const project = detectFixture('split-settings');
    expect(project).toMatchObject({
      settings: { module: 'config.settings.production', file: 'config/settings/production.py', source: 'config/wsgi.py' },
      manageSettingsModule: 'config.settings.local',
      settingsPackage: { module: 'config.settings', directory: 'config/settings' },
      application: 'config.wsgi:application',
      dependencies: {
        manager: 'requirements',
        entry: 'requirements/production.txt',
        files: ['requirements/production.txt', 'requirements/base.txt'],
        packages: ['django', 'django-environ', 'whitenoise', 'gunicorn', 'psycopg', 'django-redis'],
      },
      facts: {
        files: ['config/settings/base.py', 'config/settings/production.py'],
        databaseUrlVariable: 'DATABASE_URL',
        staticRoot: 'str(BASE_DIR / "staticfiles")',
        mediaRoot: 'str(APPS_DIR / "media")',
        storagesStaticBackend: 'whitenoise.storage.CompressedManifestStaticFilesStorage',
      },
    });
    expect(project.facts.databaseEngine).toBeUndefined();
    const required = project.facts.environment.filter((read) => read.required).map((read) => read.variable);
    expect(required).toEqual(['DJANGO_SECRET_KEY', 'REDIS_URL']);
  });

  it('src layout with a PEP 621 pyproject and .python-version', () => {
    expect(detectFixture('src-layout')).toMatchObject({
      manageDirectory: '',
      sourceRoot: 'src',
      settings: { module: 'shop.settings', file: 'src/shop/settings.py' },
      settingsPackage: { module: 'shop', directory: 'src/shop' },
      application: 'shop.wsgi:application',
      dependencies: { manager: 'pyproject', entry: 'pyproject.toml', packages: ['django', 'psycopg', 'django-environ'] },
      python: { source: '.python-version', spec: '3.13', pinned: '3.13' },
      facts: {
        databaseEngine: 'django.db.backends.postgresql',
        staticRoot: "BASE_DIR / 'static_collected'",
        storagesStaticBackend: 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage',
        storagesDefaultBackend: 'django.core.files.storage.FileSystemStorage',
      },
    });
  });

  it('Poetry: [tool.poetry.dependencies] without python, the Python range, the outdated STATICFILES_STORAGE', () => {
    const project = detectFixture('poetry');
    expect(project).toMatchObject({
      dependencies: { manager: 'poetry', packages: ['django', 'dj-database-url', 'whitenoise'] },
      python: { source: 'pyproject.toml', spec: '^3.12', minimum: '3.12' },
      facts: {
        databaseUrlVariable: 'DATABASE_URL',
        staticfilesStorage: 'whitenoise.storage.CompressedManifestStaticFilesStorage',
        hasStorages: false,
      },
    });
    expect(project.dependencies?.lockFile).toBeUndefined();
    expect(project.facts.environment).toEqual([
      { variable: 'SECRET_KEY', required: false, conditional: false, via: 'os.environ' },
      { variable: 'DEBUG', required: false, conditional: false, via: 'os.environ' },
      { variable: 'DATABASE_URL', required: false, conditional: false, via: 'dj-database-url' },
    ]);
  });

  it('an existing Celery app', () => {
    expect(detectFixture('celery')).toMatchObject({
      celery: { module: 'proj.celery', file: 'proj/celery.py', variable: 'app', target: 'proj.celery:app', namespace: 'CELERY' },
      dependencies: { packages: ['django', 'celery', 'psycopg'] },
      facts: { databaseEngine: 'django.db.backends.postgresql' },
    });
  });

  it('ASGI from the ASGI_APPLICATION setting, Python from runtime.txt', () => {
    expect(detectFixture('asgi')).toMatchObject({
      server: 'asgi',
      serverReason: 'ASGI_APPLICATION = chat.asgi.application',
      application: 'chat.asgi:application',
      settings: { source: 'chat/asgi.py' },
      python: { source: 'runtime.txt', spec: 'python-3.13.5', pinned: '3.13' },
      facts: { staticRoot: "BASE_DIR / 'staticfiles'", mediaRoot: "BASE_DIR / 'media'" },
    });
  });
});

describe('detection of the shapes teams really have', () => {
  it('Celery wherever Celery() is instantiated: celeryconf.py, a tasks package', () => {
    expect(detectFixture('celeryconf').celery).toEqual({
      module: 'market.celeryconf',
      file: 'market/celeryconf.py',
      variable: 'app',
      target: 'market.celeryconf:app',
      namespace: 'CELERY',
    });
    expect(detectFixture('tasks-package').celery).toMatchObject({ module: 'shop.tasks.celery', target: 'shop.tasks.celery:app' });
  });

  it('conditional and defaulted reads are optional; a commented-out read is nothing', () => {
    const reads = Object.fromEntries(detectFixture('celeryconf').facts.environment.map((read) => [read.variable, read]));
    expect(reads['SECRET_KEY']).toMatchObject({ required: true, conditional: false });
    expect(reads['AWS_STORAGE_BUCKET_NAME']).toMatchObject({ required: false, conditional: true });
    expect(reads['LEGACY_SECRET_KEY']).toBeUndefined();
  });

  it('the production module beside the one wsgi.py names (config/django/base -> production)', () => {
    expect(detectFixture('styleguide')).toMatchObject({
      settings: { module: 'config.django.production', source: 'the production module beside config.django.base' },
      manageSettingsModule: 'config.django.local',
      settingsPackage: { module: 'config.django', directory: 'config/django' },
      facts: { files: ['config/django/base.py', 'config/django/production.py'] },
    });
  });

  it('the settingsModule answer wins over detection', () => {
    const project = detectProject(directoryReader(path.join(FIXTURES, 'styleguide')), 'styleguide', {
      settingsModule: 'config.django.base',
    });
    expect(project.settings).toMatchObject({ module: 'config.django.base', source: 'the settingsModule answer' });
  });

  it('manage.py inside src/', () => {
    expect(detectFixture('src-manage')).toMatchObject({
      manageDirectory: 'src',
      sourceRoot: 'src',
      settings: { file: 'src/notes/settings.py' },
    });
  });

  it('requires-python below the default picks that image; Git dependencies are noticed', () => {
    expect(detectFixture('requires-python').python).toEqual({
      source: 'pyproject.toml',
      spec: '>=3.11,<3.12',
      minimum: '3.11',
      image: { version: '3.11' },
    });
    expect(detectFixture('git-dependency').dependencies).toMatchObject({ needsGit: true, packages: ['django', 'psycopg', 'acme-sso'] });
  });

  it('lock files: the runtime closure of uv.lock and poetry.lock, dev groups left out', () => {
    const uv = detectFixture('uv-lock').dependencies!;
    expect(uv).toMatchObject({ manager: 'uv', lockFile: 'uv.lock', buildsPackage: true, locked: { hashed: true } });
    expect(uv.locked!.packages.map((found) => found.name)).not.toContain('pytest');
    const poetry = detectFixture('poetry-lock').dependencies!;
    expect(poetry.locked!.packages.find((found) => found.name === 'psycopg-binary')).toMatchObject({
      pin: '==3.2.6',
      marker: 'implementation_name != "pypy"',
    });
    expect(poetry.locked!.packages.map((found) => found.name)).not.toContain('pytest');
  });

  it('pdm.lock: the default group only; a malformed pin is one line', () => {
    const pyproject = '[project]\nname = "x"\ndependencies = ["Django>=5.2"]\n[tool.pdm]\ndistribution = false\n';
    const pdmLock = [
      '[metadata]',
      'groups = ["default", "dev"]',
      '[[package]]',
      'name = "django"',
      'version = "5.2.19"',
      'groups = ["default"]',
      'dependencies = ["asgiref>=3.8.1", "tzdata; sys_platform == \\"win32\\""]',
      `files = [{file = "django-5.2.19-py3-none-any.whl", hash = "sha256:${'a'.repeat(64)}"}]`,
      '[[package]]',
      'name = "asgiref"',
      'version = "3.8.1"',
      'groups = ["default"]',
      `files = [{file = "asgiref-3.8.1-py3-none-any.whl", hash = "sha256:${'b'.repeat(64)}"}]`,
      '[[package]]',
      'name = "pytest"',
      'version = "9.1.1"',
      'groups = ["dev"]',
      `files = [{file = "pytest-9.1.1-py3-none-any.whl", hash = "sha256:${'c'.repeat(64)}"}]`,
    ].join('\n');
    const project = detectProject(minimalProject({ 'pyproject.toml': pyproject, 'pdm.lock': pdmLock }));
    expect(project.dependencies).toMatchObject({ manager: 'pdm', lockFile: 'pdm.lock', buildsPackage: false, locked: { hashed: true } });
    expect(project.dependencies!.locked!.packages.map((found) => `${found.name}${found.pin}`)).toEqual([
      'asgiref==3.8.1',
      'django==5.2.19',
    ]);
    const smuggled = pdmLock.replace('version = "3.8.1"', 'version = "3.8.1\\n--index-url https://evil.example"');
    expect(() => detectProject(minimalProject({ 'pyproject.toml': pyproject, 'pdm.lock': smuggled }))).toThrow(
      'pdm.lock: the entry of asgiref is not a version, hash or marker pip can read',
    );
  });
});

describe('layouts and managers without a fixture', () => {
  it('manage.py inside src/', () => {
    const project = detectProject(
      memoryReader({
        'src/manage.py': MANAGE('app.settings'),
        'src/app/__init__.py': '',
        'src/app/settings.py': '',
        'src/app/wsgi.py': MANAGE('app.settings'),
      }),
    );
    expect(project).toMatchObject({ manageDirectory: 'src', sourceRoot: 'src', application: 'app.wsgi:application', server: 'wsgi' });
  });

  it('a settings package whose __init__ star-imports its parts', () => {
    const project = detectProject(
      memoryReader({
        'manage.py': MANAGE('site1.settings'),
        'site1/wsgi.py': '',
        'site1/settings/__init__.py': 'from .base import *\nfrom .prod import *\n',
        'site1/settings/base.py': 'STATIC_ROOT = "/a"\n',
        'site1/settings/prod.py': 'STATIC_ROOT = "/b"\n',
      }),
    );
    expect(project.settingsPackage).toEqual({ module: 'site1.settings', directory: 'site1/settings' });
    expect(project.facts.files).toEqual(['site1/settings/base.py', 'site1/settings/prod.py', 'site1/settings/__init__.py']);
    expect(project.facts.staticRoot).toBe('"/b"');
  });

  it('uv with uv.lock, PDM, Pipfile', () => {
    const pyproject = '[project]\nname = "x"\nrequires-python = "==3.12.*"\ndependencies = ["Django>=5.2", "gunicorn"]\n';
    expect(detectProject(minimalProject({ 'pyproject.toml': pyproject, 'uv.lock': '' }))).toMatchObject({
      dependencies: { manager: 'uv', lockFile: 'uv.lock', packages: ['django', 'gunicorn'] },
      python: { pinned: '3.12' },
    });
    expect(detectProject(minimalProject({ 'pyproject.toml': `${pyproject}[tool.pdm]\ndistribution = false\n` })).dependencies).toEqual({
      manager: 'pdm',
      entry: 'pyproject.toml',
      files: ['pyproject.toml'],
      packages: ['django', 'gunicorn'],
      buildsPackage: false,
      needsGit: false,
    });
    const pipfile =
      '[packages]\ndjango = ">=5.2"\n"psycopg" = {extras = ["binary"], version = "*"}\n\n[dev-packages]\npytest = "*"\n\n[requires]\npython_version = "3.12"\n';
    expect(detectProject(minimalProject({ Pipfile: pipfile, 'Pipfile.lock': '{}' }))).toMatchObject({
      dependencies: { manager: 'pipenv', entry: 'Pipfile', lockFile: 'Pipfile.lock', packages: ['django', 'psycopg'] },
      python: { source: 'Pipfile', pinned: '3.12' },
    });
  });

  it('a tool-managed pyproject wins over requirements files; requirements win over a bare [project]', () => {
    const poetry = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.12"\nDjango = "*"\n';
    expect(detectProject(minimalProject({ 'pyproject.toml': poetry, 'requirements.txt': 'flask\n' })).dependencies?.manager).toBe('poetry');
    const bare = '[project]\nname = "x"\ndependencies = ["Django"]\n';
    expect(detectProject(minimalProject({ 'pyproject.toml': bare, 'requirements.txt': 'Django\ncelery\n' })).dependencies).toMatchObject({
      manager: 'requirements',
      packages: ['django', 'celery'],
    });
  });

  it('ASGI from an ASGI server among the dependencies; WSGI by default', () => {
    const withUvicorn = { 'requirements.txt': 'Django\nuvicorn[standard]>=0.30\n' };
    expect(detectProject(minimalProject({ ...withUvicorn, 'site1/asgi.py': '' }))).toMatchObject({
      server: 'asgi',
      serverReason: 'uvicorn in requirements.txt',
      application: 'site1.asgi:application',
    });
    expect(detectProject(minimalProject(withUvicorn)).server).toBe('wsgi');
    expect(detectProject(minimalProject({ 'site1/asgi.py': '' })).server).toBe('wsgi');
  });

  it('no WSGI_APPLICATION: the package wsgi module', () => {
    const project = detectProject(memoryReader({ 'manage.py': MANAGE('a.settings'), 'a/settings.py': '', 'a/wsgi.py': '' }));
    expect(project.application).toBe('a.wsgi:application');
  });
});

describe('reading Python settings as text', () => {
  it('top-level assignments span open brackets and skip comments and nested code', () => {
    const source =
      'A = 1\nSTORAGES = {\n    "staticfiles": {"BACKEND": "x"},  # note ) ]\n}\nif True:\n    B = 2\nDATABASES["default"] = env.db()\nC == 3\n';
    expect(topLevelAssignments(source).map((assignment) => [assignment.target, assignment.expression])).toEqual([
      ['A', '1'],
      ['STORAGES', '{\n    "staticfiles": {"BACKEND": "x"},  # note ) ]\n}'],
      ['DATABASES["default"]', 'env.db()'],
    ]);
  });

  it('star imports resolve relative to the importing module', () => {
    expect(starImports('from .base import *\nfrom config.common import *\nfrom . import x\n', 'config.settings.prod', false)).toEqual([
      'config.settings.base',
      'config.common',
    ]);
    expect(starImports('from ..shared import *\n', 'a.settings', true)).toEqual(['a.shared']);
  });

  it('environment reads: required only without a default', () => {
    const source = [
      'A = os.environ["A"]',
      'B = os.environ.get("B")',
      'C = os.getenv("C", "x")',
      'D = env("D")',
      'E = env.bool("E", default=False)',
      'F = env.int("F", 3)',
      'G = env.list(\n    "G",\n)',
      'H = config("H")',
      'DATABASES = {"default": dj_database_url.config(env="DB")}',
    ].join('\n');
    expect(environmentReads(source).map((read) => `${read.variable}:${read.required}`)).toEqual([
      'A:true',
      'B:false',
      'C:false',
      'D:true',
      'E:false',
      'F:false',
      'G:true',
      'H:true',
      'DB:true',
    ]);
  });
});

describe('requirements files', () => {
  const files: Record<string, string> = {
    'requirements/prod.txt': '-r base.txt\n--requirement=extra.txt\n-c ../constraints.txt\ngunicorn==23.0 \\\n  --hash=sha256:abc\n',
    'requirements/base.txt':
      '# comment\nDjango>=5.2,<6  # LTS\n-e git+https://example.com/x.git#egg=my_lib\npsycopg[binary]>=3.2 ; python_version >= "3.10"\n',
    'requirements/extra.txt':
      '--index-url https://example.com\nDjango\npsycopg[binary] @ https://files.example.com/psycopg-3.2.6.tar.gz\nmylib @ git+https://github.com/acme/mylib@v1\n',
    'constraints.txt': 'celery==5.5\n',
  };
  it('follows includes, skips constraints and options, keeps URL lines with extras, names editable installs by #egg', () => {
    expect(readRequirements('requirements/prod.txt', (file) => files[file])).toEqual({
      files: ['requirements/prod.txt', 'requirements/base.txt', 'requirements/extra.txt', 'constraints.txt'],
      packages: ['django', 'my-lib', 'psycopg', 'mylib', 'gunicorn'],
      missing: [],
      needsGit: true,
    });
  });
  it('a missing include is bad input', () => {
    expect(() => detectProject(minimalProject({ 'requirements.txt': '-r nope.txt\n' }))).toThrow(
      /requirements.txt includes nope.txt, which does not exist/,
    );
  });
});

describe('TOML 1.0 (smol-toml)', () => {
  const withPyproject = (text: string) => detectProject(minimalProject({ 'pyproject.toml': text }));
  it('reads what a subset reader refused: a quote before the closing delimiter, a local date-time', () => {
    const pyproject = [
      '[project]',
      'name = "x"',
      'description = """He said "hi""""',
      'dependencies = ["Django>=5.2"]',
      '[tool.release]',
      'when = 1979-05-27 07:32:00Z',
      'local = 1979-05-27T07:32:00',
    ].join('\n');
    expect(withPyproject(pyproject).dependencies).toMatchObject({ manager: 'pyproject', packages: ['django'] });
  });
  it('a malformed file is one line naming the file, line and column', () => {
    expect(() => withPyproject('[project\n')).toThrow(/^pyproject.toml is not valid TOML \(line 1, column \d+: [^\n]+\)$/);
  });
});

describe('Python source through a parser: comments, docstrings and strings are not code', () => {
  it('a commented-out or documented environment read is no variable at all', () => {
    const source = [
      '"""Settings. Set os.environ["DOC_SECRET"] and env("DOC_TOO") in production."""',
      '# SECRET = os.environ["LEGACY_SECRET"]',
      `HELP = "use os.environ['IN_STRING'] here"`,
      'KEY = os.environ["REAL_KEY"]  # os.environ["TRAILING"]',
    ].join('\n');
    expect(environmentReads(source).map((read) => read.variable)).toEqual(['REAL_KEY']);
  });

  it('a commented-out DJANGO_SETTINGS_MODULE line is not the settings module', () => {
    const manage = [
      'import os',
      '# os.environ.setdefault("DJANGO_SETTINGS_MODULE", "old.settings")',
      'def main():',
      '    """os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doc.settings")"""',
      '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")',
    ].join('\n');
    expect(settingsModuleDefault(manage)).toBe('site1.settings');
    expect(settingsModuleDefault('# os.environ["DJANGO_SETTINGS_MODULE"] = "x.settings"\n')).toBeUndefined();
  });

  it('reads under a condition are optional, whatever their default', () => {
    const source = [
      'USE_S3 = env.bool("USE_S3", default=False)',
      'if USE_S3:',
      '    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")',
      'try:',
      '    SENTRY = os.environ["SENTRY_DSN"]',
      'except KeyError:',
      '    SENTRY = None',
      'X = os.environ["ON"] if USE_S3 else None',
      'if os.environ["TESTED"]:',
      '    pass',
      'def f():',
      '    return env("LATER")',
    ].join('\n');
    expect(environmentReads(source).map((read) => `${read.variable}:${read.required}:${read.conditional}`)).toEqual([
      'USE_S3:false:false',
      'AWS_STORAGE_BUCKET_NAME:false:true',
      'SENTRY_DSN:false:true',
      'ON:false:true',
      'TESTED:true:false',
      'LATER:false:true',
    ]);
  });

  it("django-environ's schema defaults and URL readers", () => {
    const source = [
      'env = environ.Env(DEBUG=(bool, False))',
      'DEBUG = env("DEBUG")',
      'DATABASES = {"default": env.db()}',
      'CACHES = {"default": env.cache("REDIS_URL", default="x")}',
    ].join('\n');
    expect(environmentReads(source).map((read) => `${read.variable}:${read.required}`)).toEqual([
      'DEBUG:false',
      'DATABASE_URL:true',
      'REDIS_URL:false',
    ]);
  });

  it('Celery instances and their namespace', () => {
    const source = [
      'from celery import Celery',
      '# app = Celery("old")',
      'celery_app = Celery("p")',
      'celery_app.config_from_object("django.conf:settings", namespace="CELERY")',
    ].join('\n');
    expect(celeryInstances(source)).toEqual([{ variable: 'celery_app', namespace: 'CELERY' }]);
    expect(celeryInstances('"""app = Celery("doc")"""\n')).toEqual([]);
  });
});

describe('Python versions', () => {
  it.each([
    ['>=3.12', { minimum: '3.12' }],
    ['^3.11', { minimum: '3.11' }],
    ['~=3.10.2', { minimum: '3.10' }],
    ['==3.12.*', { pinned: '3.12' }],
    ['>3.9,<4', { minimum: '3.9' }],
    ['*', {}],
  ])('%s', (spec, expected) => {
    expect(rangeVersion('pyproject.toml', spec)).toMatchObject({ source: 'pyproject.toml', spec, ...expected });
  });

  it.each([
    ['>=3.12', '3.13'],
    ['>=3.12,<3.13', '3.12'],
    ['>=3.11,<3.12', '3.11'],
    ['~=3.11', '3.13'],
    ['~=3.11.2', '3.11'],
    ['^3.11', '3.13'],
    ['~3.12', '3.12'],
    ['<=3.12', '3.11'],
    ['==3.12.*', '3.12'],
    ['>=3.14', '3.14'],
    ['python-3.12.4', '3.12'],
    ['3.10', '3.10'],
    ['>=3.10,!=3.13.*', '3.12'],
    ['*', '3.13'],
  ])('%s runs on the python:%s image', (spec, version) => {
    expect(imagePythonFor(spec)).toEqual({ version });
  });

  it('a range no image satisfies is one clear problem', () => {
    expect(imagePythonFor('<3.10')).toEqual({ problem: 'no python image (3.10 to 3.14) satisfies it' });
  });
});

describe('bad input: one line, exit code 2', () => {
  it('a directory that is not a Django project', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'not-django-'));
    writeFileSync(path.join(empty, 'app.py'), 'print("hi")\n');
    const attempt = () => detectProject(directoryReader(empty), empty);
    expect(attempt).toThrow(DetectionError);
    expect(attempt).toThrow(`${empty} is not a Django project: no manage.py at its root or in src/`);
    try {
      attempt();
    } catch (error) {
      expect((error as DetectionError).code).toBe(2);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('manage.py without a settings module, or naming a missing one', () => {
    expect(() => detectProject(memoryReader({ 'manage.py': 'print(1)\n' }))).toThrow(/manage.py does not set DJANGO_SETTINGS_MODULE/);
    expect(() => detectProject(memoryReader({ 'manage.py': MANAGE('gone.settings') }))).toThrow(
      'manage.py names the settings module gone.settings, but no gone/settings.py exists',
    );
  });

  it('nothing for gunicorn to serve', () => {
    expect(() => detectProject(memoryReader({ 'manage.py': MANAGE('a.settings'), 'a/settings.py': '' }))).toThrow(
      'No WSGI_APPLICATION setting and no a/wsgi.py: cannot tell what gunicorn should serve',
    );
  });
});
