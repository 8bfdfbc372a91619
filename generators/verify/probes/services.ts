// Every container is up and healthy, the one-shot migrate step succeeded, no migration is left.
import { ONE_SHOT_SERVICES } from '../stack.ts';
import { expectThat, tailOf, type Probe } from './probe.ts';

export const servicesProbe: Probe = {
  name: 'services',
  async run({ stack }) {
    const problems: string[] = [];
    let healthy = 0;
    const services = Object.keys(stack.config.services);
    for (const service of services) {
      const { State: state, RestartCount: restarts } = await stack.inspect(service);
      if (ONE_SHOT_SERVICES.has(service)) {
        if (state.Running || state.ExitCode !== 0)
          problems.push(`${service} ${state.Running ? 'is still running' : `exited ${state.ExitCode}`}`);
        continue;
      }
      if (!state.Running) problems.push(`${service} is ${state.Status} (exit ${state.ExitCode})`);
      else if (state.Health && state.Health.Status !== 'healthy') problems.push(`${service} is ${state.Health.Status}`);
      else if (state.Health) healthy += 1;
      // A crash loop at boot can look healthy at the moment of the look.
      if (restarts > 0 && !stack.addedServices.has(service)) problems.push(`${service} restarted ${restarts} time(s)`);
    }
    expectThat(problems.length === 0, problems.join('; '));
    const plan = await stack.exec('web', ['python', 'manage.py', 'showmigrations', '--plan']);
    expectThat(plan.exitCode === 0, `showmigrations exited ${plan.exitCode}: ${tailOf(plan.stderr)}`);
    const pending = plan.stdout.split('\n').filter((line) => line.includes('[ ]'));
    expectThat(pending.length === 0, `${pending.length} migration(s) not applied: ${pending.slice(0, 3).join(', ').trim()}`);
    const applied = plan.stdout.split('\n').filter((line) => line.includes('[X]')).length;
    return (
      `${services.length} services, ${healthy} healthy by healthcheck, migrate exited 0, ${applied} migrations applied` +
      ` (build ${stack.buildSeconds.toFixed(0)} s, boot ${stack.bootSeconds.toFixed(0)} s)`
    );
  },
};
