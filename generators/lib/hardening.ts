// Process limits of the stack's containers (Compose pids_limit; deploy.resources.limits.pids on a
// Swarm). The kernel counts processes and threads alike: each limit is what the service's sizing
// starts plus headroom for its runtime's own threads, healthchecks and `docker compose exec`, so a
// fork bomb or a thread leak stops at its container instead of exhausting the host (CIS Docker 5.29).
import type { GunicornSizing, PostgresSizing } from './sizing.ts';

/** Tasks beyond the sized ones: a runtime's helper threads, the healthcheck's shell, an exec'd command. */
export const PIDS_HEADROOM = 32;
/** A service that runs one process with a few threads (an exporter, certbot, Redis): Go runtimes start one thread per core and a few more. */
export const SMALL_SERVICE_PIDS = 64;
/** Threads of a gunicorn worker beyond its request threads: psycopg's pool workers (3), Sentry's transport and session threads, the main one. */
const GUNICORN_WORKER_EXTRA_THREADS = 8;
/** PostgreSQL's processes beyond one per connection: checkpointer, writers, autovacuum launcher and workers, parallel query workers (max_worker_processes 8). */
const POSTGRES_AUXILIARY_PROCESSES = 24;
/** Threads of a Celery prefork child and of the main process's consumer, heartbeat, timers and Sentry. */
const CELERY_THREADS_PER_PROCESS = 4;

/**
 * At least this for the application's containers: the README's overrides (WEB_CONCURRENCY,
 * GUNICORN_THREADS, CELERY_CONCURRENCY) start more processes and threads than the sizing, and a
 * thread that cannot start breaks a request (psycopg's pool workers) instead of stopping a fork bomb.
 */
const APP_PIDS_FLOOR = 512;

/** gunicorn's master (with its metrics and readiness threads) and every worker with its request threads. */
export const webPidsLimit = (gunicorn: GunicornSizing): number =>
  Math.max(APP_PIDS_FLOOR, PIDS_HEADROOM + gunicorn.workers * (gunicorn.threads + GUNICORN_WORKER_EXTRA_THREADS));

/** One backend process per connection and PostgreSQL's own. */
export const postgresPidsLimit = (postgres: PostgresSizing): number =>
  PIDS_HEADROOM + postgres.maxConnections + POSTGRES_AUXILIARY_PROCESSES;

/** A Celery worker with `concurrency` prefork children. */
export const celeryPidsLimit = (concurrency: number): number =>
  Math.max(APP_PIDS_FLOOR, PIDS_HEADROOM + (concurrency + 1) * CELERY_THREADS_PER_PROCESS);

/** nginx's master, a worker per core, its cache manager and loader, and the certificate watcher (nginx/reload-on-renewal.sh). */
export const nginxPidsLimit = (cpus: number): number => PIDS_HEADROOM + cpus + 4;
