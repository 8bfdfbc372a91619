import { describe, expect, it } from 'vitest';
import {
  appConnections,
  DB_BASE_MB,
  PROCESS_MB,
  SINGLE_HOST,
  sizePostgres,
  sizeReplicated,
  sizeStack,
} from '../../generators/lib/sizing.ts';
import { demandsOf } from '../helpers/sizing.ts';

const withCelery = (celery: boolean, ...others: string[]) => demandsOf(...(celery ? ['celery'] : []), ...others);

// Hardware -> the numbers a team will run with. Each row was worked out by hand from the
// formulas documented in sizing.ts; change a formula and this table must be revisited.
// max_connections: (2 web containers during a deploy x (workers x pool + 1) + Celery + beat + 5 others)
// x 1.5, rounded up to 10; e.g. 2 cores: (2 x (2 x 4 + 1) + 2 + 1 + 5) x 1.5 = 39 -> 40.
describe('sizeStack', () => {
  it.each([
    // cpus, MiB, server, celery → workers, threads, class, celery, max_connections, shared_buffers MiB
    [1, 1024, 'wsgi', true, 1, 4, 'gthread', 1, 30, 38],
    [2, 4096, 'wsgi', true, 2, 4, 'gthread', 2, 40, 268],
    [2, 4096, 'wsgi', false, 2, 4, 'gthread', undefined, 40, 287],
    [4, 8192, 'wsgi', true, 4, 4, 'gthread', 4, 70, 575],
    [8, 16384, 'wsgi', true, 8, 4, 'gthread', 8, 120, 1188],
    [16, 65536, 'wsgi', true, 16, 4, 'gthread', 8, 220, 4872],
    [32, 131072, 'wsgi', true, 32, 4, 'gthread', 8, 410, 9782],
    // Past 32 cores the processes stop at 32: 129 connections per container.
    [64, 262144, 'wsgi', false, 32, 4, 'gthread', undefined, 400, 19622],
    [2, 4096, 'asgi', true, 2, 4, 'uvicorn_worker.UvicornWorker', 2, 40, 268],
    // 8 cores but 1 GiB: web's 307 MiB hold the master and two workers.
    [8, 1024, 'asgi', false, 2, 4, 'uvicorn_worker.UvicornWorker', undefined, 40, 55],
  ] as const)(
    '%i cores, %i MiB, %s, celery %s',
    (cpus, memoryMb, server, celery, workers, threads, workerClass, concurrency, maxConnections, sharedBuffersMb) => {
      const sizing = sizeStack({ cpus, memoryMb }, server, withCelery(celery));
      expect(sizing.gunicorn).toMatchObject({ workers, threads, workerClass });
      expect(sizing.pools['celery']?.processes).toBe(concurrency);
      expect(sizing.postgres.maxConnections).toBe(maxConnections);
      expect(sizing.postgres.sharedBuffersMb).toBe(sharedBuffersMb);
    },
  );

  // 2 cores, 4096 MiB, Celery: the floors (db 128, redis 96, web 150, worker 160, nginx 40, certbot 64,
  // migrate 80, beat 96) take 814 MiB and the host 128; the 3154 MiB left are shared out on top:
  // db 128 + 946, web 150 + 1103, worker 160 + 473, redis 96 + 157.
  it('gives every service its floor and a share of the rest, within the memory less the host part', () => {
    const sizing = sizeStack({ cpus: 2, memoryMb: 4096 }, 'wsgi', withCelery(true));
    expect(sizing.limitsMb).toEqual({ db: 1074, redis: 253, migrate: 80, web: 1253, nginx: 40, certbot: 64, worker: 633, beat: 96 });
    expect(sizing.budget).toEqual({ memoryMb: 4096, hostMb: 128, limitsMb: 3493, floorsMb: 814, shortMb: 0 });
    // maxmemory leaves Redis a third of its limit for itself and a rewrite's fork.
    expect(sizing.redisMaxMemoryMb).toBe(253 - 84);
  });

  // Monitoring's fixed limits (496 MiB) come off the top: web, Celery and PostgreSQL shrink with them.
  it.each([
    // cpus, MiB, server, celery → workers, celery, max_connections, shared_buffers MiB, web limit MiB
    [1, 2048, 'wsgi', true, 1, 1, 30, 90, 423],
    [2, 4096, 'wsgi', true, 2, 2, 40, 243, 1139],
    [2, 4096, 'wsgi', false, 2, undefined, 40, 263, 1691],
    [8, 16384, 'wsgi', true, 8, 8, 120, 1163, 5431],
  ] as const)(
    'with monitoring: %i cores, %i MiB, %s, celery %s',
    (cpus, memoryMb, server, celery, workers, concurrency, maxConnections, sharedBuffersMb, webMb) => {
      const sizing = sizeStack({ cpus, memoryMb }, server, withCelery(celery, 'monitoring'));
      expect(sizing.gunicorn).toMatchObject({ workers, memoryLimitMb: webMb });
      expect(sizing.pools['celery']?.processes).toBe(concurrency);
      expect(sizing.postgres.maxConnections).toBe(maxConnections);
      expect(sizing.postgres.sharedBuffersMb).toBe(sharedBuffersMb);
      expect(sizing.limitsMb).toMatchObject({ prometheus: 128, alertmanager: 48, 'blackbox-exporter': 32 });
    },
  );

  it('says how much the floors lack when they cannot fit, and then gives every service its floor', () => {
    // db 128 + redis 96 + web 150 + worker 160 + nginx 36 + certbot 64 + migrate 80 + beat 96 + monitoring 328 + host 128.
    const sizing = sizeStack({ cpus: 1, memoryMb: 1024 }, 'wsgi', withCelery(true, 'monitoring'));
    expect(sizing.budget.shortMb).toBe(1266 - 1024);
    expect(sizing.limitsMb).toEqual(sizing.floorsMb);
  });

  // Up to 200 app connections (max_connections 310) even at the floor; the grid test checks the sizes answers give.
  it('keeps shared_buffers, maintenance_work_mem, every work_mem and its own processes within the db limit', () => {
    for (const limitMb of [128, 200, 1000, 8000, 80000]) {
      for (const connections of [10, 100, 200]) {
        const postgres = sizePostgres(limitMb, connections);
        const used =
          DB_BASE_MB + postgres.sharedBuffersMb + postgres.maintenanceWorkMemMb + (postgres.workMemKb * postgres.maxConnections) / 1024;
        expect(used, `${limitMb} MiB, ${connections} connections`).toBeLessThanOrEqual(limitMb);
        expect(postgres.workMemKb).toBeGreaterThanOrEqual(64);
      }
    }
  });

  it('always leaves PostgreSQL connections for every web thread and Celery process, with margin', () => {
    for (const cpus of [1, 2, 3, 4, 6, 8, 12, 16, 32, 64]) {
      for (const memoryMb of [1024, 2048, 4096, 8192, 32768, 131072]) {
        const sizing = sizeStack({ cpus, memoryMb }, 'wsgi', withCelery(true));
        const processes = sizing.gunicorn.workers * sizing.gunicorn.threads + sizing.pools['celery']!.processes + 1;
        expect(sizing.postgres.maxConnections).toBeGreaterThanOrEqual(processes + 10);
      }
    }
  });

  it('leaves web room for the old and the new container of a deploy, and nothing more than max_connections', () => {
    for (const server of ['wsgi', 'asgi'] as const) {
      for (const cpus of [1, 2, 4, 8, 16, 64]) {
        for (const memoryMb of [1024, 4096, 16384, 131072]) {
          const { postgres, database } = sizeStack({ cpus, memoryMb }, server, withCelery(true));
          expect(postgres.maxConnections - database.nonWeb).toBeGreaterThanOrEqual(2 * database.perWebContainer);
          expect(database.webContainers).toBeGreaterThanOrEqual(2);
          expect(database.webContainers * database.perWebContainer).toBeLessThanOrEqual(postgres.maxConnections - database.nonWeb);
          expect(database.nonWeb).toBeLessThan(postgres.maxConnections);
        }
      }
    }
  });

  it('gives every worker one connection per thread (ASGI: per thread asgi.py runs Django on)', () => {
    expect(sizeStack({ cpus: 2, memoryMb: 4096 }, 'asgi', withCelery(true)).database).toMatchObject({
      poolPerWorker: 4,
      perWebContainer: 2 * 4 + 1,
    });
    expect(sizeStack({ cpus: 16, memoryMb: 65536 }, 'wsgi', withCelery(true)).database).toMatchObject({
      poolPerWorker: 4,
      perWebContainer: 16 * 4 + 1,
    });
  });

  it('never sizes web workers beyond their memory share (the master counted too)', () => {
    for (const memoryMb of [1024, 1536, 2048, 3072]) {
      const sizing = sizeStack({ cpus: 8, memoryMb }, 'wsgi', withCelery(true));
      expect(PROCESS_MB.webBase + sizing.gunicorn.workers * PROCESS_MB.webWorker).toBeLessThanOrEqual(
        Math.max(PROCESS_MB.webBase + PROCESS_MB.webWorker, sizing.gunicorn.memoryLimitMb),
      );
    }
  });
});

