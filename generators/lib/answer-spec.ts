// What an answer is (AnswerSpec) and the checks answers share. The core answers live in
// answers.ts; each feature module (features/<name>/) declares its own and adds them
// to the Answers interface by declaration merging, so this file never lists a feature.
import os from 'node:os';
import type { DependencyBot } from './repo-health.ts';

export const TLS_MODES = ['letsencrypt', 'letsencrypt-staging', 'acme', 'self-signed'] as const;
export type TlsMode = (typeof TLS_MODES)[number];
export const SERVER_KINDS = ['wsgi', 'asgi'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** The core answers; feature modules add theirs (declare module ... { interface Answers { ... } }). */
export interface Answers {
  name: string;
  packageName: string;
  domain: string;
  extraDomains: string[];
  email: string;
  server: ServerKind;
  cpus: number;
  memoryMb: number;
  tlsMode: TlsMode;
  acmeDirectory: string;
  acmeCaBundle: string;
  hstsSeconds: number;
  hstsPreload: boolean;
  adminPath: string;
  uploadLimitMb: number;
  timeZone: string;
  pythonVersion: string;
  postgresVersion: string;
  redisVersion: string;
  nginxVersion: string;
  existing: boolean;
  appPath: string;
  settingsModule: string;
  appSecrets: string[];
  dependencyBot: DependencyBot;
  ci: boolean;
  ciImage: string;
}

export type AnswerName = keyof Answers;
type AnswerKind = 'string' | 'number' | 'boolean' | 'list' | 'choice';

export interface AnswerSpec<N extends AnswerName = AnswerName> {
  name: N;
  kind: AnswerKind;
  /** The question asked by the prompt. */
  message: string;
  /** One line for --help, the README table and the answers file docs. */
  description: string;
  choices?: readonly string[];
  default(answers: Partial<Answers>): Answers[N];
  /** Asked (and validated) only when this holds; otherwise the default is kept. */
  when?: (answers: Partial<Answers>) => boolean;
  /**
   * Tuning with a safe default: prompted only after the user says yes to "Customize advanced
   * settings?". Its flag and answers-file key work as for every answer.
   */
  advanced?: boolean;
  /** Returns an error text saying what is allowed, or undefined when the value is fine. */
  // Method syntax: a spec of one answer must fit the list of all specs.
  check(value: Answers[N], answers: Partial<Answers>): string | undefined;
}

/** Thrown for any bad input: its message is the one line the user sees. */
export class AnswerError extends Error {
  readonly code = 2;
}

const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

// In capitals, as .env holds them (lib/secrets.ts parseEnv) and Swarm's deploy script names secrets.
export const ENVIRONMENT_VARIABLE = /^[A-Z][A-Z0-9_]*$/;

export const isLetsEncrypt = (answers: Partial<Answers>) => answers.tlsMode === 'letsencrypt' || answers.tlsMode === 'letsencrypt-staging';

/** A DNS name a certificate can be issued for; Let's Encrypt also needs a public one. */
export function checkDomain(domain: string, answers: Partial<Answers>): string | undefined {
  const labels = domain.split('.');
  const wellFormed = domain.length <= 253 && labels.every((label) => HOSTNAME_LABEL.test(label));
  if (!wellFormed) return 'must be a DNS name such as example.com (letters, digits, hyphens, dots; lowercase)';
  if (isLetsEncrypt(answers) && (IPV4.test(domain) || domain === 'localhost' || labels.length < 2 || domain.endsWith('.localhost'))) {
    return `must be a public DNS name for Let's Encrypt, not an IP address or localhost (use --tls-mode self-signed for a local trial)`;
  }
  return undefined;
}

export function checkInteger(value: number, min: number, max: number, unit: string): string | undefined {
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number of ${unit} from ${min} to ${max}`;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: T): string | undefined => (choices.includes(value) ? undefined : `must be one of ${choices.join(', ')}`);
}

export const machineMemoryMb = () => Math.floor(os.totalmem() / 1024 / 1024);

export function defaultPackageName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function spec<N extends AnswerName>(definition: AnswerSpec<N>): AnswerSpec<N> {
  return definition;
}

/** A yes/no answer that switches a feature on or off (every value is fine). */
export function featureSwitch<N extends AnswerName>(name: N, message: string, description: string, on: boolean): AnswerSpec<N> {
  return { name, kind: 'boolean', message, description, default: () => on as Answers[N], check: () => undefined };
}
