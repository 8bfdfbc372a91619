// Existing-project mode: the generator run on copies of the fixture projects. What it writes is
// snapshotted per fixture; the user's files must be byte-identical afterwards, whatever the flags;
// .env never reaches a commit; bad input stops with one line and writes nothing.
import { FEATURES } from '../../features/index.ts';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectProject, directoryReader, memoryReader } from '../../generators/lib/detect/index.ts';
import { existingDeployment, suggestionsFor, type Placement } from '../../generators/lib/existing.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { generateProject } from '../helpers/generate.ts';
import { readTree, snapshottedFiles } from '../helpers/tree.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');
// Modelled on public projects' layouts: Django's startproject, cookiecutter-django's split
// settings, HackSoft's styleguide (config/django/), Saleor's celeryconf.py, a tasks package, src/
// layouts, Poetry and uv with their lock files, a team's own Docker files and a flat setuptools
// pyproject, a Python pinned below the kit's, a Git dependency.
const FIXTURE_NAMES = [
  'startproject',
  'split-settings',
  'src-layout',
  'poetry',
  'celery',
  'asgi',
  'celeryconf',
  'tasks-package',
  'styleguide',
  'own-docker',
  'uv-lock',
  'poetry-lock',
  'src-manage',
  'requires-python',
  'git-dependency',
];
const FLAGS = { tlsMode: 'self-signed', domain: 'app.test', appPath: '/hello/' };

function copyOf(fixture: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `existing-${fixture}-`));
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

/** sha256 of every file under dir, by path (.git excluded: git's own bookkeeping). */
function fingerprints(dir: string, relative = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(path.join(dir, relative)).sort()) {
    const file = path.join(relative, entry);
    if (file === '.git') continue;
    if (statSync(path.join(dir, file)).isDirectory()) Object.assign(found, fingerprints(dir, file));
    else
      found[file] = createHash('sha256')
        .update(readFileSync(path.join(dir, file)))
        .digest('hex');
  }
  return found;
}

async function generateInto(dir: string, flags: Record<string, unknown>) {
  return generateProject({ ...FLAGS, ...flags }, { cwd: dir });
}

const git = (dir: string, ...args: string[]) => spawnSync('git', ['-c', 'safe.directory=*', ...args], { cwd: dir, encoding: 'utf8' });

describe.each(FIXTURE_NAMES)('existing project %s', (fixture) => {
  it('writes the deployment into deploy/ (snapshot) and leaves every file of the project byte-identical', async () => {
    const dir = copyOf(fixture);
    const before = fingerprints(dir);
    // No --existing: a manage.py in a first run's target is enough.
    await generateInto(dir, { name: `e14-${fixture}` });
    const after = fingerprints(dir);
    for (const [file, hash] of Object.entries(before)) expect(after[file], `${file} changed`).toBe(hash);

    const tree = readTree(dir);
    const written = Object.fromEntries(
      Object.entries(tree).filter(([file]) => before[file] === undefined && !file.startsWith('.django-prod/')),
    );
    expect(Object.keys(written)).toMatchSnapshot();
    const answers = JSON.parse(written['.yo-rc.json']!)['generator-django-prod'].answers;
    expect(answers.existing).toBe(true);
    // Outside our folder only the generator's answers, the settings module beside the project's
    // and the bot config where the bot reads it.
    const outside = Object.keys(written).filter((file) => !file.startsWith('deploy/'));
    const settingsModuleFile = `${answers.settingsModule.split('.').slice(0, -1).join('/')}/deploy.py`;
    expect(
      outside.filter((file) => !['.yo-rc.json', '.github/dependabot.yml'].includes(file) && !file.endsWith(settingsModuleFile)),
    ).toEqual([]);
    const snapshotted = Object.keys(written).filter((file) => file !== '.yo-rc.json' && !file.endsWith('.env'));
    for (const file of snapshotted) {
      await expect(written[file]).toMatchFileSnapshot(`__snapshots__/existing-${fixture}/${file}.snap`);
    }
    expect(
      snapshottedFiles(fileURLToPath(new URL(`__snapshots__/existing-${fixture}`, import.meta.url))),
      `stale snapshot files in __snapshots__/existing-${fixture}/`,
    ).toEqual(snapshotted.sort());
    // Never the new-project package or manage.py of a scaffolded project.
    expect(Object.keys(written).filter((file) => /(^|\/)(settings\/base|health|tasks)\.py$|^requirements\.txt$/.test(file))).toEqual([]);
  });
});

