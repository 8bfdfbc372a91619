// Deploys without downtime and faults survived, on one generated stack booted by its own
// bin/deploy, each step under a bounded load loop through nginx over HTTPS on 127.0.0.1:
// a code change, a broken release (rolled back by itself), make rollback, gunicorn killed
// (alone, and one of two replicas), web recreated on a new address, Celery tasks through a
// worker SIGKILL and a Redis restart, and a PostgreSQL restart. The numbers are logged.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../generators/verify/containers.ts';
import { appendTo, bootDeployStack, servedVersion, type DeployStack } from '../helpers/deploy-stack.ts';
import { nginxErrorsNear, requireDocker, run, runAsync } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { summarize, type LoadReport } from '../helpers/load.ts';

const HOST = 'app.test';
const PKG = 'deploy_test';
const TASKS = 200;
// A worker with many processes, so 200 one-second tasks take seconds, not minutes.
const CELERY_CONCURRENCY = '10';
// A task for the redelivery test, added to the application's code like any task.
const SLEEPY_TASK = `

@shared_task
def sleepy(number, seconds):
    """Sleeps, then returns its number (counted from the worker's log)."""
    import time

    time.sleep(seconds)
    return number
`;

let stack: DeployStack;
const notes: string[] = [];
const note = (line: string) => {
  notes.push(line);
  console.log(`deploy test: ${line}`);
};

const inspect = (id: string, format: string) => run('docker', ['inspect', '-f', format, id]).trim();
const inspectAsync = async (id: string, format: string) => (await runAsync('docker', ['inspect', '-f', format, id])).stdout.trim();

/** SIGKILL to a container's PID 1 from outside, so its restart policy applies (`docker kill` is a manual stop). */
async function killPid1(id: string): Promise<void> {
  const pid = Number(inspect(id, '{{.State.Pid}}'));
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // The engine's processes are in another PID namespace: kill from one that shares the host's.
    const killed = await runAsync('docker', ['run', '--rm', '--pid=host', '--entrypoint', 'kill', 'python:3.13-slim', '-9', String(pid)]);
    if (killed.code !== 0) throw new Error(`cannot SIGKILL pid ${pid}: ${killed.stderr}`);
  }
}

/** Waits until the container runs healthy after at least `restarts` restarts; returns when. */
async function healthyAgain(id: string, restarts: number, timeoutMs = 180_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [status, health, count] = (await inspectAsync(id, '{{.State.Status}} {{.State.Health.Status}} {{.RestartCount}}')).split(' ');
    if (status === 'running' && health === 'healthy' && Number(count) >= restarts) return Date.now();
    await sleep(250);
  }
  throw new Error(`container ${id.slice(0, 12)} not healthy again within ${timeoutMs / 1000} s`);
}

// Form posts: nginx never resends a POST it has sent, so one that reaches a stopping web container fails.
// Without a CSRF token Django answers 403: the request reached Django (a 502 or a reset would not).
const POST_LOAD = { method: 'POST', expectStatus: 403, concurrency: 8 } as const;

const since = (report: LoadReport, at: number) => ((at - report.startedAt) / 1000).toFixed(1);

/** A load's failures, each with what nginx logged at its error level within a second of it: why it failed. */
function failuresWithNginxErrors(report: LoadReport): string {
  if (report.failures.length === 0) return summarize(report);
  return `${summarize(report)}\n${nginxErrorsNear(['logs', '--timestamps', stack.containers('nginx')[0]!], report.failures)}`;
}

