// Hardware -> process counts and PostgreSQL memory. Pure and table-tested; the same
// constants are rendered into gunicorn.conf.py, whose gunicorn_runtime/sizing.py re-applies
// the web formula at start-up from the container's cgroup limits.

export interface Hardware {
  cpus: number;
  memoryMb: number;
}

/**
 * How the server's memory (less what features set aside for their services) is shared out; the rest
 * is left to the OS, nginx and Redis. Web's share is what is left of its 50 % once the features'
 * process pools (Celery's) have taken theirs.
 */
export const MEMORY_SHARE = { postgres: 0.3, web: 0.5, redis: 0.05 } as const;

/**
 * Resident memory (MiB) measured on the generated app under load, plus headroom (bench/README.md).
 * webBase: gunicorn's master with the preloaded app. webWorker: one worker's whole resident set:
 * forked from the preloaded master, a worker shares most of it, but copy-on-write may unshare pages
 * as the process lives, so it is counted whole.
 */
export const PROCESS_MB = { webBase: 70, webWorker: 80 } as const;

/**
 * maxWebWorkers: a process per core up to 32 cores. It was 12 (gunicorn's docs: "4-12 workers" for sync
 * workers), which left 52 of 64 cores idle for Python. Each worker holds a pooled connection per thread,
 * and a deploy runs two web containers: at 32 workers PostgreSQL is sized for about 400 connections.
 * Beyond that, more hosts (Swarm) or a connection pooler serve better than one bigger container.
 */
export const LIMITS = { maxWebWorkers: 32 } as const;

/** Threads of each web worker process (sizeGunicorn); each holds one pooled database connection. */
export const THREADS_PER_WORKER = 4;

/** A pool of processes a feature runs beside web (Celery's workers), sized from a share of the memory. */
export interface ProcessPool {
  /** Fraction of the server's memory (after the set-aside) its containers get, out of web's. */
  share: number;
  /** Resident memory of one process (MiB). */
  processMb: number;
  /** Processes: one per core as memory allows, within 1..this. */
  maxProcesses: number;
  /** PostgreSQL connections besides one per process (Celery beat's). */
  extraConnections: number;
}

/** What the enabled features ask of the server (Feature.memory), by service and by feature name. */
export interface MemoryDemands {
  /** Memory limits (MiB) of their services, set aside before the shares are applied. */
  reservedMb: Readonly<Record<string, number>>;
  pools: Readonly<Record<string, ProcessPool>>;
}
export const NO_DEMANDS: MemoryDemands = { reservedMb: {}, pools: {} };

/**
 * PostgreSQL connections besides the app processes' pools: the migrate job, backups (pg_dump and
 * psql), a few admin sessions (others); and the slots PostgreSQL keeps for superusers.
 */
export const DB_CONNECTIONS = { others: 5, superuserReserved: 3 } as const;

/** Web containers running at once on one host: a zero-downtime deploy starts the new one beside the old. */
export const WEB_CONTAINERS_DURING_DEPLOY = 2;

export interface GunicornSizing {
  workers: number;
  threads: number;
  workerClass: 'gthread' | 'uvicorn_worker.UvicornWorker';
  memoryLimitMb: number;
}

export interface PostgresSizing {
  maxConnections: number;
  sharedBuffersMb: number;
  effectiveCacheSizeMb: number;
  workMemMb: number;
  maintenanceWorkMemMb: number;
  memoryLimitMb: number;
}

/** How PostgreSQL's connections are shared out (gunicorn.conf.py's PLAN keeps a container within its share). */
export interface DatabaseBudget {
  /** Pool size of one web worker process: one connection per thread. */
  poolPerWorker: number;
  /** What one web container may hold: every worker's pool plus the master's connection while it checks /health/ at start. */
  perWebContainer: number;
  /** max_connections minus what web may not use (Celery, the others, the superuser slots). */
  nonWeb: number;
  /** Web containers of that size the rest of max_connections has room for (a deploy runs two). */
  webContainers: number;
}

/** A feature's process pool as sized: its processes and its containers' memory limit. */
export interface PoolSizing {
  processes: number;
  memoryLimitMb: number;
  extraConnections: number;
}

