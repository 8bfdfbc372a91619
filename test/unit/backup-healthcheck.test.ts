// The backup container's healthcheck, run with bash against a scratch backup directory: it must
// turn unhealthy when no successful backup is younger than the schedule's longest interval plus
// grace, also when none ever succeeded since cron started.
import { FEATURES } from '../../features/index.ts';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { renderTree } from '../../generators/lib/render.ts';

function healthcheckFor(schedule: string): string {
  const tree = renderTree(
    buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096, backupSchedule: schedule }, FEATURES), FEATURES, '0.0.0'),
  );
  return tree.get('backup/healthcheck.sh')!.content;
}

/** Runs the healthcheck with a stub pgrep (cron running or not) and state files aged as given. */
function runHealthcheck(script: string, state: { lastRun?: string; successAgo?: number; cronStartedAgo?: number; cron?: boolean }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backup-health-'));
  const bin = path.join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin, path.join(dir, 'backups')]);
  writeFileSync(path.join(bin, 'pgrep'), `#!/bin/sh\nexit ${state.cron === false ? 1 : 0}\n`);
  chmodSync(path.join(bin, 'pgrep'), 0o755);
  writeFileSync(path.join(dir, 'healthcheck.sh'), script);
  const now = Math.floor(Date.now() / 1000);
  if (state.lastRun) writeFileSync(path.join(dir, 'backups', '.last-run'), `${state.lastRun}\n`);
  if (state.successAgo !== undefined) writeFileSync(path.join(dir, 'backups', '.last-success'), `${now - state.successAgo}\n`);
  if (state.cronStartedAgo !== undefined) writeFileSync(path.join(dir, 'cron-started'), `${now - state.cronStartedAgo}\n`);
  const result = spawnSync('bash', [path.join(dir, 'healthcheck.sh')], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env['PATH']}`,
      BACKUP_DIR: path.join(dir, 'backups'),
      BACKUP_CRON_STARTED_FILE: path.join(dir, 'cron-started'),
    },
  });
  return { status: result.status, out: result.stdout.trim() };
}

describe('backup/healthcheck.sh', () => {
  const hourly = healthcheckFor('0 * * * *');
  const limit = 3600 + 7200;

  it('renders the limit computed from the schedule', () => {
    expect(hourly).toContain(`overdue_after=${limit}`);
    expect(healthcheckFor('15 3 * * 0')).toContain(`overdue_after=${7 * 86400 + 7200}`);
  });

  it.each([
    ['a recent success', { lastRun: 'ok x', successAgo: 600, cronStartedAgo: 99999 }, 0, /last successful backup 60\d s ago/],
    [
      'an overdue success',
      { lastRun: 'ok x', successAgo: limit + 60, cronStartedAgo: 99999 },
      1,
      /^unhealthy: the last successful backup is \d+ s old; the schedule allows 10800 s$/,
    ],
    ['no backup yet, cron just started', { cronStartedAgo: 60 }, 0, /no backup yet/],
    [
      'no backup since cron started longer ago than the schedule allows',
      { cronStartedAgo: limit + 60 },
      1,
      /^unhealthy: no successful backup in the \d+ s since cron started/,
    ],
    ['a failed last run', { lastRun: 'failed 2026-01-01T00:00:00Z dumping', successAgo: 60 }, 1, /^unhealthy: last backup failed/],
    ['cron not running', { successAgo: 60, cron: false }, 1, /^unhealthy: cron is not running$/],
  ])('%s', (_label, state, status, output) => {
    const result = runHealthcheck(hourly, state);
    expect(result.out).toMatch(output);
    expect(result.status).toBe(status);
  });
});
