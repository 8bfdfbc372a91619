// A bounded load loop through nginx over HTTPS on 127.0.0.1: a few concurrent clients GET a path
// (the site's /health/ by default) until stopped or until maxSeconds, and record every failure
// and which release ("version" in /health/'s JSON) answered when.
import https from 'node:https';

export interface LoadOptions {
  port: number;
  host: string;
  path?: string;
  concurrency?: number;
  /** Hard bound: the loop ends by itself after this long even if nobody stops it. */
  maxSeconds?: number;
  /** Per-request bound. */
  timeoutMs?: number;
  /** A pause after each request of a client (a paced load); none by default. */
  pauseMs?: number;
  /** POST sends a small form body (Django answers 403 without a CSRF token: the request reached it). */
  method?: 'GET' | 'POST';
  /** The status that counts as answered; any 2xx when unset. */
  expectStatus?: number;
}

/** A connection the client had just opened, reset before any answer. */
export const NEW_CONNECTION_RESET = 'ECONNRESET (new connection)';

export interface Failure {
  /** Epoch milliseconds when the request ended. */
  at: number;
  /** HTTP status ("503") or the error ("ECONNRESET", "timeout"). */
  what: string;
}

export interface LoadReport {
  requests: number;
  ok: number;
  failures: Failure[];
  /** Successful responses: when they ended and the release that answered. */
  answers: { at: number; version: string }[];
  /**
   * Requests sent again because the kept-alive connection they were written to was closed by nginx
   * before any answer (nginx closes idle client connections when it reloads). Browsers and HTTP
   * clients resend in that case (RFC 9112, 9.3.1); the request never reached gunicorn.
   */
  resentOnClosedKeepAlive: number;
  maxLatencyMs: number;
  startedAt: number;
  stoppedAt: number;
}

export interface Load {
  /** Ends the loop (after the requests in flight) and returns what it saw. */
  stop(): Promise<LoadReport>;
}

export function startLoad({
  port,
  host,
  path = '/health/',
  concurrency = 4,
  maxSeconds = 300,
  timeoutMs = 30_000,
  pauseMs = 0,
  method = 'GET',
  expectStatus,
}: LoadOptions): Load {
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency });
  const report: LoadReport = {
    requests: 0,
    ok: 0,
    failures: [],
    answers: [],
    resentOnClosedKeepAlive: 0,
    maxLatencyMs: 0,
    startedAt: Date.now(),
    stoppedAt: 0,
  };
  const body = method === 'POST' ? 'load=1' : undefined;
  const answered = (status: number) => (expectStatus === undefined ? status >= 200 && status <= 299 : status === expectStatus);
  const deadline = report.startedAt + maxSeconds * 1000;
  let stopping = false;

  const once = () =>
    new Promise<void>((resolve) => {
      const started = Date.now();
      let settled = false;
      const settle = (record: () => void) => {
        if (settled) return;
        settled = true;
        report.requests += 1;
        report.maxLatencyMs = Math.max(report.maxLatencyMs, Date.now() - started);
        record();
        resolve();
      };
      const fail = (what: string) => settle(() => report.failures.push({ at: Date.now(), what }));
      const send = (resent: boolean) => {
        let responded = false;
        let handedOver = false;
        const request = https.request(
          {
            host: '127.0.0.1',
            port,
            path,
            method,
            // A resend goes on a new connection: the pool's other idle ones may be closing too.
            agent: resent ? false : agent,
            servername: host,
            rejectUnauthorized: false,
            headers: {
              Host: host,
              'User-Agent': 'django-prod-load',
              ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) } : {}),
            },
            timeout: timeoutMs,
          },
          (response) => {
            responded = true;
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              if (!answered(status)) return fail(String(status));
              let version = 'unknown';
              try {
                version = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { version?: unknown }).version ?? 'unknown');
              } catch {
                /* not JSON: a path other than /health/, or not a 2xx */
              }
              settle(() => {
                report.ok += 1;
                report.answers.push({ at: Date.now(), version });
              });
            });
          },
        );
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', (error: NodeJS.ErrnoException) => {
          // Written to a kept-alive connection the server closed before any answer: once more, on a new one
          // (as browsers do).
          if (!resent && !responded && request.reusedSocket && error.code === 'ECONNRESET') {
            handedOver = true;
            report.resentOnClosedKeepAlive += 1;
            send(true);
            return;
          }
          const what = error.code ?? error.message;
          fail(what === 'ECONNRESET' && !resent && !request.reusedSocket ? NEW_CONNECTION_RESET : what);
        });
        // A response cut off without an error event still ends the request.
        request.on('close', () => handedOver || fail('closed'));
        request.end(body);
      };
      send(false);
    });

  const client = async () => {
    while (!stopping && Date.now() < deadline) {
      await once();
      if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const clients = Promise.all(Array.from({ length: concurrency }, client));
  return {
    stop: async () => {
      stopping = true;
      await clients;
      agent.destroy();
      report.stoppedAt = Date.now();
      return report;
    },
  };
}

/** One line for logs and assertion messages. */
export function summarize(report: LoadReport): string {
  const seconds = (report.stoppedAt - report.startedAt) / 1000;
  const kinds = new Map<string, number>();
  for (const failure of report.failures) kinds.set(failure.what, (kinds.get(failure.what) ?? 0) + 1);
  const versions = new Map<string, number>();
  for (const answer of report.answers) versions.set(answer.version, (versions.get(answer.version) ?? 0) + 1);
  const window = report.failures.length
    ? `, failing from ${((report.failures[0]!.at - report.startedAt) / 1000).toFixed(1)} s to ${((report.failures.at(-1)!.at - report.startedAt) / 1000).toFixed(1)} s`
    : '';
  return (
    `${report.requests} requests in ${seconds.toFixed(1)} s: ${report.ok} ok, ${report.failures.length} failed` +
    `${kinds.size ? ` (${[...kinds].map(([what, count]) => `${what} x${count}`).join(', ')})` : ''}${window}; ` +
    `versions ${[...versions].map(([version, count]) => `${version} x${count}`).join(', ')}; max latency ${report.maxLatencyMs} ms` +
    (report.resentOnClosedKeepAlive ? `; ${report.resentOnClosedKeepAlive} resent after nginx closed an idle keep-alive connection` : '')
  );
}
