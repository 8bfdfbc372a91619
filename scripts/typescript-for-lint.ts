// Loaded with `node --import` before ESLint (npm run lint). typescript-eslint parses with
// TypeScript's JavaScript API, which TypeScript 7 (the native compiler this repository builds
// with) no longer ships; TypeScript 6.0, the last release with that API and the same language,
// is installed under the npm alias typescript-for-lint, and every `typescript` import of the
// lint process is resolved to it. The build and `npm run typecheck` keep using TypeScript 7.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const redirected =
      specifier === 'typescript' || specifier.startsWith('typescript/')
        ? specifier.replace(/^typescript/, 'typescript-for-lint')
        : specifier;
    return nextResolve(redirected, context);
  },
});
