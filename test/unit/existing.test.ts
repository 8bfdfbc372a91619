// Existing-project mode: the generator run on copies of the fixture projects. What it writes is
// snapshotted per fixture; the user's files must be byte-identical afterwards; bad input stops
// with one line and writes nothing.
import { FEATURES } from '../../features/index.ts';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectProject, directoryReader, memoryReader } from '../../generators/lib/detect/index.ts';
import { existingDeployment, suggestionsFor } from '../../generators/lib/existing.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { generateProject } from '../helpers/generate.ts';
import { readTree } from '../helpers/tree.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');
const FIXTURE_NAMES = ['startproject', 'split-settings', 'src-layout', 'poetry', 'celery', 'asgi'];
const FLAGS = { tlsMode: 'self-signed', domain: 'app.test', appPath: '/hello/' };

function copyOf(fixture: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `existing-${fixture}-`));
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

/** sha256 of every file under dir, by path. */
function fingerprints(dir: string, relative = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(path.join(dir, relative)).sort()) {
    const file = path.join(relative, entry);
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

describe.each(FIXTURE_NAMES)('existing project %s', (fixture) => {
  it('writes the deployment around it (snapshot) and leaves every file of the project byte-identical', async () => {
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
    expect(JSON.parse(written['.yo-rc.json']!)['generator-django-prod'].answers.existing).toBe(true);
    for (const [file, content] of Object.entries(written)) {
      if (file === '.yo-rc.json' || file === '.env') continue;
      await expect(content).toMatchFileSnapshot(`__snapshots__/existing-${fixture}/${file}.snap`);
    }
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

  it("runs the project's Celery app and answers what detection settled (server, celery, Python)", async () => {
    const dir = copyOf('asgi');
    await generateInto(dir, { name: 'e14-asgi' });
    const answers = JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
    expect(answers).toMatchObject({ existing: true, server: 'asgi', celery: false, pythonVersion: '3.13', appPath: '/hello/' });
    const celeryDir = copyOf('celery');
    await generateInto(celeryDir, { name: 'e14-celery' });
    const compose = readFileSync(path.join(celeryDir, 'compose.yaml'), 'utf8');
    expect(compose).toContain('"celery", "-A", "proj.celery:app", "--quiet", "worker"');
    expect(compose).toContain('CELERY_BROKER_URL: "redis://:${REDIS_PASSWORD}@redis:6379/0"');
    expect(readFileSync(path.join(celeryDir, 'proj/deploy.py'), 'utf8')).toContain('"heartbeat": {"task": "celery.accumulate"');
  });

  it("a user's .gitignore and Makefile are left alone and reported", async () => {
    const dir = copyOf('startproject');
    writeFileSync(path.join(dir, '.gitignore'), '*.pyc\n');
    writeFileSync(path.join(dir, 'Makefile'), 'test:\n\tpython manage.py test\n');
    await generateInto(dir, { name: 'e14-shared' });
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('*.pyc\n');
    expect(readFileSync(path.join(dir, 'Makefile'), 'utf8')).toBe('test:\n\tpython manage.py test\n');
    expect(readFileSync(path.join(dir, '.dockerignore'), 'utf8')).toMatch(/^\.env$/m);
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

  it('a file of the deployment that the project already has', async () => {
    const dir = copyOf('startproject');
    writeFileSync(path.join(dir, 'compose.yaml'), 'services: {}\n');
    expect(await refusal(dir)).toBe('The deployment would overwrite your compose.yaml: move it aside first (nothing was written)');
  });

  it('celery on for a project without a Celery app', async () => {
    expect(await refusal(copyOf('startproject'), { celery: true })).toMatch(
      /^Invalid answer "celery" \(--celery\): true needs a Celery app in the project/,
    );
  });
});

describe('the deployment derived from detection', () => {
  const stackRequirements = ['Django>=5.2,<6.0', 'gunicorn>=23.0,<24', 'psycopg>=3.2,<4', 'redis>=5.0', 'django-redis>=5.4'];

  it('adds only the requirements the project lacks (psycopg2 or psycopg[c] count as psycopg)', () => {
    const split = detectProject(directoryReader(path.join(FIXTURES, 'split-settings')));
    expect(existingDeployment({ project: split, stackRequirements, domains: ['a.test'], presentUserFiles: [] }).extraRequirements).toEqual([
      'redis>=5.0',
    ]);
    const withPsycopg2 = detectProject(
      memoryReader({
        'manage.py': 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.settings")',
        's/settings.py': '',
        's/wsgi.py': '',
        'requirements.txt': 'django\npsycopg2-binary\n',
      }),
    );
    expect(
      existingDeployment({ project: withPsycopg2, stackRequirements, domains: ['a.test'], presentUserFiles: [] }).extraRequirements,
    ).toEqual(['gunicorn>=23.0,<24', 'redis>=5.0', 'django-redis>=5.4']);
  });

  it('fills the variables the settings read, and gives the build stand-ins for the required ones', () => {
    const split = detectProject(directoryReader(path.join(FIXTURES, 'split-settings')));
    const deployment = existingDeployment({
      project: split,
      stackRequirements,
      domains: ['a.test', 'b.test'],
      presentUserFiles: ['.gitignore'],
    });
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
      userOwnedFiles: ['.gitignore'],
    });
    expect(deployment.environment).toEqual([
      { name: 'DATABASE_URL', value: 'postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}' },
      { name: 'DJANGO_ALLOWED_HOSTS', value: 'a.test,b.test' },
      { name: 'REDIS_URL', value: 'redis://:${REDIS_PASSWORD}@redis:6379/2' },
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
    const deployment = existingDeployment({ project, stackRequirements, domains: ['a.test'], presentUserFiles: [] });
    expect(deployment.requiredByUser).toEqual(['STRIPE_KEY']);
    expect(deployment.buildPlaceholders).toEqual([{ name: 'STRIPE_KEY', value: 'build-only-placeholder' }]);
    expect(suggestionsFor(project, deployment)).toContain('Your settings require STRIPE_KEY: set them in .env (listed in .env.example).');
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
    const deployment = existingDeployment({ project, stackRequirements, domains: ['a.test'], presentUserFiles: [] });
    expect(deployment.celeryReadsSettings).toBe(false);
    expect(suggestionsFor(project, deployment).join('\n')).toContain("s/celery.py does not read Django's CELERY_* settings");
  });

  it('is in the render context only in existing-project mode', () => {
    const project = detectProject(directoryReader(path.join(FIXTURES, 'celery')));
    const answers = resolveAnswers({ cpus: 2, memoryMb: 4096, existing: true, celery: true }, FEATURES);
    const ctx = buildRenderContext(answers, FEATURES, '0.0.0-test', { existingProject: project });
    expect(ctx).toMatchObject({ settingsModule: 'proj.deploy', celeryApp: 'proj.celery:app', appModule: 'proj.wsgi:application' });
    const fresh = buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096 }, FEATURES), FEATURES, '0.0.0-test', {
      existingProject: project,
    });
    expect(fresh.existing).toBeUndefined();
    expect(fresh.settingsModule).toBe('my_site.settings.production');
  });
});
