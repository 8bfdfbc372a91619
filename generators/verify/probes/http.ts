// Port 80: everything redirects permanently to HTTPS, except the ACME http-01 challenge
// files, which must be served from the shared webroot (the classic renewal failure).
import { randomBytes } from 'node:crypto';
import { header, request } from '../http.ts';
import { expectThat, tailOf, type Probe } from './probe.ts';

const WEBROOT = '/var/www/certbot/.well-known/acme-challenge';

export const httpProbe: Probe = {
  name: 'http',
  async run({ stack, domains }) {
    for (const domain of domains) {
      const path = '/verify/some/page/?q=1&r=two';
      const response = await request({ port: stack.ports.http, secure: false, host: domain, path });
      expectThat(response.status === 308, `http://${domain}${path} answered ${response.status}, expected 308`);
      const location = header(response, 'location');
      expectThat(
        location === `https://${domain}${path}`,
        `http://${domain}${path} redirects to "${location}", expected https://${domain}${path}`,
      );
    }
    const name = `verify-${randomBytes(6).toString('hex')}`;
    const content = randomBytes(16).toString('hex');
    const write = await stack.exec('certbot', ['sh', '-c', 'mkdir -p "$1" && printf %s "$2" > "$1/$3"', 'sh', WEBROOT, content, name]);
    expectThat(write.exitCode === 0, `cannot write a challenge file in certbot's webroot: ${tailOf(write.stderr)}`);
    try {
      for (const domain of domains) {
        const response = await request({
          port: stack.ports.http,
          secure: false,
          host: domain,
          path: `/.well-known/acme-challenge/${name}`,
        });
        expectThat(
          response.status === 200 && response.body.trim() === content,
          `challenge file for ${domain} answered ${response.status} "${response.body.slice(0, 80)}", expected 200 with the file's content`,
        );
      }
    } finally {
      await stack.exec('certbot', ['rm', '-f', `${WEBROOT}/${name}`]).catch(() => undefined);
    }
    return `port 80 redirects with 308 to https://<same host and path>; a file in the ACME webroot is served (${domains.join(', ')})`;
  },
};
