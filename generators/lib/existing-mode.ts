// Existing-project mode, the generator's side: whether a run is in that mode, the answers
// detection settles, where the deployment goes, keeping .env out of git, and the settings import check. The file-system
// and process access of that mode lives here, so generators/app stays the run loop.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AnswerError, type AnswerName, type Answers } from './answers.ts';
import type { DetectedProject } from './detect/index.ts';
import { minorSatisfies } from './detect/python-version.ts';
import {
  BOT_CONFIGS,
  DEPLOY_DIRECTORIES,
  DEPLOY_SETTINGS_NAMES,
  detectedAppSecrets,
  stackFills,
  type ExistingDeployment,
  type Placement,
} from './existing.ts';
import type { DependencyBot } from './repo-health.ts';

type GivenAnswers = Partial<Record<AnswerName, unknown>>;

/**
 * Existing-project mode when asked (--existing), when the stored answers say so, or on a first
 * run in a directory with a manage.py (a generated new project has one too, but it is never a
 * first run: its answers are stored; and a new project whose first run was killed before it
 * stored them is `leftByKilledNewProject`, known from that run's lock).
 */
export function isExistingMode(root: string, explicit: unknown, stored: GivenAnswers | undefined, leftByKilledNewProject = false): boolean {
  if (explicit !== undefined) return explicit === true || explicit === 'true' || explicit === 'yes' || explicit === '';
  if (stored !== undefined) return stored['existing'] === true;
  if (leftByKilledNewProject) return false;
  return existsSync(path.join(root, 'manage.py')) || existsSync(path.join(root, 'src', 'manage.py'));
}

/** Answers detection settles (never asked; a flag or the answers file still wins). */
export function detectedAnswers(project: DetectedProject, root: string): GivenAnswers {
  const name = path
    .basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 40);
  return {
    existing: true,
    server: project.server,
    celery: project.celery !== undefined,
    // Caching anonymous pages changes how the project behaves: opt-in for a project we did not write.
    microcache: false,
    // The admin is where the project's own urls.py mounts it (nginx rate-limits that path): usually admin/.
    adminPath: 'admin',
    settingsModule: project.settings.module,
    ...(/^[a-z][a-z0-9-]*$/.test(name) ? { name } : {}),
    ...(project.python && 'version' in project.python.image ? { pythonVersion: project.python.image.version } : {}),
  };
}

/**
 * Defaults detection finds in the project, offered where the answer is asked (a flag, the answers
 * file or a stored answer wins): the variables the settings read that look like secrets.
 */
export function detectedDefaults(project: DetectedProject): GivenAnswers {
  return { appSecrets: detectedAppSecrets(project) };
}

/** Answers that contradict the project: one line. */
export function checkAgainstProject(answers: Answers, project: DetectedProject): void {
  // A name the settings do not read is allowed (the project's code may read it at run time,
  // which detection does not see); suggestionsFor names it. One the stack fills is a contradiction.
  const filled = answers.appSecrets.find(stackFills);
  if (filled !== undefined) {
    throw new AnswerError(
      `Invalid answer "appSecrets" (--app-secrets): the stack fills ${filled} itself (from its own secret files); allowed: your project's own variables, e.g. STRIPE_SECRET_KEY`,
    );
  }
  if (answers.celery && !project.celery) {
    throw new AnswerError(
      'Invalid answer "celery" (--celery): true needs a Celery app in the project (a module defining app = Celery(...)); existing-project mode runs the project\'s own app',
    );
  }
  if (project.python && minorSatisfies(answers.pythonVersion, project.python.spec) === false) {
    throw new AnswerError(
      `Invalid answer "pythonVersion" (--python-version): ${answers.pythonVersion} does not satisfy the project's Python ${project.python.spec} (${project.python.source})`,
    );
  }
}

/**
 * Where the deployment goes: our folder (deploy/, or another name when the project has its own
 * deploy/), the settings module's name (deploy.py unless the project has one) and the bot config
 * (in our folder when the project has its own). A path the previous run wrote is ours, so a
 * regeneration finds the same places.
 */
export function placementFor(root: string, project: DetectedProject, generatedBefore: ReadonlySet<string>, bot: DependencyBot): Placement {
  const ours = (file: string) => [...generatedBefore].some((generated) => generated === file || generated.startsWith(`${file}/`));
  const free = (file: string) => ours(file) || !existsSync(path.join(root, file));
  const directory = DEPLOY_DIRECTORIES.find(free) ?? DEPLOY_DIRECTORIES.at(-1)!;
  const settingsName =
    DEPLOY_SETTINGS_NAMES.find((name) => free(`${project.settingsPackage.directory}/${name}.py`)) ?? DEPLOY_SETTINGS_NAMES.at(-1)!;
  const botConfigInDirectory = bot !== 'none' && BOT_CONFIGS[bot].some((file) => !free(file));
  const dockerignore = path.join(root, '.dockerignore');
  const projectDockerignore = existsSync(dockerignore) ? readFileSync(dockerignore, 'utf8') : '';
  return { directory, settingsName, botConfigInDirectory, projectDockerignore };
}

