// Regeneration end to end on the real files: generate without Celery, make (and commit) the
// kind of edits a team makes, regenerate with --celery true, and let Docker Compose itself judge
// the merged compose.yaml. `docker compose config` starts nothing; it only needs the engine
// (DOCKER_HOST from the environment, see docker-kit/env.sh) and the .env file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeConfig, requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { commitAll, read, regenerate, write } from '../helpers/regenerate.ts';

const SETTINGS = 'my_site/settings/production.py';
const LABEL = 'com.example.team';
const SETTING_LINE = 'SESSION_COOKIE_AGE = 60 * 60 * 8  # our policy: 8-hour sessions';

describe('regenerate with --celery true keeps committed edits and a valid compose.yaml', () => {
  let dir: string;
  let outcome: Awaited<ReturnType<typeof regenerate>>;

  beforeAll(async () => {
    requireDocker();
    dir = mkdtempSync(path.join(os.tmpdir(), 'regenerate-compose-'));
    await generateProject({ tlsMode: 'self-signed', domain: 'app.test', celery: false }, { cwd: dir });
    commitAll(dir, 'generated');
    // A service-level label on web, and an extra setting.
    const compose = read(dir, 'compose.yaml');
    expect(compose).toMatch(/^ {2}web:\n/m);
    write(dir, 'compose.yaml', compose.replace(/^ {2}web:\n/m, `  web:\n    labels:\n      ${LABEL}: "platform"\n`));
    write(dir, SETTINGS, `${read(dir, SETTINGS)}\n${SETTING_LINE}\n`);
    run('docker', ['compose', 'config', '-q'], { cwd: dir });
    commitAll(dir, 'our edits');
    outcome = await regenerate(dir, { celery: true });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('regenerates without conflicts: compose.yaml merged, Celery files added', () => {
    expect(outcome.error).toBeUndefined();
    expect(outcome.log).toContain('merged:\n  compose.yaml');
    expect(outcome.log).toContain('added:\n  my_site/celery.py\n  my_site/tasks.py');
    expect(outcome.log).toMatch(/conflict\s+0\n/);
  });

  it('docker compose config -q accepts the merged compose.yaml', () => {
    run('docker', ['compose', 'config', '-q'], { cwd: dir });
  });

  it('worker and beat now exist, and the web label survived', () => {
    const config = composeConfig(dir) as { services: Record<string, { labels?: Record<string, string> }> };
    expect(Object.keys(config.services)).toEqual(expect.arrayContaining(['worker', 'beat', 'web', 'nginx', 'migrate']));
    expect(config.services['web']?.labels?.[LABEL]).toBe('platform');
  });

  it('the extra setting survived', () => {
    expect(read(dir, SETTINGS)).toContain(SETTING_LINE);
  });

  it('git shows only the regeneration on top of the edits (nothing of ours reverted)', () => {
    const diff = execFileSync('git', ['diff', '--', 'compose.yaml', SETTINGS], { cwd: dir, encoding: 'utf8' });
    expect(diff).not.toMatch(new RegExp(`^-.*${LABEL.replaceAll('.', '\\.')}`, 'm'));
    expect(diff).not.toContain(`-${SETTING_LINE}`);
    expect(diff).toMatch(/^\+ {2}worker:$/m);
  });
});
