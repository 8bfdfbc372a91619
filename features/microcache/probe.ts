// Microcache: an anonymous page is answered from nginx's cache (same render, X-Cache-Status HIT);
// a signed-in user, a request with Authorization, and a response that sets a cookie never are.
import { header, request, type HttpResponse } from '../../generators/verify/http.ts';
import { djangoShell, expectThat, type Probe, type ProbeContext } from '../../generators/verify/probes/probe.ts';

const renderedAt = (response: HttpResponse) => /<time id="rendered">([^<]+)<\/time>/.exec(response.body)?.[1];

/** A session of a fresh user, made in web's Django: the cookie a signed-in browser would send. */
async function signedInSession(ctx: ProbeContext): Promise<{ username: string; cookie: string }> {
  const username = `cache-probe-${Date.now()}`;
  const stdout = await djangoShell(
    ctx,
    [
      'from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY',
      'from django.contrib.sessions.backends.db import SessionStore',
      `user = get_user_model().objects.create_user(${JSON.stringify(username)}, password=None)`,
      'session = SessionStore()',
      'session[SESSION_KEY] = str(user.pk)',
      "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'",
      'session[HASH_SESSION_KEY] = user.get_session_auth_hash()',
      'session.save()',
      "print('SESSION=' + session.session_key)",
    ].join('\n'),
  );
  const key = /^SESSION=(\S+)$/m.exec(stdout)?.[1];
  expectThat(key, `no session key printed: ${stdout.slice(0, 200)}`);
  return { username, cookie: `${ctx.render.microcache!.sessionCookie}=${key}` };
}

export const microcacheProbe: Probe = {
  name: 'microcache',
  // It needs the sample pages (/ and /subscribe/) of a new project; an existing project has its own.
  when: (render) => render.existing === undefined,
  async run(ctx) {
    const { stack, domains } = ctx;
    const get = (path: string, headers: Record<string, string> = {}) =>
      request({ port: stack.ports.https, secure: true, host: domains[0]!, path, headers });

    // Anonymous: the first answer is stored, the next ones within the period are the same render.
    const path = `/?probe=${Date.now()}`;
    const first = await get(path);
    const second = await get(path);
    expectThat(first.status === 200 && second.status === 200, `GET ${path} answered ${first.status}, ${second.status}`);
    expectThat(
      header(second, 'x-cache-status') === 'HIT',
      `second anonymous GET ${path}: X-Cache-Status "${header(second, 'x-cache-status')}", expected HIT`,
    );
    expectThat(
      renderedAt(first) !== undefined && renderedAt(first) === renderedAt(second),
      `the cached page is not the first render (${renderedAt(first)} vs ${renderedAt(second)})`,
    );
    expectThat(header(second, 'strict-transport-security') !== '', 'a cached page lacks the security headers');

    // Signed in: never from the cache, and the page is theirs.
    const { username, cookie } = await signedInSession(ctx);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const mine = await get(path, { Cookie: cookie });
      expectThat(
        header(mine, 'x-cache-status') === 'BYPASS',
        `signed-in GET ${path}: X-Cache-Status "${header(mine, 'x-cache-status')}", expected BYPASS`,
      );
      expectThat(mine.body.includes(username), `signed-in GET ${path} did not greet ${username}: a cached anonymous page was served`);
    }
    const authorized = await get(path, { Authorization: 'Bearer probe' });
    expectThat(
      header(authorized, 'x-cache-status') === 'BYPASS',
      `GET with Authorization: X-Cache-Status "${header(authorized, 'x-cache-status')}", expected BYPASS`,
    );

    // An answer that sets a cookie (the form page sets the CSRF cookie) is never stored.
    const statuses: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const form = await get('/subscribe/');
      expectThat(
        header(form, 'set-cookie').includes(`${ctx.render.microcache!.csrfCookie}=`),
        '/subscribe/ set no CSRF cookie, so it cannot show that such answers are not stored',
      );
      statuses.push(header(form, 'x-cache-status'));
    }
    expectThat(
      statuses.every((status) => status === 'MISS'),
      `/subscribe/ (sets a cookie) X-Cache-Status ${statuses.join(', ')}: expected MISS every time (passed through, never stored)`,
    );
    return `anonymous page HIT with the same render; signed-in and Authorization BYPASS; Set-Cookie answers never stored (${statuses.join(', ')})`;
  },
};
