// A server too small for every part: optional ones not asked for are left out (monitoring), in one
// line the closing summary repeats; asked for, or the app alone too big, the run is refused.
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { AnswerError, resolveAnswers, type AnswerName } from '../../generators/lib/answers.ts';
import { describeLeftOut, fitToMemory } from '../../generators/lib/memory-fit.ts';
import { generateProject } from '../helpers/generate.ts';
import { readTree } from '../helpers/tree.ts';

const fit = (given: Record<string, unknown>, chosen: AnswerName[] = []) =>
  fitToMemory(resolveAnswers(given, FEATURES), FEATURES, new Set(chosen));

describe('fitToMemory', () => {
  it('keeps every part where the floors fit', () => {
    const { answers, leftOut } = fit({ cpus: 1, memoryMb: 2048 });
    expect(leftOut).toEqual([]);
    expect(answers.monitoring).toBe(true);
  });

  it('leaves monitoring out by default on 1 GiB, naming the memory it would take', () => {
    const { answers, leftOut } = fit({ cpus: 1, memoryMb: 1024 });
    expect(answers).toMatchObject({ monitoring: false, celery: true, backups: true });
    expect(leftOut).toEqual([{ feature: 'monitoring', memoryMb: 328 }]);
    expect(describeLeftOut(leftOut, 1024)).toBe(
      'monitoring (328 MiB): 1024 MiB cannot hold it beside the app (--monitoring true with a bigger --memory-mb adds it)',
    );
  });

  it('refuses monitoring asked for where it cannot fit, naming the memory needed and the way out', () => {
    expect(() => fit({ cpus: 1, memoryMb: 1024, monitoring: true }, ['monitoring'])).toThrow(AnswerError);
    expect(() => fit({ cpus: 1, memoryMb: 1024, monitoring: true }, ['monitoring'])).toThrow(
      /1024 MiB cannot hold this stack.*--memory-mb 1330 or more, or leave out monitoring \(--monitoring false\)$/,
    );
  });

  it('writes the stack without monitoring for the defaults on 1 CPU / 1 GiB', async () => {
    const result = await generateProject({ cpus: 1, memoryMb: 1024 });
    const tree = readTree(result.cwd);
    expect(tree['compose.yaml']).not.toMatch(/^ {2}prometheus:/m);
    expect(tree['compose.yaml']).toMatch(/^ {2}worker:/m);
  });
});
