// stack.yaml, derived from the rendered compose.yaml (as JHipster rewrites its Compose services for
// its other targets): the same service definitions rewritten for `docker stack deploy`, so image,
// command, healthcheck, stop grace, limits and environment are written once for both. What only a
// cluster needs (networks, placement, replicas, rolling updates, secret files, configs) comes from
// each feature's swarm() and, for the core services, from coreServices() below.
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import type { RenderContext } from '../../generators/lib/context.ts';
import type { ComposeOnly, SwarmService } from '../../generators/lib/feature.ts';
import type { RenderedTree } from '../../generators/lib/render.ts';
import { postgresPidsLimit } from '../../generators/lib/hardening.ts';
import type { PostgresSizing } from '../../generators/lib/sizing.ts';

/**
 * Compose keys that docker stack deploy ignores or rejects, and what stands in for them on a Swarm.
 * Every other key of a service passes through as compose.yaml has it (user, init, sysctls, and
 * hardening such as cap_drop, read_only or tmpfs): written once there, it reaches both targets.
 */
export const DROPPED_KEYS: Record<string, string> = {
  build: 'make swarm-push builds and pushes the images',
  restart: "Swarm's restart_policy restarts tasks (any exit, 5 s apart)",
  depends_on: 'no start order on a Swarm: healthchecks, retries and the migrate job stand in',
  security_opt: 'docker stack deploy does not support it',
  expose: 'documentation only',
  mem_limit: 'deploy.resources.limits.memory',
  cpus: 'deploy.resources.limits.cpus',
  pids_limit: 'deploy.resources.limits.pids',
  shm_size: 'a tmpfs on /dev/shm',
  tmpfs: 'tmpfs mounts under volumes: (docker stack deploy ignores the short form)',
};

/** The core services of compose.yaml on a Swarm (features declare their own in their swarm()). */
export function coreServices(ctx: RenderContext): Record<string, SwarmService> {
  const swarm = ctx.swarm!;
  return {
    db: {
      networks: ['data'],
      node: 'data',
      // max_connections covers every replica (and the extra task of a rolling update); work_mem follows.
      command: (command) => command.map((arg) => resizePostgres(arg, ctx.sizing.postgres, swarm.postgres)),
      pidsLimit: postgresPidsLimit(swarm.postgres),
    },
    redis: { networks: ['data'], node: 'data' },
    // Also publishes the image's static files to the volume nginx serves them from (old hashed
    // files stay, so pages of the old version keep working): on the edge node.
    migrate: {
      networks: ['data'],
      node: 'edge',
      jobAttempts: swarm.migrateAttempts,
      image: '${RELEASE_IMAGE:?swarm/deploy.sh sets RELEASE_IMAGE}',
    },
    web: {
      networks: ['edge', 'data'],
      replicas: swarm.replicas.web,
      // Seconds gunicorn goes on serving after SIGTERM: Swarm takes a task out of DNS only 2 s
      // before it, and nginx caches DNS answers (gunicorn.conf.py, "serving on after SIGTERM").
      environment: {
        GUNICORN_SHUTDOWN_DELAY: String(swarm.shutdownDelaySeconds),
        // What web may not use of max_connections here (gunicorn.conf.py's start-up check): every replica counts.
        DB_NON_WEB_CONNECTIONS: String(swarm.database.nonWeb),
      },
    },
    nginx: { networks: ['edge'], node: 'edge' },
    // Shares the certificate volume with nginx: same node.
    certbot: { networks: ['edge'], node: 'edge' },
  };
}

const POSTGRES_SETTINGS = { max_connections: 'maxConnections', work_mem: 'workMemKb' } as const;

/** A `name=value` argument of postgres with the value sized for the Swarm, where the two sizings differ. */
function resizePostgres(arg: string, single: PostgresSizing, replicated: PostgresSizing): string {
  const [name, value] = arg.split('=') as [keyof typeof POSTGRES_SETTINGS, string | undefined];
  const field = POSTGRES_SETTINGS[name];
  return field && value !== undefined ? `${name}=${value.replace(String(single[field]), String(replicated[field]))}` : arg;
}

