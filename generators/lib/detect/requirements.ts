// pip requirements files: the package names they declare, following -r/-c includes.
import path from 'node:path/posix';

/** PEP 503 normalised distribution name: "Django" and "django_environ" -> "django", "django-environ". */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name a PEP 508 requirement starts with ("psycopg[binary]>=3.2" -> "psycopg"). */
export function requirementName(requirement: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement);
  return match ? normalizeName(match[1]!) : undefined;
}

export interface RequirementsRead {
  /** Every file read, the entry file first, repository-relative. */
  files: string[];
  /** Normalised names, in order of appearance, without duplicates. */
  packages: string[];
  /** Includes naming a file that does not exist. */
  missing: string[];
  /** A requirement installs from a Git repository (pip then needs git). */
  needsGit: boolean;
}

const DIRECT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@\s*\S/;

/**
 * Reads a requirements file and everything it includes (-r, --requirement, -c, --constraint;
 * paths are relative to the including file). Constraint files only pin, so their names are not
 * declared packages. Direct references ("name[extra] @ https://...") count by their name, editable
 * installs and bare URLs by their #egg= name.
 */
export function readRequirements(entry: string, read: (file: string) => string | undefined): RequirementsRead {
  const result: RequirementsRead = { files: [], packages: [], missing: [], needsGit: false };
  const visit = (file: string, declares: boolean) => {
    if (result.files.includes(file)) return;
    const text = read(file);
    if (text === undefined) {
      result.missing.push(file);
      return;
    }
    result.files.push(file);
    for (const rawLine of joinContinuations(text)) {
      const line = rawLine.replace(/(^|\s)#.*$/, '').trim();
      if (line === '') continue;
      const include = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)/.exec(line);
      if (include) {
        const isConstraint = include[1] === '-c' || include[1] === '--constraint';
        visit(path.normalize(path.join(path.dirname(file), include[2]!)), declares && !isConstraint);
        continue;
      }
      if (!declares) continue;
      if (/(^|[\s@])git\+/.test(line)) result.needsGit = true;
      // "name[extras] @ url" (PEP 508) is named; "-e url#egg=name" and bare URLs only by #egg=.
      const name = DIRECT_REFERENCE.test(line) || !(line.startsWith('-') || line.includes('://')) ? requirementName(line) : eggName(line);
      if (name !== undefined && !result.packages.includes(name)) result.packages.push(name);
    }
  };
  visit(entry, true);
  return result;
}

function joinContinuations(text: string): string[] {
  return text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
}

function eggName(line: string): string | undefined {
  const egg = /#egg=([A-Za-z0-9._-]+)/.exec(line);
  return egg ? normalizeName(egg[1]!) : undefined;
}
