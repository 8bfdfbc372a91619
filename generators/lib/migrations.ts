// The answers a repository stores in .yo-rc.json were written by some generator version. Before a
// regeneration resolves them, this module refuses a store written by a NEWER generator (its answers
// and templates may mean things this version does not know) and brings an older store up to date
// with a table of answer migrations (renamed or split answers), keyed by the version that
// introduced each change. Pure: no Yeoman, no file system.
import { isDeepStrictEqual } from 'node:util';
import semver from 'semver';
import { secretFileOf } from './secrets.ts';

/** Answers as stored: keys may be names this generator no longer uses. */
export type StoredAnswers = Readonly<Record<string, unknown>>;

export interface AnswerMigration {
  /** The generator version that introduced the change: stores written before it are migrated. */
  version: string;
  /** One line, printed when the migration runs. */
  description: string;
  migrate(answers: StoredAnswers): StoredAnswers;
  /** Values that leave the store for secret files, by variable (read before `migrate`). */
  secrets?(answers: StoredAnswers): Readonly<Record<string, string>>;
}

/** `from` is now called `to`; a store that already has `to` keeps it (and loses `from`). */
export function renameAnswer(version: string, from: string, to: string): AnswerMigration {
  return {
    version,
    description: `answer "${from}" is now "${to}"`,
    migrate: ({ [from]: value, ...rest }) => (value === undefined || rest[to] !== undefined ? rest : { ...rest, [to]: value }),
  };
}

/** `from` became several answers: `split` maps its stored value to them; answers already stored win. */
export function splitAnswer(
  version: string,
  from: string,
  into: readonly string[],
  split: (value: unknown) => StoredAnswers,
): AnswerMigration {
  return {
    version,
    description: `answer "${from}" is now ${into.map((name) => `"${name}"`).join(', ')}`,
    migrate: ({ [from]: value, ...rest }) => (value === undefined ? rest : { ...split(value), ...rest }),
  };
}

/**
 * An answer still at the default of the version before `version` takes the new default: the store
 * cannot tell a default from a choice, and an image version left alone follows the generator's.
 */
export function followDefault(version: string, name: string, before: unknown, after: unknown, why: string): AnswerMigration {
  return {
    version,
    description: `answer "${name}" ${JSON.stringify(before)} (the default before ${version}) is now ${JSON.stringify(after)}: ${why}`,
    migrate: (answers) => (answers[name] === before ? { ...answers, [name]: after } : answers),
  };
}

/**
 * An answer new in `version` whose default changes what a project already had: a store written
 * before it gets `value`, the behaviour it had, so an upgrade changes nothing the user did not ask
 * for. An empty store is a first run: it takes the default.
 */
export function keepBehaviour(version: string, name: string, value: unknown, why: string): AnswerMigration {
  return {
    version,
    description: `answer "${name}" (new in ${version}) is ${JSON.stringify(value)}, as before: ${why}`,
    migrate: (answers) => (answers[name] !== undefined || Object.keys(answers).length === 0 ? answers : { ...answers, [name]: value }),
  };
}

/**
 * `from` held a secret (a webhook URL carries its token): its value moves into the secret file of
 * `variable`, and the store keeps only `to`, whether there was one.
 */
export function answerToSecret(version: string, from: string, variable: string, to: string, why: string): AnswerMigration {
  return {
    version,
    description: `answer "${from}" is now the secret file secrets/${secretFileOf(variable)} and answer "${to}": ${why}`,
    migrate: ({ [from]: value, ...rest }) => (value === undefined ? rest : { [to]: value !== '', ...rest }),
    secrets: (answers) => (typeof answers[from] === 'string' && answers[from] !== '' ? { [variable]: answers[from] } : {}),
  };
}

/**
 * Every rename or split of an answer, oldest first. Add an entry when an answer's name or meaning
 * changes, with the version that ships the change, so stores written before it keep working.
 */
export const ANSWER_MIGRATIONS: readonly AnswerMigration[] = [
  followDefault('0.2.0', 'nginxVersion', '1.28', '1.30', 'nginx finds web containers itself (upstream resolve), the current stable line'),
  keepBehaviour(
    '0.3.0',
    'adminPath',
    'admin',
    'the admin stays at /admin/ (new projects get a random path); --admin-path moves it, bookmarks and links too',
  ),
  answerToSecret(
    '0.3.0',
    'alertWebhookUrl',
    'ALERTMANAGER_WEBHOOK_URL',
    'alertWebhook',
    'a webhook URL carries its token; it stays in your git history, so rotate it if others can read the repository',
  ),
];

/** Stores written before the generator recorded its version are older than every migration. */
const UNRECORDED_VERSION = '0.0.0';

