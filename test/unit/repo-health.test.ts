import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { AnswerError, resolveAnswers } from '../../generators/lib/answers.ts';
import { checkImageRepository, imagePush } from '../../generators/lib/repo-health.ts';

describe('CI image push target', () => {
  it.each([
    ['ghcr.io/acme/my-site', { registry: 'ghcr.io', githubPackages: true }],
    ['registry.example.com:5000/team/web', { registry: 'registry.example.com:5000', githubPackages: false }],
    ['localhost/team/web', { registry: 'localhost', githubPackages: false }],
    ['acme/my-site', { registry: 'docker.io', githubPackages: false }],
    ['docker.io/acme/my-site', { registry: 'docker.io', githubPackages: false }],
  ])('%s is pushed to its registry', (image, expected) => {
    expect(checkImageRepository(image)).toBeUndefined();
    expect(imagePush(image)).toEqual({ image, ...expected });
  });

  it('pushes nothing when the answer is empty', () => {
    expect(checkImageRepository('')).toBeUndefined();
    expect(imagePush('')).toBeUndefined();
  });

  it.each([
    'my-site',
    'ghcr.io/Acme/my-site',
    'ghcr.io/acme/my-site:latest',
    'ghcr.io/acme/my-site@sha256:00',
    'ghcr.io//web',
    'https://ghcr.io/acme/web',
    'acme/-web',
  ])('refuses %s with one line saying what is allowed', (image) => {
    expect(checkImageRepository(image)).toMatch(
      /^must be empty or an image repository without tag, in lowercase, e\.g\. ghcr\.io\/acme\/my-site$/,
    );
  });
});

describe('repository health answers', () => {
  const base = { cpus: 2, memoryMb: 4096 };

  it('defaults to Dependabot and no image push', () => {
    expect(resolveAnswers(base, FEATURES)).toMatchObject({ dependencyBot: 'dependabot', ciImage: '' });
  });

  it('refuses an unknown bot and a tagged image, naming the flag', () => {
    expect(() => resolveAnswers({ ...base, dependencyBot: 'greenkeeper' }, FEATURES)).toThrow(AnswerError);
    expect(() => resolveAnswers({ ...base, dependencyBot: 'greenkeeper' }, FEATURES)).toThrow(/--dependency-bot.*dependabot, renovate/);
    expect(() => resolveAnswers({ ...base, ciImage: 'ghcr.io/acme/web:1' }, FEATURES)).toThrow(/--ci-image/);
  });
});