export interface Sizing {
  gunicorn: GunicornSizing;
  /** The features' process pools, by feature name. */
  pools: Record<string, PoolSizing>;
  /** Web's fraction of the memory left after the set-aside (gunicorn.conf.py re-applies it at start-up). */
  webShare: number;
  postgres: PostgresSizing;
  database: DatabaseBudget;
  redisMaxMemoryMb: number;
  /** Memory limits of the features' services that set theirs aside; the shares above come from what is left. */
  reserved: { limitsMb: Record<string, number>; totalMb: number } | undefined;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * One worker process per core runs Python; 4 threads in each (gunicorn's docs suggest 2-4 x cores)
 * overlap database and Redis waits. More processes than cores only take turns on the CPU, and the 4th
 * thread pays where views wait on the database (bench/README.md, "4 threads per worker").
 * - WSGI: gthread workers;
 * - ASGI: uvicorn workers, each an event loop running Django's synchronous code on threads.
 * Memory may cut the processes to (web memory - master) / per-worker MiB; within 1..32 either way (LIMITS).
 */
export function sizeGunicorn(cpus: number, webMemoryMb: number, server: 'wsgi' | 'asgi'): GunicornSizing {
  const memoryWorkers = Math.floor((webMemoryMb - PROCESS_MB.webBase) / PROCESS_MB.webWorker);
  const workers = clamp(Math.min(cpus, memoryWorkers), 1, LIMITS.maxWebWorkers);
  const workerClass = server === 'asgi' ? 'uvicorn_worker.UvicornWorker' : 'gthread';
  return { workers, threads: THREADS_PER_WORKER, workerClass, memoryLimitMb: webMemoryMb };
}

/** A process pool's processes: one per core, as memory allows, within 1..its maximum. */
export function sizePool(cpus: number, memoryMb: number, pool: ProcessPool): number {
  return clamp(Math.min(cpus, Math.floor(memoryMb / pool.processMb)), 1, pool.maxProcesses);
}

/**
 * The app's connections (every web container's pools, each Celery process and beat) plus the
 * others (migrate, backups, admin sessions), then 50 % margin, rounded up to 10.
 * Memory settings follow PGTune's "web application" profile applied to PostgreSQL's share.
 */
export function sizePostgres(postgresMemoryMb: number, connections: number): PostgresSizing {
  const maxConnections = Math.max(20, Math.ceil(((connections + DB_CONNECTIONS.others) * 1.5) / 10) * 10);
  const sharedBuffersMb = Math.floor(postgresMemoryMb / 4);
  const workMemMb = Math.max(4, Math.floor((postgresMemoryMb - sharedBuffersMb) / (maxConnections * 3)));
  return {
    maxConnections,
    sharedBuffersMb,
    effectiveCacheSizeMb: Math.floor((postgresMemoryMb * 3) / 4),
    workMemMb,
    maintenanceWorkMemMb: clamp(Math.floor(postgresMemoryMb / 16), 16, 2048),
    memoryLimitMb: postgresMemoryMb,
  };
}

/** How many copies of web and of each pool's containers run: one each on a single host; more on a Swarm. */
export interface Replicas {
  web: number;
  /** By feature name; 1 when absent. */
  pools: Readonly<Record<string, number>>;
}

export const SINGLE_HOST: Replicas = { web: 1, pools: {} };

/** Tasks a Swarm rolling update replaces at once (update_config.parallelism). */
export const UPDATE_PARALLELISM = 1;

/** PostgreSQL connections the app may hold, by who holds them. */
export interface AppConnections {
  /** web containers x (workers x pool per worker + the master's one). */
  web: number;
  /** By feature: its replicas x processes, plus its extra ones (Celery: worker replicas x concurrency + beat). */
  pools: Record<string, number>;
  total: number;
}

/** A web worker's connection pool: one connection per thread (ASGI: per thread asgi.py runs Django on). */
export const poolPerWorker = (gunicorn: GunicornSizing): number => gunicorn.threads;

/** Connections one web container may hold: its workers' pools and the master's one while it checks /health/ at start. */
export const webContainerConnections = (gunicorn: GunicornSizing): number => gunicorn.workers * poolPerWorker(gunicorn) + 1;

export function appConnections(gunicorn: GunicornSizing, pools: Sizing['pools'], replicas: Replicas): AppConnections {
  const web = replicas.web * webContainerConnections(gunicorn);
  const byPool = Object.fromEntries(
    Object.entries(pools).map(([name, pool]) => [name, (replicas.pools[name] ?? 1) * pool.processes + pool.extraConnections]),
  );
  return { web, pools: byPool, total: Object.values(byPool).reduce((sum, count) => sum + count, web) };
}

/**
 * The same stack with replicated app services (Docker Swarm): each replica keeps the per-process
 * sizing of one host (its resource limits say so), and PostgreSQL's max_connections grows to cover
 * every replica's connections, with the same margin as on one host. Memory settings stay those of
 * PostgreSQL's share: more connections get a smaller work_mem.
 */
export function sizeReplicated(
  sizing: Sizing,
  replicas: Replicas,
): { connections: AppConnections; postgres: PostgresSizing; database: DatabaseBudget } {
  // start-first rolling updates (one task at a time) run one extra web and pool task meanwhile.
  const duringUpdate = {
    web: replicas.web + UPDATE_PARALLELISM,
    pools: Object.fromEntries(Object.keys(sizing.pools).map((name) => [name, (replicas.pools[name] ?? 1) + UPDATE_PARALLELISM])),
  };
  const connections = appConnections(sizing.gunicorn, sizing.pools, duringUpdate);
  const postgres = sizePostgres(sizing.postgres.memoryLimitMb, connections.total);
  return {
    connections,
    postgres,
    database: databaseBudget(sizing.gunicorn, connections, postgres.maxConnections),
  };
}

/** What web may use of PostgreSQL: everything but the pools', the others' and the superuser slots. */
export function databaseBudget(gunicorn: GunicornSizing, connections: AppConnections, maxConnections: number): DatabaseBudget {
  const nonWeb = connections.total - connections.web + DB_CONNECTIONS.others + DB_CONNECTIONS.superuserReserved;
  return {
    poolPerWorker: poolPerWorker(gunicorn),
    perWebContainer: webContainerConnections(gunicorn),
    nonWeb,
    webContainers: Math.floor((maxConnections - nonWeb) / webContainerConnections(gunicorn)),
  };
}

export function sizeStack(hardware: Hardware, server: 'wsgi' | 'asgi', demands: MemoryDemands = NO_DEMANDS): Sizing {
  const reservedMb = Object.values(demands.reservedMb).reduce((sum, mb) => sum + mb, 0);
  const share = (fraction: number) => Math.floor((hardware.memoryMb - reservedMb) * fraction);
  // In hundredths, as the shares are written (0.5 - 0.15 is not 0.35 in floating point).
  const webShare = Math.round(Object.values(demands.pools).reduce((rest: number, pool) => rest - pool.share, MEMORY_SHARE.web) * 100) / 100;
  const gunicorn = sizeGunicorn(hardware.cpus, share(webShare), server);
  const pools = Object.fromEntries(
    Object.entries(demands.pools).map(([name, pool]) => [
      name,
      {
        processes: sizePool(hardware.cpus, share(pool.share), pool),
        memoryLimitMb: share(pool.share),
        extraConnections: pool.extraConnections,
      },
    ]),
  );
  const connections = appConnections(gunicorn, pools, { ...SINGLE_HOST, web: WEB_CONTAINERS_DURING_DEPLOY });
  const postgres = sizePostgres(share(MEMORY_SHARE.postgres), connections.total);
  return {
    gunicorn,
    pools,
    webShare,
    postgres,
    database: databaseBudget(gunicorn, connections, postgres.maxConnections),
    redisMaxMemoryMb: Math.max(64, share(MEMORY_SHARE.redis)),
    reserved: reservedMb > 0 ? { limitsMb: { ...demands.reservedMb }, totalMb: reservedMb } : undefined,
  };
}