/**
 * The deployment never writes over a file of the project: on the first run every path it would
 * write must be free (placementFor chose them so; this is the last guard, --force or not).
 */
export function refuseCollisions(root: string, paths: Iterable<string>): void {
  const taken = [...paths].filter((file) => existsSync(path.join(root, file)));
  if (taken.length > 0) {
    throw new AnswerError(
      `The deployment would overwrite your ${taken.join(', ')}: move ${taken.length === 1 ? 'it' : 'them'} aside first (nothing was written)`,
    );
  }
}

/** Lines of .git/info/exclude that keep secrets files out of commits at any depth. */
export const SECRETS_EXCLUDE = ['# generator-django-prod: secrets files are never committed', '.env', '.env.*', '!.env.example'];

/**
 * Makes sure git ignores .env files at any depth (ours in the deployment folder, and the project's
 * own): `git check-ignore` asks git itself; when the project's .gitignore does not cover them,
 * SECRETS_EXCLUDE goes into .git/info/exclude (this clone only, no file of the project changes).
 * Returns the line to report, or undefined when git already ignores them all.
 */
export function protectSecretsFromGit(root: string, directory: string): string | undefined {
  const git = (...args: string[]) => spawnSync('git', ['-c', 'safe.directory=*', ...args], { cwd: root, encoding: 'utf8' });
  const inside = git('rev-parse', '--is-inside-work-tree');
  if (inside.error || inside.status !== 0) {
    return `${root} is not a git repository: when you make it one, make sure .gitignore covers .env at any depth (${directory}/.env holds the secrets).`;
  }
  const probes = ['.env', `${directory}/.env`, 'any/.env', 'any/.env.production'];
  const ignored = (file: string) => git('check-ignore', '--no-index', '-q', '--', file).status === 0;
  const uncovered = probes.filter((file) => !ignored(file));
  if (uncovered.length === 0) return undefined;
  const exclude = path.resolve(root, git('rev-parse', '--git-path', 'info/exclude').stdout.trim());
  const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
  mkdirSync(path.dirname(exclude), { recursive: true });
  writeFileSync(exclude, `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${SECRETS_EXCLUDE.join('\n')}\n`);
  return `git did not ignore ${uncovered.join(', ')}: added ${SECRETS_EXCLUDE.slice(1).join(' ')} to ${path.relative(root, exclude)} (this clone only; add them to your .gitignore for every clone).`;
}

// Failures that only mean "this Python lacks the project's dependencies", not a broken project.
const MISSING_DEPENDENCY = /^ModuleNotFoundError: No module named '([\w.]+)'/m;

export type ImportCheck = { checked: true } | { checked: false; reason: string };

/**
 * Imports the user's settings module with this machine's python3 (the project's own virtualenv
 * when one is active), the source root on the path and the build-time placeholders in the
 * environment. A broken project (syntax error, a required variable, its own module missing) is
 * AnswerError with Python's last line; a dependency this Python lacks only means "not checked
 * here": the image build imports the settings again (collectstatic) with every dependency.
 */
export function checkSettingsImport(
  root: string,
  project: DetectedProject,
  deployment: ExistingDeployment,
  python = process.env['DJANGO_PROD_PYTHON'] ?? 'python3',
): ImportCheck {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    PYTHONPATH: path.join(root, project.sourceRoot),
    PYTHONDONTWRITEBYTECODE: '1',
    DJANGO_SECRET_KEY: 'import-check-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    ...Object.fromEntries(deployment.buildPlaceholders.map((variable) => [variable.name, variable.value])),
    ...(process.env['VIRTUAL_ENV'] ? { VIRTUAL_ENV: process.env['VIRTUAL_ENV'] } : {}),
  };
  const result = spawnSync(python, ['-c', `import ${project.settings.module}`], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) return { checked: false, reason: `${python} did not run (${(result.error as NodeJS.ErrnoException).code})` };
  if (result.status === 0) return { checked: true };
  const missing = MISSING_DEPENDENCY.exec(result.stderr)?.[1];
  const ownModule = missing !== undefined && existsSync(path.join(root, project.sourceRoot, missing.split('.')[0]!));
  if (missing !== undefined && !ownModule) {
    return {
      checked: false,
      reason: `${python} lacks the project's dependency "${missing}" (run yo in the project's virtualenv to check here)`,
    };
  }
  const lastLine = result.stderr.trim().split('\n').at(-1) ?? `exit code ${result.status}`;
  throw new AnswerError(`The settings module ${project.settings.module} cannot be imported: ${lastLine} (nothing was written)`);
}
