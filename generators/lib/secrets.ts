// The git-ignored .env: .env.example's variables, with secrets from a CSPRNG. Existing values
// are never regenerated; variables new in .env.example are appended.
import { randomBytes } from 'node:crypto';

/** Variables whose value is generated; each gets 48 random bytes, URL-safe base64 (64 characters). */
export const GENERATED_SECRETS = ['DJANGO_SECRET_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'] as const;

export type RandomToken = () => string;
export const randomToken: RandomToken = () => randomBytes(48).toString('base64url');

const VARIABLE_LINE = /^([A-Z][A-Z0-9_]*)=(.*)$/;

function parseEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = VARIABLE_LINE.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!);
  }
  return values;
}

/**
 * Returns the .env text: the existing file untouched plus any variable of the example it lacks;
 * a fresh file is the example with generated secrets filled in.
 */
export function fillEnvFile(example: string, existing: string, token: RandomToken = randomToken): string {
  const present = parseEnv(existing);
  const fill = (line: string): string => {
    const match = VARIABLE_LINE.exec(line.trim());
    if (!match) return line;
    const [, key, value] = match as unknown as [string, string, string];
    return (GENERATED_SECRETS as readonly string[]).includes(key) && value === '' ? `${key}=${token()}` : line;
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
