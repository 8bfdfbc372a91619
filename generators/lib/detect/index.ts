// Detection of an existing Django project: everything the deployment needs to know about it,
// read from its files through parsers (nothing of the user's is run or changed here).
import { detectDependencies, detectPythonVersion, type Dependencies, type PythonVersion } from './dependencies.ts';
import { celeryInstances, settingsModuleDefault } from './python-source.ts';
import { DetectionError, type ProjectReader } from './reader.ts';
import { findModule, readSettingsFacts, settingsChain, type ModuleFile, type SettingsFacts } from './settings.ts';

export { DetectionError, directoryReader, memoryReader, type ProjectReader } from './reader.ts';
export type { Dependencies, DependencyManager, PythonVersion } from './dependencies.ts';
export type { SettingsFacts } from './settings.ts';
export type { EnvironmentRead } from './python-source.ts';

export type ServerKind = 'wsgi' | 'asgi';

export interface CeleryApp {
  /** The module defining the app, e.g. proj.celery. */
  module: string;
  file: string;
  /** The variable holding the Celery instance, e.g. app. */
  variable: string;
  /** What `celery -A` takes: module:variable. */
  target: string;
  /** config_from_object's namespace (CELERY for the usual Django setup), if any. */
  namespace?: string;
}

export interface DetectedProject {
  /** Where manage.py is, repository-relative ('' or 'src'). */
  manageDirectory: string;
  /** The directory the project's modules import from ('' or 'src'): the image's PYTHONPATH. */
  sourceRoot: string;
  /** The settings module production serves with, and where it was found. */
  settings: { module: string; file: string; source: string; isPackage: boolean };
  /** manage.py's default settings module when it differs from the production one (e.g. config.settings.local). */
  manageSettingsModule: string;
  /** The package a new settings module goes into (config.settings for config.settings.production, mysite for mysite.settings). */
  settingsPackage: { module: string; directory: string };
  server: ServerKind;
  /** Why that server: the ASGI_APPLICATION setting, an ASGI server dependency, or the default. */
  serverReason: string;
  /** gunicorn's application, e.g. mysite.wsgi:application. */
  application: string;
  dependencies?: Dependencies;
  python?: PythonVersion;
  celery?: CeleryApp;
  facts: SettingsFacts;
}

const MANAGE_DIRECTORIES = ['', 'src'];
const ASGI_SERVERS = ['uvicorn', 'daphne', 'hypercorn', 'channels', 'uvicorn-worker'];

export interface DetectionChoices {
  /** The settings module production imports (the settingsModule answer): wins over detection. */
  settingsModule?: string;
}

/** Reads a project; throws DetectionError (one line) when it is not a Django project we can read. */
export function detectProject(reader: ProjectReader, root = '.', choices: DetectionChoices = {}): DetectedProject {
  const manageDirectory = MANAGE_DIRECTORIES.find((directory) => reader.read(join(directory, 'manage.py')) !== undefined);
  if (manageDirectory === undefined) {
    throw new DetectionError(`${root} is not a Django project: no manage.py at its root or in src/`);
  }
  const managePy = join(manageDirectory, 'manage.py');
  const manageSettingsModule = settingsModuleDefault(reader.read(managePy)!);
  if (manageSettingsModule === undefined) {
    throw new DetectionError(
      `${managePy} does not set DJANGO_SETTINGS_MODULE (os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)), so the settings module is unknown`,
    );
  }
  const sourceRoots = unique([manageDirectory, 'src', '']);
  const manageSettings = findModule(reader, manageSettingsModule, sourceRoots);
  if (manageSettings === undefined) {
    throw new DetectionError(
      `${managePy} names the settings module ${manageSettingsModule}, but no ${manageSettingsModule.split('.').join('/')}.py exists`,
    );
  }
  const sourceRoot = rootOf(manageSettings);
  const topPackage = manageSettingsModule.split('.')[0]!;
  const entryPoints = (['wsgi', 'asgi'] as const).map((kind) => findModule(reader, `${topPackage}.${kind}`, [sourceRoot]));

  // wsgi.py/asgi.py name the settings production serves with (split settings: manage.py often says local).
  const servedSettings = entryPoints
    .flatMap((entry) => (entry ? [{ entry, module: settingsModuleDefault(reader.read(entry.file)!) }] : []))
    .find(({ module }) => module !== undefined && findModule(reader, module, [sourceRoot]) !== undefined);
  const served = servedSettings
    ? { file: findModule(reader, servedSettings.module!, [sourceRoot])!, source: servedSettings.entry.file }
    : { file: manageSettings, source: managePy };
  const { file: settingsFile, source: settingsSource } = choices.settingsModule
    ? { file: answeredSettings(reader, choices.settingsModule, sourceRoot), source: 'the settingsModule answer' }
    : (productionBeside(reader, served.file, sourceRoot) ?? served);

  const facts = readSettingsFacts(reader, settingsChain(reader, settingsFile, [sourceRoot]));
  const dependencies = detectDependencies(reader);
  const { server, serverReason } = chooseServer(facts, dependencies, entryPoints);
  const application = applicationOf(server, facts, topPackage, reader, sourceRoot);
  const celery = findCeleryApp(reader, sourceRoot, topPackage);
  const settingsPackage = settingsFile.isPackage ? settingsFile.module : settingsFile.module.split('.').slice(0, -1).join('.');
  const python = detectPythonVersion(reader);
  if (python && 'problem' in python.image) {
    throw new DetectionError(`${python.source} asks for Python ${python.spec}: ${python.image.problem}`);
  }
  return {
    manageDirectory,
    sourceRoot,
    settings: { module: settingsFile.module, file: settingsFile.file, source: settingsSource, isPackage: settingsFile.isPackage },
    manageSettingsModule,
    settingsPackage: { module: settingsPackage, directory: join(sourceRoot, settingsPackage.split('.').join('/')) },
    server,
    serverReason,
    application,
    ...(dependencies ? { dependencies } : {}),
    ...(python ? { python } : {}),
    ...(celery ? { celery } : {}),
    facts,
  };
}

