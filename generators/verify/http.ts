// HTTP(S) to nginx's ports published on 127.0.0.1, as a browser would ask for the site:
// Host header and TLS SNI are the site's domain, so nginx picks the right server block.
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  port: number;
  /** true: HTTPS (certificate not checked: the verify stack may use a test CA or a self-signed one). */
  secure: boolean;
  host: string;
  path: string;
  /** TLS server name; defaults to host. */
  servername?: string;
  /** Extra request headers (Cookie, Authorization, Accept-Encoding, ...). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** GET unless given (a body is sent as is, with its Content-Length). */
  method?: string;
  body?: Buffer;
}

export function request({
  port,
  secure,
  host,
  path,
  servername,
  timeoutMs = 15_000,
  method = 'GET',
  headers = {},
  body,
}: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      host: '127.0.0.1',
      port,
      path,
      method,
      agent: false,
      timeout: timeoutMs,
      headers: {
        Host: host,
        'User-Agent': 'django-prod-verify',
        Accept: '*/*',
        ...headers,
        ...(body ? { 'Content-Length': String(body.length) } : {}),
      },
      ...(secure ? { servername: servername ?? host, rejectUnauthorized: false } : {}),
    };
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** One header's value as a single string ('' when absent). */
export function header(response: HttpResponse, name: string): string {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}
