// The Docker a generated stack needs (README "Docker versions"): one definition, rendered into the
// repository's bin/docker-check (make up, bin/deploy, the Swarm scripts) and applied by verify.
// Pure: the caller asks the engine and the CLI.

export const DOCKER_FLOORS = {
  /** Docker Engine 20.10 (API 1.41): the oldest a supported distribution ships (Debian 12). */
  api: '1.41',
  engine: '20.10',
  /** Compose 2.20: healthchecks' start_interval in compose.yaml. */
  compose: '2.20.0',
  /** Engine 25: healthchecks' start_interval; older engines run without it (HEALTHCHECK_START_INTERVAL=0s). */
  startIntervalApi: '1.44',
} as const;

export type DockerFloors = typeof DOCKER_FLOORS;

/** True when dotted version a is older than b ("1.9" < "1.41"; a missing part counts as 0). */
export function olderThan(a: string, b: string): boolean {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}

export interface DockerVersions {
  /** The engine's API version (docker version's Server.APIVersion). */
  serverApi: string;
  /** DOCKER_API_VERSION, which pins what the docker CLI and Compose speak; unset: the engine's. */
  pinnedApi?: string;
  /** `docker compose version --short`; undefined when the Compose v2 plugin is missing. */
  compose?: string;
}

export type DockerCheck =
  | { ok: false; problem: string }
  /** env: the Compose variables this engine needs; note: a line saying what they change. */
  | { ok: true; env: Record<string, string>; note?: string };

/** bin/docker-check's rules, as verify applies them: the API spoken is the older of the pinned one and the engine's. */
export function checkDockerVersions({ serverApi, pinnedApi, compose }: DockerVersions, floors: DockerFloors = DOCKER_FLOORS): DockerCheck {
  const api = pinnedApi && olderThan(pinnedApi, serverApi) ? pinnedApi : serverApi;
  if (olderThan(api, floors.api)) {
    return {
      ok: false,
      problem: `Docker Engine API ${api} is too old: this stack needs Docker Engine ${floors.engine} (API ${floors.api}) or later (README "Docker versions")`,
    };
  }
  if (compose === undefined) {
    return {
      ok: false,
      problem: `Docker Compose v2 is missing (docker compose version): install the Compose plugin ${floors.compose} or later (README "Docker versions")`,
    };
  }
  const composeVersion = compose.replace(/^v/, '').replace(/[-+].*$/, '');
  if (olderThan(composeVersion, floors.compose)) {
    return {
      ok: false,
      problem: `Docker Compose ${composeVersion} is too old: this stack needs Compose ${floors.compose} or later (README "Docker versions")`,
    };
  }
  if (olderThan(api, floors.startIntervalApi)) {
    return {
      ok: true,
      env: { HEALTHCHECK_START_INTERVAL: '0s' },
      note: `Docker Engine API ${api} (before Engine 25): healthchecks run without start_interval (probed every interval while starting)`,
    };
  }
  return { ok: true, env: {} };
}
