// Celery's limits, the worker's stop grace and Redis's visibility timeout follow from one answer.
import { describe, expect, it } from 'vitest';
import { celeryTiming } from '../../features/celery/timing.ts';
import { generateProject } from '../helpers/generate.ts';
import { readTree } from '../helpers/tree.ts';

describe('celeryTiming', () => {
  it.each([
    [10, { softTimeLimitSeconds: 10, timeLimitSeconds: 40, stopGraceSeconds: 70, visibilityTimeoutSeconds: 100 }],
    [600, { softTimeLimitSeconds: 600, timeLimitSeconds: 630, stopGraceSeconds: 660, visibilityTimeoutSeconds: 690 }],
    [86400, { softTimeLimitSeconds: 86400, timeLimitSeconds: 86430, stopGraceSeconds: 86460, visibilityTimeoutSeconds: 86490 }],
  ])('longest task %i s', (longest, expected) => {
    expect(celeryTiming(longest)).toEqual(expected);
  });

  it('never redelivers a task that may still run, and lets a warm shutdown outlast it', () => {
    for (const longest of [10, 59, 600, 3600]) {
      const timing = celeryTiming(longest);
      expect(timing.timeLimitSeconds).toBeGreaterThan(timing.softTimeLimitSeconds);
      expect(timing.visibilityTimeoutSeconds).toBeGreaterThan(timing.timeLimitSeconds);
      expect(timing.stopGraceSeconds).toBeGreaterThan(timing.timeLimitSeconds);
    }
  });
});

describe('the generated stack uses the derived values', () => {
  it('in settings, the worker service and the README', async () => {
    const tree = readTree((await generateProject({ celeryLongestTaskSeconds: 20 })).cwd);
    const settings = tree['my_site/settings/base.py']!;
    expect(settings).toContain('CELERY_TASK_SOFT_TIME_LIMIT = 20\n');
    expect(settings).toContain('CELERY_TASK_TIME_LIMIT = 50\n');
    expect(settings).toContain('CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 110}');
    expect(tree['compose.yaml']).toMatch(/worker:[\s\S]*?stop_grace_period: 80s/);
    expect(tree['README.md']).toContain('visibility timeout of\n110 s');
  });

  it('refuses a longest task outside 10 s to 24 h', async () => {
    await expect(generateProject({ celeryLongestTaskSeconds: 5 })).rejects.toThrow(/celeryLongestTaskSeconds.*10 to 86400/);
  });
});
