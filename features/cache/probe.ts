// Django's cache is on the cache service (LRU eviction), not on Celery's Redis, and /health/ checks both.
import {
  djangoShell,
  expectThat,
  fetchInsideNetwork,
  tailOf,
  type Probe,
  type ProbeContext,
} from '../../generators/verify/probes/probe.ts';

/** redis-cli in a service, authenticated with its password variable (or the file a Swarm secret puts it in). */
async function redisCli(ctx: ProbeContext, service: string, password: string, args: string[]): Promise<string> {
  const login = `REDISCLI_AUTH="\${${password}:-$(cat "\${${password}_FILE:-/dev/null}")}"`;
  const result = await ctx.stack.exec(service, ['sh', '-c', `${login} exec redis-cli "$@"`, 'redis-cli', ...args]);
  expectThat(result.exitCode === 0, `redis-cli ${args.join(' ')} in ${service} exited ${result.exitCode}: ${tailOf(result.stderr)}`);
  return result.stdout;
}

export const cacheProbe: Probe = {
  name: 'cache',
  async run(ctx) {
    const key = `verify-cache-${Date.now()}`;
    const stdout = await djangoShell(
      ctx,
      `from django.core.cache import cache\ncache.set(${JSON.stringify(key)}, "here", 300)\nprint("GOT=" + str(cache.get(${JSON.stringify(key)})))`,
    );
    expectThat(stdout.includes('GOT=here'), `Django's cache did not keep a value: ${tailOf(stdout)}`);
    const onCache = await redisCli(ctx, 'cache', 'CACHE_REDIS_PASSWORD', ['--scan', '--pattern', `*${key}*`]);
    expectThat(onCache.includes(key), `the key is not on the cache service: ${tailOf(onCache)}`);
    const onBroker = await redisCli(ctx, 'redis', 'REDIS_PASSWORD', ['-n', '2', '--scan', '--pattern', `*${key}*`]);
    expectThat(!onBroker.includes(key), "the key is on Celery's Redis too");
    const policy = await redisCli(ctx, 'cache', 'CACHE_REDIS_PASSWORD', ['config', 'get', 'maxmemory-policy']);
    expectThat(/allkeys-lru/.test(policy), `the cache's eviction policy is not allkeys-lru: ${tailOf(policy)}`);
    const [health] = await fetchInsideNetwork(ctx, ['http://127.0.0.1:8000/health/'], { host: ctx.domains[0]! });
    const checks = JSON.parse(health!.body) as Record<string, string>;
    // Without Celery there is no broker: "redis" is then the cache service alone.
    const checked = ctx.render.has['celery'] ? ['redis', 'broker'] : ['redis'];
    expectThat(
      checked.every((name) => checks[name] === 'ok'),
      `/health/ answered ${health!.status} without ${checked.join(' and ')} ok: ${health!.body.slice(0, 200)}`,
    );
    return `a value set through Django's cache is on the cache service (allkeys-lru), not on Celery's Redis; /health/ checks ${checked.join(' and ')}`;
  },
};
