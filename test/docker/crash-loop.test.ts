// A crash loop is never silent: a container that keeps restarting looks healthy between crashes,
// so `make ps` (and `make status`) fail with a line naming it and where to look.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';

let dir = '';
const env = { ...process.env, COMPOSE_PROJECT_NAME: `crash-loop-${process.pid}`, COMPOSE_FILE: 'compose.yaml:compose.crash.yaml' };
const make = (target: string) => spawnSync('make', ['--no-print-directory', target], { cwd: dir, encoding: 'utf8', env });

describe('make ps', () => {
  beforeAll(async () => {
    requireDocker();
    dir = (await generateProject(PROFILES['minimal']!)).cwd;
    // Redis exits at once, as a process killed for memory would, and Docker restarts it.
    writeFileSync(path.join(dir, 'compose.crash.yaml'), 'services:\n  redis:\n    entrypoint: ["sh", "-c", "sleep 1; exit 137"]\n');
    run('docker', ['compose', 'up', '-d', 'redis'], { cwd: dir, env });
    const deadline = Date.now() + 60_000;
    const restarts = () => Number(run('docker', ['inspect', '-f', '{{.RestartCount}}', `${env.COMPOSE_PROJECT_NAME}-redis-1`]).trim());
    while (restarts() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1000));
  }, 120_000);
  afterAll(() => {
    run('docker', ['compose', 'down', '--volumes', '--timeout', '1'], { cwd: dir, env });
  });

  it('fails naming the container that keeps restarting, and make status says the same', () => {
    for (const target of ['ps', 'status']) {
      const result = make(target);
      expect(result.status, result.stderr).not.toBe(0);
      expect(result.stdout).toMatch(
        /^redis restarted \d+ time\(s\) since it was created: make logs SERVICE=redis \(an OOM kill: dmesg \| grep -i oom\)$/m,
      );
    }
  });
});
