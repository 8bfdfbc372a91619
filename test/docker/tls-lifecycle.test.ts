// The certificate lifecycle of a generated stack, end to end, against the kit's Pebble
// (a real ACME server, no internet): nginx starts on the bootstrap certificate, picks up
// the Pebble-issued one for every domain without a restart, and after a (test-only)
// forced renewal serves the new certificate, again without a restart; a later `up` keeps
// it, and a change of ACME directory (staging -> production) replaces it at once.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { requireDocker, run } from '../helpers/docker.ts';
import { poll } from '../../generators/verify/containers.ts';
import { servedCertificate } from '../../generators/verify/probes/certificate.ts';

const DOMAINS = ['app.test', 'www.app.test'] as const;
const KIT_DIR = process.env['DOCKER_KIT_DIR'] ?? fileURLToPath(new URL('../../../shared/docker-kit', import.meta.url));
const PEBBLE_CA = process.env['DOCKER_KIT_PEBBLE_CA'] ?? path.join(KIT_DIR, 'pebble.minica.pem');
const OVERRIDE = 'compose.tls-test.yaml';

// Test-only additions: Pebble (started later, by profile), nginx reachable under the
// certificate's names on the compose network (Pebble's http-01 validation goes there),
// ports on 127.0.0.1 only, short watcher and retry intervals.
const overrideYaml = `services:
  nginx:
    ports: !override
      - "127.0.0.1::80"
      - "127.0.0.1::443"
    environment:
      RELOAD_CHECK_SECONDS: "2"
    networks:
      default:
        aliases: [${DOMAINS.join(', ')}]
  certbot:
    environment:
      ISSUE_RETRY_SECONDS: "3"
      ISSUE_RETRY_MAX_SECONDS: "5"
  pebble:
    image: ghcr.io/letsencrypt/pebble:latest
    profiles: [acme]
    command: -config /test/config/pebble-config-http80.json
    environment:
      PEBBLE_VA_NOSLEEP: "1"
      PEBBLE_WFE_NONCEREJECT: "0"
`;

