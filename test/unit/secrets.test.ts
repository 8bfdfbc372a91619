import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../features/index.ts';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { CORE_SECRETS, fillEnvFile, randomToken, stackSecrets, tokenSecret } from '../../generators/lib/secrets.ts';

const example = '# database\nPOSTGRES_USER=my_site\nPOSTGRES_PASSWORD=\nDJANGO_SECRET_KEY=\nSENTRY_DSN=\n';
let counter = 0;
const token = () => `token-${(counter += 1)}`;
const tokens = ['DJANGO_SECRET_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'].map((variable) => tokenSecret(variable, {}, token));

describe('fillEnvFile', () => {
  it('fills generated secrets of a fresh .env and copies the rest as written', () => {
    counter = 0;
    expect(fillEnvFile(example, '', tokens)).toBe(
      '# database\nPOSTGRES_USER=my_site\nPOSTGRES_PASSWORD=token-1\nDJANGO_SECRET_KEY=token-2\nSENTRY_DSN=\n',
    );
  });

  it("never regenerates an existing secret, and keeps the user's values", () => {
    const existing = 'POSTGRES_USER=custom\nPOSTGRES_PASSWORD=kept\nDJANGO_SECRET_KEY=kept-too\nSENTRY_DSN=https://key@sentry.example/1\n';
    expect(fillEnvFile(example, existing, tokens)).toBe(existing);
  });

  it('appends variables that are new in .env.example', () => {
    counter = 0;
    const updated = fillEnvFile(
      `${example}REDIS_PASSWORD=\nWEB_CONCURRENCY=4\n`,
      'POSTGRES_USER=u\nPOSTGRES_PASSWORD=p\nDJANGO_SECRET_KEY=k\nSENTRY_DSN=\n',
      tokens,
    );
    expect(updated).toBe(
      'POSTGRES_USER=u\nPOSTGRES_PASSWORD=p\nDJANGO_SECRET_KEY=k\nSENTRY_DSN=\n# added by generator-django-prod on regeneration\nREDIS_PASSWORD=token-1\nWEB_CONCURRENCY=4\n',
    );
  });

  it('makes long, distinct secrets from a CSPRNG (Django wants >= 50 characters)', () => {
    const tokens = new Set(Array.from({ length: 50 }, randomToken));
    expect(tokens.size).toBe(50);
    for (const value of tokens) expect(value).toMatch(/^[\w-]{64}$/);
  });
});

describe('the age key pair of encrypted backups', () => {
  const agePair = [{ variables: ['BACKUP_AGE_RECIPIENT', 'BACKUP_AGE_IDENTITY'], generate: () => ['age1pub', 'AGE-SECRET-KEY-1SECRET'] }];
  const withAge = 'BACKUP_S3_BUCKET=b\nBACKUP_AGE_RECIPIENT=\nBACKUP_AGE_IDENTITY=\n';

  it('is declared by backups when off-site copies are encrypted, with a real key pair', () => {
    const secretsOf = (given: Record<string, unknown>) => {
      const answers = resolveAnswers({ backupS3Bucket: 'shop-backups', ...given }, FEATURES);
      return stackSecrets(
        answers,
        FEATURES.filter((feature) => feature.enabled(answers)),
      );
    };
    expect(secretsOf({ backupEncrypt: false }).flatMap((secret) => secret.variables)).not.toContain('BACKUP_AGE_RECIPIENT');
    const filled = fillEnvFile(withAge, '', secretsOf({ backupEncrypt: true }));
    expect(filled).toMatch(/^BACKUP_AGE_RECIPIENT=age1[a-z0-9]{58}$/m);
    expect(filled).toMatch(/^BACKUP_AGE_IDENTITY=AGE-SECRET-KEY-1[A-Z0-9]{58}$/m);
    expect(secretsOf({}).slice(0, CORE_SECRETS.length)).toEqual(CORE_SECRETS);
  });

  it('fills both halves of one pair in a fresh .env', () => {
    expect(fillEnvFile(withAge, '', agePair)).toBe(
      'BACKUP_S3_BUCKET=b\nBACKUP_AGE_RECIPIENT=age1pub\nBACKUP_AGE_IDENTITY=AGE-SECRET-KEY-1SECRET\n',
    );
  });

  it('generates a pair when encryption is turned on later', () => {
    expect(fillEnvFile(withAge, 'BACKUP_S3_BUCKET=b\n', agePair)).toContain(
      'BACKUP_AGE_RECIPIENT=age1pub\nBACKUP_AGE_IDENTITY=AGE-SECRET-KEY-1SECRET\n',
    );
  });

  it('never pairs a kept recipient with a new identity after the user removed the secret key', () => {
    const updated = fillEnvFile(withAge, 'BACKUP_S3_BUCKET=b\nBACKUP_AGE_RECIPIENT=age1kept\n', agePair);
    expect(updated).toContain('BACKUP_AGE_IDENTITY=\n');
    expect(updated).not.toContain('SECRET');
  });
});