type Role = SwarmService | ComposeOnly;
const isComposeOnly = (role: Role): role is ComposeOnly => 'composeOnly' in role;

/** Every service's role on the Swarm, from each enabled feature (this one's: the core services). */
export function swarmRoles(ctx: RenderContext): Record<string, Role> {
  return Object.assign({}, ...ctx.enabledFeatures.map((feature) => feature.swarm?.(ctx) ?? {})) as Record<string, Role>;
}

const isMergeKey = (key: unknown) => isScalar(key) && (key.value === '<<' || typeof key.value === 'symbol');

/** A map and the maps merged into it (<<: *anchor), where its keys may be defined. */
function mapsOf(doc: Document, node: unknown): YAMLMap[] {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (!isMap(target)) return [];
  return [target, ...target.items.filter((pair) => isMergeKey(pair.key)).flatMap((pair) => mapsOf(doc, pair.value))];
}

/** compose.yaml's `image: ${COMPOSE_PROJECT_NAME:-x}-app:…` -> APP_IMAGE, which swarm/deploy.sh sets to the pushed image. */
function swarmImage(image: string): string | undefined {
  const built = /^\$\{COMPOSE_PROJECT_NAME:-[^}]+\}-([a-z0-9]+):/.exec(image)?.[1];
  const variable = built && `${built.toUpperCase()}_IMAGE`;
  return variable && `\${${variable}:?swarm/deploy.sh sets ${variable}}`;
}

const toMiB = (limit: string) => `${/^(\d+)m$/i.exec(limit)?.[1] ?? limit}M`;
const toBytes = (size: string) => Number(/^(\d+)mb?$/i.exec(size)?.[1]) * 1024 * 1024;
/** Config names: the path's folders and name, e.g. nginx/conf.d/site.conf -> nginx_conf_d_site. */
const configKey = (file: string) => file.replace(/\.[a-z]+$/, '').replace(/[^A-Za-z0-9]+/g, '_');

interface Shipped {
  key: string;
  file: string;
  target: string;
  executable: boolean;
}

/**
 * A bind mount of our files (./nginx/conf.d:/etc/nginx/conf.d:ro) as the configs that ship each file to
 * the node. A file with a Swarm twin in the tree, swarm/<its path> (Prometheus's configuration, which
 * finds the tasks of a service through Docker's DNS), is shipped as that twin, at the same place.
 */
function configsFor(mount: string, tree: RenderedTree, root: string): Shipped[] {
  const [source, target] = mount.split(':') as [string, string];
  const relative = path.posix.normalize(source);
  const files = [...tree.keys()]
    .filter((file) => file === path.posix.join(root, relative) || file.startsWith(`${path.posix.join(root, relative)}/`))
    .sort();
  if (files.length === 0) throw new Error(`stack.yaml: ${source} is mounted but not generated`);
  return files.map((file) => {
    const inRepo = path.posix.relative(root, file);
    const twin = path.posix.join('swarm', inRepo);
    const shipped = tree.has(path.posix.join(root, twin)) ? twin : inRepo;
    return {
      key: configKey(inRepo),
      file: `./${shipped}`,
      target: path.posix.join(target, path.posix.relative(relative, inRepo)),
      executable: tree.get(file)!.executable,
    };
  });
}

/**
 * Sets key on a map: in place when it is there, else after the key `after` (after the merge keys when
 * that is absent too), or at the end without `after`.
 */
