// Hardware -> every service's memory limit, process counts and PostgreSQL's settings. Pure and
// table-tested; the web formula is rendered into gunicorn.conf.py, whose gunicorn_runtime/sizing.py
// re-applies it at start-up from the container's cgroup limits.
//
// The memory budget: the host keeps HOST_MB; every service gets at least its floor (what its
// process needs to start and serve, measured: bench/memory.ts); the features' fixed limits (beat,
// backup, monitoring, the cache) come next; what is left (the surplus) is shared out by MEMORY_SHARE
// on top of the floors of PostgreSQL, web, Redis and the features' process pools (Celery's workers),
// and the rest of it stays free for the kernel's page cache. So the limits never add up to more than
// the server has, and no limit is under its floor; a stack whose floors do not fit is refused or
// loses an optional part (memoryShortfall, lib/memory-fit.ts).

export interface Hardware {
  cpus: number;
  memoryMb: number;
}

/**
 * Memory (MiB) no container may take: the kernel's own, dockerd, containerd and the shim each container
 * runs under (measured on the 2-core test machine: a shim 4 MiB PSS, containerd 47 MiB, dockerd 60+).
 */
export const HOST_MB = 128;

/**
 * How the surplus (the server's memory less the host's part, the fixed limits and the floors) is shared
 * out, on top of each service's floor; web's share is what is left of its 50 % once the features'
 * process pools (Celery's) have taken theirs. The remaining 15 % stays free for the page cache.
 */
export const MEMORY_SHARE = { postgres: 0.3, web: 0.5, redis: 0.05 } as const;

/**
 * Resident memory (MiB), measured on the generated app under load (bench/README.md), plus headroom.
 * webBase: gunicorn's master with the preloaded app and its database reservation connection (65 MiB).
 * webWorker: one worker's whole resident set (sync 62, uvicorn 71-74 MiB). Forked from the preloaded
 * master, a worker shares most of it (the default web container, 2 gthread workers, measured 94 MiB
 * in all after load, helped by gc.freeze() before the fork), but copy-on-write may unshare pages as
 * the process lives: counted whole. web's floor is the master and one worker (measured 115-120 MiB
 * under load, bench/memory.ts).
 */
export const PROCESS_MB = { webBase: 70, webWorker: 80 } as const;

/**
 * The smallest limit (MiB) of each core service but web, from its use idle and under load
 * (bench/memory.ts, 1 CPU: peak of `docker stats`) with headroom:
 * - db: PostgreSQL 35 MiB idle, 45 under load; 128 holds DB_BASE_MB and the smallest settings
 *   (32 MB shared_buffers, 16 MB maintenance_work_mem, 64 kB work_mem per connection);
 * - redis: 5 MiB used; the floor is maxmemory's 64 MB plus REDIS_OVERHEAD_MB;
 * - certbot: a shell loop (1 MiB) that runs the certbot client (28-33 MiB) twice a day;
 * - migrate: the release step (migrate, then the static files): 50 MiB.
 */
export const FLOOR_MB = { db: 128, redis: 96, certbot: 64, migrate: 80 } as const;

/** nginx: a master and a worker per core (worker_processes auto): 6 MiB idle, 10 under load with 2 workers; TLS and buffers per connection. */
export const NGINX_MB = { base: 32, perCpu: 4 } as const;

/**
 * PostgreSQL's own processes (postmaster, checkpointer, WAL writer, autovacuum) and each backend's
 * private memory, measured at 35-45 MiB: what its limit holds besides shared_buffers,
 * maintenance_work_mem and every connection's work_mem.
 */
export const DB_BASE_MB = 48;

/** Redis's memory besides maxmemory: the server itself, client buffers, and the pages an AOF rewrite's fork copies. */
export const REDIS_OVERHEAD = { minMb: 32, fraction: 1 / 3 } as const;

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
  /** Its Compose service (Celery's: worker). */
  service: string;
  /** Fraction of the surplus its containers get on top of their floor, out of web's. */
  share: number;
  /** The container's smallest limit (MiB): its main process and one pool process, measured, with headroom. */
  floorMb: number;
  /** Memory of one process doing real work (MiB): processes = limit / this. */
  processMb: number;
  /** Processes: one per core as memory allows, within 1..this. */
  maxProcesses: number;
  /** PostgreSQL connections besides one per process (Celery beat's). */
  extraConnections: number;
}

/** What the enabled features ask of the server (Feature.memory), by service and by feature name. */
export interface MemoryDemands {
  /** Fixed memory limits (MiB) of their services, set aside before the surplus is shared out. */
  reservedMb: Readonly<Record<string, number>>;
  pools: Readonly<Record<string, ProcessPool>>;
}
export const NO_DEMANDS: MemoryDemands = { reservedMb: {}, pools: {} };

/**
 * PostgreSQL connections besides the app processes' pools: the migrate job, backups (pg_dump and
 * psql), a few admin sessions (others); and the slots PostgreSQL keeps for superusers.
 */
export const DB_CONNECTIONS = { others: 5, superuserReserved: 3 } as const;

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
  /** kB, as PGTune writes it: at the smallest sizes a connection gets under 1 MB. */
  workMemKb: number;
  maintenanceWorkMemMb: number;
  /** The db container's limit, which holds all of the above (sizePostgres). */
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

/** How the server's memory is spent (MiB). */
export interface MemoryBudget {
  memoryMb: number;
  /** Left to the host (HOST_MB). */
  hostMb: number;
  /** Every service's limit, added up: never more than memoryMb - hostMb when shortMb is 0. */
  limitsMb: number;
  /** Every service's floor (and fixed limit), added up. */
  floorsMb: number;
  /** What the floors need beyond the server's memory (0: the stack fits). */
  shortMb: number;
}

