// The probes, in the order they run: the stack's own health first, then what a visitor sees,
// then the background machinery, then hygiene and the TLS audit.
import { backupsProbe } from './backups.ts';
import { celeryProbe } from './celery.ts';
import { certificateProbe } from './certificate.ts';
import { checkDeployProbe } from './check-deploy.ts';
import { headersProbe } from './headers.ts';
import { httpProbe } from './http.ts';
import { httpsHealthProbe } from './https-health.ts';
import { hygieneProbe } from './hygiene.ts';
import type { Probe } from './probe.ts';
import { sentryProbe } from './sentry.ts';
import { servicesProbe } from './services.ts';
import { staticProbe } from './static.ts';
import { testsslProbe } from './testssl.ts';
import { tlsProbe } from './tls.ts';

export const PROBES: readonly Probe[] = [
  servicesProbe,
  // Before the HTTPS probes, so they all see the issued certificate rather than a reload mid-way.
  certificateProbe,
  httpProbe,
  httpsHealthProbe,
  staticProbe,
  headersProbe,
  checkDeployProbe,
  celeryProbe,
  sentryProbe,
  backupsProbe,
  hygieneProbe,
  tlsProbe,
  testsslProbe,
];
