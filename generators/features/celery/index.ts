// Celery worker and beat, with the stack's Redis as broker and result backend.
import { featureSwitch } from '../../lib/answer-spec.ts';
import { defineFeature } from '../feature.ts';

declare module '../../lib/answer-spec.ts' {
  interface Answers {
    celery: boolean;
  }
}

export default defineFeature({
  name: 'celery',
  answers: [featureSwitch('celery', 'Run Celery worker and beat with Redis?', 'Celery worker + beat, with Redis as broker', true)],
  enabled: (answers) => answers.celery,
  services: ['worker', 'beat'],
  appServices: ['worker', 'beat'],
  requirements: ['celery[redis]>=5.5,<6'],
  files: [
    { templates: ['_pkg_/celery.py', '_pkg_/tasks.py'] },
    // Joins the generated test suite, which only new projects get.
    { condition: (ctx) => ctx.existing === undefined, templates: ['tests/test_tasks.py'] },
  ],
  probes: async () => [(await import('./probe.ts')).celeryProbe],
});
