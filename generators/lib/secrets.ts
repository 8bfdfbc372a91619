// The git-ignored .env: .env.example's variables, with the declared secrets generated from a
// CSPRNG. Existing values are never regenerated; variables new in .env.example are appended.
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
 * (the app's POSTGRES_PASSWORD holds the app role's password, POSTGRES_APP_PASSWORD), and the
 * PostgreSQL superuser's, which db alone has.
 */
export const CORE_SECRETS: readonly Secret[] = [
  ...['DJANGO_SECRET_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'].map((variable) => tokenSecret(variable, { swarmFile: true, app: true })),
  tokenSecret('POSTGRES_APP_PASSWORD', { swarmFile: true }),
];

/** The secrets of a stack: the core ones, then each enabled feature's, for these answers. */
export function stackSecrets(answers: Answers, enabled: readonly Feature[]): Secret[] {
  return [...CORE_SECRETS, ...enabled.flatMap((feature) => feature.secrets?.(answers) ?? [])];
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
 * a fresh file is the example with the secrets' generated values filled in. Variables generated
 * together (a key pair) are filled only while the first is new: a secret key the user removed
 * from the server (as the README says of backups' age identity) stays empty rather than being
 * replaced by one that cannot decrypt anything.
 */
export function fillEnvFile(example: string, existing: string, secrets: readonly Secret[] = CORE_SECRETS): string {
  const present = parseEnv(existing);
  const generated = new Map<Secret, readonly string[]>();
  const valueOf = (secret: Secret, index: number) => {
    if (!generated.has(secret)) generated.set(secret, secret.generate!());
    return generated.get(secret)![index]!;
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
