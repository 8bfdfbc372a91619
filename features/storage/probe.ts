// Media on object storage, end to end: a staff user uploads a file through nginx and Django, the
// URL Django answers with is signed and points at the bucket (not the site), reading it back
// gives the file, the unsigned URL is refused, and nginx has no media volume to serve it from.
import { randomBytes } from 'node:crypto';
import { request, type HttpResponse } from '../../generators/verify/http.ts';
import {
  adminLoginPath,
  djangoShell,
  expectThat,
  fetchInsideNetwork,
  type Probe,
  type ProbeContext,
} from '../../generators/verify/probes/probe.ts';

/** name=value of every Set-Cookie, merged into a jar. */
function remember(jar: Map<string, string>, response: HttpResponse): void {
  const cookies = response.headers['set-cookie'] ?? [];
  for (const cookie of cookies) {
    const [pair = ''] = cookie.split(';');
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

function multipart(field: string, fileName: string, content: string): { body: Buffer; contentType: string } {
  const boundary = `verify${randomBytes(8).toString('hex')}`;
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
      `Content-Type: text/plain\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Logs a fresh staff user in through nginx (the admin login form, CSRF included); returns the cookie jar. */
async function logIn(ctx: ProbeContext, username: string, password: string): Promise<Map<string, string>> {
  const site = { port: ctx.stack.ports.https, secure: true, host: ctx.domains[0]! };
  const origin = `https://${ctx.domains[0]!}`;
  const jar = new Map<string, string>();
  const loginPath = adminLoginPath(ctx);
  const form = await request({ ...site, path: loginPath });
  remember(jar, form);
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.body)?.[1];
  expectThat(form.status === 200 && token, `GET ${loginPath} answered ${form.status} without a CSRF token`);
  const body = Buffer.from(
    new URLSearchParams({ csrfmiddlewaretoken: token, username, password, next: `/${ctx.render.adminPath}/` }).toString(),
  );
  const login = await request({
    ...site,
    path: loginPath,
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: cookieHeader(jar),
      Origin: origin,
      Referer: `${origin}${loginPath}`,
    },
  });
  remember(jar, login);
  expectThat(
    login.status === 302 && jar.has('sessionid'),
    `logging in as ${username} answered ${login.status}${jar.has('sessionid') ? '' : ' without a session cookie'}`,
  );
  return jar;
}

export const storageProbe: Probe = {
  name: 'object-storage',
  async run(ctx) {
    const username = `verify-${randomBytes(3).toString('hex')}`;
    const password = randomBytes(18).toString('base64url');
    await djangoShell(
      ctx,
      'from django.contrib.auth import get_user_model; ' +
        `get_user_model().objects.create_user(${JSON.stringify(username)}, password=${JSON.stringify(password)}, is_staff=True)`,
    );
    let stored = '';
    try {
      const jar = await logIn(ctx, username, password);
      const content = `verify ${randomBytes(12).toString('hex')}\n`;
      const fileName = `verify-${randomBytes(4).toString('hex')}.txt`;
      const { body, contentType } = multipart('file', fileName, content);
      const origin = `https://${ctx.domains[0]!}`;
      const upload = await request({
        port: ctx.stack.ports.https,
        secure: true,
        host: ctx.domains[0]!,
        path: '/uploads/',
        method: 'POST',
        body,
        headers: {
          'Content-Type': contentType,
          Cookie: cookieHeader(jar),
          'X-CSRFToken': jar.get('csrftoken') ?? '',
          Origin: origin,
          Referer: `${origin}/uploads/`,
        },
      });
      expectThat(upload.status === 201, `POST /uploads/ answered ${upload.status}: ${upload.body.slice(0, 200)}`);
      const answer = JSON.parse(upload.body) as { name: string; url: string };
      stored = answer.name;
      const url = new URL(answer.url);
      expectThat(!ctx.domains.includes(url.hostname), `Django's URL ${answer.url} points at the site, not at the bucket`);
      expectThat(url.searchParams.has('X-Amz-Signature'), `Django's URL for a private media file is not signed: ${answer.url}`);

      const unsigned = `${url.origin}${url.pathname}`;
      const [signedRead, unsignedRead] = await fetchInsideNetwork(ctx, [answer.url, unsigned]);
      expectThat(
        signedRead!.status === 200 && signedRead!.body === content,
        `GET of the signed URL answered ${signedRead!.status}${signedRead!.status === 200 ? ' with other content than was uploaded' : ''}`,
      );
      expectThat(
        unsignedRead!.status === 403,
        `the unsigned URL ${unsigned} answered ${unsignedRead!.status}, expected 403 (media must be private)`,
      );

      // nginx has nothing to serve it from: no media volume, no /media/ location.
      const viaSite = await request({ port: ctx.stack.ports.https, secure: true, host: ctx.domains[0]!, path: `/media/${answer.name}` });
      expectThat(
        viaSite.status !== 200 || viaSite.body !== content,
        `https://${ctx.domains[0]!}/media/${answer.name} serves the file: nginx still serves media`,
      );
      const mounts = (await ctx.stack.inspect('nginx')).Mounts.map((mount) => mount.Destination);
      expectThat(!mounts.includes('/srv/media'), 'nginx still mounts a media volume at /srv/media');
      return `uploaded ${answer.name} through nginx and Django; signed URL on ${url.host} reads it back (Cache-Control "${signedRead!.cacheControl}"), unsigned 403, nginx /media/ ${viaSite.status} with no media volume`;
    } finally {
      await djangoShell(
        ctx,
        'from django.contrib.auth import get_user_model; from django.core.files.storage import default_storage; ' +
          `get_user_model().objects.filter(username=${JSON.stringify(username)}).delete(); ` +
          `${stored ? `default_storage.delete(${JSON.stringify(stored)})` : 'None'}`,
      ).catch(() => undefined);
    }
  },
};