export interface Sizing {
  gunicorn: GunicornSizing;
  /** The features' process pools, by feature name. */
  pools: Record<string, PoolSizing>;
  /** Web's share of the surplus (gunicorn.conf.py applies it to the host's memory when web has no limit). */
  webShare: number;
  postgres: PostgresSizing;
  database: DatabaseBudget;
  redisMaxMemoryMb: number;
  /** Every service's memory limit (MiB), by Compose service name: the core ones, then the features'. */
  limitsMb: Record<string, number>;
  /** Each of those limits' floor: the least its service gets on any server. */
  floorsMb: Record<string, number>;
  budget: MemoryBudget;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

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
 * Memory settings follow PGTune's "web application" profile within the db container's limit:
 * shared_buffers a quarter, effective_cache_size three quarters, maintenance_work_mem a sixteenth
 * (16..2048 MB), and work_mem half of what is left after those and PostgreSQL's own processes
 * (DB_BASE_MB), per connection (at least 64 kB, PostgreSQL's minimum). So shared_buffers plus
 * every connection's work_mem plus the base stay within the limit with room to spare: the kernel
 * never needs to kill PostgreSQL in normal operation.
 */
export function sizePostgres(limitMb: number, connections: number): PostgresSizing {
  const maxConnections = Math.max(20, Math.ceil(((connections + DB_CONNECTIONS.others) * 1.5) / 10) * 10);
  const sharedBuffersMb = Math.floor(limitMb / 4);
  const maintenanceWorkMemMb = clamp(Math.floor(limitMb / 16), 16, 2048);
  const rest = limitMb - DB_BASE_MB - sharedBuffersMb - maintenanceWorkMemMb;
  return {
    maxConnections,
    sharedBuffersMb,
    effectiveCacheSizeMb: Math.floor((limitMb * 3) / 4),
    workMemKb: Math.max(64, Math.floor((rest * 1024) / (2 * maxConnections))),
    maintenanceWorkMemMb,
    memoryLimitMb: limitMb,
  };
}

/** Redis's maxmemory within its container's limit (the rest: REDIS_OVERHEAD). */
export const redisMaxMemory = (limitMb: number): number =>
  limitMb - Math.max(REDIS_OVERHEAD.minMb, Math.floor(limitMb * REDIS_OVERHEAD.fraction));

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

/** nginx's limit: its base and a worker per core. */
export const nginxLimit = (cpus: number): number => NGINX_MB.base + NGINX_MB.perCpu * cpus;

export function sizeStack(hardware: Hardware, server: 'wsgi' | 'asgi', demands: MemoryDemands = NO_DEMANDS): Sizing {
  const pools = Object.entries(demands.pools);
  // In hundredths, as the shares are written (0.5 - 0.15 is not 0.35 in floating point).
  const webShare = Math.round(pools.reduce((rest: number, [, pool]) => rest - pool.share, MEMORY_SHARE.web) * 100) / 100;
  const fixedMb = { nginx: nginxLimit(hardware.cpus), certbot: FLOOR_MB.certbot, migrate: FLOOR_MB.migrate, ...demands.reservedMb };
  const floorsMb: Record<string, number> = {
    db: FLOOR_MB.db,
    redis: FLOOR_MB.redis,
    web: PROCESS_MB.webBase + PROCESS_MB.webWorker,
    ...Object.fromEntries(pools.map(([, pool]) => [pool.service, pool.floorMb])),
    ...fixedMb,
  };
  const floorsTotal = sum(Object.values(floorsMb));
  const surplus = Math.max(0, hardware.memoryMb - HOST_MB - floorsTotal);
  const extra = (share: number) => Math.floor(surplus * share);

  const gunicorn = sizeGunicorn(hardware.cpus, floorsMb['web']! + extra(webShare), server);
  const poolSizings = Object.fromEntries(
    pools.map(([name, pool]) => {
      const memoryLimitMb = pool.floorMb + extra(pool.share);
      return [name, { processes: sizePool(hardware.cpus, memoryLimitMb, pool), memoryLimitMb, extraConnections: pool.extraConnections }];
    }),
  );
  const connections = appConnections(gunicorn, poolSizings, { ...SINGLE_HOST, web: WEB_CONTAINERS_DURING_DEPLOY });
  const postgres = sizePostgres(FLOOR_MB.db + extra(MEMORY_SHARE.postgres), connections.total);
  const redisLimitMb = FLOOR_MB.redis + extra(MEMORY_SHARE.redis);
  const limitsMb: Record<string, number> = {
    db: postgres.memoryLimitMb,
    redis: redisLimitMb,
    migrate: fixedMb.migrate,
    web: gunicorn.memoryLimitMb,
    nginx: fixedMb.nginx,
    certbot: fixedMb.certbot,
    ...Object.fromEntries(pools.map(([name, pool]) => [pool.service, poolSizings[name]!.memoryLimitMb])),
    ...demands.reservedMb,
  };
  return {
    gunicorn,
    pools: poolSizings,
    webShare,
    postgres,
    database: databaseBudget(gunicorn, connections, postgres.maxConnections),
    redisMaxMemoryMb: redisMaxMemory(redisLimitMb),
    limitsMb,
    floorsMb: Object.fromEntries(Object.keys(limitsMb).map((service) => [service, floorsMb[service]!])),
    budget: {
      memoryMb: hardware.memoryMb,
      hostMb: HOST_MB,
      limitsMb: sum(Object.values(limitsMb)),
      floorsMb: floorsTotal,
      shortMb: Math.max(0, HOST_MB + floorsTotal - hardware.memoryMb),
    },
  };
}
