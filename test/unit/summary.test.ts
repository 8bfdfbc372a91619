// The lines printed after writing: the sizing decisions, the services, what is left to do and the
// next command.
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { formatDecisions, formatNextSteps, type RunFacts } from '../../generators/lib/summary.ts';

const contextFor = (given: Record<string, unknown>) =>
  buildRenderContext(resolveAnswers({ tlsMode: 'self-signed', domain: 'app.test', ...given }, FEATURES), FEATURES, '0.0.0-test');
/** Monitoring with a receiver: no warning that alerts go nowhere. */
const ALERTS_RECEIVED = { alertWebhook: true };

describe('formatDecisions', () => {
  it('says how the stack is sized, what runs and what to do next', () => {
    const ctx = contextFor({ cpus: 1, memoryMb: 2048 });
    expect(formatDecisions(ctx)).toBe(
      [
        'Sized for 1 CPU core and 2048 MiB (--cpus, --memory-mb):',
        '  gunicorn       1 worker x 4 threads, gthread workers',
        '  celery         concurrency 1',
        '  postgresql     max_connections 30, shared_buffers 85 MiB',
        '  memory limits  db 343, redis 131, migrate 80, web 401, nginx 36, certbot 64, worker 267, beat 96, backup 64, prometheus 128, alertmanager 48, node-exporter 32, postgres-exporter 32, redis-exporter 32, nginx-exporter 24, blackbox-exporter 32 MiB: 1810 MiB in all, 128 left to the host',
        '  services       db, redis, migrate, web, nginx, certbot, worker, beat, backup, prometheus, alertmanager, node-exporter, postgres-exporter, redis-exporter, nginx-exporter, blackbox-exporter',
      ].join('\n'),
    );
  });

  it('ends with the optional parts left out for memory', () => {
    const text = formatDecisions(contextFor({ cpus: 1, memoryMb: 1024, monitoring: false }), 'monitoring (328 MiB): ...');
    expect(text.split('\n').at(-1)).toBe('  left out       monitoring (328 MiB): ...');
  });

  it('follows the render context: no Celery line without Celery, ASGI workers', () => {
    const ctx = contextFor({ cpus: 8, memoryMb: 16384, celery: false, backups: false, monitoring: false, server: 'asgi' });
    const text = formatDecisions(ctx);
    expect(text).not.toContain('celery');
    expect(text).not.toContain('prometheus');
    expect(text).toContain(`  gunicorn       8 workers x 4 threads, uvicorn_worker.UvicornWorker workers\n`);
    expect(text).toContain(
      `postgresql     max_connections ${ctx.sizing.postgres.maxConnections}, shared_buffers ${ctx.sizing.postgres.sharedBuffersMb} MiB`,
    );
    expect(text.split('\n').at(-1)).toBe('  services       db, redis, migrate, web, nginx, certbot');
  });
});

describe('formatNextSteps', () => {
  const facts = (given: Partial<RunFacts>): RunFacts => ({
    target: 'my-site',
    regenerating: false,
    env: 'DJANGO_LOG_LEVEL=INFO\nSENTRY_DSN=\n',
    blankSecrets: [],
    offServer: [],
    inGitRepository: true,
    ...given,
  });

  it('lists the blank .env values and secret files by name, the age secret key once and git, then make verify', () => {
    const ctx = contextFor({ cpus: 2, memoryMb: 4096, backupS3Bucket: 'site-backups', ...ALERTS_RECEIVED });
    const env = ['# comment=', 'DJANGO_LOG_LEVEL=INFO', 'SENTRY_DSN=', 'BACKUP_AGE_RECIPIENT=age1xyz', ''].join('\n');
    const offServer = [
      {
        variable: 'BACKUP_AGE_IDENTITY',
        value: 'AGE-SECRET-KEY-1XYZ',
        what: 'the only key that decrypts the off-site backups',
        section: 'Backups and restore',
      },
    ];
    const blankSecrets = ['secrets/backup_s3_access_key_id'];
    expect(formatNextSteps(ctx, facts({ env, blankSecrets, offServer, inGitRepository: false }))).toBe(
      [
        'Still to do (in my-site):',
        '  - fill in .env (git-ignored; the comment above each value says what it is and whether it may stay empty): SENTRY_DSN',
        '  - fill in the secret files left empty (git-ignored; README.md says what each is): secrets/backup_s3_access_key_id',
        '  - BACKUP_AGE_IDENTITY, the only key that decrypts the off-site backups, is shown this once and stored nowhere: ' +
          'copy it into your password manager now and keep it off the server (README.md, "Backups and restore"):\n      AGE-SECRET-KEY-1XYZ',
        '  - git init && git add -A && git commit -m "Deployment by generator-django-prod"   (a regeneration is undone with git)',
        'Next: cd my-site && make verify   (boots the stack here and proves it; then README.md for the server)',
      ].join('\n'),
    );
  });

  it('says only the next command when nothing is left: no blank value, no age key, inside git', () => {
    const ctx = contextFor({ cpus: 2, memoryMb: 4096, ...ALERTS_RECEIVED });
    expect(formatNextSteps(ctx, facts({ env: 'DJANGO_LOG_LEVEL=INFO\n' }))).toBe(
      'Next: cd my-site && make verify   (boots the stack here and proves it; then README.md for the server)',
    );
  });

  it('points a regeneration at git diff, and needs no cd inside the target', () => {
    const ctx = contextFor({ cpus: 2, memoryMb: 4096, ...ALERTS_RECEIVED });
    expect(formatNextSteps(ctx, facts({ target: '.', regenerating: true, env: '' }))).toBe(
      "Next: git diff   (review this run's changes, then commit)",
    );
  });

  it('quotes a target the shell would split', () => {
    const ctx = contextFor({ cpus: 2, memoryMb: 4096, ...ALERTS_RECEIVED });
    expect(formatNextSteps(ctx, facts({ target: "../my sites/bob's", env: '' }))).toBe(
      "Next: cd '../my sites/bob'\\''s' && make verify   (boots the stack here and proves it; then README.md for the server)",
    );
  });

  it('warns first when monitoring has no alert receiver, and not when it has one', () => {
    const warning =
      '  - alerts go nowhere: Alertmanager has no receiver. Regenerate with --alert-smtp-host (mails go to --email) or --alert-webhook (README.md, "Monitoring")';
    expect(
      formatNextSteps(contextFor({ cpus: 2, memoryMb: 4096 }), facts({ env: '' }))
        .split('\n')
        .slice(0, 2),
    ).toEqual(['Still to do (in my-site):', warning]);
    expect(formatNextSteps(contextFor({ cpus: 2, memoryMb: 4096, alertSmtpHost: 'smtp.example.com' }), facts({ env: '' }))).not.toContain(
      'alerts go nowhere',
    );
    expect(formatNextSteps(contextFor({ cpus: 2, memoryMb: 4096, monitoring: false }), facts({ env: '' }))).not.toContain(
      'alerts go nowhere',
    );
  });
});
