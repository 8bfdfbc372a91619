// Operational hygiene that is easy to lose in a later edit: JSON logs, nothing but nginx
// published, app processes not root, no-new-privileges and rotated logs everywhere.
import { expectThat, type Probe } from './probe.ts';

export const hygieneProbe: Probe = {
  name: 'hygiene',
  async run({ stack, render }) {
    const problems: string[] = [];

    const lines = (await stack.logs('web', { tail: 40 }))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    if (lines.length === 0) problems.push('web wrote no log lines');
    if (notJson.length > 0)
      problems.push(`${notJson.length}/${lines.length} of web's recent log lines are not JSON, e.g. "${notJson[0]!.slice(0, 120)}"`);

    const published: string[] = [];
    const services = Object.keys(stack.config.services).filter((service) => !stack.addedServices.has(service));
    for (const service of services) {
      const info = await stack.inspect(service);
      const portBindings = (info.HostConfig.PortBindings ?? {}) as Record<string, unknown[] | null>;
      const bindings = Object.entries(portBindings).filter(([, binding]) => binding && binding.length > 0);
      if (bindings.length > 0) published.push(`${service} (${bindings.map(([port]) => port).join(' ')})`);
      if (!((info.HostConfig.SecurityOpt ?? []) as string[]).some((option) => /^no-new-privileges(:true|=true)?$/.test(option))) {
        problems.push(`${service} lacks security_opt no-new-privileges:true`);
      }
      const logConfig = info.HostConfig.LogConfig;
      if (logConfig?.Type === 'json-file' && !logConfig.Config?.['max-size'])
        problems.push(`${service} logs to json-file without max-size rotation`);
      // The app image's services (the features' included) must not run as root.
      if (render.appServices.includes(service)) {
        const user = info.Config.User;
        if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`${service} runs as ${user ? `user "${user}"` : 'root (no USER)'}`);
        if (info.State.Running) {
          const id = await stack.exec(service, ['id', '-u']);
          if (id.stdout.trim() === '0') problems.push(`${service}'s processes run as uid 0`);
        }
      }
    }
    if (published.length !== 1 || !published[0]!.startsWith('nginx '))
      problems.push(`published ports: ${published.join(', ') || 'none'}; only nginx may publish`);
    expectThat(problems.length === 0, problems.join('; '));
    return `${lines.length} recent web log lines are JSON; only ${published[0]} published; app containers non-root; no-new-privileges and log rotation on ${services.length} services`;
  },
};
