// In ACME modes the served certificate must be the one certbot obtained (from the Pebble
// test CA during verify), for every domain: proof the whole issuance path works, first boot
// bootstrap, http-01 through nginx, and nginx picking the new certificate up.
import tls from 'node:tls';
import { poll } from '../containers.ts';
import { expectThat, tailOf, type Probe } from './probe.ts';

export interface ServedCertificate {
  issuer: string;
  subject: string;
  altNames: string;
  serial: string;
  protocol: string;
  cipher: string;
}

/** Connects with the given SNI and reads the certificate nginx serves. */
export function servedCertificate(port: number, servername: string, options: tls.ConnectionOptions = {}): Promise<ServedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...options }, () => {
      const cert = socket.getPeerCertificate();
      resolve({
        issuer: String(cert.issuer?.CN ?? ''),
        subject: String(cert.subject?.CN ?? ''),
        altNames: cert.subjectaltname ?? '',
        serial: cert.serialNumber,
        protocol: socket.getProtocol() ?? '',
        cipher: socket.getCipher().name,
      });
      socket.end();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
}

export const certificateProbe: Probe = {
  name: 'certificate',
  when: (render) => render.tls.mode !== 'self-signed',
  async run({ stack, domains, log }) {
    const issued: string[] = [];
    for (const domain of domains) {
      let last: ServedCertificate | undefined;
      // First issuance + nginx reload: certbot starts right after nginx, Pebble answers in seconds.
      const found = await poll(
        async () => {
          last = await servedCertificate(stack.ports.https, domain).catch(() => undefined);
          return last && /pebble/i.test(last.issuer) && last.altNames.split(', ').includes(`DNS:${domain}`) ? last : undefined;
        },
        180_000,
        3000,
      );
      if (!found) {
        const certbotLogs = await stack.logs('certbot', { tail: 12 }).catch(() => '');
        expectThat(
          false,
          `${domain}: still served by "${last?.issuer ?? 'nothing'}" (SAN ${last?.altNames ?? '-'}) after 180 s; certbot says: ${tailOf(certbotLogs, 8)}`,
        );
      } else {
        log(`  certificate: ${domain} issued by ${found.issuer}`);
        issued.push(domain);
      }
    }
    return `${issued.join(', ')}: certificate issued by the ACME test CA (Pebble), not the bootstrap one`;
  },
};
