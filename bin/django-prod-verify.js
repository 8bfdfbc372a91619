#!/usr/bin/env node
// django-prod-verify: verify a generated repository without yo (see generators/verify/bin.ts).
// Installed from npm it runs the compiled dist/; in a checkout (scripts/setup.sh puts this folder
// on the PATH) it runs the TypeScript sources, so a checkout's generated Makefile verifies with it.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../generators/verify/bin.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/generators/verify/bin.js', import.meta.url).href);
