// What the named features of the registry ask of the server's memory, for sizing tests.
import { FEATURES } from '../../features/index.ts';
import { resolveAnswers, type Answers } from '../../generators/lib/answers.ts';
import { memoryDemands } from '../../generators/lib/context.ts';
import type { MemoryDemands } from '../../generators/lib/sizing.ts';

/** The default answers (the machine's hardware aside, which no feature's memory depends on). */
export const DEFAULT_ANSWERS: Answers = resolveAnswers({ cpus: 2, memoryMb: 4096 }, FEATURES);

export const demandsOf = (...names: string[]): MemoryDemands =>
  memoryDemands(
    FEATURES.filter((feature) => names.includes(feature.name)),
    DEFAULT_ANSWERS,
  );
