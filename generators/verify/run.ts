// `yo django-prod:verify` as a plain function, so the test suite runs exactly what users run:
// read the stored answers, boot the repository's stack, run every probe, report, tear down.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import type { Answers } from '../lib/answers.ts';
import { wrap } from '../lib/cli.ts';
import { buildRenderContext, type InputFiles } from '../lib/context.ts';
import type { Feature } from '../lib/feature.ts';
import { detectProject, directoryReader } from '../lib/detect/index.ts';
import { placementFor } from '../lib/existing-mode.ts';
import { PRISTINE_PATH, parsePristine } from '../lib/pristine.ts';
import { GENERATOR_VERSION } from '../lib/version.ts';
import { probesFor } from './probes/index.ts';
import { ProbeSkipped, type ProbeContext } from './probes/probe.ts';
import { notGenerated, readStoredAnswers, VerifyError } from './stored-answers.ts';
import { bootStack, pingDocker, requireDockerVersions, type Log, type Stack } from './stack.ts';

export interface ProbeResult {
  probe: string;
  status: 'pass' | 'fail' | 'skip';
  seconds: number;
  detail: string;
}

export interface VerifyReport {
  project: string;
  results: ProbeResult[];
  /** true when no probe failed (skipped ones do not fail the run). */
  passed: boolean;
  buildSeconds: number;
  /** From `compose up` to every container healthy. */
  bootSeconds: number;
  /** Printed by runVerify too. */
  table: string;
  /** Set with keep: how to remove the stack. */
  downCommand?: string;
}

export interface VerifyOptions {
  repoDir: string;
  /** The feature registry (features/index.ts), passed down by the caller. */
  features: readonly Feature[];
  /** Leave the stack running after the probes (for debugging). */
  keep?: boolean;
  log?: Log;
  /** Run only these probes (by name); all by default. */
  only?: string[];
}

/** Existing-project mode: the same detection the generator made, so the render context is the same. */
function existingProjectFiles(repoDir: string, answers: Answers): InputFiles {
  if (!answers.existing) return {};
  const store = path.join(repoDir, PRISTINE_PATH);
  const generatedBefore = new Set(existsSync(store) ? parsePristine(readFileSync(store, 'utf8')).keys() : []);
  const project = detectProject(directoryReader(repoDir), repoDir, { settingsModule: answers.settingsModule || undefined });
  return { existingProject: project, placement: placementFor(repoDir, project, generatedBefore, answers.dependencyBot) };
}

/** The project's own secrets its settings require (answer appSecrets): filled in, or one line before anything is built. */
function requireProjectSecrets(repoDir: string, secrets: readonly { name: string; path: string; required: boolean }[]): void {
  const blank = secrets.filter(
    (secret) =>
      secret.required &&
      (!existsSync(path.join(repoDir, secret.path)) || readFileSync(path.join(repoDir, secret.path), 'utf8').trim() === ''),
  );
  if (blank.length > 0) {
    throw new VerifyError(
      `Secret files your settings require are empty: ${blank.map((secret) => `${secret.path} (${secret.name})`).join(', ')}; put each value in its file (one line), then run verify again`,
    );
  }
}

export async function runVerify({
  repoDir,
  features,
  keep = false,
  log = (line) => console.log(line),
  only,
}: VerifyOptions): Promise<VerifyReport> {
  const answers = readStoredAnswers(path.resolve(repoDir), features);
  // The same render context the generator used: names, domains, images and features are derived once, there.
  const render = buildRenderContext(answers, features, GENERATOR_VERSION, existingProjectFiles(path.resolve(repoDir), answers));
  // An existing project keeps the deployment (compose.yaml and all) in its own folder.
  const stackDir = path.resolve(repoDir, render.existing?.directory ?? '.');
  if (!existsSync(path.join(stackDir, 'compose.yaml'))) throw notGenerated(repoDir);
  requireProjectSecrets(path.resolve(repoDir), render.existing?.appSecrets ?? []);
  const docker = new Docker();
  await pingDocker(docker);
  const composeEnv = await requireDockerVersions(docker, log);
  const started = Date.now();
  const stack = await bootStack({ repoDir: stackDir, render, log, docker, composeEnv });

  // Ctrl-C must not leave a stack with volumes behind.
  const interrupted = () => {
    log('interrupted: removing the verify stack');
    void stack.down().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  const results: ProbeResult[] = [];
  try {
    const ctx: ProbeContext = { stack, render, domains: render.domains, log };
    for (const probe of await probesFor(render)) {
      if (only && !only.includes(probe.name)) continue;
      log(`probe ${probe.name} ...`);
      results.push(await runProbe(probe.name, () => probe.run(ctx)));
      const last = results.at(-1)!;
      log(`probe ${probe.name}: ${last.status.toUpperCase()} in ${last.seconds.toFixed(1)} s: ${last.detail}`);
    }
  } finally {
    process.removeListener('SIGINT', interrupted);
    if (keep) {
      log(
        `--keep: the stack is still running as project ${stack.project} (nginx on 127.0.0.1:${stack.ports.http} and :${stack.ports.https}); remove it with:\n  ${stack.downCommand}`,
      );
    } else {
      log('down: removing containers, networks and volumes');
      await stack.down();
    }
  }
  const table = formatTable(results);
  const passed = results.every((result) => result.status !== 'fail');
  const failed = results.filter((result) => result.status === 'fail').length;
  log(table);
  for (const warning of render.warnings) log(`warning: ${warning}`);
  log(
    `${results.filter((result) => result.status === 'pass').length} passed, ${failed} failed, ${results.filter((result) => result.status === 'skip').length} skipped ` +
      `(build ${stack.buildSeconds.toFixed(0)} s, boot to healthy ${stack.bootSeconds.toFixed(0)} s, total ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  return {
    project: stack.project,
    results,
    passed,
    table,
    buildSeconds: stack.buildSeconds,
    bootSeconds: stack.bootSeconds,
    ...(keep ? { downCommand: stack.downCommand } : {}),
  };
}

async function runProbe(name: string, run: () => Promise<string>): Promise<ProbeResult> {
  const start = Date.now();
  const seconds = () => (Date.now() - start) / 1000;
  try {
    const detail = await run();
    return { probe: name, status: 'pass', seconds: seconds(), detail };
  } catch (error) {
    const status = error instanceof ProbeSkipped ? 'skip' : 'fail';
    return { probe: name, status, seconds: seconds(), detail: (error as Error).message || String(error) };
  }
}

/** probe | result | seconds | detail, as a plain-text table (details wrap at a readable width). */
export function formatTable(results: ProbeResult[]): string {
  const width = Math.max(5, ...results.map((result) => result.probe.length));
  const detailWidth = 100;
  const head = `${'probe'.padEnd(width)} | result | seconds | detail`;
  const rule = `${'-'.repeat(width)}-+--------+---------+-${'-'.repeat(detailWidth)}`;
  const rows = results.flatMap((result) => {
    const chunks = wrap(result.detail.replace(/\s+/g, ' '), detailWidth);
    const first = `${result.probe.padEnd(width)} | ${result.status.toUpperCase().padEnd(6)} | ${result.seconds.toFixed(1).padStart(7)} | ${chunks[0] ?? ''}`;
    return [first, ...chunks.slice(1).map((chunk) => `${' '.repeat(width)} |        |         | ${chunk}`)];
  });
  return [head, rule, ...rows].join('\n');
}

export type { Stack };