/**
 * The entries of releases after the store's version (a store without one is older than all) and
 * not after the running generator (a future release's wait for it), oldest first; toSorted is
 * stable, so entries of one release keep their table order.
 */
function releasedSince<T extends { version: string }>(entries: readonly T[], storedVersion: string | undefined, running: string): T[] {
  const from = storedVersion ?? UNRECORDED_VERSION;
  return entries
    .filter((entry) => semver.gt(entry.version, from) && semver.lte(entry.version, running))
    .toSorted((a, b) => semver.compare(a.version, b.version));
}

/**
 * What a running stack needs beyond `make deploy` (which rolls the application's containers over
 * without downtime) once a release's regeneration is committed on the server: printed by a
 * regeneration that crosses the release, and the CHANGELOG's "Upgrading" notes say the same.
 */
export interface UpgradeStep {
  version: string;
  /** One line: what changed and the exact command. */
  step: string;
}

export const UPGRADE_STEPS: readonly UpgradeStep[] = [
  {
    version: '0.2.0',
    step: "before `make deploy`, add to the server's .env the variables this run appended to yours (the passwords of the new database roles); the deploy then makes the roles on the running database",
  },
  {
    version: '0.2.0',
    step: "nginx finds web containers itself now (its image and configuration changed): after `make deploy`, at a quiet moment, `docker compose up --detach --wait --no-deps nginx` replaces nginx (about a second without it). Until then the running nginx keeps serving; it loads the new configuration at the deploy's reload (nginx 1.27.3 or later, as the 1.28 of 0.1.0 is)",
  },
  {
    version: '0.3.0',
    step: "secrets are files now: this run wrote secrets/ (git-ignored, one file each) from your .env's values and took them out of .env. On the server, before anything else: copy secrets/ beside compose.yaml (`scp -r secrets <server>:<path>/`, then `chmod 700 secrets` there) and replace its .env with yours; then, at a quiet moment, `make up`: web rolls over as in a deploy, then every other service is recreated with its secrets mounted as files, each on its own (while db and redis restart, requests wait a few seconds). A BACKUP_AGE_IDENTITY still in a .env is read by nothing any more: keep it in your password manager and delete it from every .env (restore.sh --from-s3 asks for it)",
  },
  {
    version: '0.3.0',
    step: "nginx's configuration changed (browser headers, admin rate limits, /health/, and the upstream now names web's network alias `django`, which only containers this release starts carry): after `make deploy`, not before, `docker compose exec nginx nginx -s reload` (a `make up` that recreated nginx has done it)",
  },
];

/**
 * The steps of every release after the store's version (a store without one is older than all),
 * up to the running one, oldest first. Only for a regeneration: a first one has no running stack.
 */
export function upgradeStepsSince(
  storedVersion: string | undefined,
  running: string,
  steps: readonly UpgradeStep[] = UPGRADE_STEPS,
): UpgradeStep[] {
  return releasedSince(steps, storedVersion, running);
}

/**
 * Why regenerating a store written by `stored` with generator `running` must stop, or undefined
 * when it may go on (same or older store). A missing version is an old store.
 */
export function storedVersionProblem(stored: unknown, running: string): string | undefined {
  if (stored === undefined) return undefined;
  if (typeof stored !== 'string' || semver.valid(stored) === null) {
    return `.yo-rc.json records generator version ${JSON.stringify(stored)}, which is not a version: restore the file from git`;
  }
  if (semver.gt(stored, running)) {
    return `This repository was generated by generator-django-prod ${stored}, newer than this one (${running}): upgrade the generator (npm install -g generator-django-prod@${stored}) before regenerating`;
  }
  return undefined;
}

/**
 * Applies, in version order, every migration newer than the store's version and not newer than
 * the running generator (a migration of a future release waits for it). `applied` lists those
 * that changed something (a store without the answer is no news to print); `secrets` are the
 * values that left the store for secret files.
 */
export function migrateAnswers(
  stored: StoredAnswers,
  storedVersion: string | undefined,
  running: string,
  migrations: readonly AnswerMigration[] = ANSWER_MIGRATIONS,
): { answers: StoredAnswers; applied: AnswerMigration[]; secrets: Map<string, string> } {
  const due = releasedSince(migrations, storedVersion, running);
  const applied: AnswerMigration[] = [];
  const secrets = new Map<string, string>();
  let answers = stored;
  for (const migration of due) {
    for (const [variable, value] of Object.entries(migration.secrets?.(answers) ?? {})) secrets.set(variable, value);
    const migrated = migration.migrate(answers);
    if (!isDeepStrictEqual(migrated, answers)) applied.push(migration);
    answers = migrated;
  }
  return { answers, applied, secrets };
}
