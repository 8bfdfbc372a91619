// stack.yaml as docker stack deploy reads it (docker stack config: the CLI's own loader, no Swarm
// needed), with the variables swarm/deploy.sh would set and the generated .env.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { run } from './docker.ts';

export interface StackService {
  image: string;
  environment?: Record<string, string>;
  configs?: { source: string; target: string }[];
  deploy?: { mode?: string; replicas?: number; update_config?: Record<string, unknown> };
}

export interface StackConfig {
  services: Record<string, StackService>;
  configs: Record<string, { file: string }>;
  secrets: Record<string, { name: string; external?: boolean }>;
}

/** The variables swarm/deploy.sh exports before docker stack deploy (placeholder values). */
export function deployVariables(stackYaml: string): Record<string, string> {
  const secretVariables = [...stackYaml.matchAll(/\$\{([A-Z0-9_]+_SECRET):\?/g)].map((match) => match[1]!);
  return {
    APP_IMAGE: 'registry.test/app:1',
    RELEASE_IMAGE: 'registry.test/app:1',
    BACKUP_IMAGE: 'registry.test/backup:1',
    CONFIG_VERSION: '0123456789ab',
    ...Object.fromEntries(secretVariables.map((variable) => [variable, `stack_${variable.toLowerCase()}`])),
  };
}

export function dotEnv(dir: string): Record<string, string> {
  return Object.fromEntries(
    [...readFileSync(path.join(dir, '.env'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1]!, match[2]!]),
  );
}

export function stackConfig(dir: string): StackConfig {
  const stackYaml = readFileSync(path.join(dir, 'stack.yaml'), 'utf8');
  const output = run('docker', ['stack', 'config', '-c', 'stack.yaml'], {
    cwd: dir,
    env: { ...process.env, ...dotEnv(dir), ...deployVariables(stackYaml) },
  });
  return YAML.parse(output) as StackConfig;
}
