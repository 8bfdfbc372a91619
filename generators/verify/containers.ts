// Small dockerode helpers the probes share: run a command in a container, read its logs.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  user?: string;
  env?: string[];
  /** Gives up (and reports exit code 124, like coreutils' timeout) after this long. */
  timeoutMs?: number;
}

/** `docker exec` without a TTY: separate stdout/stderr and the real exit code. */
export async function execIn(docker: Docker, container: Docker.Container, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: false,
    Tty: false,
    ...(options.user ? { User: options.user } : {}),
    ...(options.env ? { Env: options.env } : {}),
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const out = new PassThrough().on('data', (chunk: Buffer) => stdout.push(chunk));
  const err = new PassThrough().on('data', (chunk: Buffer) => stderr.push(chunk));
  docker.modem.demuxStream(stream, out, err);
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    new Promise<boolean>((resolve) => {
      stream.on('end', () => resolve(true));
      stream.on('close', () => resolve(true));
      stream.on('error', () => resolve(true));
    }),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
  if (!finished) {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    return { exitCode: 124, stdout: text(stdout), stderr: `${text(stderr)}\n(timed out after ${timeoutMs / 1000} s)` };
  }
  // The exit code is set a moment after the stream ends.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const state = await exec.inspect();
    if (!state.Running && state.ExitCode !== null) return { exitCode: state.ExitCode, stdout: text(stdout), stderr: text(stderr) };
    await sleep(100);
  }
  return { exitCode: -1, stdout: text(stdout), stderr: `${text(stderr)}\n(exit code unknown)` };
}

/** A container's stdout+stderr as text (non-TTY logs are multiplexed: 8-byte frame headers). */
export async function logsOf(container: Docker.Container, options: { tail?: number; sinceSeconds?: number } = {}): Promise<string> {
  const raw = await container.logs({
    stdout: true,
    stderr: true,
    follow: false,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.sinceSeconds !== undefined ? { since: options.sinceSeconds } : {}),
  });
  return demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
}

export function demuxBuffer(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  // Frame header: stream type (0,1,2) + 3 zero bytes + big-endian length.
  while (offset + 8 <= raw.length && raw[offset]! <= 2 && raw[offset + 1] === 0 && raw[offset + 2] === 0 && raw[offset + 3] === 0) {
    const length = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset === 0) return raw.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retries `attempt` until it returns a value (not undefined) or the deadline passes. */
export async function poll<T>(attempt: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 2000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() + intervalMs > deadline) return undefined;
    await sleep(intervalMs);
  }
}
