// Existing-project mode, the generator's side: whether a run is in that mode, the answers
// detection settles, what the user already has, and the settings import check. The file-system
// and process access of that mode lives here, so generators/app stays the run loop.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AnswerError, type AnswerName, type Answers } from './answers.ts';
import type { DetectedProject } from './detect/index.ts';
import { SHAREABLE_FILES, type ExistingDeployment } from './existing.ts';

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
    ...(/^[a-z][a-z0-9-]*$/.test(name) ? { name } : {}),
    ...(project.python?.pinned ? { pythonVersion: project.python.pinned } : {}),
  };
}

/** Answers that contradict the project: one line. */
export function checkAgainstProject(answers: Answers, project: DetectedProject): void {
  if (project.manageDirectory !== '') {
    throw new AnswerError(
      `${project.manageDirectory}/manage.py: existing-project mode needs manage.py at the project root (the image runs "python manage.py" in /app)`,
    );
  }
  if (answers.celery && !project.celery) {
    throw new AnswerError(
      'Invalid answer "celery" (--celery): true needs a Celery app in the project (a celery.py defining app = Celery(...)); existing-project mode runs the project\'s own app',
    );
  }
}

/** Shareable files (.gitignore, Makefile, ...) the user has: present, and not written by us before. */
export function presentUserFiles(root: string, generatedBefore: ReadonlySet<string>): string[] {
  return SHAREABLE_FILES.filter((file) => existsSync(path.join(root, file)) && !generatedBefore.has(file));
}

/**
 * The deployment never writes over a user's file: on the first run every path it would write must
 * be free (.env included: the stack's secrets go there).
 */
export function refuseCollisions(root: string, paths: Iterable<string>): void {
  const taken = [...paths, '.env'].filter((file) => existsSync(path.join(root, file)));
  if (taken.length > 0) {
    throw new AnswerError(
      `The deployment would overwrite your ${taken.join(', ')}: move ${taken.length === 1 ? 'it' : 'them'} aside first (nothing was written)`,
    );
  }
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
