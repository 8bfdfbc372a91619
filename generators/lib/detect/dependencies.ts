// How a project declares its dependencies and which Python it wants, from its files.
import { TomlError, parse as parseToml, type TomlTable, type TomlValue } from 'smol-toml';
import { lockedRequirements, type LockedRequirements } from './lock.ts';
import { imagePythonFor } from './python-version.ts';
import { normalizeName, readRequirements, requirementName } from './requirements.ts';
import type { ProjectReader } from './reader.ts';
import { DetectionError } from './reader.ts';

/**
 * requirements: pip requirements files; pyproject: PEP 621 [project] dependencies installed by pip;
 * poetry, pdm, uv: those tools' pyproject (with their lock file when present); pipenv: Pipfile.
 */
export type DependencyManager = 'requirements' | 'pyproject' | 'poetry' | 'pdm' | 'uv' | 'pipenv';

export interface Dependencies {
  manager: DependencyManager;
  /** The file that declares them (for requirements: the entry file, includes follow in `files`). */
  entry: string;
  /** Every declaring file read, entry first. */
  files: string[];
  lockFile?: string;
  /** The lock's runtime packages, pinned (uv, Poetry, PDM): what the image installs. */
  locked?: LockedRequirements;
  /** Normalised names of the runtime dependencies (no dev/test groups). */
  packages: string[];
  /** The pyproject has a [build-system]: `pip install .` builds the project itself. */
  buildsPackage: boolean;
  /** A dependency installs from a Git repository: the image's builder needs git. */
  needsGit: boolean;
}

export interface PythonVersion {
  /** The file it comes from. */
  source: string;
  /** As written there, e.g. "3.13", "python-3.13.5", ">=3.12", "^3.12". */
  spec: string;
  /** The major.minor the project pins, when it pins one (.python-version, runtime.txt, ==3.12.*). */
  pinned?: string;
  /** The lowest major.minor a range allows (>=3.12, ^3.12, ~=3.12). */
  minimum?: string;
  /** The python image minor that satisfies it (the default 3.13 when it does), or why none does. */
  image: { version: string } | { problem: string };
}

// Production-looking names first; dev/test/local/docs files are never the one installed.
const REQUIREMENTS_PREFERENCE = [
  'requirements/production.txt',
  'requirements/prod.txt',
  'requirements-production.txt',
  'requirements-prod.txt',
  'requirements/production.in',
  'requirements.txt',
  'requirements/base.txt',
  'requirements/common.txt',
  'requirements/requirements.txt',
];

export function readPyproject(reader: ProjectReader, file = 'pyproject.toml'): TomlTable | undefined {
  const text = reader.read(file);
  if (text === undefined) return undefined;
  try {
    return parseToml(text);
  } catch (error) {
    // smol-toml's message ends in a code frame: its first line and the position make one line.
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new DetectionError(`${file} is not valid TOML (line ${error.line}, column ${error.column}: ${reason})`);
    }
    throw error;
  }
}

