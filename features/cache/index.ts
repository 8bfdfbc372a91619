// Django's cache on a Redis of its own that evicts the least recently used keys when full, apart
// from the stack's Redis, which holds Celery's queue and must never evict (a lost message is a lost
// task). One Redis cannot be both: under noeviction a full cache refuses writes; under allkeys-lru
// a busy cache silently drops queued tasks. Nothing is kept on disk: a cache starts empty.
import { featureSwitch } from '../../generators/lib/answer-spec.ts';
import { defineFeature } from '../../generators/lib/feature.ts';
import { tokenSecret } from '../../generators/lib/secrets.ts';

declare module '../../generators/lib/answer-spec.ts' {
  interface Answers {
    cache: boolean;
  }
}

export interface CacheFacts {
  /** Redis maxmemory: past it the least recently used keys go. */
  maxMemoryMb: number;
  /** The container's limit: maxmemory plus Redis's own overhead (buffers, fragmentation). */
  memoryLimitMb: number;
}

declare module '../../generators/lib/feature.ts' {
  interface FeatureFacts {
    cache: CacheFacts;
  }
}

const FACTS: CacheFacts = { maxMemoryMb: 256, memoryLimitMb: 320 };

export default defineFeature<CacheFacts>({
  name: 'cache',
  answers: [
    featureSwitch(
      'cache',
      "Give Django's cache a Redis of its own (evicts old keys when full), apart from Celery's queue?",
      "Django's cache on its own Redis with LRU eviction, apart from Celery's queue",
      false,
    ),
  ],
  enabled: (answers) => answers.cache,
  facts: () => FACTS,
  services: ['cache'],
  memory: { reservedMb: () => ({ cache: FACTS.memoryLimitMb }) },
  secrets: () => [tokenSecret('CACHE_REDIS_PASSWORD', { app: true })],
  // A cache needs no volume: it may run on any node; only the app reaches it.
  swarm: () => ({ cache: { networks: ['data'] } }),
  slots: ['compose.app-environment', 'compose.services', 'health', 'readme', 'settings.production'],
  probes: async () => [(await import('./probe.ts')).cacheProbe],
});
