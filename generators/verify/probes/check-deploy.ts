// Django's own production checklist, inside the running web container (real environment).
import { expectThat, tailOf, type Probe } from './probe.ts';

export const checkDeployProbe: Probe = {
  name: 'check-deploy',
  async run({ stack }) {
    const result = await stack.exec('web', ['python', 'manage.py', 'check', '--deploy', '--fail-level', 'WARNING']);
    expectThat(result.exitCode === 0, `check --deploy exited ${result.exitCode}: ${tailOf(`${result.stdout}\n${result.stderr}`, 8)}`);
    return tailOf(result.stdout || result.stderr, 1);
  },
};
