// Wall time of generating the default profile, as a user runs it (a new node process per run, cold
// module loading included). Prints numbers; asserts nothing.
//   node bench/generate.ts
//   COOKIECUTTER_DJANGO=/path/to/cookiecutter-django node bench/generate.ts
// With a checkout of cookiecutter-django (and `cookiecutter` on the PATH: apt-get install cookiecutter),
// the same job there (Docker, Celery and Sentry on, no input) runs interleaved with ours and the
// ratio is printed; its hooks are emptied in a copy first (they only delete unused files and make
// secrets), so both sides measure rendering.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_HARDWARE, generateProject } from './generate-project.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-generate-'));

function timed(run: (target: string) => void): number {
  const target = mkdtempSync(path.join(scratch, 'run-'));
  const started = process.hrtime.bigint();
  run(target);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(target, { recursive: true, force: true });
  return seconds;
}

const ours = (target: string) => generateProject(path.join(target, 'my-site'), BENCH_HARDWARE);

let cookiecutter: ((target: string) => void) | undefined;
const checkout = process.env['COOKIECUTTER_DJANGO'];
if (checkout) {
  const template = path.join(scratch, 'cookiecutter-django');
  cpSync(checkout, template, { recursive: true, filter: (source) => !source.includes(`${path.sep}.git`) });
  for (const hook of ['pre_gen_project.py', 'post_gen_project.py']) writeFileSync(path.join(template, 'hooks', hook), '');
  cookiecutter = (target) =>
    execFileSync('cookiecutter', ['--no-input', '-o', target, template, 'use_docker=y', 'use_celery=y', 'use_sentry=y'], {
      stdio: 'ignore',
    });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const summary = (values: number[]) =>
  `min ${Math.min(...values).toFixed(3)} s, median ${median(values).toFixed(3)} s, max ${Math.max(...values).toFixed(3)} s`;

try {
  const seconds: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    seconds.push(timed(ours));
    if (cookiecutter) {
      theirs.push(timed(cookiecutter));
      ratios.push(seconds.at(-1)! / theirs.at(-1)!);
    }
  }
  console.log(`generate default profile (${RUNS} runs, node ${process.version}, ${os.availableParallelism()} cores): ${summary(seconds)}`);
  if (cookiecutter) {
    console.log(`cookiecutter-django, same job (interleaved):  ${summary(theirs)}`);
    console.log(
      `ours / cookiecutter-django, run by run: median ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
