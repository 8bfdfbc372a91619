// Docker Swarm numbers on a three-node Swarm made on this machine (docker:dind nodes, see
// test/helpers/swarm-cluster.ts, the same scenario the e2e test asserts on): time to deploy the
// stack, rolling-update duration and failed requests during it, the broken update's rollback,
// and recovery after a node loss. Prints numbers; asserts nothing. Needs a Docker engine.
//   node bench/swarm.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagOf } from '../generators/lib/answers.ts';
import { createCluster, removeCluster, runSwarmScenario, SWARM_FLAGS, type Cluster } from '../test/helpers/swarm-cluster.ts';
import { generateProject } from './generate-project.ts';

const parent = mkdtempSync(path.join(os.tmpdir(), 'bench-swarm-'));
const repo = path.join(parent, 'site');
const flags = Object.entries(SWARM_FLAGS).flatMap(([name, value]) => [`--${flagOf(name)}`, String(value)]);
generateProject(repo, flags);

const prefix = `i15-bench-${randomBytes(2).toString('hex')}-`;
const started = Date.now();
let cluster: Cluster | undefined;
try {
  cluster = await createCluster(prefix);
  const clusterSeconds = (Date.now() - started) / 1000;
  const report = await runSwarmScenario(cluster, repo, (line) => console.log(`  ${line}`));
  const rows = [
    ['make a 3-node Swarm (dind) + registry', `${clusterSeconds.toFixed(0)} s`],
    [
      'deploy the stack (make swarm-deploy: secrets, migrate job, 3 web replicas, image pulls on fresh nodes)',
      `${report.deploySeconds.toFixed(0)} s`,
    ],
    ['rolling update to a new image under load (make swarm-deploy)', `${report.update.seconds.toFixed(0)} s`],
    ['failed requests during the rolling update', `${report.update.failed.length} of ${report.update.requests}`],
    ['POSTs during the rolling update (Django answers 403 without a CSRF token)', report.update.posts],
    ['requests nginx sent to a replica after its gunicorn closed its port', String(report.update.sentAfterPortClosed.length)],
    [
      'broken image: deploy until Swarm rolled back (command exits 1)',
      `${report.brokenUpdate.seconds.toFixed(0)} s, ${report.brokenUpdate.ok ? 'NOT reported' : 'reported'}`,
    ],
    ['failed requests during the broken update and rollback', `${report.brokenUpdate.failed.length} of ${report.brokenUpdate.requests}`],
    ['POSTs during the broken update and rollback', report.brokenUpdate.posts],
    [
      `node loss (${report.nodeLoss.webOnNode} web replica(s) on it): until no request failed or took > 2 s`,
      `${report.nodeLoss.recoverySeconds.toFixed(0)} s`,
    ],
    ['node loss: failed requests', `${report.nodeLoss.failed} of ${report.nodeLoss.requests}`],
    ['node loss: until web ran 3 replicas on the remaining nodes', `${report.nodeLoss.rescheduledSeconds.toFixed(0)} s`],
  ];
  console.log(
    `\nDocker Swarm on three dind nodes (${os.availableParallelism()} cores):\n| what | result |\n|---|---|\n${rows.map(([what, result]) => `| ${what} | ${result} |`).join('\n')}`,
  );
  console.log(`whole run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
} finally {
  removeCluster(prefix, cluster?.pushRegistry);
  rmSync(parent, { recursive: true, force: true });
}
