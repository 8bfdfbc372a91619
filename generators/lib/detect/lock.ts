// A project's lock file (uv.lock, poetry.lock, pdm.lock) as pinned pip requirements: exactly the
// versions the team tested, with the lock's hashes, and only the runtime dependencies (the
// project's own, transitively; no dev groups). pip installs them in the image, so neither uv nor
// Poetry nor PDM is needed there.
import { DetectionError } from './reader.ts';
import { normalizeName } from './requirements.ts';

type Table = Record<string, unknown>;

export interface LockedPackage {
  name: string;
  /** `==version`, or ` @ git+url@commit` for a Git source. */
  pin: string;
  /** sha256 hashes of the package's files (any one matches). */
  hashes: string[];
  /** An environment marker under which it is needed (platform-only dependencies). */
  marker?: string;
}

export interface LockedRequirements {
  lockFile: string;
  packages: LockedPackage[];
  /** Every package has hashes: pip can install with --require-hashes. */
  hashed: boolean;
}

interface Edge {
  name: string;
  extras: string[];
  marker?: string;
}

interface Node {
  pin: string;
  hashes: string[];
  dependencies: Edge[];
  extras: Record<string, Edge[]>;
}

const table = (value: unknown): Table => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] => list(value).filter((item): item is string => typeof item === 'string');
const sha256 = (hash: unknown) => (text(hash)?.startsWith('sha256:') ? [text(hash)!.slice('sha256:'.length)] : []);

/** "name[extra1,extra2] (>=1) ; marker" (PEP 508 as Poetry and PDM write it) -> an edge. */
function edgeOf(requirement: string): Edge | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;\s*(.+))?$/.exec(requirement);
  if (!match) return undefined;
  const extras = (match[2] ?? '')
    .split(',')
    .map((extra) => extra.trim())
    .filter(Boolean);
  return { name: normalizeName(match[1]!), extras, ...(match[3] ? { marker: match[3].trim() } : {}) };
}

