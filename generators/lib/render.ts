// Renders the file table for a context into memory: path -> content. No disk writes,
// so fresh scaffolding, regeneration and snapshot tests share one pure render.
import { existsSync, readFileSync } from 'node:fs';
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

// No file we write is HTML: `<%= %>` passes plain values only (plainValueGuard) instead of HTML-escaping them.
const renderFile = (file: string, locals: object) =>
  ejs.render(
    readFileSync(file, 'utf8'),
    { ...ESCAPE_HELPERS, ...locals },
    {
      filename: file,
      strict: false,
      rmWhitespace: false,
      escape: escapeHelpers.plainValueGuard(path.relative(PACKAGE_ROOT, file)),
    },
  );

/** slot(name): the enabled features' parts of a shared file (features/<name>/slots/<slot>.ejs), in registry order. */
function slotRenderer(ctx: RenderContext): (name: SlotName) => string {
  const locals = { ...ctx, slot: (name: SlotName) => render(name) };
  const render = (name: SlotName) =>
    ctx.enabledFeatures
      .map((feature) => path.join(FEATURES_DIR, feature.name, 'slots', `${name}.ejs`))
      .filter((file) => existsSync(file))
      .map((file) => renderFile(file, locals))
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