function setAfter(map: YAMLMap, key: string, value: unknown, doc: Document, after?: string): void {
  const node = doc.createNode(value) as Node;
  const index = map.items.findIndex((pair) => isScalar(pair.key) && pair.key.value === key);
  if (index >= 0) {
    map.items[index]!.value = node;
    return;
  }
  const pair = doc.createPair(key, node);
  if (after === undefined) {
    map.items.push(pair);
    return;
  }
  const anchorAt = map.items.findIndex((item) => isScalar(item.key) && item.key.value === after);
  const position = anchorAt >= 0 ? anchorAt + 1 : map.items.filter((item) => isMergeKey(item.key)).length;
  map.items.splice(position, 0, pair);
}

/**
 * The yaml library keeps a comment that follows a key without a value (`WEB_CONCURRENCY:`) as that
 * value's trailing comment; it belongs before the next key (of this map, or of the enclosing one).
 */
function moveCommentsOfEmptyValues(node: unknown, next?: Scalar): void {
  if (!isMap(node)) return;
  node.items.forEach((pair, index) => {
    const following = (node.items[index + 1]?.key as Scalar | undefined) ?? next;
    moveCommentsOfEmptyValues(pair.value, following);
    const value = pair.value;
    if (isScalar(value) && value.value === null && value.comment && following) {
      following.commentBefore = [value.comment, following.commentBefore].filter(Boolean).join('\n');
      following.spaceBefore = false;
      value.comment = undefined;
      // The blank line before that comment too (a map's last key would otherwise end in an empty line).
      value.spaceBefore = false;
    }
  });
}

/** A file mode written as docker's loader (YAML 1.1) reads it: 0555. */
function octal(doc: Document, mode: number): Scalar {
  const node = doc.createNode(mode) as Scalar;
  node.format = 'OCT';
  return node;
}

const flow = (doc: Document, values: readonly string[]) => {
  const node = doc.createNode(values) as YAMLSeq;
  node.flow = true;
  return node;
};

/** The image a Swarm pulls: the pushed one where compose.yaml builds it, where compose.yaml names it (a shared anchor too). */
function rewriteImage(doc: Document, map: YAMLMap, sources: YAMLMap[], role: SwarmService, service: Record<string, unknown>): void {
  const image = role.image ?? swarmImage(String(service['image']));
  if (image === undefined) return;
  const owner = sources.find((source) => source.has('image'));
  // The release job runs a newer image than the services sharing its anchor: a key of its own.
  if (role.image !== undefined || owner === undefined) setAfter(map, 'image', image, doc, 'image');
  else owner.set('image', image);
  // What compose.yaml says about building and naming the image is not so here.
  const imageKey = (role.image !== undefined || owner === undefined ? map : owner).items.find(
    (pair) => isScalar(pair.key) && pair.key.value === 'image',
  )?.key;
  if (isScalar(imageKey)) imageKey.commentBefore = undefined;
  const anchorPair = owner && owner !== map ? (doc.contents as YAMLMap).items.find((pair) => pair.value === owner) : undefined;
  if (anchorPair)
    (anchorPair.key as Scalar).commentBefore =
      ` The app services run the image make swarm-push pushed for the commit (swarm/deploy.sh sets APP_IMAGE).`;
}

/**
 * Bind mounts of our files become configs (Swarm ships them to the node; there is no repository
 * there), named volumes stay, shm_size becomes a tmpfs on /dev/shm and each tmpfs entry a tmpfs
 * mount. Returns the configs.
 */
