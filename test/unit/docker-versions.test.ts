// The Docker versions verify accepts: bin/docker-check's rules (its floors are rendered from the same definition).
import { describe, expect, it } from 'vitest';
import { checkDockerVersions, olderThan } from '../../generators/lib/docker-versions.ts';

describe('olderThan', () => {
  it.each([
    ['1.9', '1.41', true],
    ['1.41', '1.41', false],
    ['1.43', '1.41', false],
    ['2.19.9', '2.20.0', true],
    ['2.20', '2.20.0', false],
    ['2.29.7', '2.20.0', false],
  ])('%s < %s: %s', (a, b, older) => {
    expect(olderThan(a, b)).toBe(older);
  });
});

describe('checkDockerVersions', () => {
  it('accepts a current engine and Compose with nothing to change', () => {
    expect(checkDockerVersions({ serverApi: '1.45', compose: '2.29.7' })).toEqual({ ok: true, env: {} });
  });

  it.each(['1.43', '1.41'])('runs without start_interval when the API spoken is pinned to %s', (api) => {
    const result = checkDockerVersions({ serverApi: '1.45', pinnedApi: api, compose: 'v2.29.7-desktop.1' });
    expect(result).toMatchObject({ ok: true, env: { HEALTHCHECK_START_INTERVAL: '0s' } });
  });

  it('speaks the engine API when the pinned one is newer', () => {
    expect(checkDockerVersions({ serverApi: '1.41', pinnedApi: '1.45', compose: '2.20.0' })).toMatchObject({
      env: { HEALTHCHECK_START_INTERVAL: '0s' },
    });
  });

  it.each([
    [
      { serverApi: '1.45', pinnedApi: '1.40', compose: '2.29.7' },
      'Docker Engine API 1.40 is too old: this stack needs Docker Engine 20.10 (API 1.41) or later (README "Docker versions")',
    ],
    [
      { serverApi: '1.45' },
      'Docker Compose v2 is missing (docker compose version): install the Compose plugin 2.20.0 or later (README "Docker versions")',
    ],
    [
      { serverApi: '1.45', compose: '2.19.1' },
      'Docker Compose 2.19.1 is too old: this stack needs Compose 2.20.0 or later (README "Docker versions")',
    ],
  ])('refuses %j in one line naming what is needed', (versions, problem) => {
    expect(checkDockerVersions(versions)).toEqual({ ok: false, problem });
  });
});
