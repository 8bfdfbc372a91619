// The benches generate projects as a user does: a new node process running this checkout's
// runner with --yes (no questions), its output discarded.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../scripts/django-prod.ts', import.meta.url));

/** The hardware every bench answers (this project's 2-core CI machine). */
export const BENCH_HARDWARE = ['--cpus', '2', '--memory-mb', '4096'];

export function generateProject(target: string, flags: string[]): void {
  execFileSync(process.execPath, [cli, target, '--yes', ...flags], { stdio: 'ignore' });
}