function mountsAsConfigs(
  doc: Document,
  map: YAMLMap,
  service: Record<string, unknown>,
  tree: RenderedTree,
  root: string,
  usedVolumes: Set<string>,
): Shipped[] {
  const volumes = map.get('volumes', true);
  const kept: unknown[] = [];
  const shipped: Shipped[] = [];
  for (const entry of isSeq(volumes) ? volumes.items : []) {
    const value = isScalar(entry) ? String(entry.value) : undefined;
    if (value?.startsWith('./')) shipped.push(...configsFor(value, tree, root));
    else {
      kept.push(entry);
      if (value) usedVolumes.add(value.split(':')[0]!);
    }
  }
  if (typeof service['shm_size'] === 'string')
    kept.push(doc.createNode({ type: 'tmpfs', target: '/dev/shm', tmpfs: { size: toBytes(service['shm_size']) } }));
  for (const target of (service['tmpfs'] as string[] | undefined) ?? []) kept.push(doc.createNode({ type: 'tmpfs', target }));
  if (isSeq(volumes)) {
    if (kept.length > 0) volumes.items = kept as Node[];
    else map.delete('volumes');
  } else if (kept.length > 0) setAfter(map, 'volumes', kept, doc);
  if (shipped.length > 0) {
    const mounts = shipped.map((config) => ({
      source: config.key,
      target: config.target,
      ...(config.executable ? { mode: octal(doc, 0o555) } : {}),
    }));
    setAfter(map, 'configs', mounts, doc, 'environment');
  }
  return shipped;
}

