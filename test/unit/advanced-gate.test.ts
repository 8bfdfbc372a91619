// Which questions an interactive run asks: the essential ones, then "Customize advanced
// settings?", and the advanced ones only after a yes. Answers are fed through yeoman-test's
// prompt stand-in, which records every question it is asked, in order.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { answerSchema, resolveAnswers } from '../../generators/lib/answers.ts';
import { generateProject } from '../helpers/generate.ts';
import { regenerate } from '../helpers/regenerate.ts';

const GATE = 'customizeAdvanced';
/** The core answers asked on a first run when only the hardware is given (as the helpers always do). */
const ESSENTIAL_CORE = ['name', 'tlsMode', 'domain', 'extraDomains', 'email'];
const ADVANCED_CORE = [
  'packageName',
  'server',
  'hstsSeconds',
  'hstsPreload',
  'adminPath',
  'uploadLimitMb',
  'timeZone',
  'pythonVersion',
  'postgresVersion',
  'redisVersion',
  'nginxVersion',
  'dependencyBot',
  'ci',
  'ciImage',
];

// Each feature's answers follow the core ones; which of them apply depends on the other answers
// (backupS3AllowHttp and backupS3Endpoint only once a bucket is given).
const FEATURE_ANSWERS = FEATURES.flatMap((feature) => feature.answers);
const featureAnswers = (advanced: boolean, given: Record<string, unknown> = {}) => {
  const answers = resolveAnswers({ cpus: 2, memoryMb: 4096, ...given }, FEATURES);
  return FEATURE_ANSWERS.filter((entry) => Boolean(entry.advanced) === advanced && (entry.when?.(answers) ?? true)).map(
    (entry) => entry.name,
  );
};
const ESSENTIAL = [...ESSENTIAL_CORE, ...featureAnswers(false)];
const emptyDir = () => mkdtempSync(path.join(os.tmpdir(), 'advanced-gate-'));
const storedAnswers = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;

describe('a first interactive run', () => {
  it('asks the essential questions, then the gate (default No), and nothing advanced', async () => {
    const dir = emptyDir();
    const { error, askedQuestions } = await regenerate(dir, {}, { yes: false });
    expect(error).toBeUndefined();
    expect(askedQuestions).toEqual([...ESSENTIAL, GATE]);
    const stored = storedAnswers(dir);
    expect(stored.timeZone).toBe('UTC');
    expect(stored.backupKeepDaily).toBe(7);
    expect(stored).not.toHaveProperty(GATE);
  });

  it('asks every advanced question that applies after a yes, and keeps the answers', async () => {
    const dir = emptyDir();
    const answers = { [GATE]: true, timeZone: 'Europe/Paris', backupKeepDaily: '14' };
    const { error, askedQuestions } = await regenerate(dir, {}, { yes: false, answers });
    expect(error).toBeUndefined();
    expect(askedQuestions).toEqual([...ESSENTIAL, GATE, ...ADVANCED_CORE, ...featureAnswers(true)]);
    expect(askedQuestions).toEqual(expect.arrayContaining(['backupSchedule', 'backupKeepDaily', 'backupS3Bucket']));
    expect(storedAnswers(dir)).toMatchObject({ timeZone: 'Europe/Paris', backupKeepDaily: 14 });
    expect(storedAnswers(dir)).not.toHaveProperty(GATE);
  });

  it('skips advanced questions whose feature is off', async () => {
    const { askedQuestions } = await regenerate(emptyDir(), {}, { yes: false, answers: { [GATE]: true, backups: false } });
    expect(askedQuestions).toEqual([...ESSENTIAL, GATE, ...ADVANCED_CORE, ...featureAnswers(true, { backups: false })]);
    expect(askedQuestions.filter((name) => name.startsWith('backup') && name !== 'backups')).toEqual([]);
  });

  it('takes an advanced answer from its flag without asking it', async () => {
    const dir = emptyDir();
    const { askedQuestions } = await regenerate(dir, { timeZone: 'Asia/Tokyo' }, { yes: false, answers: { [GATE]: true } });
    expect(askedQuestions).not.toContain('timeZone');
    expect(askedQuestions).toContain('uploadLimitMb');
    expect(storedAnswers(dir).timeZone).toBe('Asia/Tokyo');
  });

  it('gates exactly the tuning answers', () => {
    const advancedCore = answerSchema(FEATURES)
      .filter((entry) => entry.advanced && !FEATURE_ANSWERS.includes(entry))
      .map((entry) => entry.name);
    expect(advancedCore.toSorted()).toEqual(ADVANCED_CORE.toSorted());
    // A feature's on/off switch (named like the feature) is always essential.
    for (const feature of FEATURES)
      expect(feature.answers.find((entry) => entry.name === feature.name)?.advanced, feature.name).toBeFalsy();
  });
});

describe('regeneration', () => {
  it('does not ask the gate when no advanced answer is missing from the store', async () => {
    const dir = emptyDir();
    await generateProject({ tlsMode: 'self-signed', domain: 'app.test' }, { cwd: dir });
    const rcPath = path.join(dir, '.yo-rc.json');
    const rc = JSON.parse(readFileSync(rcPath, 'utf8'));
    delete rc['generator-django-prod'].answers.sentry;
    writeFileSync(rcPath, JSON.stringify(rc, null, 2));
    const { error, askedQuestions } = await regenerate(dir, {}, { yes: false });
    expect(error).toBeUndefined();
    expect(askedQuestions).toEqual(['sentry']);
  });
});
