// An existing project's own secret variables (answer appSecrets): which names the default takes,
// how the answer is checked, and what a run writes: a secret file per variable (empty on a new
// run, the value .env held on an upgrade), nothing of it in .env or compose.yaml's environment.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { detectProject, directoryReader } from '../../generators/lib/detect/index.ts';
import { carriesSecret, detectedAppSecrets } from '../../generators/lib/existing.ts';
import { parseEnv, stackSecrets } from '../../generators/lib/secrets.ts';
import { generateProject } from '../helpers/generate.ts';
import { runVerify } from '../../generators/verify/run.ts';
import { VerifyError } from '../../generators/verify/stored-answers.ts';
import { checkoutFixture, upgradeProject } from '../helpers/upgrade-corpus.ts';
import { commitAll, regenerate } from '../helpers/regenerate.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');

describe('which variables carry a secret (the last word of the name)', () => {
  it.each([
    'STRIPE_SECRET_KEY',
    'STRIPE_WEBHOOK_SECRET',
    'EMAIL_HOST_PASSWORD',
    'DB_PASS',
    'DBPASSWORD',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'SENTRY_DSN',
    'GITHUB_TOKEN',
    'SLACK_AUTHTOKEN',
    'OPENAI_API_KEY',
    'MAPS_APIKEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'HASHID_FIELD_SALT',
    'FIELD_ENCRYPTION_KEYS',
    'oauth_client_secret',
  ])('%s is a secret', (name) => expect(carriesSecret(name)).toBe(true));

  it.each([
    'DEBUG',
    'USE_S3',
    'AWS_STORAGE_BUCKET_NAME',
    'AWS_S3_REGION_NAME',
    'PASSWORD_RESET_TIMEOUT',
    'ACCESS_TOKEN_LIFETIME',
    'CACHE_KEY_PREFIX',
    'SSL_KEY_FILE',
    'PRIVATE_STORAGE_ROOT',
    'TOKENIZER_MODEL',
    'MONKEY',
    'KEY_ID_HEADER',
    'EMAIL_HOST_USER',
  ])('%s is not', (name) => expect(carriesSecret(name)).toBe(false));

  it('on the fixtures: what the default takes, the variables the stack fills left out', () => {
    const found = Object.fromEntries(
      readdirSync(FIXTURES)
        .sort()
        .map((fixture) => [fixture, detectedAppSecrets(detectProject(directoryReader(path.join(FIXTURES, fixture))))]),
    );
    // SECRET_KEY, DJANGO_SECRET_KEY, POSTGRES_PASSWORD, DATABASE_URL, ...: filled by the stack.
    expect(Object.fromEntries(Object.entries(found).filter(([, names]) => names.length > 0))).toEqual({
      'src-layout': ['DB_PASSWORD'],
      styleguide: ['AWS_S3_ACCESS_KEY_ID'],
      'uv-lock': ['SUPPLIER_API_TOKEN', 'EMAIL_HOST_PASSWORD'],
    });
  });
});

