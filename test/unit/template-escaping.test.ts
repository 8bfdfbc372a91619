// Every value a template writes goes through an escaping helper or the plain-value guard:
// `<%= %>` is guarded at render time (render.ts), and this scan keeps `<%- %>` (raw output) for
// helper calls and the few raw values listed below.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURES_DIR, TEMPLATES_DIR } from '../../generators/lib/files.ts';
import { ESCAPE_HELPERS } from '../../generators/lib/render.ts';

const templates = [TEMPLATES_DIR, FEATURES_DIR].flatMap((dir) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ejs'))
    .map((file) => path.join(dir, file)),
);

const helpers = Object.keys(ESCAPE_HELPERS).join('|');
// include(): a shared partial (templates/_partials/), itself held to these rules.
const ESCAPED = new RegExp(`^(slot|include|${helpers})\\(|^[\\w.\\[\\], ]+\\.map\\(\\(\\w+\\) => (${helpers})\\(`);
// Raw on purpose: the user's CA bundle is copied byte for byte (the generator checked it holds
// PEM certificates), requirement lines are the generator's own constants ("Django>=5.2,<6.0") or
// pins it read from a lock file (lock.ts admits only well-formed names, versions, markers and
// hashes), and a project's .dockerignore patterns are copied line by line into ours.
const RAW_ALLOWED = new Set(['tls.caBundlePem', 'requirement', 'ignorePattern']);

describe('templates', () => {
  it('are found', () => {
    expect(templates.length).toBeGreaterThan(30);
  });

  it('write raw output (<%- %>) only through an escaping helper or slot()', () => {
    const offending = templates.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/<%-\s*([\s\S]*?)\s*-?%>/g)]
        .map((match) => match[1]!)
        .filter((expression) => !ESCAPED.test(expression) && !RAW_ALLOWED.has(expression))
        .map((expression) => `${path.relative(path.dirname(TEMPLATES_DIR), file)}: <%- ${expression} %>`),
    );
    expect(offending).toEqual([]);
  });
});
