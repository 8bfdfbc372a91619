import { defineConfig } from 'vitest/config';

/**
 * Docker tests that put the stack under load and count failed requests, restarts or memory peaks.
 * They run one at a time in their own lane, never beside each other.
 */
const LOAD_TESTS = [
  'test/docker/deploy.test.ts',
  'test/docker/swarm.test.ts',
  'test/docker/small-server.test.ts',
  'test/docker/upgrade-live.test.ts',
  'test/docker/nginx-upstream.test.ts',
  'test/docker/db-connections.test.ts',
];

// Unit and snapshot tests run in parallel; the package test installs the packed tarball once
// (npm, about a minute) and runs it under the real yo. Docker tests boot whole stacks on a 2-core
// machine, one file at a time per project. `npm test` (scripts/test-lanes.sh) runs docker-load in
// a vitest process of its own beside the rest, so a load test has at most one other test beside it.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'package', include: ['test/package/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 600_000 } },
      {
        test: {
          name: 'docker-load',
          include: LOAD_TESTS,
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: 'docker',
          include: ['test/docker/**/*.test.ts'],
          exclude: LOAD_TESTS,
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
