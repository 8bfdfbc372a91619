// Under verify, every Sentry reporter sends to a small sink container that records the events
// (generators/verify/sentry-sink.py), so the probe can check they arrive and nothing leaves the machine.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../generators/lib/package-root.ts';
import type { OverridePart } from '../../generators/verify/override.ts';

export const SINK_SERVICE = 'sentry-sink';
export const SINK_PORT = 9000;
export const SINK_DSN = `http://verify@${SINK_SERVICE}:${SINK_PORT}/1`;
// Shipped with the package beside verify (package.json "files"), read from there.
const SINK_SCRIPT = path.join(PACKAGE_ROOT, 'generators', 'verify', 'sentry-sink.py');

export function sinkScript(): string {
  if (existsSync(SINK_SCRIPT)) return readFileSync(SINK_SCRIPT, 'utf8');
  throw new Error(`verify cannot find ${SINK_SCRIPT} (broken install?)`);
}

export const sentryOverride: OverridePart = (override) => {
  const reporters = override.render.appServices;
  for (const name of reporters) override.setEnvironment(name, { SENTRY_DSN: SINK_DSN });
  override.addService(SINK_SERVICE, {
    // The app's own base image: already present after the build, and it has Python.
    image: override.render.images.python,
    command: ['python', '/sentry-sink.py'],
    environment: { SINK_PORT: String(SINK_PORT), PYTHONUNBUFFERED: '1' },
    configs: [{ source: 'verify-sentry-sink', target: '/sentry-sink.py' }],
    healthcheck: {
      test: ['CMD', 'python', '-c', `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${SINK_PORT}/health', timeout=3)`],
      interval: '2s',
      timeout: '5s',
      retries: 15,
    },
    networks: [...new Set(reporters.flatMap((name) => override.networksOf(name)))],
  });
  override.configs['verify-sentry-sink'] = { content: sinkScript() };
};