// Replicated app services (Docker Swarm): PostgreSQL must hold every replica's connections,
// including the extra task a start-first rolling update runs meanwhile, with the same margin.
describe('sizeReplicated', () => {
  it.each([
    // cpus, MiB, celery, web replicas, worker replicas → web connections, celery connections, max_connections
    [1, 1024, false, 3, 1, 20, 0, 40],
    [2, 4096, true, 2, 1, 27, 5, 60],
    [2, 4096, true, 3, 2, 36, 7, 80],
    [8, 16384, true, 4, 3, 165, 33, 310],
  ] as const)(
    '%i cores, %i MiB, celery %s, %i web, %i worker',
    (cpus, memoryMb, celery, web, worker, webConnections, celeryConnections, maxConnections) => {
      const single = sizeStack({ cpus, memoryMb }, 'wsgi', withCelery(celery));
      const replicated = sizeReplicated(single, { web, pools: { celery: worker } });
      expect(replicated.connections).toEqual({
        web: webConnections,
        pools: celery ? { celery: celeryConnections } : {},
        total: webConnections + celeryConnections,
      });
      expect(replicated.postgres.maxConnections).toBe(maxConnections);
      expect(replicated.postgres.sharedBuffersMb).toBe(single.postgres.sharedBuffersMb);
    },
  );

  it('one replica of each without an update in flight is the single-host sizing', () => {
    const single = sizeStack({ cpus: 4, memoryMb: 8192 }, 'wsgi', withCelery(true));
    // Each web thread's pool connection and the master's reservation; each Celery process and beat.
    expect(appConnections(single.gunicorn, single.pools, SINGLE_HOST).total).toBe(
      single.gunicorn.workers * single.gunicorn.threads + 1 + single.pools['celery']!.processes + 1,
    );
  });

  it('always covers every replica and the update surge, with margin', () => {
    for (const cpus of [1, 2, 4, 8, 16]) {
      for (const replicas of [1, 2, 3, 5, 10, 20]) {
        const single = sizeStack({ cpus, memoryMb: cpus * 2048 }, 'wsgi', withCelery(true));
        const { postgres } = sizeReplicated(single, { web: replicas, pools: { celery: replicas } });
        const processes =
          (replicas + 1) * single.gunicorn.workers * single.gunicorn.threads + (replicas + 1) * single.pools['celery']!.processes + 1;
        expect(postgres.maxConnections).toBeGreaterThanOrEqual(processes + 10);
      }
    }
  });
});
