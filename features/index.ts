// The registry: every optional part of the stack, in the order its answers are asked and its
// parts appear in shared files. Adding a feature = its folder + one line here.
import backups from './backups/index.ts';
import cache from './cache/index.ts';
import celery from './celery/index.ts';
import type { Feature } from '../generators/lib/feature.ts';
import microcache from './microcache/index.ts';
import monitoring from './monitoring/index.ts';
import sentry from './sentry/index.ts';
import storage from './storage/index.ts';
import swarm from './swarm/index.ts';

export const FEATURES: readonly Feature[] = [celery, sentry, storage, backups, monitoring, swarm, microcache, cache];
