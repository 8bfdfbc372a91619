// New features are the user's choice on upgrade: a part newer than the project (none of its answers
// stored) stays off with --yes, is offered with "off" as the default when asked, and the summary
// names it with what it would add and its flag. Driven through the real generator on the upgrade
// corpus (test/fixtures/upgrade/), plus the module's parts without Yeoman.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { answerSchema, resolveAnswers } from '../../generators/lib/answers.ts';
import { describeNewParts, effectOf, formatNewParts, leftOff, optionalParts, partsNewTo } from '../../generators/lib/new-features.ts';
import type { RenderedTree } from '../../generators/lib/render.ts';
import { MONITORING_MB } from '../../features/monitoring/index.ts';
import { generateProject } from '../helpers/generate.ts';
import { regenerate } from '../helpers/regenerate.ts';
import { checkoutFixture } from '../helpers/upgrade-corpus.ts';

const stored = (dir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
const has = (dir: string, file: string) => existsSync(path.join(dir, file));
const PARTS = optionalParts(FEATURES);
/** What 2026-11-24 (commit 4f50c56) did not have, as the summary names them. */
/** Parts added after the last release (0.1.0). */
const NEW_SINCE_0_1_0 = ['cache'];
const NEW_SINCE_2026_11_24 = ['storage', 'monitoring', 'swarm', 'microcache', ...NEW_SINCE_0_1_0, 'tests and CI', 'dependency updates'];
const tree = (files: Record<string, string>): RenderedTree =>
  new Map(Object.entries(files).map(([file, content]) => [file, { content, executable: false }]));

describe('optional parts', () => {
  it('one per feature, switched by its answer (or switchedOnBy), and the repository-health parts', () => {
    expect(PARTS.map((part) => part.name)).toEqual([...FEATURES.map((feature) => feature.name), 'tests and CI', 'dependency updates']);
    expect(PARTS.find((part) => part.name === 'monitoring')).toMatchObject({ switchAnswer: 'monitoring', on: true, off: false });
    expect(PARTS.find((part) => part.name === 'storage')).toMatchObject({ switchAnswer: 'mediaStorage', on: 's3', off: 'local' });
    expect(PARTS.find((part) => part.name === 'dependency updates')).toMatchObject({ on: 'dependabot', off: 'none' });
    // Every answer a part names exists, and "off" really is off for each feature.
    const names = new Set(answerSchema(FEATURES).map((entry) => entry.name));
    for (const part of PARTS)
      expect(
        part.answers.every((name) => names.has(name)),
        part.name,
      ).toBe(true);
    for (const feature of FEATURES) {
      const part = PARTS.find((candidate) => candidate.name === feature.name)!;
      expect(feature.enabled({ [part.switchAnswer]: part.off } as never), feature.name).toBe(false);
    }
  });
  it('a part is new to a store holding none of its answers', () => {
    const v010 = stored(path.resolve(import.meta.dirname, '../fixtures/upgrade/v0.1.0/default'));
    expect(partsNewTo(v010, PARTS).map((part) => part.name)).toEqual(NEW_SINCE_0_1_0);
    // The test suite existed at 0.1.0 (ciImage is stored) before its switch did.
    const { ci: _ci, ...withoutCi } = v010;
    expect(partsNewTo(withoutCi, PARTS).map((part) => part.name)).toEqual(NEW_SINCE_0_1_0);
    const old = stored(path.resolve(import.meta.dirname, '../fixtures/upgrade/2026-11-24/default'));
    const fresh = partsNewTo(old, PARTS);
    expect(fresh.map((part) => part.name)).toEqual(NEW_SINCE_2026_11_24);
    expect(leftOff(fresh)).toEqual({
      mediaStorage: 'local',
      monitoring: false,
      swarm: false,
      microcache: false,
      cache: false,
      ci: false,
      dependencyBot: 'none',
    });
  });
  it('what a part adds: compose services and their memory limits, new and changed files', () => {
    const compose = (services: string) => `services:\n  web:\n    mem_limit: 1024m\n${services}`;
    const without = tree({ 'compose.yaml': compose(''), 'a.conf': 'x\n', 'b.conf': 'y\n' });
    const withPart = tree({
      'compose.yaml': compose(
        '  prom:\n    mem_limit: 256m\n  alert:\n    deploy:\n      resources:\n        limits:\n          memory: 1g\n',
      ),
      'a.conf': 'x\nmore\n',
      'b.conf': 'y\n',
      'new.yml': '',
    });
    expect(effectOf(without, withPart)).toEqual({ services: ['prom', 'alert'], memoryMb: 1280, newFiles: 1, changedFiles: 2 });
    const [monitoring, microcache] = [PARTS.find((part) => part.name === 'monitoring')!, PARTS.find((part) => part.name === 'microcache')!];
    expect(
      formatNewParts([
        { part: monitoring, effect: { services: ['a', 'b'], memoryMb: 96, newFiles: 3, changedFiles: 1 } },
        { part: microcache, effect: { services: [], memoryMb: 0, newFiles: 0, changedFiles: 2 } },
      ]).split('\n'),
    ).toEqual([
      'New since this project was generated, left off (nothing is switched on unasked; the flag turns it on):',
      '  new: monitoring — 2 services, 96 MiB, 3 new files, 1 changed; `--monitoring true`',
      '  new: microcache — 2 changed; `--microcache true`',
    ]);
  });
});

describe('describeNewParts', () => {
  it('measures each part left off by a render with it on, and leaves out a part that would change nothing', async () => {
    const answers = resolveAnswers({ cpus: 2, memoryMb: 4096, monitoring: false, ci: false }, FEATURES);
    const [monitoring, tests] = [PARTS.find((part) => part.name === 'monitoring')!, PARTS.find((part) => part.name === 'tests and CI')!];
    // A stand-in render: monitoring adds a file; the test suite adds nothing (as in an existing project).
    const render = (given: typeof answers) =>
      tree({ 'compose.yaml': 'services: {}\n', ...(given.monitoring ? { 'prometheus.yml': '' } : {}) });
    const summary = await describeNewParts([monitoring, tests], answers, render);
    expect(summary).toContain('  new: monitoring — 1 new file; `--monitoring true`');
    expect(summary).not.toContain('tests and CI');
    expect(await describeNewParts([tests], answers, render)).toBe('');
    // A part the answers switched on is not listed.
    expect(await describeNewParts([monitoring], { ...answers, monitoring: true }, render)).toBe('');
  });
});

describe('upgrading a project older than some parts', () => {
  it('--yes: every new part stays off, new answers of its features take their defaults, the summary names each', async () => {
    const dir = checkoutFixture('2026-11-24', 'default');
    const { error, log } = await regenerate(dir);
    expect(error, log).toBeUndefined();
    expect(stored(dir)).toMatchObject({
      monitoring: false,
      microcache: false,
      swarm: false,
      mediaStorage: 'local',
      ci: false,
      dependencyBot: 'none',
      // New answers of features the project has: their defaults, as before.
      celeryLongestTaskSeconds: answerSchema(FEATURES)
        .find((entry) => entry.name === 'celeryLongestTaskSeconds')!
        .default({}),
      backupEncrypt: true,
    });
    for (const file of [
      'monitoring/prometheus/prometheus.yml',
      'my_site/pages.py',
      'tests/test_health.py',
      '.github/workflows/ci.yml',
      '.github/dependabot.yml',
    ])
      expect(has(dir, file), file).toBe(false);
    // The numbers come from a render with the part on: monitoring's services and their limits.
    const services = Object.keys(MONITORING_MB).length;
    const memory = Object.values(MONITORING_MB).reduce((sum, mb) => sum + mb, 0);
    expect(log).toMatch(
      new RegExp(`^ {2}new: monitoring — ${services} services, ${memory} MiB, \\d+ new files, \\d+ changed; \`--monitoring true\`$`, 'm'),
    );
    for (const name of NEW_SINCE_2026_11_24) expect(log).toMatch(new RegExp(`^ {2}new: ${name} — .+; \`--[a-z-]+ [a-z0-9]+\`$`, 'm'));
    expect(log).toContain('`--dependency-bot dependabot`');
    expect(log).toContain('`--media-storage s3`');
  }, 60_000);

  it('a project of the last release is offered only the parts added since, left off; its test suite stays', async () => {
    const dir = checkoutFixture('v0.1.0', 'default');
    const { error, log } = await regenerate(dir);
    expect(error, log).toBeUndefined();
    expect([...log.matchAll(/^ {2}new: (\S+)/gm)].map((match) => match[1])).toEqual(NEW_SINCE_0_1_0);
    expect(stored(dir)).toMatchObject({ cache: false });
    expect(log).toContain('Regeneration summary');
    expect(log).not.toMatch(/^Wrote \d+ files/m);
    expect(stored(dir)).toMatchObject({ ci: true, dependencyBot: 'dependabot', monitoring: true });
    expect(has(dir, 'tests/test_health.py')).toBe(true);
  }, 60_000);

  it('interactive: asks only the new questions, each new part offered off; a yes switches it on', async () => {
    const dir = checkoutFixture('2026-11-24', 'default');
    const before = stored(dir);
    const { error, log, askedQuestions } = await regenerate(dir, {}, { yes: false, answers: { monitoring: true } });
    expect(error, log).toBeUndefined();
    expect(askedQuestions).toEqual(expect.arrayContaining(['monitoring', 'microcache', 'mediaStorage', 'swarm']));
    expect(askedQuestions.filter((name) => name !== 'customizeAdvanced' && before[name] !== undefined)).toEqual([]);
    // monitoring answered yes; the others kept the default offered: off.
    expect(stored(dir)).toMatchObject({ monitoring: true, microcache: false, swarm: false, ci: false, dependencyBot: 'none' });
    expect(has(dir, 'monitoring/prometheus/prometheus.yml')).toBe(true);
    expect(log).not.toMatch(/new: monitoring/);
    expect(log).toMatch(/new: microcache/);
  }, 60_000);
});

describe('the repository-health switches', () => {
  it('--ci false --dependency-bot none: no test suite, CI workflow or bot config, and nothing refers to them', async () => {
    const { cwd } = await generateProject({ ci: false, dependencyBot: 'none' });
    for (const file of [
      'tests/test_health.py',
      'pytest.ini',
      'requirements-dev.txt',
      'compose.test.yaml',
      '.github/workflows/ci.yml',
      '.github/dependabot.yml',
      'renovate.json',
    ])
      expect(has(cwd, file), file).toBe(false);
    const read = (file: string) => readFileSync(path.join(cwd, file), 'utf8');
    expect(read('Makefile')).not.toMatch(/^test:/m);
    expect(read('Dockerfile')).not.toContain('AS test');
    expect(read('README.md')).not.toContain('## Tests and CI');
    expect(read('README.md')).toContain('No dependency bot is configured');
    expect(read('README.md')).not.toMatch(/requirements-dev\.txt|compose\.test\.yaml|dependabot\.yml|renovate\.json/);
  }, 60_000);
});
