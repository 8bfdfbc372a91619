// Rewrites README.md's table of answers from the answer schema (npm run docs).
import { readFileSync, writeFileSync } from 'node:fs';
import { FEATURES } from '../features/index.ts';
import { withAnswersTable } from '../generators/lib/answers-doc.ts';

const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, withAnswersTable(readFileSync(readme, 'utf8'), FEATURES));
