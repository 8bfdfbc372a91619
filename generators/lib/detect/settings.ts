// What a settings module (and the modules it star-imports) sets, read through the Python parser.
import {
  dictString,
  environmentReads,
  starImports,
  stringLiteral,
  stringsIn,
  topLevelAssignments,
  type EnvironmentRead,
} from './python-source.ts';
import type { ProjectReader } from './reader.ts';

export interface ModuleFile {
  module: string;
  /** Repository-relative path of the .py file. */
  file: string;
  /** The module is a package (its file is __init__.py). */
  isPackage: boolean;
}

/** Finds a module's file under one of the source roots ('' is the repository root). */
export function findModule(reader: ProjectReader, module: string, sourceRoots: readonly string[]): ModuleFile | undefined {
  const relative = module.split('.').join('/');
  for (const root of sourceRoots) {
    const base = root === '' ? relative : `${root}/${relative}`;
    if (reader.read(`${base}.py`) !== undefined) return { module, file: `${base}.py`, isPackage: false };
    if (reader.read(`${base}/__init__.py`) !== undefined) return { module, file: `${base}/__init__.py`, isPackage: true };
  }
  return undefined;
}

export interface SettingsFacts {
  /** The settings files read, the star-imported bases first and the module itself last. */
  files: string[];
  wsgiApplication?: string;
  asgiApplication?: string;
  /** The right-hand side of STATIC_ROOT / MEDIA_ROOT as written (they are usually path expressions). */
  staticRoot?: string;
  mediaRoot?: string;
  /** STATICFILES_STORAGE's value: Django 5.1 removed this setting, so it is ignored when set. */
  staticfilesStorage?: string;
  /** The "staticfiles" backend in STORAGES. */
  storagesStaticBackend?: string;
  /** STORAGES is set (the "default" backend may then be something other than the file system). */
  hasStorages: boolean;
  storagesDefaultBackend?: string;
  /** The ENGINE of DATABASES["default"] when written as a literal. */
  databaseEngine?: string;
  /** The variable DATABASES comes from (DATABASE_URL with django-environ or dj-database-url). */
  databaseUrlVariable?: string;
  /** Every environment variable the settings read, first read wins for "required". */
  environment: EnvironmentRead[];
  /** Settings names assigned anywhere in the chain (for suggestions). */
  assigned: string[];
  middleware: string[];
}

/**
 * The settings chain of a module: every module it star-imports (recursively, bases first)
 * and then itself. Star imports of modules outside the project (e.g. a library's defaults) are skipped.
 */
export function settingsChain(reader: ProjectReader, start: ModuleFile, sourceRoots: readonly string[]): ModuleFile[] {
  const chain: ModuleFile[] = [];
  const visit = (moduleFile: ModuleFile) => {
    if (chain.some((known) => known.file === moduleFile.file)) return;
    const source = reader.read(moduleFile.file) ?? '';
    for (const imported of starImports(source, moduleFile.module, moduleFile.isPackage)) {
      const found = findModule(reader, imported, sourceRoots);
      if (found) visit(found);
    }
    chain.push(moduleFile);
  };
  visit(start);
  return chain;
}

export function readSettingsFacts(reader: ProjectReader, chain: readonly ModuleFile[]): SettingsFacts {
  const facts: SettingsFacts = {
    files: chain.map((entry) => entry.file),
    hasStorages: false,
    environment: [],
    assigned: [],
    middleware: [],
  };
  for (const entry of chain) {
    const source = reader.read(entry.file) ?? '';
    for (const { target, name, expression } of topLevelAssignments(source)) {
      if (!facts.assigned.includes(name)) facts.assigned.push(name);
      const literal = stringLiteral(expression);
      const isWhole = target === name;
      switch (name) {
        case 'WSGI_APPLICATION':
          if (literal) facts.wsgiApplication = literal;
          break;
        case 'ASGI_APPLICATION':
          if (literal) facts.asgiApplication = literal;
          break;
        case 'STATIC_ROOT':
          facts.staticRoot = expression;
          break;
        case 'MEDIA_ROOT':
          facts.mediaRoot = expression;
          break;
        case 'STATICFILES_STORAGE':
          facts.staticfilesStorage = literal ?? expression;
          break;
        case 'STORAGES': {
          facts.hasStorages = true;
          // STORAGES = {...} replaces both backends; STORAGES["staticfiles"] = {...} sets that one.
          const alias = /^STORAGES\[["'](\w+)["']\]$/.exec(target)?.[1];
          if (isWhole) {
            facts.storagesStaticBackend = dictString(expression, ['staticfiles', 'BACKEND']);
            facts.storagesDefaultBackend = dictString(expression, ['default', 'BACKEND']);
          } else if (alias === 'staticfiles') facts.storagesStaticBackend = dictString(expression, ['BACKEND']);
          else if (alias === 'default') facts.storagesDefaultBackend = dictString(expression, ['BACKEND']);
          break;
        }
        case 'DATABASES': {
          const engine = dictString(expression, isWhole ? ['default', 'ENGINE'] : ['ENGINE']);
          const url = environmentReads(expression).at(0)?.variable;
          // A later whole assignment replaces what came before; a subscript one adds to it.
          if (isWhole || /^DATABASES\[["']default["']\]$/.test(target)) {
            facts.databaseEngine = engine;
            facts.databaseUrlVariable = url;
          }
          break;
        }
        case 'MIDDLEWARE':
          if (isWhole) facts.middleware = stringsIn(expression);
          break;
      }
    }
    for (const read of environmentReads(source)) {
      // Required when any read needs it; conditional only when every read is.
      const known = facts.environment.find((entry) => entry.variable === read.variable);
      if (!known) facts.environment.push({ ...read });
      else Object.assign(known, { required: known.required || read.required, conditional: known.conditional && read.conditional });
    }
  }
  return facts;
}
