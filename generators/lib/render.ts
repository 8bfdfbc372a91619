// Renders the file table for a context into memory: path -> content. No disk writes,
// so fresh scaffolding, regeneration and snapshot tests share one pure render.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { RenderContext } from './context.ts';
import { planFiles } from './files.ts';
import { PACKAGE_ROOT } from './package-root.ts';

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

export interface RenderedFile {
  content: string;
  executable: boolean;
}

export type RenderedTree = Map<string, RenderedFile>;

export async function renderTree(ctx: RenderContext, templatesDir = TEMPLATES_DIR): Promise<RenderedTree> {
  const tree: RenderedTree = new Map();
  for (const file of planFiles(ctx)) {
    const templatePath = path.join(templatesDir, `${file.template}.ejs`);
    const source = await readFile(templatePath, 'utf8');
    const content = ejs.render(source, ctx, { filename: templatePath, strict: false, rmWhitespace: false });
    tree.set(file.path, { content, executable: file.executable });
  }
  return tree;
}
