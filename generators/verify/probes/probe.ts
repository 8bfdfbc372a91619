// What a probe is: a named check of the running stack that passes (with a one-line detail),
// fails (with the reason), or is skipped (when a tool it needs is missing).
import type { RenderContext } from '../../lib/context.ts';
import type { Log, Stack } from '../stack.ts';

export interface ProbeContext {
  stack: Stack;
  /** The repository's render context, rebuilt from its stored answers. */
  render: RenderContext;
  /** Primary domain first (render.domains). */
  domains: string[];
  log: Log;
}

export interface Probe {
  name: string;
  /** When the probe applies (default: always). A feature's probes run only while the feature is on. */
  when?: (render: RenderContext) => boolean;
  /** Resolves with a one-line detail; throws ProbeFailure (or anything) to fail, ProbeSkipped to skip. */
  run(ctx: ProbeContext): Promise<string>;
}

declare module '../../lib/feature.ts' {
  interface VerifyParts {
    probe: Probe;
  }
}

export class ProbeFailure extends Error {}
export class ProbeSkipped extends Error {}

export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ProbeFailure(message);
}

/** The last lines of a text, for failure details. */
/** The admin's login page, where the answers mount the admin. */
export const adminLoginPath = (ctx: ProbeContext) => `/${ctx.render.adminPath}/login/`;

export const tailOf = (text: string, lines = 6) => text.trim().split('\n').slice(-lines).join(' | ').slice(0, 600);

/** `python manage.py shell -c CODE` in a service; fails the probe on a non-zero exit. */
export async function djangoShell(ctx: ProbeContext, code: string, service = 'web', timeoutMs = 90_000): Promise<string> {
  const result = await ctx.stack.exec(service, ['python', 'manage.py', 'shell', '-c', code], { timeoutMs });
  expectThat(result.exitCode === 0, `manage.py shell in ${service} exited ${result.exitCode}: ${tailOf(result.stderr || result.stdout)}`);
  return result.stdout;
}

export interface InsideResponse {
  status: number;
  cacheControl: string;
  body: string;
}

/**
 * GETs URLs from inside the stack's network (Python in a service's container), for addresses only
 * the containers resolve, such as a signed URL of the object storage verify runs next to the stack.
 * `host`: the Host header to send (gunicorn straight: Django's ALLOWED_HOSTS holds only the domains).
 */
export async function fetchInsideNetwork(
  ctx: ProbeContext,
  urls: string[],
  { service = 'web', host }: { service?: string; host?: string } = {},
): Promise<InsideResponse[]> {
  const code = [
    'import json, os, sys, urllib.error, urllib.request',
    'headers = {"Host": os.environ["PROBE_HOST"]} if os.environ.get("PROBE_HOST") else {}',
    'def get(url):',
    '    try:',
    '        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:',
    '            return {"status": r.status, "cacheControl": r.headers.get("Cache-Control") or "", "body": r.read(4096).decode("utf-8", "replace")}',
    '    except urllib.error.HTTPError as e:',
    '        return {"status": e.code, "cacheControl": "", "body": ""}',
    'print(json.dumps([get(url) for url in sys.argv[1:]]))',
  ].join('\n');
  const result = await ctx.stack.exec(service, ['python', '-c', code, ...urls], { timeoutMs: 60_000, env: [`PROBE_HOST=${host ?? ''}`] });
  expectThat(
    result.exitCode === 0,
    `fetching ${urls.join(', ')} from ${service} exited ${result.exitCode}: ${tailOf(result.stderr || result.stdout)}`,
  );
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as InsideResponse[];
}
