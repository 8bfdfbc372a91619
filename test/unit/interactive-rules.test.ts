// No answer is lost to a late refusal: every rule between two answers is checked at the question
// that completes it, which is asked again (with the problem shown) until the answers agree; the
// run then finishes with every other answer kept. Driven through yeoman-test's prompt stand-in,
// which answers a question again with the next value of its sequence.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADVANCED_GATE } from '../../generators/lib/interview.ts';
import { regenerate } from '../helpers/regenerate.ts';

const storedAnswers = (dir: string) => JSON.parse(readFileSync(path.join(dir, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
const emptyDir = () => mkdtempSync(path.join(os.tmpdir(), 'interactive-rules-'));
const timesAsked = (asked: string[], name: string) => asked.filter((question) => question === name).length;

interface Rule {
  /** The rule, as the test names it. */
  rule: string;
  flags?: Record<string, unknown>;
  answers?: Record<string, unknown>;
  /** The question that completes the rule, its refused answer, then the accepted one. */
  completedBy: string;
  sequence: [unknown, unknown];
  /** The answer the refusal names. */
  refused: string;
  /** Answers stored in the end. */
  stored: Record<string, unknown>;
}

const RULES: Rule[] = [
  {
    rule: 'HSTS preload needs a max-age of a year (both advanced; preload is a yes/no)',
    answers: { [ADVANCED_GATE]: true, hstsSeconds: '3600' },
    completedBy: 'hstsPreload',
    sequence: [true, false],
    refused: 'hstsPreload',
    stored: { hstsSeconds: 3600, hstsPreload: false },
  },
  {
    rule: "a domain given by flag must be public for Let's Encrypt (the TLS mode is a choice)",
    flags: { domain: 'localhost' },
    completedBy: 'tlsMode',
    sequence: ['letsencrypt', 'self-signed'],
    refused: 'domain',
    stored: { domain: 'localhost', tlsMode: 'self-signed' },
  },
  {
    rule: 'extra domains must not repeat the primary one',
    answers: { domain: 'shop.example.com' },
    completedBy: 'extraDomains',
    sequence: ['shop.example.com', 'www.shop.example.com'],
    refused: 'extraDomains',
    stored: { domain: 'shop.example.com', extraDomains: ['www.shop.example.com'] },
  },
  {
    rule: 'the ACME account needs a public e-mail address',
    answers: { tlsMode: 'letsencrypt', domain: 'shop.example.com' },
    completedBy: 'email',
    sequence: ['admin@localhost', 'ops@shop.example.com'],
    refused: 'email',
    stored: { email: 'ops@shop.example.com' },
  },
  {
    rule: 'an http media endpoint needs the allow answer, asked after it (advanced, a yes/no)',
    flags: { mediaStorage: 's3' },
    answers: { [ADVANCED_GATE]: true, s3Endpoint: 'http://minio.internal:9000' },
    completedBy: 's3AllowHttp',
    sequence: [false, true],
    refused: 's3Endpoint',
    stored: { s3Endpoint: 'http://minio.internal:9000', s3AllowHttp: true },
  },
  {
    rule: 'an http media endpoint with the advanced questions declined: the gate is asked again',
    flags: { mediaStorage: 's3' },
    answers: { s3Endpoint: 'http://minio.internal:9000', s3AllowHttp: true },
    completedBy: ADVANCED_GATE,
    sequence: [false, true],
    refused: 's3Endpoint',
    stored: { s3Endpoint: 'http://minio.internal:9000', s3AllowHttp: true },
  },
  {
    rule: 'an http backup endpoint needs its allow answer, asked before it (an input question)',
    answers: { [ADVANCED_GATE]: true, backupS3Bucket: 'site-backups', backupS3AllowHttp: false },
    completedBy: 'backupS3Endpoint',
    sequence: ['http://minio.internal:9000', 'https://s3.example.com'],
    refused: 'backupS3Endpoint',
    stored: { backupS3Bucket: 'site-backups', backupS3Endpoint: 'https://s3.example.com' },
  },
];

describe('an interactive run checks each rule between two answers where it is completed', () => {
  it.each(RULES.map((rule) => [rule.rule, rule] as const))(
    '%s',
    async (_name, { flags, answers, completedBy, sequence, refused, stored }) => {
      const dir = emptyDir();
      // Answered first, so a late refusal would lose it.
      const given = { name: 'kept-site', ...answers };
      const outcome = await regenerate(dir, flags, { yes: false, answers: given, sequences: { [completedBy]: sequence } });
      expect(outcome.error).toBeUndefined();
      expect(timesAsked(outcome.askedQuestions, completedBy)).toBe(2);
      expect(outcome.log).toMatch(new RegExp(`Invalid answer "${refused}" .*: answer again`));
      expect(storedAnswers(dir)).toMatchObject({ name: 'kept-site', ...stored });
    },
  );

  it('accepts the same answers at once when they agree', async () => {
    const dir = emptyDir();
    const answers = { [ADVANCED_GATE]: true, hstsSeconds: '31536000', hstsPreload: true };
    const outcome = await regenerate(dir, {}, { yes: false, answers });
    expect(outcome.error).toBeUndefined();
    expect(timesAsked(outcome.askedQuestions, 'hstsPreload')).toBe(1);
    expect(storedAnswers(dir)).toMatchObject({ hstsSeconds: 31536000, hstsPreload: true });
  });

  it('refuses flags that contradict each other before asking anything', async () => {
    const outcome = await regenerate(emptyDir(), { hstsPreload: true, hstsSeconds: 3600 }, { yes: false });
    expect(outcome.askedQuestions).toEqual([]);
    expect(outcome.error?.message).toBe('Invalid answer "hstsPreload" (--hsts-preload): true needs --hsts-seconds 31536000 or more');
    expect(outcome.error?.code).toBe(2);
  });
});
