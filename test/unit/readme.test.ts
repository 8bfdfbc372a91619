import { FEATURES } from '../../features/index.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withAnswersTable } from '../../generators/lib/answers-doc.ts';
import { answerSchema, flagOf } from '../../generators/lib/answers.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('documents every answer exactly as the schema defines it (run `npm run docs` after changing answers)', () => {
    expect(readme).toBe(withAnswersTable(readme, FEATURES));
    for (const entry of answerSchema(FEATURES)) expect(readme).toContain(`\`--${flagOf(entry.name)}\``);
  });

  it('starts with the generate and test commands, the test one marked for .ci/run', () => {
    expect(readme).toMatch(/<!-- test-command -->\n```sh\nnpm test\n```/);
  });
});
