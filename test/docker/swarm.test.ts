// End to end on a real three-node Docker Swarm made on this machine (docker:dind manager + two
// workers, a registry:2 container holding the pushed images): a generated repository deployed
// with its own make targets, updated, broken and failed over, each under load through nginx.
// The scenario (test/helpers/swarm-cluster.ts) is also what bench/swarm.ts times.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requireDocker } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { createCluster, removeCluster, runSwarmScenario, SWARM_FLAGS, type Cluster } from '../helpers/swarm-cluster.ts';

describe('Docker Swarm stack on three nodes', () => {
  it('deploys, rolls forward and back without a failed request, and survives a node loss', async () => {
    requireDocker();
    const repoDir = (await generateProject(SWARM_FLAGS)).cwd;
    const prefix = `i15-${randomBytes(3).toString('hex')}-`;
    const progress: string[] = [];
    const log = (line: string) => progress.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
    let cluster: Cluster | undefined;
    try {
      cluster = await createCluster(prefix);
      log('cluster up');
      const report = await runSwarmScenario(cluster, repoDir, log);
      const context = `${progress.join('\n')}\n${JSON.stringify({ ...report, brokenUpdate: { ...report.brokenUpdate, output: '…' } }, null, 2)}`;
      console.log(context);

      // Placement by the node labels: the stateful services on the labelled manager.
      for (const service of ['db', 'redis', 'nginx', 'certbot'])
        expect(report.placement[service], `${service}\n${context}`).toEqual([cluster.nodes[0]]);
      // Monitoring on the cluster: Prometheus scrapes every target, each web replica and each node
      // among them (found through Docker's DNS), with the alert rules loaded; Alertmanager healthy.
      for (const service of ['prometheus', 'alertmanager', 'postgres-exporter', 'redis-exporter'])
        expect(report.placement[service], `${service}\n${context}`).toEqual([cluster.nodes[0]]);
      expect([...report.placement['node-exporter']!].sort(), context).toEqual(cluster.nodes);
      const { monitoring } = report;
      const jobs = (job: string) => monitoring.targets.filter((target) => target.job === job);
      expect(new Set(monitoring.targets.map((target) => target.job)), context).toEqual(
        new Set(['prometheus', 'alertmanager', 'django', 'nginx', 'postgres', 'redis', 'node', 'blackbox', 'https']),
      );
      expect(
        monitoring.targets.filter((target) => target.up !== 1),
        context,
      ).toEqual([]);
      expect(jobs('django'), context).toHaveLength(SWARM_FLAGS.swarmWebReplicas);
      expect(jobs('node'), context).toHaveLength(cluster.nodes.length);
      expect(monitoring.rulesDefined, context).toBeGreaterThan(10);
      expect(monitoring.rulesLoaded, context).toBe(monitoring.rulesDefined);
      expect(monitoring.alertmanagersDiscovered, context).toBe(1);
      expect(monitoring.alertmanagerHealth, context).toBe('healthy');
      expect(report.monitoringUi, context).toMatch(/^Prometheus Server is Healthy\.\s+OK$/);

      // web: 3 replicas over at least 2 nodes, each answering HTTPS through nginx.
      expect(report.webNodes, context).toHaveLength(3);
      expect(new Set(report.webNodes).size, context).toBeGreaterThanOrEqual(2);
      expect(report.instances, context).toHaveLength(3);
      for (const instance of report.instances) expect(instance, context).toMatch(/^my-site_web\.[1-3]\./);
      // The release step completed exactly once (tries while the database was starting may have failed).
      expect(
        report.migrateTasks.filter((state) => state.startsWith('Complete')),
        context,
      ).toHaveLength(1);
      expect(
        report.migrateTasks.filter((state) => !/^(Complete|Failed)/.test(state)),
        context,
      ).toEqual([]);

      // Rolling update under load: no failed request, every replica on the new code.
      expect(report.update.requests, context).toBeGreaterThan(20);
      expect(report.update.failed, context).toEqual([]);
      expect(report.update.releasesAfter, context).toEqual(['200 v2']);
      // POSTs too (nginx never resends one), and no replica was sent a request after it closed its
      // port: Swarm removes a task from DNS only 2 s before SIGTERM; gunicorn serves on meanwhile.
      expect(report.update.lostPosts, report.update.posts).toEqual([]);
      expect(report.update.sentAfterPortClosed, context).toEqual([]);

      // Broken release: rolled back by Swarm, reported by the command, no failed request.
      expect(report.brokenUpdate.ok, context).toBe(false);
      expect(report.brokenUpdate.output, report.brokenUpdate.output).toMatch(/ROLLED BACK web/);
      expect(report.brokenUpdate.requests, context).toBeGreaterThan(20);
      expect(report.brokenUpdate.failed, context).toEqual([]);
      expect(report.brokenUpdate.releasesAfter, context).toEqual(['200 v2']);
      expect(report.brokenUpdate.lostPosts, report.brokenUpdate.posts).toEqual([]);

      // A worker node lost while serving: its replicas rescheduled, requests recovered, data kept.
      expect(report.nodeLoss.webOnNode, context).toBeGreaterThanOrEqual(1);
      expect(report.nodeLoss.webNodesAfter, context).toHaveLength(3);
      expect(report.nodeLoss.webNodesAfter, context).not.toContain(report.nodeLoss.node);
      expect(report.nodeLoss.recoverySeconds, context).toBeLessThan(120);
      expect(report.nodeLoss.requests, context).toBeGreaterThan(20);
      expect(report.nodeLoss.rowAfter, context).toBe('before the fault');
    } finally {
      removeCluster(prefix, cluster?.pushRegistry);
    }
  });
});
