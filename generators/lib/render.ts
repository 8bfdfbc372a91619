// Renders the file table for a context into memory: path -> content. No disk writes,
// so fresh scaffolding, regeneration and snapshot tests share one pure render.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { RenderContext } from './context.ts';
import * as escapeHelpers from './escape.ts';
import type { SlotName } from './feature.ts';
import { FEATURES_DIR, generatedPath, planFiles } from './files.ts';
import { PACKAGE_ROOT } from './package-root.ts';

export interface RenderedFile {
  content: string;
  executable: boolean;
}

export type RenderedTree = Map<string, RenderedFile>;

/** What templates call to write a value into a language: `<%- composeString(adminEmail) %>`. */
export const ESCAPE_HELPERS = {
  yamlString: escapeHelpers.yamlString,
  composeString: escapeHelpers.composeString,
  composeVariableOr: escapeHelpers.composeVariableOr,
  shellWord: escapeHelpers.shellWord,
  pythonString: escapeHelpers.pythonString,
  nginxString: escapeHelpers.nginxString,
  cronLine: escapeHelpers.cronLine,
  markdownCode: escapeHelpers.markdownCode,
  markdownText: escapeHelpers.markdownText,
} as const;

/** A template the file table or a feature declares is not on disk: the installed package is incomplete. */
export class MissingTemplateError extends Error {
  readonly code = 1;
  /** The template as the message names it. */
  readonly template: string;
  constructor(template: string) {
    super(`Template ${template} is missing from generator-django-prod (${PACKAGE_ROOT}): reinstall the package`);
    this.template = template;
  }
}

function readTemplate(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingTemplateError(path.relative(PACKAGE_ROOT, file));
    throw error;
  }
}

// No file we write is HTML: `<%= %>` passes plain values only (plainValueGuard) instead of HTML-escaping them.
function renderFile(file: string, locals: object): string {
  try {
    return ejs.render(
      readTemplate(file),
      { ...ESCAPE_HELPERS, ...locals },
      {
        filename: file,
        strict: false,
        rmWhitespace: false,
        escape: escapeHelpers.plainValueGuard(path.relative(PACKAGE_ROOT, file)),
        // EJS resolves an include next to the including file; unresolved, it is missing from the install.
        includer: (included: string, resolved: string | undefined) => {
          if (resolved === undefined) throw new MissingTemplateError(`${included} (included by ${path.relative(PACKAGE_ROOT, file)})`);
          return { filename: resolved };
        },
      },
    );
  } catch (error) {
    // EJS prefixes the message of an error thrown inside a template (a slot's, an include's) with its context.
    if (error instanceof MissingTemplateError) throw new MissingTemplateError(error.template);
    throw error;
  }
}

/** slot(name): the enabled features' parts of a shared file (features/<name>/slots/<slot>.ejs), in registry order. */
function slotRenderer(ctx: RenderContext): (name: SlotName) => string {
  const locals = { ...ctx, slot: (name: SlotName) => render(name) };
  const render = (name: SlotName) =>
    ctx.enabledFeatures
      .filter((feature) => feature.slots?.includes(name))
      .map((feature) => renderFile(path.join(FEATURES_DIR, feature.name, 'slots', `${name}.ejs`), locals))
      .join('');
  return render;
}

export function renderTree(ctx: RenderContext): RenderedTree {
  const locals = { ...ctx, slot: slotRenderer(ctx) };
  const tree: RenderedTree = new Map();
  for (const file of planFiles(ctx)) {
    tree.set(file.path, { content: renderFile(file.template, locals), executable: file.executable });
  }
  const pathOf = (template: string) => generatedPath(template, ctx);
  for (const file of ctx.enabledFeatures.flatMap((feature) => feature.derived ?? [])) {
    tree.set(pathOf(file.template), { content: file.derive(tree, ctx, pathOf), executable: false });
  }
  return tree;
}
