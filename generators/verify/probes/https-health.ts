// The health endpoint through nginx over HTTPS: Django answers, and its database and Redis work.
import { request } from '../http.ts';
import { expectThat, type Probe } from './probe.ts';

export const httpsHealthProbe: Probe = {
  name: 'https-health',
  async run({ stack, domains }) {
    const response = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path: '/health/' });
    expectThat(response.status === 200, `GET https://${domains[0]}/health/ answered ${response.status}: ${response.body.slice(0, 200)}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      throw new Error(`/health/ did not answer JSON: ${response.body.slice(0, 200)}`);
    }
    expectThat(body['database'] === 'ok' && body['redis'] === 'ok', `/health/ says ${JSON.stringify(body)}`);
    return `200 ${JSON.stringify(body)}`;
  },
};