describe('existing-project mode', () => {
  it('regenerating changes nothing, and the project files stay as they were', async () => {
    const dir = copyOf('split-settings');
    await generateInto(dir, { name: 'e14-regen' });
    const first = fingerprints(dir);
    const result = await generateProject({}, { cwd: dir });
    expect(fingerprints(dir)).toEqual(first);
    expect(result.generator).toBeDefined();
  });

  it("runs the project's Celery app and answers what detection settled (server, celery, Python, settings)", async () => {
    const dir = copyOf('asgi');
    await generateInto(dir, { name: 'e14-asgi' });
    const answers = JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
    expect(answers).toMatchObject({
      existing: true,
      server: 'asgi',
      celery: false,
      pythonVersion: '3.13',
      appPath: '/hello/',
      settingsModule: 'chat.settings',
    });
    const celeryDir = copyOf('celeryconf');
    await generateInto(celeryDir, { name: 'e14-celery' });
    const compose = readFileSync(path.join(celeryDir, 'deploy/compose.yaml'), 'utf8');
    expect(compose).toContain('"celery", "-A", "market.celeryconf:app", "--quiet", "worker"');
    // The broker's URL carries the Redis password: the deployment's settings compose it from the secret file.
    expect(compose).not.toContain('CELERY_BROKER_URL');
    const settings = readFileSync(path.join(celeryDir, 'market/deploy.py'), 'utf8');
    expect(settings).toContain('    ("CELERY_BROKER_URL", "redis://:${REDIS_PASSWORD}@redis:6379/0"),');
    expect(settings).toContain('"heartbeat": {"task": "celery.accumulate"');
  });

  it('without Celery on, no broker is given to a project that runs its tasks eagerly without one', async () => {
    const dir = copyOf('celeryconf');
    await generateInto(dir, { name: 'e14-eager', celery: false });
    const compose = readFileSync(path.join(dir, 'deploy/compose.yaml'), 'utf8');
    // Passed through only if the user sets it in .env; the stack never points it at its Redis.
    expect(compose).toMatch(/^ {2}CELERY_BROKER_URL:$/m);
    expect(compose).not.toContain('CELERY_BROKER_URL: "redis');
    expect(compose).not.toMatch(/^ {2}worker:/m);
  });

  it('variables read under a condition stay optional: compose passes them only when set in .env', async () => {
    const dir = copyOf('styleguide');
    await generateInto(dir, { name: 'e14-optional' });
    const compose = readFileSync(path.join(dir, 'deploy/compose.yaml'), 'utf8');
    expect(compose).toMatch(/^ {2}AWS_STORAGE_BUCKET_NAME:$/m);
    expect(compose).not.toContain('AWS_STORAGE_BUCKET_NAME:?');
    expect(readFileSync(path.join(dir, 'deploy/.env.example'), 'utf8')).toMatch(/^# AWS_STORAGE_BUCKET_NAME=$/m);
  });

  it("a project's own Dockerfile, compose file, .dockerignore, .env files, gunicorn.conf.py, Makefile and dependabot.yml stay its own, --force or not", async () => {
    const dir = copyOf('own-docker');
    const before = fingerprints(dir);
    await generateInto(dir, { name: 'e14-own', force: true });
    const after = fingerprints(dir);
    for (const [file, hash] of Object.entries(before)) expect(after[file], `${file} changed`).toBe(hash);
    expect(existsSync(path.join(dir, 'compose.yaml'))).toBe(false);
    expect(existsSync(path.join(dir, 'deploy/dependabot.yml'))).toBe(true);
    // BuildKit reads the Dockerfile's own ignore file: no .env at any depth, not our folder.
    const ignore = readFileSync(path.join(dir, 'deploy/Dockerfile.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*\*\/\.env$/m);
    expect(ignore).toMatch(/^\*\*\/\.env\.\*$/m);
    expect(ignore).toMatch(/^deploy$/m);
    // The project's own patterns come first, so ours win.
    expect(ignore.indexOf('*.sqlite3')).toBeLessThan(ignore.indexOf('**/.env'));
  });

  it(".env at any depth is kept out of commits: .git/info/exclude when the project's .gitignore lacks it, and said", async () => {
    const dir = copyOf('own-docker');
    expect(git(dir, 'init', '-q').status).toBe(0);
    const result = await generateInto(dir, { name: 'e14-git' });
    const exclude = readFileSync(path.join(dir, '.git/info/exclude'), 'utf8');
    expect(exclude).toMatch(/^\.env$/m);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).not.toContain('.env');
    git(dir, 'add', '-A');
    const staged = git(dir, 'diff', '--cached', '--name-only').stdout.split('\n').filter(Boolean);
    expect(staged).toContain('deploy/.env.example');
    expect(staged.filter((file) => /(^|\/)\.env(\.|$)/.test(file) && !file.endsWith('.env.example'))).toEqual([]);
    expect(result.generator).toBeDefined();
  });

  it("a project's own deploy/ folder and deploy.py module: ours take other names", async () => {
    const dir = copyOf('startproject');
    mkdirSync(path.join(dir, 'deploy'));
    writeFileSync(path.join(dir, 'deploy/fabfile.py'), '# the old deployment\n');
    writeFileSync(path.join(dir, 'mysite/deploy.py'), '# the old deployment settings\n');
    const before = fingerprints(dir);
    await generateInto(dir, { name: 'e14-taken' });
    expect(fingerprints(dir)).toMatchObject(before);
    expect(existsSync(path.join(dir, 'deploy-django-prod/compose.yaml'))).toBe(true);
    expect(readFileSync(path.join(dir, 'mysite/django_prod_deploy.py'), 'utf8')).toContain('from mysite.settings import *');
    expect(readFileSync(path.join(dir, 'deploy-django-prod/compose.yaml'), 'utf8')).toContain(
      'DJANGO_SETTINGS_MODULE: mysite.django_prod_deploy',
    );
  });

  it('--settings-module names the settings production imports', async () => {
    const dir = copyOf('split-settings');
    await generateInto(dir, { name: 'e14-settings', settingsModule: 'config.settings.base' });
    expect(readFileSync(path.join(dir, 'config/settings/deploy.py'), 'utf8')).toContain('from config.settings.base import *');
  });
});

describe('existing-project mode: bad input writes nothing', () => {
  async function refusal(dir: string, flags: Record<string, unknown> = {}) {
    const before = fingerprints(dir);
    const error = await generateInto(dir, { name: 'e14-bad', ...flags }).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(fingerprints(dir)).toEqual(before);
    expect(error?.message).not.toContain('\n');
    return error?.message;
  }

  it('--existing on a directory that is not a Django project', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'existing-none-'));
    writeFileSync(path.join(dir, 'app.py'), 'print("hi")\n');
    expect(await refusal(dir, { existing: true })).toBe(`${dir} is not a Django project: no manage.py at its root or in src/`);
  });

  it('settings that cannot be imported: the error is reported', async () => {
    const dir = copyOf('startproject');
    writeFileSync(
      path.join(dir, 'mysite/settings.py'),
      `${readFileSync(path.join(dir, 'mysite/settings.py'), 'utf8')}\nraise RuntimeError("settings are broken")\n`,
    );
    expect(await refusal(dir)).toBe(
      'The settings module mysite.settings cannot be imported: RuntimeError: settings are broken (nothing was written)',
    );
  });

  it('a new project over a Django project, even with --force', async () => {
    const dir = copyOf('startproject');
    expect(await refusal(dir, { existing: false, force: true })).toBe(
      `Target ${dir} is a Django project (manage.py): a new project would overwrite its files; deploy it with --existing true`,
    );
  });

  it('celery on for a project without a Celery app', async () => {
    expect(await refusal(copyOf('startproject'), { celery: true })).toMatch(
      /^Invalid answer "celery" \(--celery\): true needs a Celery app in the project/,
    );
  });

  it('a settings module that does not exist, a Python the project does not allow', async () => {
    expect(await refusal(copyOf('startproject'), { settingsModule: 'mysite.nope' })).toBe(
      'Invalid answer "settingsModule" (--settings-module): mysite.nope has no mysite/nope.py',
    );
    expect(await refusal(copyOf('requires-python'), { pythonVersion: '3.13' })).toBe(
      'Invalid answer "pythonVersion" (--python-version): 3.13 does not satisfy the project\'s Python >=3.11,<3.12 (pyproject.toml)',
    );
  });

  it('a requires-python no python image satisfies', async () => {
    const dir = copyOf('requires-python');
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "legacy"\nrequires-python = "<3.9"\n');
    expect(await refusal(dir)).toBe('pyproject.toml asks for Python <3.9: no python image (3.10 to 3.14) satisfies it');
  });
});