describe('zero-downtime deploys and faults (bin/deploy on a booted stack)', () => {
  let initialVersion: string;
  let changedVersion: string;

  beforeAll(async () => {
    requireDocker();
    const generated = await generateProject({
      name: 'deploy-test',
      tlsMode: 'self-signed',
      domain: HOST,
      sentry: false,
      backups: false,
      celeryLongestTaskSeconds: 20,
    });
    appendTo({ dir: generated.cwd }, `${PKG}/tasks.py`, SLEEPY_TASK);
    const started = Date.now();
    stack = await bootDeployStack(generated.cwd, HOST, { CELERY_CONCURRENCY });
    initialVersion = (await servedVersion(stack))!;
    note(`booted ${stack.project} with bin/deploy in ${((Date.now() - started) / 1000).toFixed(0)} s, version ${initialVersion}`);
  });

  afterAll(() => {
    stack?.down();
    console.log(`deploy test summary:\n  ${notes.join('\n  ')}`);
  });

  it('deploys a code change under load: zero failed requests, POSTs too, then only the new version answers', async () => {
    expect(initialVersion).toMatch(/^[0-9a-f]{12}$/);
    changedVersion = stack.commit('a code change', () => appendTo(stack, `${PKG}/urls.py`, '# a code change'));
    const load = stack.load();
    const posts = stack.load(POST_LOAD);
    const deployed = await stack.deploy();
    const doneAt = Date.now();
    await sleep(3000);
    const report = await load.stop();
    const postReport = await posts.stop();
    const output = `${deployed.stdout}${deployed.stderr}`;
    note(`deploy of a code change: ${deployed.seconds.toFixed(0)} s; ${summarize(report)}; POST: ${summarize(postReport)}`);
    expect(deployed.code, output).toBe(0);
    expect(output).toMatch(new RegExp(`deploy: done in \\d+ s: ${changedVersion} is serving \\(before: ${initialVersion};`));
    expect(report.failures, failuresWithNginxErrors(report)).toEqual([]);
    expect(postReport.failures, failuresWithNginxErrors(postReport)).toEqual([]);
    expect(postReport.ok).toBeGreaterThan(100);
    // The old release served during the deploy, and only the new one after it.
    expect(report.answers.some((answer) => answer.version === initialVersion)).toBe(true);
    const after = report.answers.filter((answer) => answer.at > doneAt);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((answer) => answer.version))).toEqual(new Set([changedVersion]));
    expect(stack.containers('web')).toHaveLength(1);
  });

  it('rolls a broken release back by itself: zero failed requests, the old version serves, exit 1 saying so', async () => {
    const wsgi = path.join(stack.dir, PKG, 'wsgi.py');
    const working = readFileSync(wsgi, 'utf8');
    stack.commit('a release that cannot start', () => writeFileSync(wsgi, `${working}raise RuntimeError("broken release")\n`));
    const load = stack.load();
    const deployed = await stack.deploy();
    await sleep(2000);
    const report = await load.stop();
    note(
      `deploy of a broken release: exit ${deployed.code} after ${deployed.seconds.toFixed(0)} s, "${deployed.stderr.trim().split('\n').at(-1)}"; ${summarize(report)}`,
    );
    expect(deployed.code, deployed.stdout).toBe(1);
    expect(deployed.stderr.trim().split('\n').at(-1)).toMatch(
      /^deploy: FAILED: .*rolled back: removed the new web container\(s\), \S+ is still serving$/,
    );
    expect(report.failures, failuresWithNginxErrors(report)).toEqual([]);
    expect(new Set(report.answers.map((answer) => answer.version))).toEqual(new Set([changedVersion]));
    expect(stack.containers('web')).toHaveLength(1);
    stack.commit('fix the release', () => writeFileSync(wsgi, working));
  });

  it('make rollback under load: zero failed requests, POSTs too, back to the version before', async () => {
    const load = stack.load();
    const posts = stack.load(POST_LOAD);
    const rolledBack = await stack.deploy('rollback');
    const doneAt = Date.now();
    await sleep(2000);
    const report = await load.stop();
    const postReport = await posts.stop();
    note(`rollback: ${rolledBack.seconds.toFixed(0)} s; ${summarize(report)}; POST: ${summarize(postReport)}`);
    expect(rolledBack.code, `${rolledBack.stdout}${rolledBack.stderr}`).toBe(0);
    expect(report.failures, failuresWithNginxErrors(report)).toEqual([]);
    expect(postReport.failures, failuresWithNginxErrors(postReport)).toEqual([]);
    expect(new Set(report.answers.filter((answer) => answer.at > doneAt).map((answer) => answer.version))).toEqual(
      new Set([initialVersion]),
    );
  });

  it('20 rollouts in a row under load (GET and POST): zero failed requests', async () => {
    // bin/deploy rollback swaps :current and :previous, so each run rolls out the other release
    // through the same steps as a deploy (new containers, nginx uses them, the old ones stop),
    // without the build and the migrations the tests above cover.
    const ROLLOUTS = 20;
    const load = stack.load({ maxSeconds: 1800 });
    const posts = stack.load({ ...POST_LOAD, maxSeconds: 1800 });
    const seconds: number[] = [];
    try {
      for (let rollout = 0; rollout < ROLLOUTS; rollout++) {
        const result = await stack.deploy('rollback');
        expect(result.code, `rollout ${rollout + 1}: ${result.stdout}${result.stderr}`).toBe(0);
        seconds.push(result.seconds);
      }
      await sleep(2000);
    } finally {
      const report = await load.stop();
      const postReport = await posts.stop();
      note(
        `${seconds.length} rollouts in a row (${seconds.map((s) => s.toFixed(0)).join(', ')} s); ${summarize(report)}; POST: ${summarize(postReport)}`,
      );
      expect(report.failures, failuresWithNginxErrors(report)).toEqual([]);
      expect(postReport.failures, failuresWithNginxErrors(postReport)).toEqual([]);
      expect(new Set(report.answers.map((answer) => answer.version))).toEqual(new Set([initialVersion, changedVersion]));
    }
  });

  it('a second deploy or rollback while one runs stops at once and changes nothing; the first completes', async () => {
    const first = stack.deploy();
    // Past its lock: it is building or rolling out now, for several seconds more.
    await sleep(3000);
    const second = await stack.deploy('rollback');
    const firstDone = await first;
    note(`rollback during a deploy: exit ${second.code} after ${second.seconds.toFixed(1)} s, "${second.stderr.trim()}"`);
    expect(second.code, `${second.stdout}${second.stderr}`).toBe(1);
    expect(second.stderr.trim()).toMatch(
      new RegExp(`^rollback: FAILED: another deploy or rollback of ${stack.project} is running \\(it holds \\S+\\); nothing was changed$`),
    );
    expect(firstDone.code, `${firstDone.stdout}${firstDone.stderr}`).toBe(0);
    expect(stack.containers('web')).toHaveLength(1);
  });

  it('gunicorn (PID 1) killed under load: web comes back, nginx follows without a restart, failures bounded', async () => {
    const nginx = stack.containers('nginx')[0]!;
    const nginxStarted = inspect(nginx, '{{.State.StartedAt}}');
    const [web] = stack.containers('web');
    const restarts = Number(inspect(web!, '{{.RestartCount}}'));
    const load = stack.load();
    await sleep(2000);
    const killedAt = Date.now();
    await killPid1(web!);
    const healthyAt = await healthyAgain(web!, restarts + 1);
    await sleep(3000);
    const report = await load.stop();
    note(`gunicorn SIGKILLed: healthy again after ${((healthyAt - killedAt) / 1000).toFixed(1)} s; ${summarize(report)}`);
    expect(stack.containers('web')).toEqual([web]);
    expect(inspect(nginx, '{{.State.StartedAt}}')).toBe(nginxStarted);
    // Failures only between the kill and a moment after the container is healthy again.
    for (const failure of report.failures) {
      expect(
        failure.at,
        `failure at ${since(report, failure.at)} s (killed ${since(report, killedAt)} s, healthy ${since(report, healthyAt)} s)`,
      ).toBeGreaterThanOrEqual(killedAt);
      expect(failure.at).toBeLessThanOrEqual(healthyAt + 1000);
    }
    expect(report.answers.filter((answer) => answer.at > healthyAt + 1000).length).toBeGreaterThan(0);
  });

  it('web recreated on a new address is followed within seconds', async () => {
    const [old] = stack.containers('web');
    const network = `${stack.project}_default`;
    const addressOf = (id: string) => inspect(id, `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`);
    const oldAddress = addressOf(old!);
    stack.compose('rm', '--stop', '--force', 'web');
    // Something else takes the freed address, as it may on a busy host.
    const holder = run('docker', [
      'run',
      '-d',
      '--rm',
      '--network',
      network,
      '--name',
      `${stack.project}-address-holder`,
      'python:3.13-slim',
      'sleep',
      '300',
    ]).trim();
    try {
      stack.compose('up', '--detach', '--no-deps', 'web');
      const [recreated] = stack.containers('web');
      const healthyAt = await healthyAgain(recreated!, 0);
      let followedAt = 0;
      while (!followedAt && Date.now() < healthyAt + 30_000) {
        if ((await stack.health().catch(() => undefined))?.status === 200) followedAt = Date.now();
        else await sleep(100);
      }
      note(
        `web recreated: address ${oldAddress} -> ${addressOf(recreated!)}, nginx answered 200 ${((followedAt - healthyAt) / 1000).toFixed(1)} s after it was healthy`,
      );
      expect(addressOf(recreated!)).not.toBe(oldAddress);
      expect(followedAt).toBeGreaterThan(0);
      expect(followedAt - healthyAt).toBeLessThan(5000);
    } finally {
      run('docker', ['rm', '--force', holder]);
    }
  });

  it('with --scale web=2, killing one replica under load loses zero requests', async () => {
    stack.compose('up', '--detach', '--no-deps', '--no-recreate', '--scale', 'web=2', '--wait', 'web');
    const replicas = stack.containers('web');
    expect(replicas).toHaveLength(2);
    const victim = replicas[0]!;
    const restarts = Number(inspect(victim, '{{.RestartCount}}'));
    const load = stack.load();
    await sleep(2000);
    await killPid1(victim);
    await healthyAgain(victim, restarts + 1);
    await sleep(2000);
    const report = await load.stop();
    note(`one of two replicas SIGKILLed: ${summarize(report)}`);
    expect(report.failures, failuresWithNginxErrors(report)).toEqual([]);
  });

  it(`${TASKS} queued tasks survive a Redis restart and a worker SIGKILL: every one completes`, async () => {
    const [worker] = stack.containers('worker');
    const [web] = stack.containers('web');
    const completed = () => {
      const log = run('sh', ['-c', 'docker logs "$0" 2>&1', worker!]);
      const numbers = [...log.matchAll(/sleepy\[[^\]]+\] succeeded in [\d.]+s: (\d+)/g)].map((match) => Number(match[1]));
      return { numbers, distinct: new Set(numbers).size, restores: log.split('restored the unacknowledged tasks').length - 1 };
    };
    const restoresBefore = completed().restores;
    const started = Date.now();
    run('docker', [
      'exec',
      web!,
      'python',
      'manage.py',
      'shell',
      '-c',
      `from ${PKG}.tasks import sleepy\nfor number in range(${TASKS}): sleepy.delay(number, 1)`,
    ]);
    await sleep(5000);
    // Redis goes away under the running worker (acknowledgements in flight are lost; the worker
    // reconnects), then the worker is killed: its restart puts every unacknowledged task back.
    stack.compose('restart', 'redis');
    const redisRestartedAfter = completed().distinct;
    await sleep(5000);
    const restarts = Number(inspect(worker!, '{{.RestartCount}}'));
    const killedAfter = completed().distinct;
    await killPid1(worker!);
    while (Number(inspect(worker!, '{{.RestartCount}}')) <= restarts) {
      if (Date.now() - started > 180_000) throw new Error('the worker did not come back within 180 s');
      await sleep(1000);
    }
    // Bound: the restarted worker restores what is unacknowledged at once; anything whose
    // acknowledgement Redis lost later comes back after the visibility timeout (100 s here) plus
    // kombu's restore interval (up to 100 s).
    let state = completed();
    while (state.distinct < TASKS && Date.now() - started < 360_000) {
      await sleep(2000);
      state = completed();
    }
    const seconds = (Date.now() - started) / 1000;
    note(
      `${TASKS} tasks: Redis restarted after ${redisRestartedAfter} done, worker SIGKILLed after ${killedAfter} ` +
        `(its restart restored unacknowledged tasks: ${state.restores > restoresBefore ? 'yes' : 'none left'}); ` +
        `${state.distinct} distinct done in ${seconds.toFixed(0)} s, ${state.numbers.length - state.distinct} ran twice` +
        `${
          state.distinct < TASKS
            ? `; never done: ${Array.from({ length: TASKS }, (_, number) => number)
                .filter((number) => !state.numbers.includes(number))
                .join(', ')}`
            : ''
        }`,
    );
    expect(new Set(state.numbers)).toEqual(new Set(Array.from({ length: TASKS }, (_, number) => number)));
  });

  it('PostgreSQL restarted under load: errors only while it is down, web healthy again without a restart', async () => {
    const webs = stack.containers('web');
    const before = webs.map((id) => inspect(id, '{{.State.StartedAt}} {{.RestartCount}}'));
    const load = stack.load();
    await sleep(2000);
    const downAt = Date.now();
    const restarted = await runAsync('docker', ['compose', 'restart', 'db'], { cwd: stack.dir, env: stack.env });
    const upAt = Date.now();
    let healthyAt = 0;
    while (!healthyAt && Date.now() < upAt + 60_000) {
      if ((await stack.health().catch(() => undefined))?.status === 200) healthyAt = Date.now();
      else await sleep(200);
    }
    await sleep(2000);
    const report = await load.stop();
    note(
      `PostgreSQL restarted (${((upAt - downAt) / 1000).toFixed(1)} s): /health/ 200 again ${((healthyAt - upAt) / 1000).toFixed(1)} s later; ${summarize(report)}`,
    );
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(healthyAt).toBeGreaterThan(0);
    for (const failure of report.failures) {
      expect(failure.what, summarize(report)).toBe('503');
      expect(failure.at).toBeGreaterThanOrEqual(downAt);
      expect(failure.at).toBeLessThanOrEqual(healthyAt + 1000);
    }
    expect(stack.containers('web')).toEqual(webs);
    expect(webs.map((id) => inspect(id, '{{.State.StartedAt}} {{.RestartCount}}'))).toEqual(before);
  });
});
