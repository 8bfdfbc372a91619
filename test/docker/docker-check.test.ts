// The Docker users have: bin/docker-check (run first by bin/deploy, so by make up and make deploy)
// accepts the kit's engine spoken to as Engine 24 (API 1.43) and 20.10 (API 1.41), telling Compose to do without
// healthchecks' start_interval there, and the stack's services then start on that API; older, it
// stops with one line naming the version needed. The Swarm script runs it first too (without
// asking for Compose), and verify applies the same rules before it builds anything.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { runVerify } from '../../generators/verify/run.ts';
import { requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';

let dir = '';
const project = `docker-check-${process.pid}`;
const TOO_OLD = 'Docker Engine API 1.40 is too old: this stack needs Docker Engine 20.10 (API 1.41) or later (README "Docker versions")';
const check = (api?: string, args: string[] = [], repo = dir) =>
  spawnSync(path.join(repo, 'bin', 'docker-check'), args, {
    encoding: 'utf8',
    env: { ...process.env, ...(api ? { DOCKER_API_VERSION: api } : {}) },
  });
const compose = (env: Record<string, string>, ...args: string[]) =>
  spawnSync('docker', ['compose', '-p', project, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });

describe('bin/docker-check', () => {
  beforeAll(async () => {
    requireDocker();
    dir = (await generateProject(PROFILES['minimal']!)).cwd;
  });
  afterAll(() => {
    run('docker', ['compose', '-p', project, 'down', '--volumes', '--timeout', '1'], { cwd: dir });
  });

  it("passes the kit's engine as it is, with nothing to change", () => {
    const result = check();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
  });

  it.each(['1.43', '1.41'])("starts the stack's redis on API %s without start_interval, which Compose refuses there otherwise", (api) => {
    const result = check(api);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('HEALTHCHECK_START_INTERVAL=0s\n');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const raw = compose({ DOCKER_API_VERSION: api }, 'up', '-d', '--wait', 'redis');
    expect(raw.status).not.toBe(0);
    expect(raw.stderr).toContain('requires API version 1.44');
    const started = compose({ DOCKER_API_VERSION: api, HEALTHCHECK_START_INTERVAL: '0s' }, 'up', '-d', '--wait', 'redis');
    expect(started.status, started.stderr).toBe(0);
    compose({}, 'rm', '--stop', '--force', '--volumes', 'redis');
  });

  it('stops an engine older than 20.10 in one line naming the version needed', () => {
    const result = check('1.40');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`docker-check: ${TOO_OLD}\n`);
  });

  it('stops verify before it builds anything, in the same words', async () => {
    const lines: string[] = [];
    process.env['DOCKER_API_VERSION'] = '1.40';
    try {
      await expect(runVerify({ repoDir: dir, features: FEATURES, log: (line) => lines.push(line) })).rejects.toThrow(`verify: ${TOO_OLD}`);
    } finally {
      delete process.env['DOCKER_API_VERSION'];
    }
    expect(lines.filter((line) => line.startsWith('build:'))).toEqual([]);
  });
});

// After the minimal project's stack is down: yeoman-test removes its directory for the next project.
describe('swarm/deploy.sh', () => {
  it("runs bin/docker-check first, which does not ask for Compose there (stack deploy is the CLI's own)", async () => {
    const swarm = (await generateProject(PROFILES['swarm']!)).cwd;
    expect(check('1.43', ['swarm'], swarm).stdout).toBe('HEALTHCHECK_START_INTERVAL=0s\n');
    const status = spawnSync(path.join(swarm, 'swarm', 'deploy.sh'), ['status'], {
      cwd: swarm,
      encoding: 'utf8',
      env: { ...process.env, DOCKER_API_VERSION: '1.40' },
    });
    expect(status.status).toBe(1);
    expect(status.stderr).toBe(`docker-check: ${TOO_OLD}\n`);
  });
});