describe('the deployment derived from detection', () => {
  const stackRequirements = ['Django>=5.2,<6.0', 'gunicorn>=23.0,<24', 'psycopg>=3.2,<4', 'redis>=5.0', 'django-redis>=5.4'];
  const placement: Placement = { directory: 'deploy', settingsName: 'deploy', botConfigInDirectory: false, projectDockerignore: '' };
  const derive = (project: ReturnType<typeof detectProject>, celery = false, domains = ['a.test'], secrets: string[] = []) =>
    existingDeployment({
      project,
      stackRequirements,
      domains,
      placement,
      celery,
      appSecrets: secrets.map((name) => ({ name, file: name.toLowerCase(), path: `deploy/secrets/${name.toLowerCase()}` })),
    });

  it('adds only the requirements the project lacks; psycopg 3 next to psycopg2 (the pool needs it), said', () => {
    const split = detectProject(directoryReader(path.join(FIXTURES, 'split-settings')));
    expect(derive(split).extraRequirements).toEqual(['redis>=5.0']);
    const withPsycopg2 = detectProject(
      memoryReader({
        'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.settings")',
        's/settings.py': '',
        's/wsgi.py': '',
        'requirements.txt': 'django\npsycopg2-binary\n',
      }),
    );
    const deployment = derive(withPsycopg2);
    expect(deployment.extraRequirements).toEqual(['gunicorn>=23.0,<24', 'psycopg>=3.2,<4', 'redis>=5.0', 'django-redis>=5.4']);
    expect(deployment.psycopgAdded).toBe(true);
    expect(suggestionsFor(withPsycopg2, deployment).join('\n')).toContain('You declare psycopg2: psycopg 3 is added');
  });

  it('fills the variables the settings read, and gives the build stand-ins for the required ones', () => {
    const split = detectProject(directoryReader(path.join(FIXTURES, 'split-settings')));
    const deployment = derive(split, false, ['a.test', 'b.test']);
    expect(deployment).toMatchObject({
      userSettingsModule: 'config.settings.production',
      settingsModule: 'config.settings.deploy',
      settingsFile: 'config/settings/deploy.py',
      install: {
        manager: 'requirements',
        copyFirst: ['requirements/production.txt', 'requirements/base.txt'],
        requirementsFile: 'requirements/production.txt',
      },
      requiredByUser: [],
    });
    expect(deployment.environment).toEqual([{ name: 'DJANGO_ALLOWED_HOSTS', value: 'a.test,b.test' }]);
    expect(deployment.fromSecrets).toEqual([
      { name: 'DATABASE_URL', template: 'postgres://app:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}' },
      { name: 'REDIS_URL', template: 'redis://:${REDIS_PASSWORD}@redis:6379/2' },
    ]);
    expect(deployment.buildPlaceholders).toEqual([{ name: 'REDIS_URL', value: 'redis://localhost:6379/0' }]);
  });

  it('required variables nobody knows go to .env and compose, and are suggested', () => {
    const project = detectProject(
      memoryReader({
        'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.settings")',
        's/wsgi.py': '',
        's/settings.py': 'STRIPE_KEY = os.environ["STRIPE_KEY"]\n',
      }),
    );
    const deployment = derive(project);
    expect(deployment.requiredByUser).toEqual(['STRIPE_KEY']);
    expect(deployment.buildPlaceholders).toEqual([{ name: 'STRIPE_KEY', value: 'build-only-placeholder' }]);
    expect(suggestionsFor(project, deployment)).toContain(
      'Your settings require STRIPE_KEY: set them in deploy/.env (listed in .env.example there).',
    );
  });

  it("the project's secret variables (appSecrets) leave .env and compose's environment; a required one keeps its build stand-in", () => {
    const project = detectProject(
      memoryReader({
        'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.settings")',
        's/wsgi.py': '',
        's/settings.py':
          'STRIPE_KEY = os.environ["STRIPE_KEY"]\nMAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")\nSLACK_TOKEN = os.environ.get("SLACK_TOKEN")\n',
      }),
    );
    const deployment = derive(project, false, ['a.test'], ['STRIPE_KEY', 'MAIL_PASSWORD', 'WORKER_TOKEN']);
    expect(deployment.appSecrets).toEqual([
      { name: 'STRIPE_KEY', file: 'stripe_key', path: 'deploy/secrets/stripe_key', required: true },
      { name: 'MAIL_PASSWORD', file: 'mail_password', path: 'deploy/secrets/mail_password', required: false },
      { name: 'WORKER_TOKEN', file: 'worker_token', path: 'deploy/secrets/worker_token', required: false },
    ]);
    expect(deployment.requiredByUser).toEqual([]);
    expect(deployment.optionalFromUser).toEqual(['SLACK_TOKEN']);
    // collectstatic at build time has no secret files: the stand-in still lets the settings import.
    expect(deployment.buildPlaceholders).toEqual([{ name: 'STRIPE_KEY', value: 'build-only-placeholder' }]);
    expect(suggestionsFor(project, deployment)).toEqual(
      expect.arrayContaining([
        'Your settings do not read WORKER_TOKEN (answer appSecrets): the secret file still fills the environment for code that reads it at run time; drop a typo with --app-secrets.',
        "Passed through deploy/.env into the containers' environment (docker inspect shows it), though named like a secret: SLACK_TOKEN. Add to --app-secrets to make each a secret file.",
      ]),
    );
  });

  it("a Celery app that ignores Django's CELERY_* settings is reported", () => {
    const project = detectProject(
      memoryReader({
        'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.settings")',
        's/wsgi.py': '',
        's/settings.py': '',
        's/__init__.py': '',
        's/celery.py': 'app = Celery("s")\napp.config_from_object("s.celeryconfig")\n',
      }),
    );
    const deployment = derive(project, true);
    expect(deployment.celeryReadsSettings).toBe(false);
    expect(suggestionsFor(project, deployment).join('\n')).toContain("s/celery.py does not read Django's CELERY_* settings");
  });

  it('a lock file becomes pinned, hashed requirements of its runtime packages only', () => {
    const deployment = derive(detectProject(directoryReader(path.join(FIXTURES, 'uv-lock'))));
    expect(deployment.install).toMatchObject({
      manager: 'uv',
      installsProject: true,
      lock: { file: 'requirements-lock.txt', hashed: true },
    });
    const names = deployment.install.lock!.lines.map((line) => line.split(/[=@ ]/)[0]);
    expect(names).toEqual(['asgiref', 'django', 'django-environ', 'psycopg', 'sqlparse', 'typing-extensions', 'tzdata', 'whitenoise']);
    expect(deployment.install.lock!.lines).toContain(
      "tzdata==2026.6 ; sys_platform == 'win32' \\\n    --hash=sha256:c338e1d79b02dba5bf33c93003b133ac8d4c401fae3080579e41a189db2de220",
    );
    const poetry = derive(detectProject(directoryReader(path.join(FIXTURES, 'poetry-lock'))));
    expect(poetry.install.lock!.lines.map((line) => line.split(/[=@ ]/)[0])).toEqual([
      'asgiref',
      'django',
      'psycopg',
      'psycopg-binary',
      'sqlparse',
      'typing-extensions',
      'tzdata',
    ]);
  });

  it('is in the render context only in existing-project mode', () => {
    const project = detectProject(directoryReader(path.join(FIXTURES, 'celery')));
    const answers = resolveAnswers({ cpus: 2, memoryMb: 4096, existing: true, celery: true }, FEATURES);
    const ctx = buildRenderContext(answers, FEATURES, '0.0.0-test', { existingProject: project, placement });
    expect(ctx).toMatchObject({ settingsModule: 'proj.deploy', celeryApp: 'proj.celery:app', appModule: 'proj.wsgi:application' });
    const fresh = buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096 }, FEATURES), FEATURES, '0.0.0-test', {
      existingProject: project,
      placement,
    });
    expect(fresh.existing).toBeUndefined();
    expect(fresh.settingsModule).toBe('my_site.settings.production');
  });
});
