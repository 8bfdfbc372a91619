// Thin wrappers over the docker CLI for tests; failures throw with the command's output.
import { execFileSync, spawn, spawnSync, type ExecFileSyncOptions } from 'node:child_process';

export function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      ...options,
    }) as string;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

/** Fails (never skips) when no engine answers: the Docker tests are part of CI. */
export function requireDocker(): void {
  run('docker', ['version', '--format', '{{.Server.Version}}']);
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  volumes?: { type: 'bind' | 'volume'; source: string; target: string; read_only?: boolean }[];
}

/** When Docker received a line of `docker logs --timestamps` (its RFC 3339 prefix), as epoch milliseconds. */
export const logLineTime = (line: string): number => Date.parse(line.slice(0, line.indexOf(' ')));

/**
 * nginx's error lines within a second of a failed request: why it failed. `dockerArgs` ends in
 * `logs --timestamps <nginx>` (after `exec <node> docker` on a Swarm node); nginx writes its error
 * log to stderr, so both streams are read.
 */
export function nginxErrorsNear(dockerArgs: string[], failures: readonly { at: number }[]): string {
  const { stdout, stderr } = spawnSync('docker', dockerArgs, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const errors = `${stdout}${stderr}`.split('\n').filter((line) => /\[(error|crit|alert)\]/.test(line));
  const near = failures.flatMap((failure) => errors.filter((line) => Math.abs(logLineTime(line) - failure.at) < 1000));
  return `nginx errors near the failures:\n${near.join('\n')}`;
}

/** The project's Compose configuration as Compose resolves it; env adds variables (COMPOSE_PROJECT_NAME, ...). */
export const composeConfig = (dir: string, env: Record<string, string> = {}): { services: Record<string, ComposeService> } =>
  JSON.parse(run('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, env: { ...process.env, ...env } }));

export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs a command without blocking the event loop (a load loop keeps running meanwhile);
 * resolves with its exit code and output, killing it after timeoutMs.
 */
export function runAsync(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}
