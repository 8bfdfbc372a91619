// Security headers on a dynamic page and on a static file (nginx's add_header inheritance
// drops server-level headers in a location that adds its own), and unknown hosts refused.
import { header, request, type HttpResponse } from '../http.ts';
import { hashedStaticUrl } from './static.ts';
import { adminLoginPath, expectThat, type Probe } from './probe.ts';

const REQUIRED = [
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'content-security-policy',
  'permissions-policy',
];

function headerProblems(what: string, response: HttpResponse, hstsSeconds: number): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED) if (!header(response, name)) problems.push(`${what}: no ${name}`);
  const hsts = header(response, 'strict-transport-security');
  if (hsts && !hsts.includes(`max-age=${hstsSeconds}`)) problems.push(`${what}: HSTS "${hsts}" is not max-age=${hstsSeconds}`);
  if (header(response, 'x-content-type-options') && !/^nosniff(, nosniff)*$/i.test(header(response, 'x-content-type-options'))) {
    problems.push(`${what}: X-Content-Type-Options "${header(response, 'x-content-type-options')}"`);
  }
  // Sent twice (Django and nginx) with different values, browsers use the first or none.
  for (const name of ['strict-transport-security', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']) {
    const values = new Set(
      header(response, name)
        .split(/,\s*/)
        .filter(Boolean)
        .map((value) => value.toLowerCase()),
    );
    if (name !== 'strict-transport-security' && values.size > 1)
      problems.push(`${what}: conflicting ${name} values "${header(response, name)}"`);
  }
  return problems;
}

/** Resolves with a description of how the server refused, or rejects when it served the request. */
async function refused(port: number, secure: boolean, host: string, servername?: string): Promise<string> {
  try {
    const response = await request({ port, secure, host, path: '/', ...(servername ? { servername } : {}), timeoutMs: 10_000 });
    return `answered ${response.status}`;
  } catch (error) {
    return `refused (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

export const headersProbe: Probe = {
  name: 'headers',
  async run(ctx) {
    const { stack, domains, render } = ctx;
    const login = adminLoginPath(ctx);
    const page = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path: login });
    const problems = headerProblems(login, page, render.hsts.seconds);
    // Static files in an object storage bucket are not nginx's to decorate (the static probe checks them there).
    const staticOnNginx = !render.storage?.staticOnS3;
    if (staticOnNginx) {
      const file = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path: await hashedStaticUrl(ctx) });
      problems.push(...headerProblems('static file', file, render.hsts.seconds));
    }

    const unknownHttps = await refused(stack.ports.https, true, 'unknown-host.invalid');
    const unknownHttp = await refused(stack.ports.http, false, 'unknown-host.invalid');
    const mismatched = await refused(stack.ports.https, true, 'unknown-host.invalid', domains[0]);
    if (!unknownHttps.startsWith('refused')) problems.push(`HTTPS for an unknown host ${unknownHttps}, expected the connection closed`);
    if (!unknownHttp.startsWith('refused')) problems.push(`HTTP for an unknown host ${unknownHttp}, expected the connection closed`);
    // Valid SNI, foreign Host header: nginx must not hand it to Django (a 4xx or a close is fine).
    const status = Number(/answered (\d+)/.exec(mismatched)?.[1] ?? 0);
    if (status > 0 && status < 400) problems.push(`HTTPS with SNI ${domains[0]} and Host unknown-host.invalid ${mismatched}`);
    expectThat(problems.length === 0, problems.join('; '));
    return (
      `HSTS "${header(page, 'strict-transport-security')}", XFO ${header(page, 'x-frame-options')}, ` +
      `Referrer-Policy ${header(page, 'referrer-policy')}, COOP ${header(page, 'cross-origin-opener-policy')}, ` +
      `CORP ${header(page, 'cross-origin-resource-policy')}, CSP and Permissions-Policy on page${staticOnNginx ? ' and static file' : ''}; ` +
      `unknown host: HTTPS ${unknownHttps}, HTTP ${unknownHttp}`
    );
  },
};
