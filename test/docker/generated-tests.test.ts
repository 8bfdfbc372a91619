// The generated repository's own test suite (pytest + pytest-django) runs in its app image's
// `test` stage against a throwaway PostgreSQL, exactly as `make test` and its CI workflow run it,
// and passes for the defaults, minimal, ASGI and Swarm profiles (each adds tests of its own: the
// Swarm's gunicorn shutdown delay only there); a deliberately broken production setting makes it
// fail (a test of the test). `make lock` pins the minimal profile's requirements with hashes, and
// the image then holds exactly those versions; a tampered hash fails the build.
import { execFileSync, spawnSync } from 'node:child_process';
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

describe('make lock', () => {
  it('pins requirements.txt with hashes; the image installs exactly those, and refuses a tampered hash', async () => {
    const dir = (await generateProject(PROFILES['minimal']!)).cwd;
    const image = `lock-${process.pid}`;
    try {
      run('make', ['lock'], { cwd: dir });
      const lock = readFileSync(path.join(dir, 'requirements-lock.txt'), 'utf8');
      const pins = [...lock.matchAll(/^([a-z0-9-]+)==(\S+) \\\n {4}--hash=sha256:[0-9a-f]{64}$/gm)].map(
        ([, name, version]) => `${name}==${version}`,
      );
      expect(pins.filter((pin) => pin.startsWith('django=='))).toHaveLength(1);
      expect(pins.length).toBe(lock.split('\n').filter((line) => /^[a-z0-9]/.test(line)).length);

      // The builder stage's virtualenv is what the runtime stage copies as it is.
      run('docker', ['build', '--target', 'builder', '-t', image, '.'], { cwd: dir });
      const installed = run('docker', ['run', '--rm', image, 'pip', 'list', '--format', 'freeze', '--exclude', 'pip'])
        .trim()
        .split('\n')
        .map((line) => line.toLowerCase().replace(/[-_.]+(?=[^=]*==)/g, '-'));
      expect(installed.sort()).toEqual(pins.sort());

      writeFileSync(
        path.join(dir, 'requirements-lock.txt'),
        lock.replace(
          /(django==\S+ \\\n {4}--hash=sha256:)([0-9a-f])/,
          (_, head: string, first: string) => `${head}${first === '0' ? '1' : '0'}`,
        ),
      );
      const tampered = spawnSync('docker', ['build', '--target', 'builder', '.'], { cwd: dir, encoding: 'utf8' });
      expect(tampered.status).not.toBe(0);
      expect(tampered.stderr).toContain('THESE PACKAGES DO NOT MATCH THE HASHES');
    } finally {
      spawnSync('docker', ['rmi', '--force', image]);
    }
  });
});
