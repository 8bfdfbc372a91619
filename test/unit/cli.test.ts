// The real command line (node scripts/django-prod.ts, i.e. yeoman-environment's option parser),
// not options handed to the generator object: --help, what a run prints, and --ask-answered.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BARE_FLAG_ANSWERS, bareFlagArgs } from '../helpers/bare-flags.ts';

const CLI = fileURLToPath(new URL('../../scripts/django-prod.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/existing/startproject', import.meta.url));
const BASE = ['--tls-mode', 'self-signed', '--domain', 'app.test', '--cpus', '2', '--memory-mb', '4096'];

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, output: stripVTControlCharacters(result.stdout + result.stderr) };
}

/**
 * Runs the CLI with piped stdin and accepts every prompt's default by pressing Enter until it
 * exits (a key pressed between two prompts is dropped by inquirer, so it keeps pressing).
 */
function cliAcceptingDefaults(args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let presses = 0;
    const enter = setInterval(() => {
      if (presses++ > 150) child.kill();
      else child.stdin.write('\n');
    }, 100);
    child.on('error', reject);
    // A press already on its way when the CLI exits fails with EPIPE: expected, not a test error.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.on('exit', () => clearInterval(enter));
    child.on('close', (status) => {
      clearInterval(enter);
      resolve({ status, output: stripVTControlCharacters(output) });
    });
  });
}

const workDir = () => mkdtempSync(path.join(os.tmpdir(), 'cli-'));

describe('node scripts/django-prod.ts', () => {
  it('--help lists --ask-answered with what it does here', () => {
    const { status, output } = cli(['--help'], workDir());
    expect(status).toBe(0);
    // \s+ between words: commander wraps the text at a column that depends on the longest flag.
    expect(output).toMatch(/--ask-answered\s+Regeneration:\s+ask\s+every\s+question\s+again,\s+stored\s+answers\s+as\s+defaults/);
  });

  it('reports files as created, relative to the target, without install or deprecation noise', () => {
    const cwd = workDir();
    const { status, output } = cli(['nested/site', '--yes', ...BASE], cwd);
    expect(status).toBe(0);
    expect(output).toContain('   create compose.yaml\n');
    expect(output).toContain('   create .yo-rc.json\n');
    expect(output).not.toMatch(/ force |nested\/site\/compose|package\.json|deprecated/);
    expect(output).toContain('Next: cd nested/site && make verify');
    // What is left, read from what was written: alerts with no receiver, the blank .env values, and
    // git (the target is in none).
    expect(output).toMatch(
      /Still to do \(in nested\/site\):\n {2}- alerts go nowhere: .*\n {2}- fill in \.env .*: SENTRY_DSN\n {2}- git init && git add -A && git commit/,
    );
  });

  it('reads every yes/no flag given without a value as true, and the flag after it as a flag', () => {
    const cwd = workDir();
    const { status, output } = cli(['site', ...bareFlagArgs()], cwd);
    expect(status, output).toBe(0);
    const answers = JSON.parse(readFileSync(path.join(cwd, 'site', '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
    expect(BARE_FLAG_ANSWERS.length).toBeGreaterThan(8);
    for (const name of BARE_FLAG_ANSWERS) expect(answers[name], name).toBe(true);
    expect(answers.hstsSeconds).toBe(31536000);
  });

  it("still takes true and false as a yes/no flag's value; anything else is refused in one line", () => {
    const cwd = workDir();
    expect(cli(['on', '--celery', 'true', '--sentry', 'false', '--yes', ...BASE], cwd).status).toBe(0);
    const answers = JSON.parse(readFileSync(path.join(cwd, 'on', '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers;
    expect([answers.celery, answers.sentry]).toEqual([true, false]);
    const refused = cli(['bad', '--celery', 'maybe', '--yes', ...BASE], cwd);
    expect(refused.status).toBe(2);
    expect(refused.output.trim()).toBe('Error: Invalid answer "celery" (--celery): "maybe" must be true or false');
  });

  it('--existing with no value is existing-project mode, and --yes after it still counts', () => {
    const cwd = workDir();
    cpSync(FIXTURE, cwd, { recursive: true });
    const { status, output } = cli(['--existing', '--yes', '--name', 'shop', ...BASE], cwd);
    expect(status, output).toBe(0);
    expect(output).toContain('Existing Django project detected');
    expect(JSON.parse(readFileSync(path.join(cwd, '.yo-rc.json'), 'utf8'))['generator-django-prod'].answers.existing).toBe(true);
    // Not silently "false" (which would skip detection and treat the project's files as ours).
    const other = workDir();
    cpSync(FIXTURE, other, { recursive: true });
    expect(cli(['--existing', 'maybe', '--yes', ...BASE], other).output.trim()).toBe(
      'Error: Invalid answer "existing" (--existing): "maybe" must be true or false',
    );
  });

  it('--ask-answered asks the stored answers again; without it a regeneration asks nothing', { timeout: 60_000 }, async () => {
    const cwd = workDir();
    expect(cli(['site', '--yes', ...BASE], cwd).status).toBe(0);
    const stored = readFileSync(path.join(cwd, 'site', '.yo-rc.json'), 'utf8');
    const domainQuestion = 'Primary domain the site is served on';

    const quiet = await cliAcceptingDefaults(['site', '--cpus', '2', '--memory-mb', '4096'], cwd);
    expect(quiet.status).toBe(0);
    expect(quiet.output).not.toContain(domainQuestion);

    const asking = await cliAcceptingDefaults(['site', '--ask-answered', '--cpus', '2', '--memory-mb', '4096'], cwd);
    expect(asking.status).toBe(0);
    expect(asking.output).toContain(`${domainQuestion} app.test`);
    expect(asking.output).toContain('Customize advanced settings?');
    expect(asking.output).not.toContain('deprecated');
    // Every default was the stored answer: nothing changed.
    expect(readFileSync(path.join(cwd, 'site', '.yo-rc.json'), 'utf8')).toBe(stored);
  });
});
