// The package as users get it: `npm pack` of this checkout, installed with the real `yo` into a
// scratch prefix (`npm install -g --prefix`), and run as a normal user: yo drops root privileges,
// so as root every command runs as nobody (setpriv) with a home of its own.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The yo users install beside the generator (not a dependency of this repository). */
export const YO_SPEC = 'yo@7.0.1';
const NOBODY = 65534;

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, colours removed. */
  output: string;
}

export interface Installed {
  /** Where the test's files live; readable by the user the commands run as. */
  scratch: string;
  /** The npm prefix: bin/yo, lib/node_modules/{yo,generator-django-prod}. */
  prefix: string;
  tarball: string;
  /** The tarball's files, as npm pack lists them (paths inside the package). */
  packed: string[];
  packSeconds: number;
  installSeconds: number;
  /** A new directory under scratch that the commands' user may write (with a copy of `from`'s files). */
  workDir(name: string, from?: string): string;
  /**
   * Runs a command of the prefix's bin (yo, django-prod-verify) as a normal user in cwd; with
   * fullDisk, cwd is first mounted over with a 64 KiB tmpfs (in a mount namespace of its own).
   */
  run(command: string, args: readonly string[], cwd: string, options?: { input?: string; fullDisk?: boolean }): Promise<Ran>;
}

const asRoot = () => process.getuid?.() === 0;

function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Packs this checkout (its prepack script builds dist/) and installs the tarball with yo, from the npm cache where it can. */
export function packAndInstall(): Installed {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'package-'));
  chmodSync(scratch, 0o755);
  const prefix = path.join(scratch, 'prefix');
  let started = performance.now();
  const [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], REPO_ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const packSeconds = (performance.now() - started) / 1000;
  const tarball = path.join(scratch, pack!.filename);
  started = performance.now();
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball, YO_SPEC], scratch);
  const installSeconds = (performance.now() - started) / 1000;
  // yo's shebang finds node on the PATH: this Node, where the other user can reach it (not under /root).
  const node = path.join(prefix, 'bin', 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  const home = path.join(scratch, 'home');
  mkdirSync(home);
  if (asRoot()) chownSync(home, NOBODY, NOBODY);
  const env = {
    PATH: [path.join(prefix, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    LANG: 'C.UTF-8',
    // No registry round trip per run for yo's "update available" notice.
    NO_UPDATE_NOTIFIER: '1',
    NO_COLOR: '1',
  };
  return {
    scratch,
    prefix,
    tarball,
    packed: pack!.files.map((file) => file.path),
    packSeconds,
    installSeconds,
    workDir(name, from) {
      const dir = path.join(scratch, name);
      mkdirSync(dir, { recursive: true });
      if (from) cpSync(from, dir, { recursive: true });
      if (asRoot()) for (const file of ['', ...listFiles(dir, '', true)]) chownSync(path.join(dir, file), NOBODY, NOBODY);
      return dir;
    },
    run(command, args, cwd, { input, fullDisk = false } = {}) {
      const [file, argv] = commandLine([command, ...args], fullDisk ? cwd : undefined);
      return new Promise((resolve, reject) => {
        const child = spawn(file, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr, output: stripVTControlCharacters(stdout + stderr) }));
        child.stdin.end(input ?? '');
      });
    },
  };
}

/**
 * The command as the user it runs as: as root, nobody (setpriv); otherwise the caller. With a
 * tmpfs directory, a private mount namespace mounts it first (as root directly; otherwise in a
 * user namespace, then back to the caller's uid in a nested one).
 */
function commandLine(command: readonly string[], tmpfs: string | undefined): [string, string[]] {
  const asUser = asRoot() ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'] : [];
  if (tmpfs === undefined) return asUser.length > 0 ? [asUser[0]!, [...asUser.slice(1), ...command]] : [command[0]!, command.slice(1)];
  const mount = 'mount -t tmpfs -o size=64k,mode=0777 tmpfs "$0" && cd "$0" && exec "$@"';
  const namespace = asRoot() ? ['unshare', '--mount', '--'] : ['unshare', '--user', '--map-root-user', '--mount', '--'];
  const back = asRoot() ? asUser : ['unshare', '--user', `--map-user=${process.getuid!()}`, `--map-group=${process.getgid!()}`, '--'];
  return [namespace[0]!, [...namespace.slice(1), 'sh', '-c', mount, tmpfs, ...back, ...command]];
}

/** Every file path under dir, relative, sorted (with the directories too when asked). */
export function listFiles(dir: string, relative = '', directories = false): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const file = path.join(relative, entry.name);
      return entry.isDirectory() ? [...(directories ? [file] : []), ...listFiles(dir, file, directories)] : [file];
    });
}
