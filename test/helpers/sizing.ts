// What the named features of the registry ask of the server's memory, for sizing tests.
import { FEATURES } from '../../features/index.ts';
import { memoryDemands } from '../../generators/lib/context.ts';
import type { MemoryDemands } from '../../generators/lib/sizing.ts';

export const demandsOf = (...names: string[]): MemoryDemands => memoryDemands(FEATURES.filter((feature) => names.includes(feature.name)));
