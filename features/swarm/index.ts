// The same stack on a multi-node Docker Swarm: stack.yaml (docker stack deploy's format) derived
// from the rendered compose.yaml (stack.ts), a deploy script that turns .env into Swarm secrets
// and runs migrations before web rolls, and make targets. Off by default: a single server needs
// none of it, and the files would only be noise there.
import { checkInteger, featureSwitch, spec } from '../../generators/lib/answer-spec.ts';
import {
  sizeReplicated,
  UPDATE_PARALLELISM,
  type AppConnections,
  type DatabaseBudget,
  type PostgresSizing,
} from '../../generators/lib/sizing.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { coreServices, deriveStack } from './stack.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    swarm: boolean;
    swarmRegistry: string;
    swarmWebReplicas: number;
    swarmWorkerReplicas: number;
    swarmEncryptData: boolean;
  }
}

export interface SwarmFacts {
  /** Registry (host[:port][/namespace]) the nodes pull the app image from. */
  registry: string;
  /** Repositories in it, tagged by git commit at push time. */
  repositories: { app: string; backup: string };
  /** web and Celery worker replicas (beat is always one). */
  replicas: { web: number; worker: number };
  /** Tasks a rolling update replaces at once (and so runs extra meanwhile). */
  updateParallelism: number;
  /** PostgreSQL sized for every replica (max_connections), with the connections it covers. */
  connections: AppConnections;
  postgres: PostgresSizing;
  /** What web may use of PostgreSQL's connections with every replica counted. */
  database: DatabaseBudget;
  /** How long gunicorn goes on serving after SIGTERM, until nginx has stopped sending it requests (slots/gunicorn.ejs). */
  shutdownDelaySeconds: number;
  /** Tries of the migrate job, 5 s apart: a first deploy's database may take a minute to start. */
  migrateAttempts: number;
  /** Node labels pinning the stateful services: node.labels.<key> == true. */
  labels: { data: string; edge: string };
  /** The data network (PostgreSQL, Redis) encrypted between nodes (IPsec, the overlay driver's `encrypted` option). */
  encryptData: boolean;
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    swarm: SwarmFacts;
  }
}

/**
 * host[:port][/path]: a lowercase registry host name (a dot, a port or "localhost" tells Docker it
 * is a registry rather than a Docker Hub user), then optional lowercase repository path components.
 */
const REGISTRY =
  /^(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?=:))(?::(\d{1,5}))?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function checkRegistry(value: string): string | undefined {
  const match = REGISTRY.exec(value);
  const port = match?.[1] === undefined ? 1 : Number(match[1]);
  return match && value.length <= 200 && port >= 1 && port <= 65535
    ? undefined
    : 'must be a registry host with a dot or a port (registry.example.com, reg:5000, localhost:5000), optionally with a lowercase /path, no scheme and no tag';
}

const withSwarm = (answers: { swarm?: boolean }) => answers.swarm === true;

export default defineFeature<SwarmFacts>({
  name: 'swarm',
  answers: [
    featureSwitch(
      'swarm',
      'Also write a Docker Swarm stack (stack.yaml) for several servers?',
      'Also a Docker Swarm stack (stack.yaml, make swarm-*) for a multi-node cluster',
      false,
    ),
    spec({
      name: 'swarmRegistry',
      kind: 'string',
      message: 'Registry the Swarm nodes pull the app image from',
      description: 'Registry (host[:port][/path]) that make swarm-push pushes the app image to and the nodes pull from',
      default: () => 'registry.example.com',
      when: withSwarm,
      check: checkRegistry,
    }),
    spec({
      name: 'swarmWebReplicas',
      advanced: true,
      kind: 'number',
      message: 'web replicas on the Swarm',
      description: 'web replicas on the Swarm (each sized like the single server)',
      default: () => 2,
      when: withSwarm,
      check: (value) => checkInteger(value, 1, 50, 'replicas'),
    }),
    spec({
      name: 'swarmWorkerReplicas',
      advanced: true,
      kind: 'number',
      message: 'Celery worker replicas on the Swarm',
      description: 'Celery worker replicas on the Swarm (beat is always one)',
      default: () => 1,
      when: (answers) => answers.swarm === true && answers.celery === true,
      check: (value) => checkInteger(value, 1, 50, 'replicas'),
    }),
    spec({
      name: 'swarmEncryptData',
      advanced: true,
      kind: 'boolean',
      message: 'Encrypt the database network between Swarm nodes (IPsec; the kernel needs ESP)?',
      description:
        'Encrypt the overlay network carrying PostgreSQL and Redis traffic between nodes (IPsec: every node kernel needs ESP, CONFIG_INET_ESP)',
      default: () => true,
      when: withSwarm,
      check: () => undefined,
    }),
  ],
  enabled: (answers) => answers.swarm,
  slots: ['gunicorn', 'makefile', 'readme', 'readme.files'],
  facts: (answers, sizing) => {
    const replicas = { web: answers.swarmWebReplicas, worker: answers.celery ? answers.swarmWorkerReplicas : 0 };
    return {
      registry: answers.swarmRegistry,
      repositories: { app: `${answers.swarmRegistry}/${answers.name}-app`, backup: `${answers.swarmRegistry}/${answers.name}-backup` },
      replicas,
      updateParallelism: UPDATE_PARALLELISM,
      ...sizeReplicated(sizing, { web: replicas.web, pools: { celery: replicas.worker } }),
      // Swarm's own 2 s between the DNS removal and SIGTERM, plus this, must cover nginx's 2 s cache
      // and the removal's gossip to the edge node (bench/README.md, "POSTs during Swarm rolling updates").
      shutdownDelaySeconds: 5,
      migrateAttempts: 12,
      labels: { data: `${answers.name}.data`, edge: `${answers.name}.edge` },
      encryptData: answers.swarmEncryptData,
    };
  },
  files: [
    { templates: ['gunicorn_runtime/shutdown_delay.py'] },
    { executable: true, templates: ['swarm/deploy.sh'] },
    { condition: (ctx) => ctx.repoHealth.testSuite, templates: ['tests/test_shutdown_delay.py'] },
  ],
  derived: [{ template: 'stack.yaml', derive: deriveStack }],
  swarm: coreServices,
});