function gitPin(url: string, commit: string | undefined): string {
  const base = url.replace(/^git\+/, '').replace(/[?#].*$/, '');
  return ` @ git+${base}${commit ? `@${commit}` : ''}`;
}

/** uv.lock: the root package is the one whose source is the project itself (editable or virtual "."). */
function readUv(lock: Table): { nodes: Map<string, Node>; roots: Edge[] } {
  const nodes = new Map<string, Node>();
  let roots: Edge[] = [];
  const edges = (value: unknown): Edge[] =>
    list(value).map((item) => {
      const entry = table(item);
      const marker = text(entry['marker']);
      return { name: normalizeName(text(entry['name']) ?? ''), extras: strings(entry['extra']), ...(marker ? { marker } : {}) };
    });
  for (const item of list(lock['package'])) {
    const entry = table(item);
    const name = normalizeName(text(entry['name']) ?? '');
    const source = table(entry['source']);
    const dependencies = edges(entry['dependencies']);
    if (source['editable'] === '.' || source['virtual'] === '.') {
      roots = dependencies;
      continue;
    }
    const git = text(source['git']);
    const hashes = [...sha256(table(entry['sdist'])['hash']), ...list(entry['wheels']).flatMap((wheel) => sha256(table(wheel)['hash']))];
    nodes.set(name, {
      pin: git ? gitPin(git, /#([0-9a-f]{7,40})$/.exec(git)?.[1]) : `==${text(entry['version'])}`,
      hashes,
      dependencies,
      extras: Object.fromEntries(Object.entries(table(entry['optional-dependencies'])).map(([extra, value]) => [extra, edges(value)])),
    });
  }
  return { nodes, roots };
}

/** poetry.lock: dependencies are a table of name -> constraint or {version, markers, optional, extras}. */
function readPoetry(lock: Table, roots: Edge[]): { nodes: Map<string, Node>; roots: Edge[] } {
  const nodes = new Map<string, Node>();
  for (const item of list(lock['package'])) {
    const entry = table(item);
    const source = table(entry['source']);
    const dependencies = Object.entries(table(entry['dependencies'])).flatMap(([name, constraint]): Edge[] => {
      const detail = table(constraint);
      if (detail['optional'] === true) return [];
      const marker = text(detail['markers']);
      return [{ name: normalizeName(name), extras: strings(detail['extras']), ...(marker ? { marker } : {}) }];
    });
    const extras = Object.fromEntries(
      Object.entries(table(entry['extras'])).map(([extra, requirements]) => [extra, strings(requirements).flatMap((r) => edgeOf(r) ?? [])]),
    );
    nodes.set(normalizeName(text(entry['name']) ?? ''), {
      pin: source['type'] === 'git' ? gitPin(text(source['url']) ?? '', text(source['resolved_reference'])) : `==${text(entry['version'])}`,
      hashes: list(entry['files']).flatMap((file) => sha256(table(file)['hash'])),
      dependencies,
      extras,
    });
  }
  return { nodes, roots };
}

/** pdm.lock: each package says its groups; extras are entries of their own (name + extras). */
function readPdm(lock: Table): { nodes: Map<string, Node>; roots: Edge[] } {
  const nodes = new Map<string, Node>();
  const roots: Edge[] = [];
  for (const item of list(lock['package'])) {
    const entry = table(item);
    const name = normalizeName(text(entry['name']) ?? '');
    const git = text(entry['git']);
    const node: Node = nodes.get(name) ?? {
      pin: git ? gitPin(git, text(entry['revision'])) : `==${text(entry['version'])}`,
      hashes: list(entry['files']).flatMap((file) => sha256(table(file)['hash'])),
      dependencies: [],
      extras: {},
    };
    node.dependencies.push(...strings(entry['dependencies']).flatMap((requirement) => edgeOf(requirement) ?? []));
    nodes.set(name, node);
    if (strings(entry['groups']).includes('default')) {
      const marker = text(entry['marker']);
      roots.push({ name, extras: [], ...(marker ? { marker } : {}) });
    }
  }
  return { nodes, roots };
}

/**
 * Walks from the roots: a package is needed unconditionally when any path to it has no marker;
 * otherwise under the markers of the edges that reach it (either of them).
 */
function walk(nodes: Map<string, Node>, roots: Edge[]): LockedPackage[] {
  const markers = new Map<string, Set<string> | 'always'>();
  const expanded = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const edge = queue.shift()!;
    const node = nodes.get(edge.name);
    if (!node) continue;
    const known = markers.get(edge.name);
    if (edge.marker === undefined) markers.set(edge.name, 'always');
    else if (known !== 'always') markers.set(edge.name, new Set([...(known ?? []), edge.marker]));
    const key = `${edge.name}[${edge.extras.join(',')}]`;
    if (expanded.has(key)) continue;
    expanded.add(key);
    queue.push(...node.dependencies, ...edge.extras.flatMap((extra) => node.extras[extra] ?? []));
  }
  return [...markers.keys()].sort().map((name) => {
    const node = nodes.get(name)!;
    const condition = markers.get(name)!;
    const marker = condition === 'always' ? undefined : [...condition].map((one) => (condition.size > 1 ? `(${one})` : one)).join(' or ');
    return { name, pin: node.pin, hashes: node.hashes, ...(marker ? { marker } : {}) };
  });
}

// What a requirements line may hold from a lock: anything else (a newline, an option) could
// smuggle a line of its own into the file pip reads.
const WELL_FORMED = {
  pin: /^(==[A-Za-z0-9.+!_-]+| @ git\+[A-Za-z0-9.:/_~%+-]+(@[A-Za-z0-9._/-]+)?)$/,
  hash: /^[0-9a-f]{64}$/,
  marker: /^[A-Za-z0-9_ .'"<>=!~(),*-]+$/,
};

/** The runtime packages a lock pins; `projectRoots` are the pyproject's own dependencies (Poetry). */
export function lockedRequirements(lockFile: string, lock: Table, projectRoots: string[]): LockedRequirements {
  const rootEdges = projectRoots.flatMap((requirement) => edgeOf(requirement) ?? []);
  const { nodes, roots } = lockFile === 'uv.lock' ? readUv(lock) : lockFile === 'poetry.lock' ? readPoetry(lock, rootEdges) : readPdm(lock);
  const packages = walk(nodes, roots);
  const malformed = packages.find(
    (found) =>
      !WELL_FORMED.pin.test(found.pin) ||
      !found.hashes.every((hash) => WELL_FORMED.hash.test(hash)) ||
      (found.marker !== undefined && !WELL_FORMED.marker.test(found.marker)),
  );
  if (malformed) throw new DetectionError(`${lockFile}: the entry of ${malformed.name} is not a version, hash or marker pip can read`);
  return { lockFile, packages, hashed: packages.length > 0 && packages.every((found) => found.hashes.length > 0) };
}

/** The requirement lines pip reads: one package per logical line, its hashes continued below it. */
export function requirementLines(locked: LockedRequirements): string[] {
  return locked.packages.map((found) => {
    const line = `${found.name}${found.pin}${found.marker ? ` ; ${found.marker}` : ''}`;
    return locked.hashed ? [line, ...found.hashes.map((hash) => `    --hash=sha256:${hash}`)].join(' \\\n') : line;
  });
}
