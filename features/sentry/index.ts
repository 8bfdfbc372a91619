// Sentry error reporting from Django and Celery; off while SENTRY_DSN is empty.
import { featureSwitch } from '../../generators/lib/answer-spec.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { sentryOverride } from './verify.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    sentry: boolean;
  }
}

export default defineFeature({
  name: 'sentry',
  answers: [
    featureSwitch('sentry', 'Report errors to Sentry (DSN from .env)?', 'Sentry error reporting (off while SENTRY_DSN is empty)', true),
  ],
  enabled: (answers) => answers.sentry,
  slots: ['compose.app-environment', 'env', 'readme', 'settings.production'],
  requirements: ['sentry-sdk>=2.0,<3'],
  verify: sentryOverride,
  probes: async () => [(await import('./probe.ts')).sentryProbe],
});
