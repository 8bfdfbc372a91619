// Connections suffice as sized: as many web containers as the generated README says fit serve with
// every pool full and PostgreSQL refuses no one; a container given more by overrides warns at start
// with the numbers; the master opens the port only once /health/ passes, and holds no connection of
// its own after that (workers never share its sockets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeStack } from '../../generators/lib/sizing.ts';
import { composeConfig, requireDocker, run, runAsync } from '../helpers/docker.ts';
import { generateProject } from '../helpers/generate.ts';
import { PROFILES } from '../helpers/profiles.ts';

const project = `i12-db-${process.pid}`;
let dir = '';
const compose = (args: string[], env: Record<string, string> = {}) =>
  run('docker', ['compose', '-p', project, ...args], { cwd: dir, env: { ...process.env, ...env } });
const webContainers = () => compose(['ps', '-a', '-q', 'web']).trim().split('\n').filter(Boolean);
const psql = (sql: string) => compose(['exec', '-T', 'db', 'sh', '-c', `psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Atc "${sql}"`]).trim();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const REFUSED = /too many clients|remaining connection slots are reserved/;

/** Every web worker busy at once: concurrent /health/ requests inside each (running) web container, so every pool fills. */
function loadEveryWeb(): void {
  const script =
    'import concurrent.futures as f, urllib.request as u\n' +
    "get = lambda _: u.urlopen(u.Request('http://127.0.0.1:8000/health/', headers={'Host': 'app.test'}), timeout=30).status\n" +
    'with f.ThreadPoolExecutor(24) as pool: print(sorted(set(pool.map(get, range(240)))))';
  for (const id of webContainers()) {
    expect(run('docker', ['exec', id, 'python', '-c', script]).trim()).toBe('[200]');
  }
}

/** In a web container: gunicorn's master (PID 1), then each worker, with the inodes of its sockets to PostgreSQL's port. */
const DATABASE_SOCKETS = String.raw`
import json, os, re
database = set()
for table in ('/proc/net/tcp', '/proc/net/tcp6'):
    for line in open(table).readlines()[1:]:
        fields = line.split()
        if fields[2].endswith(':1538'):  # remote port 5432
            database.add(fields[9])
def sockets(pid):
    found = []
    for fd in os.listdir(f'/proc/{pid}/fd'):
        try:
            match = re.fullmatch(r'socket:\[(\d+)\]', os.readlink(f'/proc/{pid}/fd/{fd}'))
        except OSError:
            continue
        if match and match.group(1) in database:
            found.append(match.group(1))
    return found
def is_worker(pid):  # gunicorn's master is PID 1; its workers are its children
    try:
        return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1] == '1' and b'bin/gunicorn' in open(f'/proc/{pid}/cmdline', 'rb').read()
    except OSError:
        return False
workers = sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and p != '1' and is_worker(p))
print(json.dumps([[pid, sockets(pid)] for pid in [1, *workers]]))
`;

