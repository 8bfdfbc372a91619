// One definition per service: stack.yaml is derived from compose.yaml, so every service of every
// profile (existing projects included) runs on the Swarm with compose.yaml's image role, command,
// healthcheck, stop grace, limits and environment, or is declared Compose-only with its reason.
// Read back with the yaml library as both tools read them (anchors and merge keys resolved).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FEATURES } from '../../features/index.ts';
import { celeryTiming } from '../../features/celery/timing.ts';
import { swarmRoles } from '../../features/swarm/stack.ts';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext, type RenderContext } from '../../generators/lib/context.ts';
import { detectProject, directoryReader } from '../../generators/lib/detect/index.ts';
import { placementFor } from '../../generators/lib/existing-mode.ts';
import { renderTree } from '../../generators/lib/render.ts';
import { FIXED_HARDWARE } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';

const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures/existing');

type Service = Record<string, unknown> & {
  environment?: Record<string, unknown>;
  deploy?: { resources?: { limits?: Record<string, string> } };
};
interface ComposeDocument {
  services: Record<string, Service>;
}

/** Variables only a Swarm sets, and why: web serves on after SIGTERM, and PostgreSQL counts every replica. */
const SWARM_ONLY_VARIABLES: Record<string, string[]> = { web: ['GUNICORN_SHUTDOWN_DELAY', 'DB_NON_WEB_CONNECTIONS'] };
/** PostgreSQL settings sized for every replica rather than one server (db's command). */
const REPLICA_SIZED = /^(max_connections|work_mem)=.*$/;

function renderWithSwarm(
  given: Record<string, unknown>,
  fixture?: string,
): { ctx: RenderContext; compose: ComposeDocument; stack: ComposeDocument; stackText: string } {
  const answers = resolveAnswers({ ...FIXED_HARDWARE, ...given, swarm: true, ...(fixture ? { existing: true } : {}) }, FEATURES);
  let files = {};
  if (fixture) {
    const dir = path.join(FIXTURES, fixture);
    const project = detectProject(directoryReader(dir), fixture);
    files = { existingProject: project, placement: placementFor(dir, project, new Set(), answers.dependencyBot) };
  }
  const ctx = buildRenderContext(answers, FEATURES, '0.0.0-test', files);
  const tree = renderTree(ctx);
  const at = (file: string) => tree.get(ctx.existing ? `${ctx.existing.directory}/${file}` : file)!.content;
  const read = (file: string) => parse(at(file), { merge: true, maxAliasCount: -1 }) as ComposeDocument;
  return { ctx, compose: read('compose.yaml'), stack: read('stack.yaml'), stackText: at('stack.yaml') };
}

const cases = [
  ...Object.entries(PROFILES).map(([profile, flags]) => ({ name: profile, given: flags as Record<string, unknown>, fixture: undefined })),
  ...readdirSync(FIXTURES).map((fixture) => ({ name: `existing-${fixture}`, given: { celery: true }, fixture })),
];

describe.each(cases)('$name with Swarm', ({ given, fixture }) => {
  const { ctx, compose, stack, stackText } = renderWithSwarm(given, fixture);
  const roles = swarmRoles(ctx);

  it('has every Compose service, or says why it is Compose-only; nothing else', () => {
    for (const name of Object.keys(compose.services)) {
      const role = roles[name];
      expect(role, `${name} has no Swarm role`).toBeDefined();
      if (role && 'composeOnly' in role) {
        expect(role.composeOnly.length, name).toBeGreaterThan(20);
        expect(stack.services[name], `${name} is declared Compose-only`).toBeUndefined();
        expect(
          stackText.split('\n').find((line) => line.startsWith('# Not on the Swarm')),
          name,
        ).toContain(name);
      } else expect(stack.services[name], `${name} is missing from stack.yaml`).toBeDefined();
    }
    expect(Object.keys(stack.services).filter((name) => !compose.services[name])).toEqual([]);
  });

  it('runs each with the same command, healthcheck, stop grace, user, limits and environment', () => {
    for (const [name, swarm] of Object.entries(stack.services)) {
      const service = compose.services[name]!;
      const command = (service['command'] as string[] | undefined)?.map((arg) => arg.replace(REPLICA_SIZED, '$1=…'));
      expect(
        (swarm['command'] as string[] | undefined)?.map((arg) => arg.replace(REPLICA_SIZED, '$1=…')),
        name,
      ).toEqual(command);
      for (const key of ['entrypoint', 'healthcheck', 'stop_grace_period', 'user', 'init', 'logging'])
        expect([name, key, swarm[key]]).toEqual([name, key, service[key]]);
      const limits = swarm.deploy?.resources?.limits ?? {};
      expect([name, limits['memory']]).toEqual([
        name,
        typeof service['mem_limit'] === 'string' ? service['mem_limit'].replace(/m$/, 'M') : undefined,
      ]);
      expect([name, limits['cpus']]).toEqual([name, service['cpus'] === undefined ? undefined : String(service['cpus'])]);
      const environment = { ...swarm.environment };
      for (const variable of SWARM_ONLY_VARIABLES[name] ?? []) delete environment[variable];
      expect([name, environment]).toEqual([name, service.environment ?? {}]);
      // The same secret files, each a Swarm secret of the stack.
      expect([name, swarm['secrets']]).toEqual([name, service['secrets']]);
    }
  });

  it('gives the Celery worker, where there is one, the warm-shutdown grace of its longest task on both targets', () => {
    expect(Boolean(compose.services['worker'])).toBe(ctx.has['celery']);
    if (!ctx.has['celery']) return;
    const grace = `${celeryTiming(ctx.celery!.softTimeLimitSeconds).stopGraceSeconds}s`;
    expect([compose.services['worker']!['stop_grace_period'], stack.services['worker']!['stop_grace_period']]).toEqual([grace, grace]);
    expect((stack.services['worker']!['command'] as string[]).slice(0, 3)).toEqual(['celery', '-A', ctx.celeryApp]);
  });
});