describe('the appSecrets answer', () => {
  const base = { existing: true, domain: 'app.test', tlsMode: 'self-signed' };
  const problem = (appSecrets: unknown) => {
    try {
      resolveAnswers({ ...base, appSecrets }, FEATURES);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('takes variable names, comma-separated', () => {
    expect(problem('STRIPE_SECRET_KEY, SENTRY_DSN')).toBeUndefined();
    expect(resolveAnswers({ ...base, appSecrets: 'A_TOKEN,B_KEY' }, FEATURES).appSecrets).toEqual(['A_TOKEN', 'B_KEY']);
  });

  it('refuses what is not a variable name, and a name twice (one file each)', () => {
    expect(problem('STRIPE-KEY')).toBe(
      'Invalid answer "appSecrets" (--app-secrets): ["STRIPE-KEY"] "STRIPE-KEY" must be an environment variable name in capitals (A-Z, 0-9, "_"), e.g. STRIPE_SECRET_KEY',
    );
    expect(problem('api_key')).toMatch(/"api_key" must be an environment variable name in capitals/);
    expect(problem('API_KEY,API_KEY')).toMatch(/must not name a variable twice$/);
  });

  it('is asked only in existing-project mode, and makes secret files only there', () => {
    const fresh = resolveAnswers({ domain: 'app.test', tlsMode: 'self-signed', appSecrets: 'A_TOKEN' }, FEATURES);
    expect(stackSecrets(fresh, []).flatMap((secret) => secret.variables)).not.toContain('A_TOKEN');
    const existing = resolveAnswers({ ...base, appSecrets: 'A_TOKEN' }, FEATURES);
    expect(stackSecrets(existing, []).at(-1)).toEqual({ variables: ['A_TOKEN'], app: true });
  });

  it('a variable the stack already has a file for is left to that file', () => {
    const answers = resolveAnswers({ ...base, appSecrets: 'S3_SECRET_ACCESS_KEY,A_TOKEN', mediaStorage: 's3' }, FEATURES);
    const enabled = FEATURES.filter((feature) => feature.enabled(answers));
    const variables = stackSecrets(answers, enabled).flatMap((secret) => secret.variables);
    expect(variables.filter((variable) => variable === 'S3_SECRET_ACCESS_KEY')).toHaveLength(1);
    expect(variables.at(-1)).toBe('A_TOKEN');
  });
});

/** A copy of a fixture whose settings also read a payment key (required) and a mail password (optional). */
function withOwnSecrets(fixture: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `app-secrets-${fixture}-`));
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  appendFileSync(
    path.join(dir, 'mysite/settings.py'),
    '\nimport os\n\nSTRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]\nEMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")\n',
  );
  return dir;
}

