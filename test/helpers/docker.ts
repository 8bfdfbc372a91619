// Thin wrappers over the docker CLI for tests; failures throw with the command's output.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';

export function run(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options }) as string;
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
  volumes?: { type: 'bind' | 'volume'; source: string; target: string; read_only?: boolean }[];
}

export const composeConfig = (dir: string): { services: Record<string, ComposeService> } =>
  JSON.parse(run('docker', ['compose', 'config', '--format', 'json'], { cwd: dir }));
