// Reads a generated repository back as path -> content, for snapshots and checks.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every file under dir (sorted), .env values masked (at any depth): they are random by design. */
export function readTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative)).sort()) {
      const file = path.join(relative, entry);
      if (statSync(path.join(dir, file)).isDirectory()) walk(file);
      else tree[file] = readFileSync(path.join(dir, file), 'utf8');
    }
  };
  walk('');
  // Every .env (an existing project's is deploy/.env), and the secret files' random values.
  for (const file of Object.keys(tree).filter((name) => path.basename(name) === '.env')) {
    tree[file] = tree[file]!.replace(/^([A-Z0-9_]+)=.+$/gm, '$1=<value>');
  }
  for (const file of Object.keys(tree).filter((name) => path.basename(path.dirname(name)) === 'secrets')) {
    tree[file] = tree[file] === '' ? '' : '<value>';
  }
  return tree;
}

export const filesMatching = (tree: Record<string, string>, pattern: RegExp) => Object.keys(tree).filter((file) => pattern.test(file));

/**
 * The files a folder of file snapshots holds ("x.snap" for x), sorted: compared with what was
 * rendered, so a file the generator no longer writes leaves no snapshot behind to be reviewed.
 */
export const snapshottedFiles = (snapshotDir: string): string[] =>
  Object.keys(readTree(snapshotDir))
    .map((file) => file.replace(/\.snap$/, ''))
    .sort();
