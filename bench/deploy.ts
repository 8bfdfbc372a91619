// Zero-downtime deploys, measured: a generated stack (minimal profile plus Celery) booted with its
// own bin/deploy, then a code change deployed, a broken release deployed (rolled back by itself)
// and `make rollback`, each under a load loop of 4 clients through nginx over HTTPS. Prints
// durations and failed requests; asserts nothing. Needs a Docker engine.
//   node bench/deploy.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../generators/verify/containers.ts';
import { appendTo, bootDeployStack } from '../test/helpers/deploy-stack.ts';
import { summarize } from '../test/helpers/load.ts';
import { BENCH_HARDWARE, generateProject } from './generate-project.ts';

const parent = mkdtempSync(path.join(os.tmpdir(), 'bench-deploy-'));
const repo = path.join(parent, 'site');
generateProject(repo, [...BENCH_HARDWARE, '--tls-mode', 'self-signed', '--domain', 'app.test', '--sentry', 'false', '--backups', 'false']);

const rows: string[] = [];
const started = Date.now();
const stack = await bootDeployStack(repo, 'app.test');
rows.push(`| boot with bin/deploy (build, migrate, start) | ${((Date.now() - started) / 1000).toFixed(0)} s | — | — |`);
try {
  const measure = async (what: string, command: string[], expectExit: number) => {
    const load = stack.load();
    await sleep(1000);
    const result = await stack.deploy(...command);
    await sleep(2000);
    const report = await load.stop();
    const exit = result.code === expectExit ? `exit ${result.code}` : `exit ${result.code} (expected ${expectExit})`;
    rows.push(`| ${what} | ${result.seconds.toFixed(0)} s | ${report.failures.length} of ${report.requests} | ${exit} |`);
    console.log(`${what}: ${result.seconds.toFixed(1)} s, ${exit}; ${summarize(report)}`);
  };
  stack.commit('a code change', () => appendTo(stack, 'my_site/urls.py', '# a code change'));
  await measure('deploy of a code change (build, migrate, new web healthy, drain, worker and beat)', [], 0);
  const wsgi = path.join(repo, 'my_site', 'wsgi.py');
  const working = readFileSync(wsgi, 'utf8');
  stack.commit('a broken release', () => writeFileSync(wsgi, `${working}raise RuntimeError("broken release")\n`));
  await measure('deploy of a broken release (rolled back by itself)', [], 1);
  stack.commit('fixed', () => writeFileSync(wsgi, working));
  await measure('make rollback (no build)', ['rollback'], 0);
} finally {
  stack.down();
  rmSync(parent, { recursive: true, force: true });
}
console.log(
  `\nzero-downtime deploys (${os.availableParallelism()} cores, 4 clients GET /health/ through nginx over HTTPS):\n` +
    `| what | duration | failed requests | result |\n|---|---|---|---|\n${rows.join('\n')}`,
);
