// Errors reach Sentry: from Django and from a failing Celery task, into verify's sink.
import { randomBytes } from 'node:crypto';
import { poll } from '../../generators/verify/containers.ts';
import { SINK_PORT, SINK_SERVICE } from './verify.ts';
import { djangoShell, expectThat, tailOf, type Probe, type ProbeContext } from '../../generators/verify/probes/probe.ts';

interface SinkEvent {
  exception_type?: string | null;
  exception_value?: string | null;
  transaction?: string | null;
  undecodable?: string;
}

async function sinkEvents(ctx: ProbeContext): Promise<SinkEvent[]> {
  const result = await ctx.stack.exec(SINK_SERVICE, [
    'python',
    '-c',
    `import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:${SINK_PORT}/events', timeout=5).read().decode())`,
  ]);
  expectThat(result.exitCode === 0, `cannot read the Sentry sink: ${tailOf(result.stderr)}`);
  return (JSON.parse(result.stdout) as { events: SinkEvent[] }).events;
}

export const sentryProbe: Probe = {
  name: 'sentry',
  async run(ctx) {
    const { render } = ctx;
    const token = `verify-${randomBytes(4).toString('hex')}`;
    const before = (await sinkEvents(ctx)).length;
    await djangoShell(
      ctx,
      [
        'import sentry_sdk',
        "assert sentry_sdk.get_client().is_active(), 'sentry_sdk is not initialised in Django (SENTRY_DSN not read?)'",
        'try:',
        `    raise RuntimeError('${token} from Django')`,
        'except RuntimeError as error:',
        '    sentry_sdk.capture_exception(error)',
        'sentry_sdk.flush(10)',
      ].join('\n'),
    );
    // ping takes no argument: sent with one (send_task skips the caller-side check), it raises
    // TypeError inside the worker, where Sentry's Celery integration must report it. Existing
    // projects have no ping of ours: Celery's built-in accumulate with an index out of range raises IndexError.
    const taskName = render.existing ? 'celery.accumulate' : `${render.packageName}.tasks.ping`;
    const failingTask = render.existing
      ? {
          importApp: `from ${render.celeryApp.replace(':', ' import ')} as app`,
          send: `app.send_task('${taskName}', args=['${token}'], kwargs={'index': 5})`,
          error: /^IndexError$/,
          value: /tuple index out of range/,
        }
      : {
          importApp: `from ${render.packageName}.tasks import ping`,
          send: `ping.app.send_task('${taskName}', args=['${token}'])`,
          error: /^TypeError$/,
          value: /ping\(\)/,
        };
    if (render.has['celery']) {
      await djangoShell(
        ctx,
        [
          failingTask.importApp,
          `result = ${failingTask.send}`,
          'try:',
          '    result.get(timeout=30)',
          'except Exception as error:',
          "    print('task failed as intended:', type(error).__name__)",
        ].join('\n'),
      );
    }
    const wanted = render.has['celery'] ? 2 : 1;
    const found = await poll(
      async () => {
        const events = (await sinkEvents(ctx)).slice(before);
        const undecodable = events.filter((event) => event.undecodable);
        const django = events.some((event) => event.exception_value?.includes(token));
        const celery = events.some(
          (event) =>
            event.transaction === taskName ||
            (failingTask.error.test(event.exception_type ?? '') && failingTask.value.test(event.exception_value ?? '')),
        );
        if (django && (celery || !render.has['celery']))
          return `Django error${render.has['celery'] ? ` and failing Celery task (${taskName})` : ''} reported`;
        if (undecodable.length >= wanted)
          return `${events.length} events received (bodies unreadable by the sink: ${undecodable[0]!.undecodable})`;
        return undefined;
      },
      40_000,
      2000,
    );
    if (!found) {
      const events = (await sinkEvents(ctx)).slice(before);
      expectThat(
        false,
        `the sink got ${events.length} new event(s), expected ${render.has['celery'] ? 'one from Django and one from the Celery task' : 'one from Django'}: ${JSON.stringify(events).slice(0, 400)}`,
      );
    }
    return `${found} to the sink at SENTRY_DSN`;
  },
};
