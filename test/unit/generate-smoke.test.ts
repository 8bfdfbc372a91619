import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateProject } from '../helpers/generate.ts';

describe('generator run', () => {
  it('writes .yo-rc.json with the answers', async () => {
    const result = await generateProject({ tlsMode: 'self-signed', domain: 'app.test' });
    const stored = JSON.parse(readFileSync(path.join(result.cwd, '.yo-rc.json'), 'utf8'));
    expect(stored['generator-django-prod'].answers.domain).toBe('app.test');
  });
});
