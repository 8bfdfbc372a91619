// The tarball is the product: `npm pack` of this checkout installed with the real `yo` into a
// scratch prefix, run as a normal user, must write exactly what the checkout writes, for every
// snapshot profile and an existing project; and what it holds must be what generation reads.
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { answerSchema, flagOf } from '../../generators/lib/answers.ts';
import { BARE_FLAG_ANSWERS, bareFlagArgs } from '../helpers/bare-flags.ts';
import { FIXED_HARDWARE, asCliOptions, generateProject, type AnswerFlags } from '../helpers/generate.ts';
import { INTERNAL_CA, PROFILES } from '../helpers/profiles.ts';
import { REPO_ROOT, listFiles, packAndInstall, type Installed, type Ran } from '../helpers/installed.ts';
import { readTree } from '../helpers/tree.ts';

let installed: Installed;
let started: number;
beforeAll(() => {
  started = performance.now();
  installed = packAndInstall();
  console.log(`package test: npm pack ${installed.packSeconds.toFixed(1)} s, install with yo ${installed.installSeconds.toFixed(1)} s`);
});
afterAll(() => {
  rmSync(installed.scratch, { recursive: true, force: true });
  console.log(`package test: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
});

/** The flags of a profile on yo's command line: --flag value, in the profile's order. */
const argv = (flags: AnswerFlags): string[] => Object.entries(asCliOptions(flags)).flatMap(([flag, value]) => [`--${flag}`, String(value)]);

/**
 * path -> content (.env values and the random default admin path masked: each run draws its own)
 * and which files are executable.
 */
function snapshotOf(dir: string): { tree: Record<string, string>; executable: string[] } {
  const tree = Object.fromEntries(
    Object.entries(readTree(dir)).map(([file, content]) => [file, content.replace(/\badmin-[0-9a-f]{12}\b/g, 'admin-<random>')]),
  );
  return { tree, executable: listFiles(dir).filter((file) => (statSync(path.join(dir, file)).mode & 0o111) !== 0) };
}

describe('the packed tarball', () => {
  it('holds every template, slot and file that generation and verify read', () => {
    const shipped = new Set(installed.packed);
    const read = [
      ...listFiles(path.join(REPO_ROOT, 'templates')).map((file) => path.join('templates', file)),
      ...FEATURES.flatMap((feature) =>
        listFiles(path.join(REPO_ROOT, 'features', feature.name))
          .filter((file) => file.startsWith('files/') || file.startsWith('slots/'))
          .map((file) => path.join('features', feature.name, file)),
      ),
      'generators/verify/sentry-sink.py',
      'dist/generators/app/index.js',
      'dist/generators/verify/index.js',
    ];
    expect(read.filter((file) => !shipped.has(file))).toEqual([]);
    // Sources and tests stay in the repository: the package runs dist/.
    expect([...shipped].filter((file) => /\.ts$|^test\//.test(file))).toEqual([]);
  });
});

describe('yo django-prod from the tarball writes what the checkout writes', () => {
  it('for every snapshot profile, all in one yo process', { timeout: 300_000 }, async () => {
    // The CA bundle is read by the user yo runs as: a copy in the scratch directory, for both sides.
    const caBundle = path.join(installed.scratch, 'internal-ca.pem');
    copyFileSync(INTERNAL_CA, caBundle);
    const profiles = Object.entries(PROFILES).map(([name, profile]) => ({
      name,
      flags: { ...FIXED_HARDWARE, ...profile, ...(profile.acmeCaBundle === INTERNAL_CA ? { acmeCaBundle: caBundle } : {}) },
    }));
    const out = installed.workDir('profiles');
    // yo runs one generator per group of arguments ending in ",", one after the other, in one process.
    const groups = profiles.map(({ name, flags }, index) => {
      const args = ['django-prod', name, '--yes', ...argv(flags)];
      return index < profiles.length - 1 ? [...args.slice(0, -1), `${args.at(-1)!},`] : args;
    });
    const ran = await installed.run('yo', groups.flat(), out);
    expect(ran.status, ran.output).toBe(0);
    for (const { name, flags } of profiles) {
      const checkout = await generateProject(flags);
      expect(snapshotOf(path.join(out, name)), `profile ${name}`).toEqual(snapshotOf(checkout.cwd));
    }
  });

  it('for an existing project (--existing --yes on a fixture)', { timeout: 120_000 }, async () => {
    const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'existing', 'celery');
    const flags = { name: 'celery-shop', tlsMode: 'self-signed', domain: 'app.test', appPath: '/hello/', ...FIXED_HARDWARE };
    const dir = installed.workDir('existing', fixture);
    const ran = await installed.run('yo', ['django-prod', '--existing', '--yes', ...argv(flags)], dir);
    expect(ran.status, ran.output).toBe(0);
    const checkout = await generateProject({ ...flags, existing: true }, { cwd: installed.workDir('existing-checkout', fixture) });
    expect(snapshotOf(dir)).toEqual(snapshotOf(checkout.cwd));
  });
});

/** yo's report of a failed run, after what the run printed: "Error <its arguments>", a blank line, then the error's one line. */
function yoError(ran: Ran): string {
  expect(ran.output).not.toMatch(/\n\s+at |TypeError|An error occured/);
  const report = ran.output.slice(ran.output.lastIndexOf('Error ')).trim().split('\n');
  expect(report).toHaveLength(3);
  expect(report[1]!.trim()).toBe('');
  return report[2]!;
}

const BASE = ['--tls-mode', 'self-signed', '--domain', 'app.test', '--cpus', '2', '--memory-mb', '4096'];

describe('yo django-prod from the tarball, as the README says', () => {
  it('reads every yes/no flag given without a value as true', async () => {
    const out = installed.workDir('bare-flags');
    const ran = await installed.run('yo', ['django-prod', 'site', ...bareFlagArgs()], out);
    expect(ran.status, ran.output).toBe(0);
    const answers = JSON.parse(readFileSync(path.join(out, 'site', '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
    for (const name of BARE_FLAG_ANSWERS) expect(answers[name], name).toBe(true);
  });

  it('refuses an unknown flag in one line with exit code 2, and a suggestion', async () => {
    const out = installed.workDir('unknown-flag');
    const ran = await installed.run('yo', ['django-prod', 'site', '--yes', '--celry', 'false', ...BASE], out);
    expect(ran.status).toBe(2);
    expect(yoError(ran)).toBe("unknown option '--celry' (Did you mean --celery?); see --help");
    expect(existsSync(path.join(out, 'site'))).toBe(false);
  });

  it.each([
    ['a target that is a file', 'file', /^Target .*\/file is a file, not a directory: choose a directory$/],
    ['a target it may not write', 'read-only', /^Cannot mkdir .*\/read-only\/site: permission denied \(EACCES\)$/],
    ['a full disk', 'full', /^Cannot write files into .*\/full\/site: no space left on the device \(ENOSPC\)$/],
  ])('stops on %s in one line with exit code 2', async (_case, name, expected) => {
    const dir = installed.workDir(name);
    if (name === 'file') writeFileSync(path.join(dir, 'file'), '');
    if (name === 'read-only') chmodSync(dir, 0o555);
    const target = name === 'file' ? 'file' : 'site';
    const ran = await installed.run('yo', ['django-prod', target, '--yes', ...BASE], dir, { fullDisk: name === 'full' });
    expect(ran.status).toBe(2);
    expect(yoError(ran)).toMatch(expected);
  });

  it('--help fits 100 columns, shows each default once and names yo django-prod:verify', async () => {
    const ran = await installed.run('yo', ['django-prod', '--help'], installed.workDir('help'));
    expect(ran.status).toBe(0);
    const lines = ran.output.split('\n');
    expect(lines.filter((line) => line.length > 100)).toEqual([]);
    expect(lines.filter((line) => line.split('(default:').length > 2)).toEqual([]);
    expect(ran.output).toContain('yo django-prod:verify');
    for (const entry of answerSchema(FEATURES)) expect(ran.output).toContain(`--${flagOf(entry.name)} `);
  });

  it('lists only its generators: app and verify', async () => {
    const ran = await installed.run('yo', ['--generators'], installed.workDir('generators'));
    expect(ran.output.trim()).toBe('Available Generators:\n\n  django-prod\n    verify');
  });

  it('names a template missing from the install in one line', async () => {
    const slot = path.join(installed.prefix, 'lib', 'node_modules', 'generator-django-prod', 'features', 'sentry', 'slots', 'env.ejs');
    const kept = readFileSync(slot);
    rmSync(slot);
    try {
      const ran = await installed.run('yo', ['django-prod', 'site', '--yes', ...BASE], installed.workDir('missing-slot'));
      expect(ran.status).toBe(1);
      expect(yoError(ran)).toMatch(
        /^Template features\/sentry\/slots\/env\.ejs is missing from generator-django-prod \(.*\): reinstall the package$/,
      );
    } finally {
      writeFileSync(slot, kept);
    }
  });
});

describe('yo django-prod:verify and django-prod-verify from the tarball', () => {
  it('refuse in one line outside a generated repository', async () => {
    const dir = installed.workDir('not-a-project');
    const underYo = await installed.run('yo', ['django-prod:verify'], dir);
    expect(underYo.status).toBe(1);
    expect(yoError(underYo)).toMatch(/is not a repository generated by yo django-prod/);
    const command = await installed.run('django-prod-verify', [], dir);
    expect(command.status).toBe(1);
    expect(command.output.trim()).toMatch(/^Error: .* is not a repository generated by yo django-prod/);
  });

  it('ask in one line for the Docker libraries, which installing the generator did not bring', async () => {
    const out = installed.workDir('no-docker-libraries');
    expect((await installed.run('yo', ['django-prod', 'site', '--yes', ...BASE], out)).status).toBe(0);
    const expected =
      /^verify needs dockerode and testcontainers \(optional peer dependencies of generator-django-prod, not installed with it\): install them beside it, e\.g\. npm install -g dockerode@\^5\.0\.1 testcontainers@\^12\.2\.0$/;
    const underYo = await installed.run('yo', ['django-prod:verify'], path.join(out, 'site'));
    expect(underYo.status).toBe(1);
    expect(yoError(underYo)).toMatch(expected);
    const command = await installed.run('django-prod-verify', [], path.join(out, 'site'));
    expect(command.status).toBe(1);
    expect(command.output.trim().replace(/^Error: /, '')).toMatch(expected);
  });
});
