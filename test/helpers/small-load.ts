// The workload the small-server sizes are proven under: a bounded load through nginx while Celery
// runs a few tasks, on a stack verify kept running.
import { run, runAsync } from './docker.ts';
import { startLoad, type LoadReport } from './load.ts';
import type { StatsSampler } from './memory-stats.ts';

const LOAD_SECONDS = 30;

/** A Django shell script that sends `tasks` ping tasks through Celery and prints how many answered within `timeoutSeconds`. */
export const pingTasksScript = (pkg: string, tasks: number, timeoutSeconds: number) =>
  `from ${pkg}.tasks import ping\nresults = [ping.delay() for _ in range(${tasks})]\nprint(sum(r.get(timeout=${timeoutSeconds}) == "pong" for r in results), "tasks done")`;

/**
 * 30 s of 8 requests at a time through the stack's nginx (:443), while `tasks` ping tasks run
 * through Celery; `stats` samples it as its "load" phase, then (a last sample after) stops.
 */
export async function loadWithTasks(
  project: string,
  pkg: string,
  domain: string,
  tasks: number,
  stats: StatsSampler,
): Promise<{ load: LoadReport; tasksOutput: string }> {
  stats.phase('load');
  const port = Number(
    run('docker', ['port', `${project}-nginx-1`, '443'])
      .trim()
      .split('\n')[0]!
      .split(':')
      .pop(),
  );
  const loading = startLoad({ port, host: domain, concurrency: 8, maxSeconds: LOAD_SECONDS });
  const sent = await runAsync(
    'docker',
    ['exec', `${project}-web-1`, 'python', 'manage.py', 'shell', '-c', pingTasksScript(pkg, tasks, 240)],
    {
      timeoutMs: 300_000,
    },
  );
  await new Promise((resolve) => setTimeout(resolve, LOAD_SECONDS * 1000 - Math.min(LOAD_SECONDS * 1000, sent.seconds * 1000)));
  const load = await loading.stop();
  // A last sample after the load, then the stream ends.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  stats.stop();
  return { load, tasksOutput: `${sent.stdout}${sent.stderr}` };
}
