// Where the package's own files (package.json, templates/, generators/verify/sentry-sink.py)
// are: this module runs from generators/lib/ in a checkout and from dist/generators/lib/ when built.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const parentOfGenerators = path.resolve(fileURLToPath(import.meta.url), '../../..');
export const PACKAGE_ROOT = path.basename(parentOfGenerators) === 'dist' ? path.dirname(parentOfGenerators) : parentOfGenerators;