describe('PostgreSQL connections', () => {
  // Generated for 2 cores and 4 GiB, everything optional off: 2 gthread workers x 4 threads.
  const sizing = sizeStack({ cpus: 2, memoryMb: 4096 }, 'wsgi');

  beforeAll(async () => {
    requireDocker();
    dir = (await generateProject({ ...PROFILES['minimal']!, cpus: 2, memoryMb: 4096 })).cwd;
    compose(['up', '-d', '--build', '--wait', 'web']);
  });

  afterAll(() => {
    if (!dir) return;
    const image = composeConfig(dir, { COMPOSE_PROJECT_NAME: project }).services['web']?.image;
    compose(['down', '-v', '-t', '5']);
    if (image) run('docker', ['image', 'rm', '-f', image]);
  });

  it('as many web containers as max_connections has room for serve with every pool full, and the database refuses no one', () => {
    const fit = sizing.database.webContainers;
    expect(fit).toBeGreaterThanOrEqual(2); // a deploy runs the old and the new container side by side
    compose(['up', '-d', '--wait', '--no-recreate', '--scale', `web=${fit}`, 'web']);
    expect(webContainers()).toHaveLength(fit);
    loadEveryWeb();
    // The pools grew under the load (they keep their connections for minutes), within what the sizing counts.
    const web = Number(psql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"));
    expect(web).toBeGreaterThan(fit * sizing.gunicorn.workers);
    expect(web).toBeLessThanOrEqual(fit * sizing.gunicorn.workers * sizing.database.poolPerWorker);
    expect(compose(['logs', 'db'])).not.toMatch(REFUSED);
  });

  it('the master closes its connection before forking: it holds none, and no two workers share one', () => {
    const [web] = webContainers();
    const [master, ...workers] = JSON.parse(run('docker', ['exec', web!, 'python', '-c', DATABASE_SOCKETS])) as [number, string[]][];
    expect(master![1]).toEqual([]);
    expect(workers).toHaveLength(sizing.gunicorn.workers);
    for (const [, held] of workers) expect(held.length).toBeGreaterThanOrEqual(1);
    const sockets = workers.flatMap(([, held]) => held);
    expect(new Set(sockets).size).toBe(sockets.length);
  });

  it('overrides beyond the connections planned per container: gunicorn warns at start with the numbers, and serves', () => {
    compose(['up', '-d', '--wait', '--force-recreate', '--scale', 'web=1', 'web'], { WEB_CONCURRENCY: '12', GUNICORN_THREADS: '1' });
    const [web] = webContainers();
    const warning = run('docker', ['logs', web!])
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((record) => record['level'] === 'WARNING' && String(record['message']).includes('database connections'));
    expect(warning?.['message']).toBe(
      `WEB_CONCURRENCY, GUNICORN_THREADS let this container open up to 13 database connections, more than the ` +
        `${sizing.database.perWebContainer} PostgreSQL's max_connections was sized for per web container: if PostgreSQL ` +
        'refuses clients, raise max_connections (compose.yaml) or lower the overrides',
    );
    loadEveryWeb();
    expect(compose(['logs', 'db'])).not.toMatch(REFUSED);
  });

  it("gunicorn's access log: off, a request writes no line; GUNICORN_ACCESS_LOG=1 writes one JSON line per request", () => {
    const accessLines = () =>
      webContainers()
        .flatMap((id) => run('docker', ['logs', id]).split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => record['logger'] === 'gunicorn.access');
    compose(['up', '-d', '--wait', '--force-recreate', '--scale', 'web=1', 'web']);
    loadEveryWeb();
    expect(accessLines()).toEqual([]);
    compose(['up', '-d', '--wait', '--force-recreate', '--scale', 'web=1', 'web'], { GUNICORN_ACCESS_LOG: '1' });
    const [web] = webContainers();
    // A query of its own: the container's healthcheck requests /health/ too.
    const script =
      "import urllib.request as u; [u.urlopen(u.Request('http://127.0.0.1:8000/health/?access-log-test', headers={'Host': 'app.test'})) for _ in range(3)]";
    run('docker', ['exec', web!, 'python', '-c', script]);
    const lines = accessLines().filter((record) => record['query'] === 'access-log-test');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'INFO', method: 'GET', path: '/health/', status: '200' });
  });

  it('PostgreSQL down while web starts (a host reboot, a Swarm): the port waits for /health/, then opens', async () => {
    compose(['stop', 'db']);
    compose(['up', '-d', '--no-deps', '--force-recreate', '--scale', 'web=1', 'web']);
    const [web] = webContainers();
    let logs = '';
    for (let waited = 0; waited < 60_000 && !/not ready yet: waiting for GET \/health\//.test(logs); waited += 1000) {
      await sleep(1000);
      logs = run('docker', ['logs', web!]);
    }
    expect(logs).toMatch(/not ready yet: waiting for GET \/health\//);
    compose(['start', 'db']);
    compose(['up', '-d', '--wait', '--no-deps', '--no-recreate', 'web']);
    expect(run('docker', ['logs', web!])).toMatch(/ready: GET \/health\/ answered 200/);
  });

  it('PostgreSQL down for longer than GUNICORN_READY_TIMEOUT: gunicorn exits without opening its port', async () => {
    compose(['stop', 'db']);
    try {
      const started = await runAsync(
        'docker',
        // Longer than one failed /health/ (the database pool gives up on a connection after 10 s).
        ['compose', '-p', project, 'run', '--rm', '--no-deps', '-e', 'GUNICORN_READY_TIMEOUT=12', 'web'],
        { cwd: dir, timeoutMs: 120_000 },
      );
      const output = started.stdout + started.stderr;
      expect(started.code, output).not.toBe(0);
      expect(output).toMatch(/not ready yet: waiting for GET \/health\//);
      expect(output).toMatch(/not ready: GET \/health\/ failed, not opening the port/);
      expect(output).not.toMatch(/Listening at/);
    } finally {
      compose(['up', '-d', '--wait', 'db']);
    }
  });
});

describe('the ASGI profile under 128 concurrent connections', () => {
  const asgiProject = `i12-asgi-${process.pid}`;
  let asgiDir = '';
  const asgiCompose = (args: string[]) => run('docker', ['compose', '-p', asgiProject, ...args], { cwd: asgiDir });

  beforeAll(async () => {
    requireDocker();
    asgiDir = (await generateProject({ ...PROFILES['minimal']!, server: 'asgi', cpus: 2, memoryMb: 4096 })).cwd;
    asgiCompose(['up', '-d', '--build', '--wait', 'web']);
  });

  afterAll(() => {
    if (!asgiDir) return;
    const image = (JSON.parse(asgiCompose(['config', '--format', 'json'])) as { services: Record<string, { image?: string }> }).services[
      'web'
    ]?.image;
    asgiCompose(['down', '-v', '-t', '5']);
    if (image) run('docker', ['image', 'rm', '-f', image]);
  });

  it('answers only 2xx on the database endpoint, and PostgreSQL refuses no one', () => {
    // 128 client threads at once against the uvicorn workers (each request queries PostgreSQL and Redis).
    const script =
      'import collections, concurrent.futures as f, urllib.request as u, urllib.error as e\n' +
      'def get(_):\n' +
      '    try: return u.urlopen(u.Request("http://127.0.0.1:8000/health/", headers={"Host": "app.test"}), timeout=60).status\n' +
      '    except e.HTTPError as error: return error.code\n' +
      'with f.ThreadPoolExecutor(128) as pool: print(dict(collections.Counter(pool.map(get, range(1280)))))';
    const id = asgiCompose(['ps', '-q', 'web']).trim();
    expect(run('docker', ['exec', id, 'python', '-c', script]).trim()).toBe('{200: 1280}');
    expect(asgiCompose(['logs', 'db'])).not.toMatch(/too many clients|remaining connection slots are reserved/);
  });

  it("serves through gunicorn_runtime's OneHopASGIHandler: one thread hop per request, on the pool's few reused threads", () => {
    // 20 requests to /health/ at once through the project's application, in-process, with a pool of 5
    // (the generated default is 4: the thread count follows the pool).
    // Django's own handler reaches its async view handler from a synchronous chain through
    // async_to_sync, and starts a new thread per request (20 threads here). Each request's
    // request_finished must run on its own thread, or its pooled connection is never returned and
    // the 5th request waits out the pool's timeout (a 500).
    const script = String.raw`
import asyncio, importlib, json, os, threading
from asgiref import sync
calls = []
original = sync.AsyncToSync.__call__
def counted(self, *args, **kwargs):
    calls.append(1)
    return original(self, *args, **kwargs)
sync.AsyncToSync.__call__ = counted
package = os.environ["DJANGO_SETTINGS_MODULE"].split(".")[0]
application = importlib.import_module(package + ".asgi").application
from django.core.signals import request_started
threads = set()
request_started.connect(lambda **kwargs: threads.add(threading.get_ident()), weak=False)
scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
         "path": "/health/", "raw_path": b"/health/", "query_string": b"", "root_path": "",
         "headers": [(b"host", b"app.test"), (b"x-forwarded-proto", b"https")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000)}
async def get():
    statuses, done, first = [], asyncio.Event(), [True]
    async def receive():
        if first.pop() if first else False:
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}
    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
    await application(dict(scope), receive, send)
    done.set()
    return statuses[0]
async def main():
    return await asyncio.gather(*(get() for _ in range(20)))
statuses = asyncio.run(main())
print(json.dumps({"handler": type(application).__name__, "chain": type(application._middleware_chain).__name__, "statuses": sorted(set(statuses)), "async_to_sync": len(calls), "threads": len(threads)}))
`;
    const id = asgiCompose(['ps', '-q', 'web']).trim();
    const exec = ['exec', '-w', '/app', '-e', 'PYTHONPATH=/app', '-e', 'DJANGO_DB_POOL_SIZE=5', id, 'python', '-c', script];
    const result = JSON.parse(run('docker', exec).trim()) as unknown;
    expect(result).toEqual({ handler: 'OneHopASGIHandler', chain: 'SyncToAsync', statuses: [200], async_to_sync: 0, threads: 5 });
  });
});
