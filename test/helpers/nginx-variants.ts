// Compose files that change one thing of a generated project's nginx, for the tests and benches that
// show what that thing is worth: each returns the file's name (relative to the project, for -f).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The generated conf.d/ with upstream.conf's keepalive turned off (`keepalive 0`: nginx 1.29.7 and
 * later keep connections by default): nginx opens a new connection to gunicorn per request (the
 * generated configuration until 2026-11-30). Throws when there is no keepalive line.
 */
export function writeNoKeepaliveNginx(projectDir: string): string {
  const copy = path.join(projectDir, 'nginx-no-keepalive');
  cpSync(path.join(projectDir, 'nginx', 'conf.d'), copy, { recursive: true });
  const upstream = path.join(copy, 'upstream.conf');
  const generated = readFileSync(upstream, 'utf8');
  if (!/^\s*keepalive \d+;/m.test(generated)) throw new Error(`${upstream} has no keepalive line to turn off`);
  writeFileSync(upstream, generated.replace(/^\s*keepalive_timeout .*\n/gm, '').replace(/^(\s*)keepalive \d+;/m, '$1keepalive 0;'));
  const file = 'compose.no-keepalive.yaml';
  writeFileSync(path.join(projectDir, file), 'services:\n  nginx:\n    volumes:\n      - ./nginx-no-keepalive:/etc/nginx/conf.d:ro\n');
  return file;
}

/** nginx with the kernel's default TIME_WAIT port reuse (2: loopback only) instead of the generated 1. */
export function writeKernelDefaultPortReuse(projectDir: string): string {
  const file = 'compose.kernel-default.yaml';
  writeFileSync(path.join(projectDir, file), 'services:\n  nginx:\n    sysctls:\n      net.ipv4.tcp_tw_reuse: 2\n');
  return file;
}
