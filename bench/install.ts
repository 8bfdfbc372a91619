// What installing costs, from the npm cache (warm after each side's first run). Prints numbers;
// asserts nothing.
//   node bench/install.ts            (BENCH_INSTALL_RUNS=2 runs per side)
// - a contributor's `npm ci` with this lockfile, beside the newest release tag whose lockfile
//   differs (that tag's whole tree, since its `prepare` script builds from the sources);
// - a user's `npm install -g` of the packed tarball (with and without yo), beside cookiecutter's
//   install as Debian's apt would do it on this machine (its packages downloaded and unpacked
//   into a scratch directory: nothing is installed on the machine).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env['BENCH_INSTALL_RUNS'] ?? 2);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const YO = 'yo@7.0.1';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-install-'));

const run = (command: string, args: string[], cwd = REPO) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });

function timed(action: () => void): number {
  const started = performance.now();
  action();
  return (performance.now() - started) / 1000;
}

const megabytes = (dir: string) => Number(run('du', ['-sk', dir]).split('\t')[0]) / 1024;
/** Installed packages under a node_modules tree (each package.json of a package folder). */
const packagesIn = (dir: string) =>
  run('find', [dir, '-name', 'package.json', '-path', '*/node_modules/*'])
    .split('\n')
    .filter((file) => /node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(file)).length;
const seconds = (values: number[]) => values.map((value) => `${value.toFixed(1)} s`).join(', ');

/** npm ci in a checkout's tree, as scripts/setup.sh runs it, RUNS times. */
function contributorInstall(label: string, dir: string): void {
  const times = Array.from({ length: RUNS }, () => timed(() => run('npm', ['ci', '--no-audit', '--no-fund'], dir)));
  const node_modules = path.join(dir, 'node_modules');
  console.log(
    `npm ci at ${label.padEnd(28)} ${seconds(times)}; ${megabytes(node_modules).toFixed(0)} MB, ${packagesIn(node_modules)} packages`,
  );
}

/** A checkout of a commit's tree (git archive) in a fresh directory. */
function treeOf(commit: string): string {
  const dir = mkdtempSync(path.join(scratch, 'tree-'));
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: REPO });
  return dir;
}

/** The newest release tag whose lockfile differs from this checkout's. */
function previousRelease(current: string): string | undefined {
  const tags = run('git', ['tag', '--list', 'v*', '--sort=-version:refname']).split('\n').filter(Boolean);
  return tags.find((tag) => run('git', ['show', `${tag}:package-lock.json`]) !== current);
}

/** npm install -g of the tarball (and yo) into a fresh prefix, RUNS times. */
function userInstall(label: string, tarball: string, extra: string[]): void {
  let prefix = '';
  const times = Array.from({ length: RUNS }, () => {
    prefix = mkdtempSync(path.join(scratch, 'user-'));
    return timed(() =>
      run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball, ...extra]),
    );
  });
  const modules = path.join(prefix, 'lib', 'node_modules');
  const ours = path.join(modules, 'generator-django-prod');
  console.log(
    `npm install -g ${label.padEnd(26)} ${seconds(times)}; ${megabytes(modules).toFixed(0)} MB, ${packagesIn(modules)} packages` +
      ` (generator-django-prod and its dependencies: ${megabytes(ours).toFixed(0)} MB, ${packagesIn(ours)} packages)`,
  );
}

/** cookiecutter from Debian: the packages apt would add to this machine, downloaded and unpacked. */
function cookiecutterInstall(): void {
  const simulated = spawnSync('apt-get', ['install', '--simulate', '--no-install-recommends', 'cookiecutter'], { encoding: 'utf8' });
  const packages = [...simulated.stdout.matchAll(/^Inst (\S+)/gm)].map((match) => match[1]!);
  if (simulated.status !== 0 || packages.length === 0) {
    console.log(`cookiecutter (apt): ${packages.length === 0 ? 'already installed here' : 'apt-get cannot plan it'}; not measured`);
    return;
  }
  const dir = mkdtempSync(path.join(scratch, 'cookiecutter-'));
  const root = path.join(dir, 'root');
  const times = timed(() => {
    run('apt-get', ['download', ...packages], dir);
    for (const deb of readdirSync(dir).filter((file) => file.endsWith('.deb'))) run('dpkg-deb', ['-x', path.join(dir, deb), root]);
  });
  console.log(
    `cookiecutter (Debian apt, download + unpack)  ${times.toFixed(1)} s; ${megabytes(root).toFixed(0)} MB, ${packages.length} packages on top of this machine's python3`,
  );
}

try {
  const lockfile = readFileSync(path.join(REPO, 'package-lock.json'), 'utf8');
  contributorInstall('HEAD', treeOf('HEAD'));
  const previous = previousRelease(lockfile);
  if (previous) contributorInstall(previous, treeOf(previous));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch])) as {
    filename: string;
    size: number;
    entryCount: number;
  }[];
  console.log(`tarball ${packed!.filename}: ${(packed!.size / 1024).toFixed(0)} kB, ${packed!.entryCount} files (prepack builds dist/)`);
  const tarball = path.join(scratch, packed!.filename);
  userInstall('the tarball', tarball, []);
  userInstall(`the tarball + ${YO}`, tarball, [YO]);
  cookiecutterInstall();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
