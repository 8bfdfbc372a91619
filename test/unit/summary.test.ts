// The lines printed after writing: the sizing decisions, the services and the next command.
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { formatDecisions } from '../../generators/lib/summary.ts';

const contextFor = (given: Record<string, unknown>) =>
  buildRenderContext(resolveAnswers({ tlsMode: 'self-signed', domain: 'app.test', ...given }, FEATURES), FEATURES, '0.0.0-test');

describe('formatDecisions', () => {
  it('says how the stack is sized, what runs and what to do next', () => {
    const ctx = contextFor({ cpus: 1, memoryMb: 1024 });
    expect(formatDecisions(ctx, { target: 'my-site', regenerating: false })).toBe(
      [
        'Sized for 1 CPU core and 1024 MiB (--cpus, --memory-mb):',
        '  gunicorn    1 worker x 4 threads, gthread workers',
        '  celery      concurrency 1',
        '  postgresql  max_connections 30, shared_buffers 38 MiB',
        '  set aside   512 MiB for prometheus, alertmanager, node-exporter, postgres-exporter, redis-exporter, nginx-exporter, blackbox-exporter',
        '  services    db, redis, migrate, web, nginx, certbot, worker, beat, backup, prometheus, alertmanager, node-exporter, postgres-exporter, redis-exporter, nginx-exporter, blackbox-exporter',
        'Next: cd my-site && make verify   (boots the stack here and proves it; then README.md for the server)',
      ].join('\n'),
    );
  });

  it('follows the render context: no Celery line without Celery, ASGI workers', () => {
    const ctx = contextFor({ cpus: 8, memoryMb: 16384, celery: false, backups: false, monitoring: false, server: 'asgi' });
    const text = formatDecisions(ctx, { target: 'shop', regenerating: false });
    expect(text).not.toContain('celery');
    expect(text).not.toContain('set aside');
    expect(text).toContain(`  gunicorn    8 workers x 4 threads, uvicorn_worker.UvicornWorker workers\n`);
    expect(text).toContain(
      `postgresql  max_connections ${ctx.sizing.postgres.maxConnections}, shared_buffers ${ctx.sizing.postgres.sharedBuffersMb} MiB`,
    );
    expect(text).toContain('  services    db, redis, migrate, web, nginx, certbot\n');
  });

  it('points a regeneration at git diff, and needs no cd inside the target', () => {
    const ctx = contextFor({ cpus: 2, memoryMb: 4096 });
    expect(formatDecisions(ctx, { target: '.', regenerating: true }).split('\n').at(-1)).toBe(
      "Next: git diff   (review this run's changes, then commit)",
    );
  });

  it('quotes a target the shell would split', () => {
    const ctx = contextFor({ cpus: 2, memoryMb: 4096 });
    expect(formatDecisions(ctx, { target: "../my sites/bob's", regenerating: false })).toContain(
      "Next: cd '../my sites/bob'\\''s' && make verify",
    );
  });
});
