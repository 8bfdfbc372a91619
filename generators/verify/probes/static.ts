// Static files: collectstatic's hashed names are served by nginx from the shared volume (not by
// gunicorn), with the one-year immutable cache headers that hashing makes safe; the admin renders.
import { header, request } from '../http.ts';
import type { Stack } from '../stack.ts';
import { adminLoginPath, djangoShell, expectThat, fetchInsideNetwork, type Probe, type ProbeContext } from './probe.ts';

const hashedUrls = new WeakMap<Stack, string>();

/** The URL Django's manifest storage gives admin/css/base.css, e.g. /static/admin/css/base.<hash>.css. */
export async function hashedStaticUrl(ctx: ProbeContext): Promise<string> {
  const known = hashedUrls.get(ctx.stack);
  if (known) return known;
  const stdout = await djangoShell(
    ctx,
    "from django.contrib.staticfiles.storage import staticfiles_storage as s; print('URL=' + s.url('admin/css/base.css'))",
  );
  const url = /^URL=(\S+)$/m.exec(stdout)?.[1];
  expectThat(url, `no static URL printed by Django: ${stdout.slice(0, 200)}`);
  hashedUrls.set(ctx.stack, url);
  return url;
}

export const staticProbe: Probe = {
  name: 'static',
  async run(ctx) {
    const { stack, domains } = ctx;
    const url = await hashedStaticUrl(ctx);
    expectThat(
      /\/admin\/css\/base\.[0-9a-f]{12}\.css$/.test(url),
      `admin/css/base.css is not served under a hashed name (${url}): is STORAGES["staticfiles"] a Manifest storage?`,
    );
    if (ctx.render.storage?.staticOnS3) return staticOnBucket(ctx, url);
    const response = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path: url });
    expectThat(response.status === 200, `GET ${url} answered ${response.status}`);
    expectThat(response.body.length > 100, `${url} is nearly empty (${response.body.length} bytes)`);
    const cacheControl = header(response, 'cache-control');
    expectThat(
      /max-age=31536000/.test(cacheControl) && /immutable/.test(cacheControl),
      `${url} has Cache-Control "${cacheControl}", expected max-age=31536000 and immutable`,
    );
    // The precompressed copy: gzip_static sends the .gz file with its length; nginx's per-request
    // gzip would stream it chunked, without Content-Length.
    const gzipped = await request({
      port: stack.ports.https,
      secure: true,
      host: domains[0]!,
      path: url,
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expectThat(
      header(gzipped, 'content-encoding') === 'gzip' && header(gzipped, 'content-length') !== '',
      `${url} with Accept-Encoding gzip: Content-Encoding "${header(gzipped, 'content-encoding')}", Content-Length "${header(gzipped, 'content-length')}": expected the precompressed .gz (gzip_static)`,
    );
    // nginx must answer /static/ from the volume, never pass it to Django: a hashed name that does
    // not exist gets nginx's own 404 page, not Django's "Not Found" (access logs cannot tell: nginx
    // logs no static requests, and gunicorn's access log is off).
    const missingPath = url.replace(/\.[0-9a-f]{12}\./, '.000000000000.');
    const missing = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path: missingPath });
    expectThat(
      missing.status === 404 && missing.body.includes('<center>nginx</center>'),
      `GET ${missingPath} answered ${missing.status} without nginx's 404 page: /static/ should be served by nginx from the volume, not passed to Django`,
    );

    const login = adminLoginPath(ctx);
    const admin = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path: login });
    expectThat(
      admin.status === 200 && admin.body.includes('Django'),
      `GET ${login} answered ${admin.status}${admin.body.includes('Django') ? '' : ' without "Django" in the page'}`,
    );
    return `${url} served by nginx, Cache-Control "${cacheControl}"; ${login} renders`;
  },
};

/** Static files on the object storage bucket: uploaded by the release step, public, cached for a year. */
async function staticOnBucket(ctx: ProbeContext, url: string): Promise<string> {
  expectThat(/^https?:\/\//.test(url) && !ctx.domains.includes(new URL(url).hostname), `static URL ${url} does not point at the bucket`);
  const [response] = await fetchInsideNetwork(ctx, [url]);
  expectThat(
    response!.status === 200 && response!.body.length > 100,
    `GET ${url} (anonymous) answered ${response!.status} with ${response!.body.length} bytes`,
  );
  expectThat(
    /max-age=31536000/.test(response!.cacheControl) && /immutable/.test(response!.cacheControl),
    `${url} has Cache-Control "${response!.cacheControl}", expected max-age=31536000 and immutable`,
  );
  const login = adminLoginPath(ctx);
  const admin = await request({ port: ctx.stack.ports.https, secure: true, host: ctx.domains[0]!, path: login });
  expectThat(
    admin.status === 200 && admin.body.includes(url),
    `GET ${login} answered ${admin.status}${admin.body.includes(url) ? '' : ` without linking ${url}`}`,
  );
  return `${url} served anonymously from the bucket, Cache-Control "${response!.cacheControl}"; ${login} links it`;
}