/** stack.yaml's text from the rendered compose.yaml (pathOf: where a file of ours is in the tree). */
export function deriveStack(tree: RenderedTree, ctx: RenderContext, pathOf: (template: string) => string): string {
  const swarm = ctx.swarm!;
  const composePath = pathOf('compose.yaml');
  const root = path.posix.dirname(composePath) === '.' ? '' : path.posix.dirname(composePath);
  const doc = parseDocument(tree.get(composePath)!.content, { merge: true });
  moveCommentsOfEmptyValues(doc.contents);
  const plain = doc.toJS({ maxAliasCount: -1 }) as { services: Record<string, Record<string, unknown>> };
  const roles = swarmRoles(ctx);
  const services = doc.get('services') as YAMLMap;
  const configs = new Map<string, Shipped>();
  const usedSecrets = new Set<string>();
  const usedVolumes = new Set<string>();
  const composeOnly: { service: string; reason: string }[] = [];

  for (const name of Object.keys(plain.services)) {
    const role = roles[name];
    if (!role)
      throw new Error(`stack.yaml: no Swarm role for service "${name}" (a feature's swarm() declares it, or says why it is Compose-only)`);
    if (isComposeOnly(role)) {
      services.delete(name);
      composeOnly.push({ service: name, reason: role.composeOnly });
      continue;
    }
    const service = plain.services[name]!;
    const map = services.get(name) as YAMLMap;
    const sources = mapsOf(doc, map);
    const limits: Record<string, string | number> = {};
    if (typeof service['cpus'] === 'string' || typeof service['cpus'] === 'number') limits['cpus'] = String(service['cpus']);
    if (typeof service['mem_limit'] === 'string') limits['memory'] = toMiB(service['mem_limit']);
    if (typeof service['pids_limit'] === 'number') limits['pids'] = role.pidsLimit ?? service['pids_limit'];
    const limitComments = ['cpus', 'mem_limit', 'pids_limit']
      .map((key) => (map.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key as Scalar | undefined)?.commentBefore)
      .filter(Boolean);
    for (const source of sources) for (const key of Object.keys(DROPPED_KEYS)) source.delete(key);

    rewriteImage(doc, map, sources, role, service);
    // Secrets are files in compose.yaml already (its services' secrets:, read through *_FILE).
    for (const secret of (service['secrets'] as string[] | undefined) ?? []) usedSecrets.add(secret);
    // Only this service's: onto its own environment map, never into a shared anchor.
    if (role.environment) {
      const own = map.get('environment', true);
      if (!isMap(own)) throw new Error(`stack.yaml: ${name}'s Swarm variables need an environment map of its own in compose.yaml`);
      for (const [key, value] of Object.entries(role.environment)) own.set(key, value);
    }

    for (const config of mountsAsConfigs(doc, map, service, tree, root, usedVolumes)) configs.set(config.key, config);

    if (role.command) setAfter(map, 'command', role.command(service['command'] as string[]), doc);
    // Host mode: bound on the node itself (no routing mesh), clients' addresses kept.
    const ports = service['ports'] as string[] | undefined;
    if (ports) {
      setAfter(
        map,
        'ports',
        ports.map((port) => {
          const [published, target] = port.split(':').map(Number);
          return { target, published, protocol: 'tcp', mode: 'host' };
        }),
        doc,
      );
    }
    // The replica's name (web.<slot>.<task id>): /health/ reports it, logs and Sentry name it.
    if (role.replicas !== undefined) setAfter(map, 'hostname', '{{.Service.Name}}.{{.Task.Slot}}.{{.Task.ID}}', doc, 'image');
    // Aliases on compose.yaml's one network (web's "django", the name nginx resolves) go onto the
    // service's first network here, the one nginx shares.
    const aliases = (service['networks'] as { default?: { aliases?: string[] } } | undefined)?.default?.aliases;
    const networks = aliases
      ? Object.fromEntries(role.networks.map((network, index) => [network, index === 0 ? { aliases } : {}]))
      : flow(doc, role.networks);
    setAfter(map, 'networks', networks, doc);
    setAfter(map, 'deploy', deployOf(role, service, limits, swarm.updateParallelism, swarm.labels), doc);
    if (limitComments.length > 0) (map.items.at(-1)!.key as Scalar).commentBefore = limitComments.join('\n');
  }

  for (const key of ['name', 'secrets']) doc.delete(key);
  const top = doc.contents as YAMLMap;
  (top.items[0]!.key as Scalar).spaceBefore = false;
  const volumes = doc.get('volumes') as YAMLMap | undefined;
  for (const pair of [...(volumes?.items ?? [])]) if (!usedVolumes.has(String((pair.key as Scalar).value))) volumes!.delete(pair.key);
  const section = (key: string, value: unknown, comment: string) => {
    const pair = doc.createPair(key, value);
    (pair.key as Scalar).commentBefore = comment;
    (pair.key as Scalar).spaceBefore = true;
    top.items.push(pair);
  };
  section(
    'networks',
    {
      edge: { driver: 'overlay' },
      data: { driver: 'overlay', internal: true, ...(swarm.encryptData ? { driver_opts: { encrypted: '' } } : {}) },
    },
    ' nginx <-> web and the way out (edge); PostgreSQL and Redis with no route outside the cluster (data),\n' +
      (swarm.encryptData
        ? ' encrypted between nodes (IPsec: the database traffic crosses the network; every node kernel needs ESP).'
        : ' NOT encrypted between nodes (swarmEncryptData is off): database traffic crosses the network in clear.'),
  );
  const configVersion = '${CONFIG_VERSION:?swarm/deploy.sh sets CONFIG_VERSION}';
  section(
    'configs',
    Object.fromEntries(
      [...configs.values()].map((config) => [config.key, { name: `${ctx.name}_${config.key}_${configVersion}`, file: config.file }]),
    ),
    ' Our files the services mount in compose.yaml, shipped by Swarm to whichever node runs them. Configs are\n' +
      ' immutable: the name carries CONFIG_VERSION, which swarm/deploy.sh derives from their content.',
  );
  const secrets = ctx.secrets.filter((secret) => usedSecrets.has(secret.file));
  section(
    'secrets',
    Object.fromEntries(
      secrets.map((secret) => [
        secret.file,
        { external: true, name: `\${${secret.variable}_SECRET:?swarm/deploy.sh sets ${secret.variable}_SECRET}` },
      ]),
    ),
    ' Created by swarm/deploy.sh from secrets/ (docker secret create, value on stdin); named by a hash of\n' +
      ' the value, so changing a file there makes a new secret and rolls the services using it.',
  );
  const twins = [...configs.values()].map((config) => config.file).filter((file) => file.startsWith('./swarm/'));
  doc.commentBefore = header(ctx, composeOnly, twins);
  // docker stack deploy reads YAML 1.1 (file modes such as 0555 are octal there).
  doc.setSchema('1.1');
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
}

