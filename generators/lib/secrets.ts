// The stack's secrets, one git-ignored file each (secrets/<name>, mounted as /run/secrets/<name>
// and read through <VARIABLE>_FILE), generated from a CSPRNG; and the git-ignored .env:
// .env.example's variables (configuration, no secret). Existing values are never regenerated;
// variables new in .env.example are appended.
import { randomBytes } from 'node:crypto';
import type { Answers } from './answer-spec.ts';
import type { Feature, Secret } from './feature.ts';

export type RandomToken = () => string;
/** 48 random bytes, URL-safe base64 (64 characters; Django wants at least 50). */
export const randomToken: RandomToken = () => randomBytes(48).toString('base64url');

/** A variable whose value is one random token. */
export const tokenSecret = (variable: string, extra: Omit<Secret, 'variables' | 'generate'> = {}, token = randomToken): Secret => ({
  variables: [variable],
  generate: () => [token()],
  ...extra,
});

/**
 * The core stack's secrets: Django's key and the PostgreSQL and Redis passwords, read by the app
 * (the app's POSTGRES_PASSWORD_FILE is the app role's password, postgres_app_password), and the
 * PostgreSQL superuser's, which db alone has.
 */
export const CORE_SECRETS: readonly Secret[] = [
  tokenSecret('DJANGO_SECRET_KEY', { app: true }),
  tokenSecret('POSTGRES_PASSWORD', { db: true }),
  tokenSecret('REDIS_PASSWORD', { app: true }),
  tokenSecret('POSTGRES_APP_PASSWORD', { app: true, db: true }),
];

/** The folder of the secret files, beside compose.yaml (git-ignored, mode 700). */
export const SECRETS_DIRECTORY = 'secrets';

/** The file of a secret variable: secrets/<variable in lower case>, /run/secrets/<same> in the containers. */
export const secretFileOf = (variable: string) => variable.toLowerCase();

/** The variables that are secret files: every secret's, except the off-server half of a key pair and its public half (.env). */
export function fileSecrets(secrets: readonly Secret[]): { secret: Secret; variable: string; index: number }[] {
  return secrets
    .filter((secret) => secret.offServer === undefined)
    .flatMap((secret) => secret.variables.map((variable, index) => ({ secret, variable, index })));
}

/** A .env text without the lines of these variables (secrets that moved into secret files). */
export function withoutVariables(text: string, variables: readonly string[]): string {
  return text
    .split('\n')
    .filter((line) => !variables.includes(VARIABLE_LINE.exec(line.trim())?.[1] ?? ''))
    .join('\n');
}

/** The stack's own secrets: the core ones, then each enabled feature's, for these answers. */
const builtInSecrets = (answers: Answers, enabled: readonly Feature[]): Secret[] => [
  ...CORE_SECRETS,
  ...enabled.flatMap((feature) => feature.secrets?.(answers) ?? []),
];

/** The secrets of a stack: its own, then an existing project's (empty files, the user's to fill in). */
export function stackSecrets(answers: Answers, enabled: readonly Feature[]): Secret[] {
  const project = projectSecrets(answers, enabled).map((variable): Secret => ({ variables: [variable], app: true }));
  return [...builtInSecrets(answers, enabled), ...project];
}

/**
 * An existing project's own secret variables (answer appSecrets) that become secret files: those
 * the stack has no file for already (S3_SECRET_ACCESS_KEY with the storage feature on: that file
 * fills the variable).
 */
export function projectSecrets(answers: Answers, enabled: readonly Feature[]): string[] {
  if (!answers.existing) return [];
  const filled = new Set(builtInSecrets(answers, enabled).flatMap((secret) => secret.variables));
  return answers.appSecrets.filter((variable) => !filled.has(variable));
}

const VARIABLE_LINE = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/** The variables of a .env text, by name. */
export function parseEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = VARIABLE_LINE.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!);
  }
  return values;
}

/**
 * Returns the .env text: the existing file untouched plus any variable of the example it lacks;
 * a fresh file is the example with generated values filled in (the public half of a key pair).
 * Variables generated together (a key pair) are filled only while the first is new: a kept public
 * key is never paired with a new secret key. `generated` receives every value generated, the
 * halves .env does not hold too (the run prints the off-server one, once).
 */
export function fillEnvFile(
  example: string,
  existing: string,
  secrets: readonly Secret[] = CORE_SECRETS,
  generated = new Map<string, string>(),
): string {
  const present = parseEnv(existing);
  const pairs = new Map<Secret, readonly string[]>();
  const valueOf = (secret: Secret, index: number) => {
    if (!pairs.has(secret)) {
      pairs.set(secret, secret.generate!());
      secret.variables.forEach((variable, at) => generated.set(variable, pairs.get(secret)![at]!));
    }
    return pairs.get(secret)![index]!;
  };
  const fill = (line: string): string => {
    const match = VARIABLE_LINE.exec(line.trim());
    if (!match) return line;
    const [, key, value] = match as unknown as [string, string, string];
    const secret = secrets.find((candidate) => candidate.generate && candidate.variables.includes(key));
    if (value !== '' || !secret) return line;
    const index = secret.variables.indexOf(key);
    if (index > 0 && present.has(secret.variables[0]!)) return line;
    return `${key}=${valueOf(secret, index)}`;
  };
  if (existing === '') return example.split('\n').map(fill).join('\n');
  const missing = example.split('\n').filter((line) => {
    const match = VARIABLE_LINE.exec(line.trim());
    return match !== null && !present.has(match[1]!);
  });
  if (missing.length === 0) return existing;
  const separator = existing.endsWith('\n') ? '' : '\n';
  return `${existing}${separator}# added by generator-django-prod on regeneration\n${missing.map(fill).join('\n')}\n`;
}
