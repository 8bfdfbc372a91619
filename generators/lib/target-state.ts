// What keeps a target directory consistent when runs overlap or die half-way:
// - one run at a time: an exclusive lock file in the target (a stale one of a dead process is taken over);
// - the lock says when its run writes a new project, so the files a killed first run left behind
//   are not mistaken for a project of the user's (its manage.py would otherwise mean "existing project");
// - the state files (.yo-rc.json, .django-prod/pristine.json) written last, each atomically
//   (temp file + rename), so they never describe files that were not written;
// - a .yo-rc.json left empty or corrupt by an interrupted older run is repaired or refused in one line.
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnswerError } from './answers.ts';

export const LOCK_FILE = '.django-prod.lock';
export const STORED_CONFIG_FILE = '.yo-rc.json';

/** Another run holds the target, or its state cannot be read: one line, exit 2. */
export class TargetStateError extends AnswerError {}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** The run writes a new project: every file in the target without stored answers is its own. */
  newProject?: true;
}

export interface LockEnvironment {
  pid: number;
  host: string;
  now: () => Date;
  /** Whether a process of this host runs; signal 0 checks without signalling (EPERM: runs as another user). */
  isAlive: (pid: number) => boolean;
}

export const processEnvironment = (): LockEnvironment => ({
  pid: process.pid,
  host: os.hostname(),
  now: () => new Date(),
  isAlive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
});

export interface TargetLock {
  /** A dead run that was writing a new project here left this target half-written (its lock was taken over). */
  readonly interruptedNewProject: boolean;
  /** Records that this run writes a new project, so a run after it, should this one die, knows the files are ours. */
  markNewProject(): void;
  /**
   * Removes the lock, and the target directory if this run created it and left it empty. A run
   * that `stopped` (refused, failed) on a killed run's half-written new project keeps the lock
   * instead: the target stays as it was found, and the next run still knows whose files these are.
   */
  release(outcome: 'finished' | 'stopped'): void;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, since: String(owner.since), ...(owner.newProject === true ? { newProject: true } : {}) }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `content` to a fresh temp file beside `file`, flushed, and returns its path. */
function writeTemp(file: string, content: string, mode: number, pid: number): string {
  const temp = `${file}.${pid}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/**
 * Takes the target's lock or throws TargetStateError naming the holder. The lock file appears
 * complete or not at all (hard link of a written temp file: link fails if the name exists).
 * A lock whose owner is dead on this host is taken over under a second, short-lived lock so
 * two runs cannot both take it over. Creates the target directory when missing.
 */
export function acquireTargetLock(dir: string, environment: LockEnvironment = processEnvironment()): TargetLock {
  // The topmost directory this run creates (undefined: the target existed), removed again on release if empty.
  let firstCreated: string | undefined;
  try {
    statSync(dir);
  } catch {
    firstCreated = mkdirSync(dir, { recursive: true });
  }
  const lock = path.join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: environment.pid, host: environment.host, since: environment.now().toISOString() };
  const ownerText = (record: LockOwner) => `${JSON.stringify(record)}\n`;
  const temp = writeTemp(lock, ownerText(owner), 0o644, environment.pid);
  const tryLink = (target: string) => {
    try {
      linkSync(temp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  };
  let dead: LockOwner | undefined;
  try {
    if (!tryLink(lock)) dead = takeOverStaleLock(lock, temp, tryLink, environment);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed onto the lock by a takeover.
    }
  }
  const markNewProject = () => {
    if (owner.newProject) return;
    owner.newProject = true;
    writeFileAtomic(lock, ownerText(owner), 0o644, environment.pid);
  };
  const interruptedNewProject = dead?.newProject === true;
  // Inherited at once: should this run die too, the next one still knows whose files these are.
  if (interruptedNewProject) markNewProject();
  return {
    interruptedNewProject,
    markNewProject,
    release(outcome) {
      if (outcome === 'stopped' && interruptedNewProject) return;
      if (readOwner(lock)?.pid === environment.pid) unlinkSync(lock);
      if (firstCreated === undefined) return;
      const createdDirs = [dir];
      for (let parent = dir; parent !== firstCreated && path.dirname(parent) !== parent;) createdDirs.push((parent = path.dirname(parent)));
      try {
        for (const created of createdDirs) rmdirSync(created);
      } catch {
        // Not empty: this run wrote the project.
      }
    },
  };
}

/** Replaces a dead process's lock with this run's (from `temp`); returns the dead owner's record when it was taken over. */
function takeOverStaleLock(
  lock: string,
  temp: string,
  tryLink: (target: string) => boolean,
  environment: LockEnvironment,
): LockOwner | undefined {
  const holder = readOwner(lock);
  const dir = path.dirname(lock);
  const busy = (who: string) =>
    new TargetStateError(
      `Another django-prod run (${who}) is writing ${dir}: wait for it to finish; if none runs, delete ${lock} and try again`,
    );
  const stale =
    holder !== undefined && holder.host === environment.host && holder.pid !== environment.pid && !environment.isAlive(holder.pid);
  if (!stale) throw busy(holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'its lock file is unreadable');
  const guard = `${lock}.takeover`;
  if (!tryLink(guard)) throw busy(`taking over the stale lock of pid ${holder.pid}; if none runs, delete ${guard}`);
  try {
    // Between reading and the guard, another run may have taken it over and finished: look again.
    const now = readOwner(lock);
    if (now === undefined || now.pid !== holder.pid || now.since !== holder.since) {
      if (now !== undefined || !tryLink(lock)) throw busy('it took over the lock first');
      return undefined;
    }
    renameSync(temp, lock);
    return holder;
  } finally {
    unlinkSync(guard);
  }
}

/** Writes a file so that readers see the old or the new content, never a part: temp file, fsync, rename. */
export function writeFileAtomic(file: string, content: string, mode = 0o644, pid = process.pid): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = writeTemp(file, content, mode, pid);
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

export type StoredConfigState =
  | { kind: 'absent' }
  | { kind: 'ok' }
  /** Empty or unparsable, with nothing else generated: an interrupted first run; delete it and start fresh. */
  | { kind: 'discard'; reason: string }
  | { kind: 'refuse'; message: string };

/**
 * Judges the target's .yo-rc.json before Yeoman parses it (Yeoman crashes on a bad one).
 * `text` is its content (undefined when missing); `hasPristine` whether .django-prod/pristine.json exists.
 */
export function assessStoredConfig(text: string | undefined, hasPristine: boolean, dir: string): StoredConfigState {
  if (text === undefined) return { kind: 'absent' };
  let reason: string | undefined;
  if (text.trim() === '') reason = 'is empty';
  else {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) reason = 'is not a JSON object';
    } catch (error) {
      reason = `is not valid JSON (${(error as Error).message.split('\n')[0]})`;
    }
  }
  if (reason === undefined) return { kind: 'ok' };
  if (!hasPristine) return { kind: 'discard', reason };
  const file = path.join(dir, STORED_CONFIG_FILE);
  return {
    kind: 'refuse',
    message: `${file} ${reason} (an interrupted run?): restore it with \`git -C ${dir} checkout -- ${STORED_CONFIG_FILE}\` and run again, or delete it and regenerate with your answers and --force`,
  };
}