function chooseServer(
  facts: SettingsFacts,
  dependencies: Dependencies | undefined,
  entryPoints: (ModuleFile | undefined)[],
): { server: ServerKind; serverReason: string } {
  if (facts.asgiApplication) return { server: 'asgi', serverReason: `ASGI_APPLICATION = ${facts.asgiApplication}` };
  const asgiServer = dependencies?.packages.find((name) => ASGI_SERVERS.includes(name));
  // An ASGI server among the dependencies means ASGI only when there is an asgi.py to serve.
  if (asgiServer && entryPoints[1]) return { server: 'asgi', serverReason: `${asgiServer} in ${dependencies!.entry}` };
  if (!entryPoints[0] && entryPoints[1]) return { server: 'asgi', serverReason: 'only asgi.py exists' };
  return { server: 'wsgi', serverReason: facts.wsgiApplication ? `WSGI_APPLICATION = ${facts.wsgiApplication}` : 'the default' };
}

/** "mysite.wsgi.application" -> "mysite.wsgi:application"; without the setting, the package's module. */
function applicationOf(server: ServerKind, facts: SettingsFacts, topPackage: string, reader: ProjectReader, sourceRoot: string): string {
  const setting = server === 'asgi' ? facts.asgiApplication : facts.wsgiApplication;
  if (setting) {
    const parts = setting.split('.');
    return `${parts.slice(0, -1).join('.')}:${parts.at(-1)}`;
  }
  const module = `${topPackage}.${server}`;
  if (!findModule(reader, module, [sourceRoot])) {
    throw new DetectionError(
      `No ${server.toUpperCase()}_APPLICATION setting and no ${module.split('.').join('/')}.py: cannot tell what gunicorn should serve`,
    );
  }
  return `${module}:application`;
}

// Folders that hold no code of the project's own (virtualenvs, dependencies, build output, assets).
const NOT_PROJECT_CODE = new Set([
  'node_modules',
  'site-packages',
  'venv',
  'env',
  'build',
  'dist',
  'static',
  'staticfiles',
  'media',
  'templates',
  'migrations',
  'tests',
  'test',
  'docs',
]);

/** Every .py file of the project under a directory, skipping hidden folders and NOT_PROJECT_CODE. */
function pythonFiles(reader: ProjectReader, directory: string, depth = 0): string[] {
  if (depth > 6) return [];
  return reader.list(directory).flatMap((name) => {
    const path = join(directory, name);
    if (name.endsWith('.py')) return reader.read(path) === undefined ? [] : [path];
    if (name.startsWith('.') || NOT_PROJECT_CODE.has(name) || reader.read(path) !== undefined) return [];
    return pythonFiles(reader, path, depth + 1);
  });
}

/**
 * The project's Celery app: a module-level `x = Celery(...)` wherever it is (proj/celery.py,
 * proj/celeryconf.py, proj/tasks/celery.py, ...). The settings' top package first, then the
 * conventional module names, then path order.
 */
function findCeleryApp(reader: ProjectReader, sourceRoot: string, topPackage: string): CeleryApp | undefined {
  const rank = (file: string) =>
    (file.startsWith(join(sourceRoot, `${topPackage}/`)) ? 0 : 2) + (/(^|\/)celery(_app|conf)?\.py$/.test(file) ? 0 : 1);
  const found = pythonFiles(reader, sourceRoot)
    .filter((file) => reader.read(file)!.includes('Celery('))
    .sort((a, b) => rank(a) - rank(b))
    .flatMap((file) => celeryInstances(reader.read(file)!).map((instance) => ({ file, instance })))
    .at(0);
  if (!found) return undefined;
  const relative = sourceRoot === '' ? found.file : found.file.slice(sourceRoot.length + 1);
  const module = relative
    .replace(/\.py$/, '')
    .replace(/\/__init__$/, '')
    .split('/')
    .join('.');
  const { variable, namespace } = found.instance;
  return { module, file: found.file, variable, target: `${module}:${variable}`, ...(namespace ? { namespace } : {}) };
}

const PRODUCTION_MODULES = ['production', 'prod'];

/**
 * Split settings whose entry points name a development or base module (config.settings.local,
 * config.django.base): the production module beside it, when there is one.
 */
function productionBeside(reader: ProjectReader, served: ModuleFile, sourceRoot: string): { file: ModuleFile; source: string } | undefined {
  const parts = served.module.split('.');
  if (served.isPackage || parts.length < 2 || PRODUCTION_MODULES.includes(parts.at(-1)!)) return undefined;
  const file = PRODUCTION_MODULES.map((name) => findModule(reader, [...parts.slice(0, -1), name].join('.'), [sourceRoot])).find(Boolean);
  return file && { file, source: `the production module beside ${served.module}` };
}

function answeredSettings(reader: ProjectReader, module: string, sourceRoot: string): ModuleFile {
  const file = findModule(reader, module, [sourceRoot]);
  if (!file) {
    throw new DetectionError(
      `Invalid answer "settingsModule" (--settings-module): ${module} has no ${join(sourceRoot, module.split('.').join('/'))}.py`,
    );
  }
  return file;
}

function rootOf(moduleFile: ModuleFile): string {
  const depth = moduleFile.module.split('.').length + (moduleFile.isPackage ? 1 : 0);
  return moduleFile.file.split('/').slice(0, -depth).join('/');
}

function join(directory: string, file: string): string {
  return directory === '' ? file : `${directory}/${file}`;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