export function detectDependencies(reader: ProjectReader): Dependencies | undefined {
  const pyproject = readPyproject(reader);
  const projectDependencies = stringList(pyproject && tomlGet(pyproject, 'project', 'dependencies')).flatMap(
    (requirement) => requirementName(requirement) ?? [],
  );
  const buildsPackage = pyproject !== undefined && tomlGet(pyproject, 'build-system') !== undefined;
  // Git dependencies, wherever the pyproject or its tool declares them (PEP 508 "git+", Poetry's git = ...).
  const pyprojectNeedsGit = pyproject !== undefined && /git\+|\bgit\s*=/.test(reader.read('pyproject.toml') ?? '');
  const withLock = (manager: DependencyManager, lockFile: string, packages: string[], roots: string[] = []): Dependencies => {
    const lock = reader.exists(lockFile) ? readPyproject(reader, lockFile) : undefined;
    const locked = lock && lockedRequirements(lockFile, lock, roots);
    return {
      manager,
      entry: 'pyproject.toml',
      files: ['pyproject.toml'],
      packages,
      buildsPackage,
      needsGit: pyprojectNeedsGit || (locked?.packages.some((found) => found.pin.includes('git+')) ?? false),
      ...(locked ? { lockFile, locked } : {}),
    };
  };

  if (pyproject && tomlGet(pyproject, 'tool', 'poetry') !== undefined) {
    // Poetry 1 declares under [tool.poetry.dependencies] (with "python" among them); Poetry 2 may use [project].
    const poetryTable = Object.entries(tableOrEmpty(tomlGet(pyproject, 'tool', 'poetry', 'dependencies'))).filter(
      ([name, constraint]) => name.toLowerCase() !== 'python' && tableOrEmpty(constraint)['optional'] !== true,
    );
    // The lock's roots as requirement text: "name[extra,...]".
    const poetryRoots = poetryTable.map(([name, constraint]) => {
      const extras = tableOrEmpty(constraint)['extras'];
      return Array.isArray(extras) && extras.length > 0 ? `${name}[${extras.join(',')}]` : name;
    });
    const declared = stringList(pyproject && tomlGet(pyproject, 'project', 'dependencies'));
    return withLock('poetry', 'poetry.lock', unique([...projectDependencies, ...poetryTable.map(([name]) => normalizeName(name))]), [
      ...declared,
      ...poetryRoots,
    ]);
  }
  if (pyproject && reader.exists('uv.lock')) return withLock('uv', 'uv.lock', projectDependencies);
  if (pyproject && (tomlGet(pyproject, 'tool', 'pdm') !== undefined || reader.exists('pdm.lock'))) {
    return withLock('pdm', 'pdm.lock', projectDependencies);
  }
  const pipfile = reader.exists('Pipfile') ? readPyproject(reader, 'Pipfile') : undefined;
  if (pipfile) {
    return {
      manager: 'pipenv',
      entry: 'Pipfile',
      files: ['Pipfile'],
      packages: Object.keys(tableOrEmpty(tomlGet(pipfile, 'packages'))).map(normalizeName),
      buildsPackage: false,
      needsGit: /\bgit\s*=/.test(reader.read('Pipfile') ?? ''),
      ...(reader.exists('Pipfile.lock') ? { lockFile: 'Pipfile.lock' } : {}),
    };
  }
  const requirementsEntry = REQUIREMENTS_PREFERENCE.find((file) => reader.exists(file));
  if (requirementsEntry) {
    const read = readRequirements(requirementsEntry, (file) => reader.read(file));
    if (read.missing.length > 0) throw new DetectionError(`${read.files.at(-1)} includes ${read.missing.join(', ')}, which does not exist`);
    return {
      manager: 'requirements',
      entry: requirementsEntry,
      files: read.files,
      packages: read.packages,
      buildsPackage: false,
      needsGit: read.needsGit,
    };
  }
  if (pyproject && tomlGet(pyproject, 'project') !== undefined) {
    return {
      manager: 'pyproject',
      entry: 'pyproject.toml',
      files: ['pyproject.toml'],
      packages: projectDependencies,
      buildsPackage,
      needsGit: pyprojectNeedsGit,
    };
  }
  return undefined;
}

export function detectPythonVersion(reader: ProjectReader): PythonVersion | undefined {
  const pin = (source: string, spec: string): PythonVersion => {
    const minor = /(\d+)\.(\d+)/.exec(spec);
    return { source, spec, ...(minor ? { pinned: `${minor[1]}.${minor[2]}` } : {}), image: imagePythonFor(spec) };
  };
  const versionFile = reader
    .read('.python-version')
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('#'));
  if (versionFile) return pin('.python-version', versionFile);
  const runtime = reader.read('runtime.txt')?.trim();
  if (runtime) return pin('runtime.txt', runtime);
  const pyproject = readPyproject(reader);
  const ranges: [string, TomlValue | undefined][] = [
    ['pyproject.toml', pyproject && tomlGet(pyproject, 'project', 'requires-python')],
    ['pyproject.toml', pyproject && tomlGet(pyproject, 'tool', 'poetry', 'dependencies', 'python')],
  ];
  for (const [source, value] of ranges) {
    if (typeof value === 'string') return rangeVersion(source, value);
  }
  const pipfile = reader.exists('Pipfile') ? readPyproject(reader, 'Pipfile') : undefined;
  const pipfileVersion = pipfile && tomlGet(pipfile, 'requires', 'python_version');
  if (typeof pipfileVersion === 'string') return pin('Pipfile', pipfileVersion);
  return undefined;
}

/** ">=3.12,<4" -> minimum 3.12; "==3.12.*" -> pinned 3.12. */
export function rangeVersion(source: string, spec: string): PythonVersion {
  const image = imagePythonFor(spec);
  const exact = /==\s*(\d+)\.(\d+)/.exec(spec);
  if (exact) return { source, spec, pinned: `${exact[1]}.${exact[2]}`, image };
  const lower = /(?:>=|\^|~=|~|>)\s*(\d+)\.(\d+)/.exec(spec);
  return { source, spec, ...(lower ? { minimum: `${lower[1]}.${lower[2]}` } : {}), image };
}

function stringList(value: TomlValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function tableOrEmpty(value: TomlValue | undefined): TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) ? (value as TomlTable) : {};
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

/** A nested value by key path, or undefined when any step is missing. */
export function tomlGet(table: TomlTable, ...keys: string[]): TomlValue | undefined {
  let value: TomlValue | undefined = table;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return undefined;
    value = (value as TomlTable)[key];
  }
  return value;
}
