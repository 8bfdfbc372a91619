// Celery: a task round trip through Redis (web -> broker -> worker -> result), and beat
// actually scheduling the heartbeat entry.
import { poll } from '../../generators/verify/containers.ts';
import { djangoShell, expectThat, tailOf, type Probe } from '../../generators/verify/probes/probe.ts';

export const celeryProbe: Probe = {
  name: 'celery',
  async run(ctx) {
    const { stack, render } = ctx;
    const started = Date.now();
    // Existing projects have no ping task of ours: Celery's built-in accumulate echoes its argument.
    const send = render.existing
      ? `from ${render.celeryApp.replace(':', ' import ')} as app; result = app.send_task('celery.accumulate', args=['pong'], kwargs={'index': 0})`
      : `from ${render.packageName}.tasks import ping; result = ping.delay()`;
    const stdout = await djangoShell(ctx, `${send}; print('RESULT=' + str(result.get(timeout=30)))`);
    const result = /^RESULT=(.*)$/m.exec(stdout)?.[1];
    expectThat(result === 'pong', `ping task returned ${JSON.stringify(result ?? stdout.slice(0, 200))}, expected "pong"`);
    const roundTrip = (Date.now() - started) / 1000;

    // The heartbeat runs every minute: wait a little over one period for evidence of it.
    const evidence = await poll(
      async () => {
        const beat = await stack.logs('beat', { tail: 200 });
        if (/Sending due task heartbeat/.test(beat)) return 'beat sent "heartbeat"';
        const worker = await stack.logs('worker', { tail: 400 });
        const line = worker.split('\n').find((text) => /tasks\.heartbeat/.test(text) && /succeeded/.test(text));
        return line ? 'worker ran tasks.heartbeat' : undefined;
      },
      75_000,
      5000,
    );
    if (!evidence) {
      const beat = await stack.logs('beat', { tail: 6 });
      expectThat(false, `no heartbeat within 75 s (beat log: ${tailOf(beat, 4)})`);
    }
    return `ping -> "pong" in ${roundTrip.toFixed(1)} s (incl. Django start-up); ${evidence}`;
  },
};
