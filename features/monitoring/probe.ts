// Monitoring works end to end: every scrape target is up; a request through nginx to Django
// shows in both their counters in Prometheus; the metrics are not reachable from the public
// side; and with web paused, TargetDown reaches Alertmanager and clears once web is back.
// Verify's override shortens intervals and for: durations (verify-config.ts).
import { poll } from '../../generators/verify/containers.ts';
import { request } from '../../generators/verify/http.ts';
import { expectThat, tailOf, type Probe, type ProbeContext } from '../../generators/verify/probes/probe.ts';

const PROMETHEUS = 'http://prometheus:9090';
const ALERTMANAGER = 'http://alertmanager:9093';
const REQUESTS = 5;

/** GET from inside the stack's network (nginx's image has curl), parsed as JSON. */
async function getJson<T>(ctx: ProbeContext, url: string): Promise<T> {
  const result = await ctx.stack.exec('nginx', ['curl', '-sS', '--max-time', '10', url], { timeoutMs: 20_000 });
  expectThat(result.exitCode === 0, `GET ${url} failed: ${tailOf(result.stderr || result.stdout)}`);
  return JSON.parse(result.stdout) as T;
}

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface ManagedAlert {
  labels: Record<string, string>;
  status: { state: string };
}

const query = async (ctx: ProbeContext, promql: string): Promise<number | undefined> => {
  const answer = await getJson<{ data: { result: Sample[] } }>(ctx, `${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const value = answer.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
};

const targetDown = async (ctx: ProbeContext, job: string): Promise<ManagedAlert | undefined> =>
  (await getJson<ManagedAlert[]>(ctx, `${ALERTMANAGER}/api/v2/alerts`)).find(
    (alert) => alert.labels['alertname'] === 'TargetDown' && alert.labels['job'] === job,
  );

export const monitoringProbe: Probe = {
  name: 'monitoring',
  async run(ctx) {
    // 1. Every target up within a bounded time (the first scrapes come seconds after start).
    let targets: Target[] = [];
    const allUp = await poll(
      async () => {
        targets = (await getJson<{ data: { activeTargets: Target[] } }>(ctx, `${PROMETHEUS}/api/v1/targets`)).data.activeTargets;
        return targets.length > 0 && targets.every((target) => target.health === 'up') ? true : undefined;
      },
      90_000,
      3000,
    );
    const down = targets
      .filter((target) => target.health !== 'up')
      .map((target) => `${target.labels['job']} (${target.lastError || target.health})`);
    expectThat(allUp, `targets not up after 90 s: ${down.join('; ') || 'none found'}`);
    const probeOk = await poll(async () => ((await query(ctx, 'min(probe_success{job="https"})')) === 1 ? true : undefined), 30_000, 3000);
    expectThat(probeOk, "blackbox-exporter's HTTPS probe of the site does not succeed (probe_success is not 1)");

    // 2. Requests through nginx to Django are counted by both, as Prometheus sees them.
    const counted = async () => ({
      nginx: (await query(ctx, 'sum(nginx_http_requests_total)')) ?? 0,
      django: (await query(ctx, 'sum(django_http_responses_total_by_status_total)')) ?? 0,
    });
    // A page Django serves through its whole middleware chain: an existing project's /health/ is
    // answered by a middleware placed before django-prometheus's, so its own URL is asked there.
    const path = ctx.render.existing?.appPath ?? '/health/';
    const before = await counted();
    for (let i = 0; i < REQUESTS; i += 1) {
      const response = await request({ port: ctx.stack.ports.https, secure: true, host: ctx.domains[0]!, path });
      expectThat(response.status === 200, `GET ${path} answered ${response.status}`);
    }
    let after = before;
    const seen = await poll(
      async () => {
        after = await counted();
        return after.nginx - before.nginx >= REQUESTS && after.django - before.django >= REQUESTS ? true : undefined;
      },
      30_000,
      2000,
    );
    expectThat(
      seen,
      `${REQUESTS} requests not counted within 30 s: nginx +${after.nginx - before.nginx}, Django +${after.django - before.django}`,
    );

    // 3. Nothing of it from the public side: the paths Prometheus scrapes are not proxied to them.
    for (const path of ['/metrics', '/stub_status']) {
      const response = await request({ port: ctx.stack.ports.https, secure: true, host: ctx.domains[0]!, path });
      expectThat(
        response.status === 404 && !/^# (HELP|TYPE) /m.test(response.body) && !/Active connections/.test(response.body),
        `https://${ctx.domains[0]}${path} answered ${response.status} from the public side: ${response.body.slice(0, 120)}`,
      );
    }

    // 4. web paused: TargetDown{job="django"} reaches Alertmanager; unpaused, it clears.
    const web = await ctx.stack.container('web');
    await web.pause();
    let fired: ManagedAlert | undefined;
    const pausedAt = Date.now();
    try {
      fired = await poll(() => targetDown(ctx, 'django'), 90_000, 2000);
    } finally {
      await web.unpause();
    }
    expectThat(fired, 'TargetDown for job django did not reach Alertmanager within 90 s of pausing web');
    const firedSeconds = (Date.now() - pausedAt) / 1000;
    const cleared = await poll(async () => ((await targetDown(ctx, 'django')) ? undefined : true), 90_000, 2000);
    expectThat(cleared, 'TargetDown for job django was still in Alertmanager 90 s after web came back');
    return (
      `${targets.length} targets up, HTTPS probe ok; ${REQUESTS} requests counted by nginx (+${after.nginx - before.nginx}) and Django ` +
      `(+${after.django - before.django}); /metrics and /stub_status 404 publicly; TargetDown in Alertmanager ${firedSeconds.toFixed(0)} s after pausing web, cleared after`
    );
  },
};
