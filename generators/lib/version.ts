// The generator's own version, recorded in .yo-rc.json and the generated README.
import { readFileSync } from 'node:fs';

const packageJson = new URL(import.meta.url.includes('/dist/') ? '../../../package.json' : '../../package.json', import.meta.url);
export const GENERATOR_VERSION: string = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
