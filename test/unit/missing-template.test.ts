// A template missing from an installation (a feature's slot or file, a core template, a partial)
// fails the render with one line naming it, never a silently shorter file. The render runs from a
// copy of the package's templates with one file deleted.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../helpers/installed.ts';

let packageRoot = '';

/** renderTree of the default answers from a copy of the package without `missing`. */
async function renderWithout(missing: string): Promise<unknown> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'missing-template-'));
  packageRoot = root;
  for (const entry of ['package.json', 'templates', 'features'])
    cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
  rmSync(path.join(root, missing));
  vi.resetModules();
  vi.doMock('../../generators/lib/package-root.ts', () => ({ PACKAGE_ROOT: root }));
  const { FEATURES } = await import('../../features/index.ts');
  const { resolveAnswers } = await import('../../generators/lib/answers.ts');
  const { buildRenderContext } = await import('../../generators/lib/context.ts');
  const { renderTree } = await import('../../generators/lib/render.ts');
  const ctx = buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096 }, FEATURES), FEATURES, '0.0.0-test');
  try {
    renderTree(ctx);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

afterEach(() => {
  vi.doUnmock('../../generators/lib/package-root.ts');
});

describe('a missing template', () => {
  it.each([
    ['a feature slot', 'features/sentry/slots/settings.production.ejs', 'features/sentry/slots/settings.production.ejs'],
    ['a feature file', 'features/celery/files/_pkg_/celery.py.ejs', 'features/celery/files/_pkg_/celery.py.ejs'],
    ['a core template', 'templates/compose.yaml.ejs', 'templates/compose.yaml.ejs'],
    [
      'a partial a template includes',
      'templates/_partials/settings/security.py.ejs',
      '../../_partials/settings/security.py.ejs (included by templates/_pkg_/settings/production.py.ejs)',
    ],
  ])('fails the render in one line naming it: %s', async (_kind, missing, named) => {
    const error = (await renderWithout(missing)) as Error & { code?: unknown };
    expect(error?.constructor.name).toBe('MissingTemplateError');
    expect(error.message).toBe(`Template ${named} is missing from generator-django-prod (${packageRoot}): reinstall the package`);
    expect(error.message).not.toContain('\n');
    expect(error.code).toBe(1);
  });
});
