// Celery worker and beat, with the stack's Redis as broker and result backend.
import { checkInteger, featureSwitch, spec } from '../../generators/lib/answer-spec.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { celeryPidsLimit } from '../../generators/lib/hardening.ts';
import type { ProcessPool } from '../../generators/lib/sizing.ts';
import { celeryTiming, type CeleryTiming } from './timing.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    celery: boolean;
    celeryLongestTaskSeconds: number;
  }
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    celery: CeleryFacts;
  }
}

export interface CeleryFacts extends CeleryTiming {
  /** Worker processes (prefork) and the worker container's memory limit, from Celery's share of the memory. */
  concurrency: number;
  memoryLimitMb: number;
  /** The worker's process limit (pids_limit): its children and their threads. */
  pidsLimit: number;
  /** How the worker's processes are sized (README). */
  pool: ProcessPool;
}

/**
 * One prefork process per core, as memory allows, within 1..8; 200 MiB each (a process doing real
 * work: measured idle at 65 MiB resident, plus room for the tasks' data). The worker gets 15 % of the
 * surplus, out of web's 50 %, on top of its floor: the main process and one child, 69-73 MiB in all
 * under 200 tasks (bench/memory.ts), and its healthcheck (`celery inspect ping`, a second Celery
 * process in the same container every 30 s): with Sentry on, 119 MiB at its peak. At a 120 MiB limit
 * the worker was OOM-killed over and over during verify (11 restarts); at 76 MiB as soon as it was ready.
 * Beat holds one more database connection.
 */
const CELERY_POOL: ProcessPool = { service: 'worker', share: 0.15, floorMb: 160, processMb: 200, maxProcesses: 8, extraConnections: 1 };

/** beat's limit: one Celery process with the app loaded, 57-63 MiB idle and under load (bench/memory.ts). */
const BEAT_MB = 96;

export default defineFeature<CeleryFacts>({
  name: 'celery',
  answers: [
    featureSwitch('celery', 'Run Celery worker and beat with Redis?', 'Celery worker + beat, with Redis as broker', true),
    spec({
      name: 'celeryLongestTaskSeconds',
      advanced: true,
      kind: 'number',
      message: 'Longest run time of a Celery task, in seconds',
      description: 'Longest Celery task in seconds: its soft time limit; sets the hard limit, warm-shutdown grace and redelivery delay',
      default: () => 600,
      when: (answers) => answers.celery === true,
      check: (value) => checkInteger(value, 10, 86400, 'seconds'),
    }),
  ],
  enabled: (answers) => answers.celery,
  slots: [
    'compose.services',
    'env',
    'package.init',
    'readme',
    'readme.files',
    'readme.sizing',
    'readme.sizing.notes',
    'settings.base',
    'settings.loggers',
    'settings.production',
  ],
  facts: (answers, sizing) => ({
    ...celeryTiming(answers.celeryLongestTaskSeconds),
    concurrency: sizing.pools['celery']!.processes,
    memoryLimitMb: sizing.pools['celery']!.memoryLimitMb,
    pidsLimit: celeryPidsLimit(sizing.pools['celery']!.processes),
    pool: CELERY_POOL,
  }),
  memory: { pool: CELERY_POOL, reservedMb: () => ({ beat: BEAT_MB }) },
  services: ['worker', 'beat'],
  appServices: ['worker', 'beat'],
  requirements: ['celery[redis]>=5.5,<6'],
  files: [
    { templates: ['_pkg_/celery.py', '_pkg_/tasks.py'] },
    // Joins the generated test suite.
    { condition: (ctx) => ctx.repoHealth.testSuite, templates: ['tests/test_tasks.py'] },
  ],
  probes: async () => [(await import('./probe.ts')).celeryProbe],
  swarm: (ctx) => ({
    worker: { networks: ['edge', 'data'], replicas: ctx.swarm!.replicas.worker },
    // Exactly one, anywhere, replaced stop-first so that two never run at once (the default; said because it matters).
    beat: { networks: ['edge', 'data'], deploy: { replicas: 1, update_config: { order: 'stop-first', failure_action: 'rollback' } } },
  }),
});
