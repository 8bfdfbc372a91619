// Existing-project mode: the project's own URL (answer appPath) answers through nginx over HTTPS,
// so the deployment serves the user's code, not just its own health endpoint.
import { request } from '../http.ts';
import { expectThat, type Probe } from './probe.ts';

export const appUrlProbe: Probe = {
  name: 'app-url',
  when: (render) => render.existing !== undefined,
  async run({ stack, domains, render }) {
    const path = render.existing!.appPath;
    const response = await request({ port: stack.ports.https, secure: true, host: domains[0]!, path });
    // A redirect (e.g. to a login page) is the project answering too; 4xx/5xx is not.
    expectThat(
      response.status >= 200 && response.status < 400,
      `GET https://${domains[0]}${path} answered ${response.status}: ${response.body.slice(0, 200)}`,
    );
    return `GET ${path} -> ${response.status} (${response.body.length} bytes${response.body.length <= 60 ? `: ${JSON.stringify(response.body.trim())}` : ''})`;
  },
};
