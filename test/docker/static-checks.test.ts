import { existsSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeConfig, requireDocker, run } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';
import { filesMatching, readTree } from '../helpers/tree.ts';
import { stackConfig } from '../helpers/swarm.ts';
import { MONITORING_IMAGES } from '../../features/monitoring/index.ts';

const PYTHON_IMAGE = 'python:3.13-slim';
const PROMETHEUS_IMAGE = MONITORING_IMAGES.prometheus;
const ALERTMANAGER_IMAGE = MONITORING_IMAGES.alertmanager;

beforeAll(() => requireDocker());

// Generated output checked by the real tools, for every answer profile.

/** A letsencrypt-shaped directory (live/<domain>/) with a throwaway self-signed certificate, for nginx -t. */
function selfSignedCertificates(domain: string): string {
  const certificates = mkdtempSync(path.join(os.tmpdir(), 'nginx-t-'));
  mkdirSync(path.join(certificates, 'live', domain), { recursive: true });
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${domain}`,
    '-keyout',
    path.join(certificates, 'live', domain, 'privkey.pem'),
    '-out',
    path.join(certificates, 'live', domain, 'fullchain.pem'),
  ]);
  return certificates;
}
describe.each(Object.entries(PROFILES))('profile %s', (_profile, flags) => {
  let dir: string;
  let tree: Record<string, string>;
  beforeAll(async () => {
    dir = (await generateProject(flags)).cwd;
    tree = readTree(dir);
  });

  it('docker compose config -q accepts compose.yaml', () => {
    run('docker', ['compose', 'config', '-q'], { cwd: dir });
  });

  it('every image Compose builds is named after the Compose project (two stacks on one host keep their own)', () => {
    const built = Object.entries(composeConfig(dir, { COMPOSE_PROJECT_NAME: 'staging' }).services).filter(([, service]) => service.build);
    expect(built.map(([name]) => name)).toContain('web');
    for (const [name, service] of built) expect(service.image, name).toMatch(/^staging-/);
  });

  it('docker compose config -q accepts compose.test.yaml (the test stack of make test and CI)', () => {
    expect(tree['compose.test.yaml']).toBeDefined();
    run('docker', ['compose', '-f', 'compose.test.yaml', 'config', '-q'], { cwd: dir });
  });

  it('shellcheck passes on every shell script', () => {
    const scripts = Object.keys(tree).filter((file) => file.endsWith('.sh') || /^#!.*\b(ba)?sh\b/.test(tree[file]!));
    expect(scripts.length).toBeGreaterThan(0);
    run('shellcheck', ['--external-sources', ...scripts], { cwd: dir });
  });

  it("every Python file compiles under the image's Python", () => {
    const sources = filesMatching(tree, /\.py$/);
    expect(sources).toContain('gunicorn.conf.py');
    run('docker', [
      'run',
      '--rm',
      '-v',
      `${dir}:/src:ro`,
      '-w',
      '/src',
      PYTHON_IMAGE,
      'python',
      '-c',
      'import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, cfile="/tmp/check.pyc", doraise=True)',
      ...sources,
    ]);
  });

  it('nginx -t accepts the configuration as compose mounts it, with certificates present', () => {
    const nginx = composeConfig(dir).services['nginx']!;
    const domain = String(flags['domain'] ?? 'example.com');
    const certificates = selfSignedCertificates(domain);
    // Bind mounts as compose has them; named volumes stay empty except the certificates.
    const mounts = (nginx.volumes ?? []).flatMap((volume) => {
      if (volume.target === '/etc/letsencrypt') return ['-v', `${certificates}:/etc/letsencrypt:ro`];
      return volume.type === 'bind' ? ['-v', `${volume.source}:${volume.target}:ro`] : [];
    });
    expect(mounts.join(' ')).toContain('/etc/letsencrypt');
    // run() throws with nginx's own message when the test fails.
    run('docker', ['run', '--rm', '--add-host', 'web:127.0.0.1', ...mounts, '--entrypoint', 'nginx', nginx.image ?? 'nginx:1.28', '-t']);
  });

  // docker stack deploy's own loader (it needs no Swarm): rejects what Swarm cannot run, e.g.
  // compose.yaml's top-level name:, map-form depends_on, build:.
  it(`docker stack config accepts stack.yaml${flags['swarm'] === true ? '' : ' (absent: Swarm is off)'}`, () => {
    if (flags['swarm'] !== true) {
      expect(Object.keys(tree).filter((file) => file === 'stack.yaml' || file.startsWith('swarm/'))).toEqual([]);
      return;
    }
    const stack = stackConfig(dir);
    // The generated secrets live in secrets/<name>, one file each.
    const secrets = ['django_secret_key', 'postgres_password', 'redis_password'].map((name) =>
      readFileSync(path.join(dir, 'secrets', name), 'utf8').trim(),
    );
    expect(secrets.every((secret) => secret.length >= 32)).toBe(true);
    for (const [name, service] of Object.entries(stack.services)) {
      expect(service.deploy, name).toBeDefined();
      for (const value of Object.values(service.environment ?? {}))
        expect(secrets, `${name} has a secret in its environment`).not.toContain(value);
    }
    expect(stack.services['web']!.deploy!.update_config).toMatchObject({ order: 'start-first', failure_action: 'rollback' });
    expect(stack.services['migrate']!.deploy!.mode).toBe('replicated-job');
  });

  it(`nginx -t accepts the Swarm nginx configuration as stack.yaml ships it${flags['swarm'] === true ? '' : ' (absent: Swarm is off)'}`, () => {
    if (flags['swarm'] !== true) {
      expect(tree['swarm/nginx-upstream.conf']).toBeUndefined();
      return;
    }
    const stack = stackConfig(dir);
    const nginx = stack.services['nginx']!;
    const domain = String(flags['domain'] ?? 'example.com');
    const certificates = selfSignedCertificates(domain);
    const mounts = (nginx.configs ?? []).flatMap((config) => [
      '-v',
      `${path.resolve(dir, stack.configs[config.source]!.file)}:${config.target}:ro`,
    ]);
    expect(mounts.join(' ')).toContain('/etc/nginx/conf.d/site.conf');
    run('docker', ['run', '--rm', '-v', `${certificates}:/etc/letsencrypt:ro`, ...mounts, '--entrypoint', 'nginx', nginx.image, '-t']);
  });
});

// The monitoring configuration, checked by promtool and amtool from the images the stack runs (the
// kit's Prometheus is 2.53 under every tag, so this also proves 2.53 accepts what 3.x is given).
describe.each(Object.entries(PROFILES).filter(([, flags]) => flags['monitoring'] !== false))(
  'monitoring of profile %s',
  (_profile, flags) => {
    let dir: string;
    beforeAll(async () => {
      dir = (await generateProject(flags)).cwd;
    });
    // The generated monitoring/prometheus at /etc/prometheus, and other files where given.
    const promtoolWith = (mounts: string[], ...args: string[]) =>
      run('docker', [
        'run',
        '--rm',
        '--entrypoint',
        'promtool',
        ...[`${dir}/monitoring/prometheus:/etc/prometheus:ro`, ...mounts].flatMap((mount) => ['-v', mount]),
        PROMETHEUS_IMAGE,
        ...args,
      ]);
    const promtool = (...args: string[]) => promtoolWith([], ...args);

    it('promtool check config accepts prometheus.yml and the rule files it names', () => {
      expect(promtool('check', 'config', '/etc/prometheus/prometheus.yml')).toMatch(/SUCCESS: 1 rule files found/);
    });

    it(`promtool check config accepts the Swarm's prometheus.yml${flags['swarm'] === true ? '' : ' (absent: Swarm is off)'}`, () => {
      if (flags['swarm'] !== true) {
        expect(existsSync(`${dir}/swarm/monitoring/prometheus/prometheus.yml`)).toBe(false);
        return;
      }
      // stack.yaml ships it as /etc/prometheus/prometheus.yml, beside the same rule files.
      const output = promtoolWith(
        [`${dir}/swarm/monitoring/prometheus:/etc/prometheus-swarm:ro`],
        'check',
        'config',
        '/etc/prometheus-swarm/prometheus.yml',
      );
      expect(output).toMatch(/SUCCESS: 1 rule files found/);
    });

    it('promtool check rules accepts the alert rules', () => {
      expect(promtool('check', 'rules', '/etc/prometheus/rules/alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
    });

    it('promtool test rules: every alert fires and clears in the generated unit tests', () => {
      expect(promtool('test', 'rules', '/etc/prometheus/tests/alerts.test.yml')).toContain('SUCCESS');
    });

    it('amtool check-config accepts alertmanager.yml', () => {
      run('docker', [
        'run',
        '--rm',
        '--entrypoint',
        'amtool',
        '-v',
        `${dir}/monitoring/alertmanager:/etc/alertmanager:ro`,
        ALERTMANAGER_IMAGE,
        'check-config',
        '/etc/alertmanager/alertmanager.yml',
      ]);
    });
  },
);
