// A stack that cannot fit in the server's memory is never written: optional parts the user did not
// ask for (memory.optional: monitoring) are left out first, in registry order; a stack that still
// does not fit, or one whose optional parts were asked for, is refused in one line naming what it
// needs. Pure: the answers in, the answers to render with out.
import { AnswerError, type AnswerName, type Answers } from './answer-spec.ts';
import { memoryDemands } from './context.ts';
import type { Feature } from './feature.ts';
import { sizeStack } from './sizing.ts';

/** An optional part left out, and the memory its services would have needed (MiB). */
export interface LeftOut {
  feature: string;
  memoryMb: number;
}

export interface MemoryFit {
  answers: Answers;
  leftOut: LeftOut[];
}

const enabledFor = (answers: Answers, features: readonly Feature[]) => features.filter((feature) => feature.enabled(answers));

/** The memory the floors of this stack need beyond the server's (0: it fits). */
function shortfallMb(answers: Answers, features: readonly Feature[]): number {
  const enabled = enabledFor(answers, features);
  return sizeStack({ cpus: answers.cpus, memoryMb: answers.memoryMb }, answers.server, memoryDemands(enabled, answers)).budget.shortMb;
}

const reservedTotal = (feature: Feature, answers: Answers) =>
  Object.values(feature.memory?.reservedMb?.(answers) ?? {}).reduce((sum, mb) => sum + mb, 0);

/**
 * `given`: the answers the user chose (flags, answers file, questions asked, stored answers of a
 * regeneration); an optional part switched on by one of them is kept, or the run refused.
 */
export function fitToMemory(answers: Answers, features: readonly Feature[], given: ReadonlySet<AnswerName>): MemoryFit {
  let current = answers;
  const leftOut: LeftOut[] = [];
  for (const feature of features) {
    if (shortfallMb(current, features) === 0) break;
    if (!feature.memory?.optional || !feature.enabled(current) || given.has(feature.name as AnswerName)) continue;
    leftOut.push({ feature: feature.name, memoryMb: reservedTotal(feature, current) });
    current = { ...current, [feature.name]: false };
  }
  const short = shortfallMb(current, features);
  if (short > 0) {
    const asked = enabledFor(current, features).filter((feature) => feature.memory?.optional);
    const needed = current.memoryMb + short;
    const instead =
      asked.length > 0 ? `, or leave out ${asked.map((feature) => `${feature.name} (--${feature.name} false)`).join(' and ')}` : '';
    throw new AnswerError(
      `Invalid answer "memoryMb" (--memory-mb): ${current.memoryMb} MiB cannot hold this stack, whose services need at least ` +
        `${needed} MiB (every memory limit at its floor, and the host's part; README "Sizing"): answer --memory-mb ${needed} or more${instead}`,
    );
  }
  return { answers: current, leftOut };
}

/** What was left out, in one line (the run prints it, and the closing summary repeats it). */
export function describeLeftOut(leftOut: readonly LeftOut[], memoryMb: number): string | undefined {
  if (leftOut.length === 0) return undefined;
  const parts = leftOut.map((part) => `${part.feature} (${part.memoryMb} MiB)`).join(' and ');
  const flags = leftOut.map((part) => `--${part.feature} true`).join(' ');
  return `${parts}: ${memoryMb} MiB cannot hold it beside the app (${flags} with a bigger --memory-mb adds it)`;
}
