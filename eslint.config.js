// ESLint for this repository (npm run lint, part of npm test), run through
// scripts/typescript-for-lint.ts, which lets typescript-eslint parse with TypeScript 6. Plain
// JavaScript: ESLint loads a TypeScript config only through jiti or an unstable flag.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.bench/', 'my-site/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'smart'],
      // `_` marks a deliberately unused binding (a destructured-away property, an ignored callback argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Escaping control characters is what this module does.
    files: ['generators/lib/escape.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
