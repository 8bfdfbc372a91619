// The generated repository's own test suite (pytest + pytest-django) runs in its app image's
// `test` stage against a throwaway PostgreSQL, exactly as `make test` and its CI workflow run it,
// and passes for the defaults, minimal, ASGI and Swarm profiles (each adds tests of its own: the
// Swarm's gunicorn shutdown delay only there); a deliberately broken production setting makes it
// fail (a test of the test).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';

beforeAll(() => requireDocker());

const SETTINGS = 'my_site/settings/production.py';

interface SuiteRun {
  status: number;
  output: string;
}

/**
 * Builds the test image and runs the suite plus CI's missing-migrations check; always removes the
 * test stack. runArgs go to `docker compose run` (e.g. a bind mount over a file of the image).
 */
function runGeneratedSuite(dir: string, project: string, runArgs: string[] = []): SuiteRun {
  const compose = ['compose', '-f', 'compose.test.yaml', '-p', project];
  try {
    run('docker', [...compose, 'build', 'test'], { cwd: dir });
    const output = execFileSync(
      'docker',
      [...compose, 'run', '--rm', ...runArgs, 'test', 'sh', '-c', 'pytest -q && python manage.py makemigrations --check --dry-run'],
      { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 },
    );
    return { status: 0, output };
  } catch (error) {
    const { status, stdout, stderr, message } = error as { status?: number; stdout?: string; stderr?: string; message: string };
    return { status: status ?? 1, output: `${stdout ?? ''}${stderr ?? ''}` || message };
  } finally {
    run('docker', [...compose, 'down', '-v', '--remove-orphans'], { cwd: dir });
  }
}

describe.each(['defaults', 'minimal', 'asgi', 'swarm'])('profile %s', (profile) => {
  it('the generated suite passes in the app image against PostgreSQL', async () => {
    const dir = (await generateProject(PROFILES[profile]!)).cwd;
    const result = runGeneratedSuite(dir, `pytest-suite-${profile}-${process.pid}`);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/^\d+ passed/m);
    expect(result.output).toContain('No changes detected');
  });
});

describe('a broken production setting', () => {
  it('makes the generated suite fail, naming the check', async () => {
    const dir = (await generateProject(PROFILES['minimal']!)).cwd;
    const original = readFileSync(path.join(dir, SETTINGS), 'utf8');
    expect(original).toContain('SESSION_COOKIE_SECURE = True\n');
    // Mounted over the image's copy rather than rebuilt: the image is the minimal profile's, already built.
    const broken = path.join(mkdtempSync(path.join(os.tmpdir(), 'broken-settings-')), 'production.py');
    writeFileSync(broken, original.replace('SESSION_COOKIE_SECURE = True\n', 'SESSION_COOKIE_SECURE = False\n'));
    const result = runGeneratedSuite(dir, `pytest-suite-broken-${process.pid}`, ['-v', `${broken}:/app/${SETTINGS}:ro`]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/FAILED tests\/test_settings\.py::test_check_deploy_is_clean/);
    expect(result.output).toContain('security.W012');
  });
});