describe('a run in an existing project', () => {
  const FLAGS = { name: 'e14-secrets', tlsMode: 'self-signed', domain: 'app.test', appPath: '/hello/' };

  it('writes an empty secret file per detected variable, mounted and read through *_FILE, in no .env', async () => {
    const dir = withOwnSecrets('startproject');
    await generateProject(FLAGS, { cwd: dir });
    const answers = JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers;
    expect(answers.appSecrets).toEqual(['STRIPE_SECRET_KEY', 'EMAIL_HOST_PASSWORD']);
    expect(read(dir, 'deploy/secrets/stripe_secret_key')).toBe('');
    expect(read(dir, 'deploy/secrets/email_host_password')).toBe('');
    const compose = read(dir, 'deploy/compose.yaml');
    expect(compose).toContain('  STRIPE_SECRET_KEY_FILE: /run/secrets/stripe_secret_key\n');
    expect(compose).toContain('  EMAIL_HOST_PASSWORD_FILE: /run/secrets/email_host_password\n');
    expect(compose).not.toMatch(/^ {2}(STRIPE_SECRET_KEY|EMAIL_HOST_PASSWORD):/m);
    // Mounted into the app's services only (x-app), declared once.
    expect(compose).toContain(
      '  secrets: [django_secret_key, redis_password, postgres_app_password, stripe_secret_key, email_host_password]\n',
    );
    expect(compose).toContain('\n  stripe_secret_key:\n    file: ./secrets/stripe_secret_key\n');
    // Its *_FILE variable, x-app's list, the declaration and its file: no other service has it.
    expect(compose.match(/stripe_secret_key/g)).toHaveLength(4);
    for (const file of ['deploy/.env', 'deploy/.env.example'])
      expect(read(dir, file)).not.toMatch(/^#? ?(STRIPE_SECRET_KEY|EMAIL_HOST_PASSWORD)=/m);
    const settings = read(dir, 'mysite/deploy.py');
    expect(settings).toContain('    ("STRIPE_SECRET_KEY", "deploy/secrets/stripe_secret_key", True),\n');
    expect(settings).toContain('    ("EMAIL_HOST_PASSWORD", "deploy/secrets/email_host_password", False),\n');
    // Before the project's settings are imported.
    expect(settings.indexOf('raise ImproperlyConfigured(f"{_name} is empty')).toBeLessThan(
      settings.indexOf('from mysite.settings import *'),
    );
    expect(read(dir, 'deploy/README.md')).toContain('   - `secrets/stripe_secret_key` (`STRIPE_SECRET_KEY`, required)\n');
  }, 60_000);

  it('asked interactively with the detected variables as the default', async () => {
    const dir = withOwnSecrets('startproject');
    const { error, log, askedQuestions } = await regenerate(dir, FLAGS, { yes: false });
    expect(error, log).toBeUndefined();
    expect(askedQuestions).toContain('appSecrets');
    const answers = JSON.parse(read(dir, '.yo-rc.json'))['generator-django-prod'].answers;
    expect(answers.appSecrets).toEqual(['STRIPE_SECRET_KEY', 'EMAIL_HOST_PASSWORD']);
  }, 60_000);

  it('verify stops with one line, before building anything, while a required secret file is empty', async () => {
    const dir = withOwnSecrets('startproject');
    await generateProject(FLAGS, { cwd: dir });
    const error = await runVerify({ repoDir: dir, features: FEATURES, log: () => {} }).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error).toBeInstanceOf(VerifyError);
    expect(error?.message).toBe(
      'Secret files your settings require are empty: deploy/secrets/stripe_secret_key (STRIPE_SECRET_KEY); put each value in its file (one line), then run verify again',
    );
  }, 60_000);

  it('--app-secrets decides; a variable the stack fills is refused with one line, nothing written', async () => {
    const dir = withOwnSecrets('startproject');
    await generateProject({ ...FLAGS, appSecrets: 'STRIPE_SECRET_KEY' }, { cwd: dir });
    expect(read(dir, 'deploy/.env.example')).toContain('# EMAIL_HOST_PASSWORD=\n');
    const refused = withOwnSecrets('startproject');
    const before = readdirSync(refused).sort();
    const error = await generateProject({ ...FLAGS, appSecrets: 'DATABASE_URL' }, { cwd: refused }).then(
      () => undefined,
      (caught: Error) => caught.message,
    );
    expect(error).toBe(
      'Invalid answer "appSecrets" (--app-secrets): the stack fills DATABASE_URL itself (from its own secret files); allowed: your project\'s own variables, e.g. STRIPE_SECRET_KEY',
    );
    expect(readdirSync(refused).sort()).toEqual(before);
  }, 60_000);
});

describe('upgrading an existing project generated by 0.1.0', () => {
  it("moves the .env's secret values into secret files, the project's own too, and says so", async () => {
    const dir = checkoutFixture('v0.1.0', 'existing');
    // Since then, the team's settings read a payment key, and the server's .env holds it.
    appendFileSync(path.join(dir, 'mysite/settings.py'), '\nimport os\n\nSTRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]\n');
    appendFileSync(path.join(dir, '.env'), 'STRIPE_SECRET_KEY=sk_test_from_the_old_env\n');
    commitAll(dir, 'payments');
    const { error, log } = await upgradeProject(dir);
    expect(error, log).toBeUndefined();
    // 0.1.0 kept the deployment (and .env) at the project's root; 0.3.0 keeps it in deploy/ (the
    // generator reads the old .env there: f1e8bec on main).
    expect(read(dir, 'deploy/secrets/stripe_secret_key')).toBe('sk_test_from_the_old_env');
    const env = parseEnv(read(dir, 'deploy/.env'));
    expect(env.has('STRIPE_SECRET_KEY')).toBe(false);
    // The summary names each file and where its value came from.
    expect(log).toContain("  deploy/secrets/stripe_secret_key  (STRIPE_SECRET_KEY's value in .env)");
    // upgradeProject committed everything git does not ignore: no secret went in.
    const tracked = execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' }).split('\n');
    expect(tracked.filter((file) => file.includes('secrets/') || /(^|\/)\.env$/.test(file))).toEqual([]);
  }, 60_000);
});
