// package.json says what users install: verify's Docker libraries as optional peers (the list the
// code names), the django-prod-verify command, and no install step of ours.
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERIFY_PEERS } from '../../generators/lib/verify-peers.ts';
import { REPO_ROOT } from '../helpers/installed.ts';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;

describe('package.json', () => {
  it('has verify Docker libraries as optional peer dependencies, exactly those verify names, never as dependencies', () => {
    expect(manifest['peerDependencies']).toEqual(Object.fromEntries(VERIFY_PEERS.map((peer) => [peer.name, peer.range])));
    for (const peer of VERIFY_PEERS) {
      expect(manifest['peerDependenciesMeta']![peer.name]).toEqual({ optional: true });
      expect(manifest['dependencies']![peer.name]).toBeUndefined();
      // The checkout's tests and verify runs use them.
      expect(manifest['devDependencies']![peer.name]).toBe(peer.range);
    }
  });

  it('runs no script of ours on a user install, and ships an executable django-prod-verify', () => {
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest['scripts']![script]).toBeUndefined();
    const bin = path.join(REPO_ROOT, manifest['bin']!['django-prod-verify'] as string);
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });
});
