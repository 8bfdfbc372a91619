import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../helpers/generate.ts';

/** Runs the generator in a fresh directory that may hold seed files; returns the error and what is left there. */
async function runExpectingRefusal(flags: Record<string, unknown>, seed: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
  for (const [file, content] of Object.entries(seed)) writeFileSync(path.join(dir, file), content);
  const error = await generateProject(flags, { cwd: dir }).then(() => undefined, (caught: Error) => caught);
  return { error, left: readdirSync(dir).sort() };
}

describe('bad input stops with one line and writes nothing', () => {
  it.each([
    ['a name that is no identifier', { name: '1abc' }, /Invalid answer "name"/],
    ['a package shadowing django', { packageName: 'django' }, /shadow the Python module "django"/],
    ['a bad domain', { domain: 'exa mple.com' }, /Invalid answer "domain"/],
    ['a bad e-mail', { email: 'root@' }, /Invalid answer "email"/],
    ['zero cores', { cpus: 0 }, /Invalid answer "cpus"/],
    ['negative memory', { memoryMb: -1 }, /Invalid answer "memoryMb"/],
  ])('%s', async (_label, flags, expected) => {
    const { error, left } = await runExpectingRefusal(flags);
    expect(error?.message).toMatch(expected);
    expect(error?.message).not.toContain('\n');
    expect(left).toEqual([]);
  });

  it('a non-empty target without --force', async () => {
    const { error, left } = await runExpectingRefusal({}, { 'notes.txt': 'mine' });
    expect(error?.message).toMatch(/is not empty \(1 entries\): choose an empty directory or pass --force/);
    expect(left).toEqual(['notes.txt']);
  });

  it('a malformed answers file', async () => {
    const { error, left } = await runExpectingRefusal({ answers: 'answers.json' }, { 'answers.json': '{"name": ' });
    expect(error?.message).toMatch(/^Answers file answers.json: not valid JSON/);
    expect(left).toEqual(['answers.json']);
  });

  it('an answers file with an unknown key', async () => {
    const { error } = await runExpectingRefusal({ answers: 'answers.json', force: true }, { 'answers.json': '{"colour": "blue"}' });
    expect(error?.message).toMatch(/unknown answer "colour"; allowed: name, packageName/);
  });

  it('an answers file with a bad value', async () => {
    const { error, left } = await runExpectingRefusal({ answers: 'answers.json', force: true }, { 'answers.json': '{"domain": "exa mple.com"}' });
    expect(error?.message).toMatch(/Invalid answer "domain"/);
    expect(left).toEqual(['answers.json']);
  });

  it('--force lets a non-empty target through', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await generateProject({ force: true, tlsMode: 'self-signed', domain: 'app.test' }, { cwd: dir });
    expect(readdirSync(dir)).toContain('compose.yaml');
  });
});

describe('the custom ACME CA bundle', () => {
  it('must be a readable PEM file', async () => {
    const { error, left } = await runExpectingRefusal({ tlsMode: 'acme', acmeDirectory: 'https://ca.internal/dir', acmeCaBundle: '/nonexistent/ca.pem' });
    expect(error?.message).toMatch(/Invalid answer "acmeCaBundle" \(--acme-ca-bundle\): "\/nonexistent\/ca.pem" must name a readable PEM file/);
    expect(left).toEqual([]);
  });
});
