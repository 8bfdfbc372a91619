// The probes, in the order they run: the stack's own health first, then what a visitor sees,
// then each enabled feature's probes (registry order), then hygiene and the TLS audit.
import type { RenderContext } from '../../lib/context.ts';
import { appUrlProbe } from './app-url.ts';
import { certificateProbe } from './certificate.ts';
import { checkDeployProbe } from './check-deploy.ts';
import { headersProbe } from './headers.ts';
import { httpProbe } from './http.ts';
import { httpsHealthProbe } from './https-health.ts';
import { hygieneProbe } from './hygiene.ts';
import type { Probe } from './probe.ts';
import { servicesProbe } from './services.ts';
import { staticProbe } from './static.ts';
import { testsslProbe } from './testssl.ts';
import { tlsProbe } from './tls.ts';

const CORE_FIRST: readonly Probe[] = [
  servicesProbe,
  // Before the HTTPS probes, so they all see the issued certificate rather than a reload mid-way.
  certificateProbe,
  httpProbe,
  httpsHealthProbe,
  appUrlProbe,
  staticProbe,
  headersProbe,
  checkDeployProbe,
];
const CORE_LAST: readonly Probe[] = [hygieneProbe, tlsProbe, testsslProbe];

/** Every probe that applies to this render, in running order. */
export async function probesFor(render: RenderContext): Promise<Probe[]> {
  const featureProbes = await Promise.all(render.enabledFeatures.filter((feature) => feature.probes).map((feature) => feature.probes!()));
  return [...CORE_FIRST, ...featureProbes.flat(), ...CORE_LAST].filter((probe) => probe.when?.(render) ?? true);
}