/** Retries until the probe returns a value; fails the test naming what never came. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const value = await poll(() => probe().catch(() => undefined), timeoutMs, 1000);
  if (value === undefined) throw new Error(`timed out waiting for ${what}`);
  return value;
}

describe('TLS lifecycle (certbot + nginx + Pebble)', () => {
  it('bootstraps, obtains, renews, keeps and replaces certificates with no nginx restart', async () => {
    requireDocker();
    const result = await generateProject({
      name: 'tls-test',
      tlsMode: 'acme',
      acmeDirectory: 'https://pebble:14000/dir',
      acmeCaBundle: PEBBLE_CA,
      domain: DOMAINS[0],
      extraDomains: DOMAINS.slice(1).join(','),
      email: 'admin@app.test',
      celery: false,
      backups: false,
      sentry: false,
    });
    const dir = result.cwd;
    // The generator copies the CA bundle answer into the repository; certbot trusts it.
    expect(readFileSync(path.join(dir, 'certbot/acme-ca.pem'), 'utf8').trim()).toBe(readFileSync(PEBBLE_CA, 'utf8').trim());
    writeFileSync(path.join(dir, OVERRIDE), overrideYaml);

    const project = `tls-lifecycle-${randomBytes(4).toString('hex')}`;
    const composeWith = (env: Record<string, string>, ...args: string[]) =>
      run('docker', ['compose', '-p', project, '-f', 'compose.yaml', '-f', OVERRIDE, ...args], {
        cwd: dir,
        env: { ...process.env, ...env },
      });
    const compose = (...args: string[]) => composeWith({}, ...args);
    try {
      // 1. The stack without Pebble: certbot keeps retrying, nginx serves the bootstrap certificate.
      compose('up', '-d', '--build', '--wait', '--wait-timeout', '600');
      const port = Number(compose('port', 'nginx', '443').trim().split(':').pop());
      const nginxId = compose('ps', '-q', 'nginx').trim();
      const startedAt = () => run('docker', ['inspect', '-f', '{{.State.StartedAt}}', nginxId]).trim();
      const nginxStartedAt = startedAt();

      const bootstrap = await servedCertificate(port, DOMAINS[0]);
      expect(bootstrap.issuer).toBe(DOMAINS[0]); // self-signed: issuer = subject
      for (const domain of DOMAINS) expect(bootstrap.altNames).toContain(`DNS:${domain}`);

      // 2. Pebble comes up: the next retry gets the real certificate; the watcher reloads nginx.
      compose('--profile', 'acme', 'up', '-d', 'pebble');
      // Every name must be served the one new certificate. For 100 ms after a reload nginx's old workers
      // (still on the bootstrap certificate) accept connections beside the new ones, so all names are
      // checked together until they agree.
      const issued = await waitFor(
        'the Pebble-issued certificate on every name',
        async () => {
          const served = await Promise.all(DOMAINS.map((domain) => servedCertificate(port, domain)));
          const [first] = served;
          return served.every((cert) => cert.issuer.includes('Pebble') && cert.serial === first!.serial) ? first : undefined;
        },
        180_000,
      );
      for (const domain of DOMAINS) expect(issued.altNames).toContain(`DNS:${domain}`);
      expect(compose('logs', 'certbot')).toMatch(/deploy-hook: new certificate/);

      // 3. A renewal (forced: test only) is served after the watcher interval.
      // (certbot sleeps up to 8 minutes before a non-interactive renewal unless told not to.)
      compose('exec', '-T', 'certbot', 'certbot', 'renew', '--force-renewal', '--non-interactive', '--no-random-sleep-on-renew');
      const renewed = await waitFor(
        'the renewed certificate',
        async () => {
          const cert = await servedCertificate(port, DOMAINS[0]);
          return cert.serial !== issued.serial ? cert : undefined;
        },
        60_000,
      );
      expect(renewed.issuer).toContain('Pebble');
      for (const domain of DOMAINS) expect(renewed.altNames).toContain(`DNS:${domain}`);

      // 4. Idempotent: a later `up` (certbot recreated) keeps the valid certificate.
      compose('up', '-d', '--force-recreate', '--no-deps', '--wait', 'certbot');
      await waitFor(
        'certbot to settle after its restart',
        async () => (/certificate for .* in place/.test(compose('logs', 'certbot')) ? true : undefined),
        60_000,
      );
      // The recreated container's log: no new certificate was deployed.
      expect(compose('logs', 'certbot')).not.toMatch(/deploy-hook: new certificate/);
      expect((await servedCertificate(port, DOMAINS[0])).serial).toBe(renewed.serial);

      // 5. Another ACME directory (as staging -> production): the stored certificate is replaced
      // at once, not at its renewal date. Same Pebble, a URL that differs as a string.
      const nextDirectory = 'https://pebble:14000/dir?next-ca';
      composeWith({ ACME_DIRECTORY_URL: nextDirectory }, 'up', '-d', '--no-deps', '--wait', 'certbot');
      const replaced = await waitFor(
        'the certificate from the new directory',
        async () => {
          const cert = await servedCertificate(port, DOMAINS[0]);
          return cert.serial !== renewed.serial ? cert : undefined;
        },
        60_000,
      );
      expect(replaced.issuer).toContain('Pebble');
      expect(compose('logs', 'certbot')).toMatch(/replacing it with one from https:\/\/pebble:14000\/dir\?next-ca/);
      expect(compose('exec', '-T', 'certbot', 'cat', `/etc/letsencrypt/renewal/${DOMAINS[0]}.conf`)).toContain(`server = ${nextDirectory}`);

      // Reloaded, never restarted.
      expect(startedAt()).toBe(nginxStartedAt);
      expect(compose('logs', 'nginx')).toMatch(/reload-on-renewal: certificate changed; reloading nginx/);
    } catch (error) {
      try {
        console.error(compose('--profile', 'acme', 'logs', '--tail', '80', 'certbot', 'nginx', 'pebble'));
      } catch {
        /* the original error matters more */
      }
      throw error;
    } finally {
      compose('--profile', 'acme', 'down', '-v', '--remove-orphans');
    }
  });
});