function deployOf(
  role: SwarmService,
  service: Record<string, unknown>,
  limits: Record<string, string | number>,
  parallelism: number,
  labels: { data: string; edge: string },
): Record<string, unknown> {
  const healthcheck = service['healthcheck'] as { start_period?: string; interval?: string } | undefined;
  const seconds = (duration = '0s') => {
    const [, count, unit] = /^(\d+)([sm])$/.exec(duration) ?? ['', '0', 's'];
    return Number(count) * (unit === 'm' ? 60 : 1);
  };
  // A new task still failing its healthcheck one interval after its start period counts as failed.
  const monitor = `${seconds(healthcheck?.start_period) + seconds(healthcheck?.interval)}s`;
  return {
    ...(role.jobAttempts !== undefined ? { mode: 'replicated-job' } : {}),
    ...(role.replicas !== undefined ? { replicas: role.replicas } : {}),
    endpoint_mode: 'dnsrr',
    ...(role.node ? { placement: { constraints: [`node.labels.${labels[role.node]} == true`] } } : {}),
    ...(role.replicas !== undefined
      ? {
          // The new task starts (and must pass its healthcheck) before an old one stops; a failed
          // update rolls back by itself.
          update_config: { parallelism, order: 'start-first', failure_action: 'rollback', monitor, max_failure_ratio: 0, delay: '2s' },
          rollback_config: { parallelism, order: 'start-first', failure_action: 'pause', monitor: '10s' },
        }
      : {}),
    ...(role.jobAttempts !== undefined ? { restart_policy: { condition: 'on-failure', delay: '5s', max_attempts: role.jobAttempts } } : {}),
    ...(Object.keys(limits).length > 0 ? { resources: { limits } } : {}),
    ...role.deploy,
  };
}

/** Words of a text in lines of at most width characters. */
const wrap = (text: string, width: number) =>
  text.split(' ').reduce<string[]>((lines, word) => {
    const last = lines.at(-1);
    if (last !== undefined && last.length + word.length < width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
    return lines;
  }, []);

function header(ctx: RenderContext, composeOnly: { service: string; reason: string }[], twins: string[]): string {
  const swarm = ctx.swarm!;
  return [
    ` ${ctx.name} on Docker Swarm: compose.yaml's services for \`docker stack deploy\`, derived from it by`,
    ` generator-django-prod ${ctx.generatorVersion} (regenerate rather than edit: a change to compose.yaml reaches both).`,
    ` Run it through \`make swarm-deploy\` (swarm/deploy.sh), which sets APP_IMAGE, RELEASE_IMAGE, the secret names and`,
    ` CONFIG_VERSION. No secret value is written here or passed in the environment: services read /run/secrets/<name>`,
    ` (the *_FILE variables). Each replica is sized like the single server (${ctx.hardware.cpus} CPU(s), ${ctx.hardware.memoryMb} MiB).`,
    ` Every service uses endpoint_mode dnsrr and nginx publishes in host mode: no IPVS virtual IP or routing mesh.`,
    ` Stateful services stay on labelled nodes (README "Docker Swarm"):`,
    `   docker node update --label-add ${swarm.labels.data}=true <node>   # the data node: their volumes live there`,
    `   docker node update --label-add ${swarm.labels.edge}=true <node>   # the edge node: certificates and static files`,
    ...twins.map((twin) => ` On the Swarm, ${twin.slice(2)} stands in for ${twin.replace('./swarm/', '')} (same template).`),
    ...Object.entries(Object.groupBy(composeOnly, (entry) => entry.reason)).flatMap(([reason, entries]) => [
      ` Not on the Swarm (compose.yaml only): ${entries!.map((entry) => entry.service).join(', ')}.`,
      ...wrap(reason, 100).map((line) => `   ${line}`),
    ]),
  ].join('\n');
}
