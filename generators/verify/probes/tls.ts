// TLS as Mozilla's "intermediate" profile: 1.2 and 1.3 only, HSTS on every answer.
import { header, request } from '../http.ts';
import { servedCertificate } from './certificate.ts';
import { expectThat, type Probe } from './probe.ts';

export const tlsProbe: Probe = {
  name: 'tls',
  async run({ stack, domains, render }) {
    const port = stack.ports.https;
    const problems: string[] = [];
    const offered: string[] = [];
    for (const version of ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const) {
      // SECLEVEL=0 lets this client speak the old protocols, so a refusal is the server's.
      const attempt = await servedCertificate(port, domains[0]!, {
        minVersion: version,
        maxVersion: version,
        ciphers: 'DEFAULT:@SECLEVEL=0',
      }).then(
        (cert) => `${cert.protocol} ${cert.cipher}`,
        () => undefined,
      );
      const legacy = version === 'TLSv1' || version === 'TLSv1.1';
      if (attempt) offered.push(attempt);
      if (legacy && attempt) problems.push(`${version} is accepted`);
      if (!legacy && !attempt) problems.push(`${version} is refused`);
    }
    const response = await request({ port, secure: true, host: domains[0]!, path: '/' });
    const hsts = header(response, 'strict-transport-security');
    if (!hsts.includes(`max-age=${render.hsts.seconds}`)) problems.push(`HSTS on / is "${hsts}"`);
    expectThat(problems.length === 0, problems.join('; '));
    return `offers ${offered.join(', ')}; refuses TLSv1 and TLSv1.1; HSTS "${hsts}"`;
  },
};
