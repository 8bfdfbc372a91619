// The git-ignored .env: .env.example's variables, with secrets from a CSPRNG. Existing values
// are never regenerated; variables new in .env.example are appended.
import { randomBytes } from 'node:crypto';
import { generateAgeKeyPair, type AgeKeyPair } from './age-key.ts';

/** Variables whose value is generated; each gets 48 random bytes, URL-safe base64 (64 characters). */
export const GENERATED_SECRETS = ['DJANGO_SECRET_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'] as const;

export type RandomToken = () => string;
export const randomToken: RandomToken = () => randomBytes(48).toString('base64url');

/** The age key pair of encrypted off-site backups: public key (recipient) and secret key (identity). */
export const AGE_RECIPIENT = 'BACKUP_AGE_RECIPIENT';
export const AGE_IDENTITY = 'BACKUP_AGE_IDENTITY';

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
 * a fresh file is the example with generated secrets filled in. The age pair is generated only
 * when the recipient is new: an identity the user removed from the server (as the README says)
 * stays empty rather than being replaced by a key that cannot decrypt anything.
 */
export function fillEnvFile(
  example: string,
  existing: string,
  token: RandomToken = randomToken,
  keyPair: () => AgeKeyPair = generateAgeKeyPair,
): string {
  const present = parseEnv(existing);
  let pair: AgeKeyPair | undefined;
  const newPair = () => (pair ??= keyPair());
  const fill = (line: string): string => {
    const match = VARIABLE_LINE.exec(line.trim());
    if (!match) return line;
    const [, key, value] = match as unknown as [string, string, string];
    if (value !== '') return line;
    if ((GENERATED_SECRETS as readonly string[]).includes(key)) return `${key}=${token()}`;
    if (key === AGE_RECIPIENT) return `${key}=${newPair().recipient}`;
    if (key === AGE_IDENTITY && !present.has(AGE_RECIPIENT)) return `${key}=${newPair().identity}`;
    return line;
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
