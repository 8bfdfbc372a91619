// Every server the generator accepts adds up: over a grid of sizes and every answer profile, the
// memory limits of all services (PostgreSQL's and Redis's settings inside theirs) plus the host's part
// stay within the declared memory, and no limit is under its floor; a size the floors cannot fit in
// is refused, never written. One render per profile checks compose.yaml carries those limits.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FEATURES } from '../../features/index.ts';
import { AnswerError, resolveAnswers, type AnswerName } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { fitToMemory } from '../../generators/lib/memory-fit.ts';
import { renderTree } from '../../generators/lib/render.ts';
import { DB_BASE_MB, HOST_MB, REDIS_OVERHEAD, type PostgresSizing } from '../../generators/lib/sizing.ts';
import { PROFILES } from '../helpers/profiles.ts';

const CPUS = [1, 2, 3, 4, 8, 16, 32, 64];
const MEMORY_MB = [1024, 1280, 1536, 2048, 3072, 4096, 8192, 16384, 32768, 65536, 131072, 262144];

/** What PostgreSQL may take with these settings: shared_buffers, maintenance_work_mem, every connection's work_mem, its own processes. */
const postgresNeedMb = (postgres: PostgresSizing) =>
  DB_BASE_MB + postgres.sharedBuffersMb + postgres.maintenanceWorkMemMb + (postgres.workMemKb * postgres.maxConnections) / 1024;

function sized(profile: Record<string, unknown>, cpus: number, memoryMb: number) {
  const answers = resolveAnswers({ ...profile, cpus, memoryMb }, FEATURES);
  const chosen = new Set(Object.keys(profile) as AnswerName[]);
  try {
    return { ctx: buildRenderContext(fitToMemory(answers, FEATURES, chosen).answers, FEATURES, '0.0.0-test') };
  } catch (error) {
    if (!(error instanceof AnswerError)) throw error;
    return { refused: error.message, ctx: buildRenderContext(answers, FEATURES, '0.0.0-test') };
  }
}

describe.each(Object.entries(PROFILES))('memory of profile %s', (_name, profile) => {
  it('adds up within the declared memory on every size, every limit at or above its floor', () => {
    let accepted = 0;
    for (const cpus of CPUS) {
      for (const memoryMb of MEMORY_MB) {
        const { ctx, refused } = sized(profile, cpus, memoryMb);
        const { limitsMb, floorsMb, budget, postgres, redisMaxMemoryMb } = ctx.sizing;
        const where = `${cpus} CPUs, ${memoryMb} MiB`;
        if (refused) {
          // Refused only where the floors and the host's part do not fit, naming a size that does.
          expect(budget.shortMb, where).toBeGreaterThan(0);
          const needed = Number(/--memory-mb (\d+) or more/.exec(refused)?.[1]);
          expect(needed, where).toBeGreaterThan(memoryMb);
          expect(sized(profile, cpus, needed).refused, `${where}, then ${needed} MiB`).toBeUndefined();
          continue;
        }
        accepted += 1;
        expect(Object.keys(limitsMb).sort(), where).toEqual([...ctx.services].sort());
        for (const service of ctx.services) expect(limitsMb[service]!, `${where}: ${service}`).toBeGreaterThanOrEqual(floorsMb[service]!);
        expect(Object.values(limitsMb).reduce((sum, mb) => sum + mb, 0) + HOST_MB, where).toBeLessThanOrEqual(memoryMb);
        expect(postgresNeedMb(postgres), where).toBeLessThanOrEqual(limitsMb['db']!);
        if (ctx.swarm) expect(postgresNeedMb(ctx.swarm.postgres), `${where}, Swarm`).toBeLessThanOrEqual(limitsMb['db']!);
        expect(redisMaxMemoryMb + REDIS_OVERHEAD.minMb, where).toBeLessThanOrEqual(limitsMb['redis']!);
        if (ctx.cache) expect(ctx.cache.maxMemoryMb, where).toBeLessThan(limitsMb['cache']!);
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it("writes every service's limit into compose.yaml (1 CPU, 1 GiB, or the smallest size it accepts)", () => {
    const { ctx } = [1024, 2048, 4096].map((memoryMb) => sized(profile, 1, memoryMb)).find((result) => !result.refused)!;
    const compose = parse(renderTree(ctx).get('compose.yaml')!.content) as { services: Record<string, { mem_limit?: string }> };
    expect(Object.keys(compose.services).sort()).toEqual([...ctx.services].sort());
    for (const [service, mb] of Object.entries(ctx.sizing.limitsMb)) expect(compose.services[service]?.mem_limit, service).toBe(`${mb}m`);
  });
});

it('accepts 1 CPU / 1 GiB for every profile but the one asking for the 320 MiB cache', () => {
  const refused = Object.entries(PROFILES).filter(([, profile]) => sized(profile, 1, 1024).refused !== undefined);
  expect(refused.map(([name]) => name)).toEqual(['large']);
});
