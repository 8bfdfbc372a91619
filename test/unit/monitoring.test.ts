// The monitoring feature's facts that matter most, asserted directly on the render (snapshots show
// the rest; promtool and amtool run on every profile in test/docker/static-checks.test.ts).
import { FEATURES } from '../../features/index.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveAnswers } from '../../generators/lib/answers.ts';
import { buildRenderContext } from '../../generators/lib/context.ts';
import { renderTree } from '../../generators/lib/render.ts';
import { MONITORING_MB } from '../../features/monitoring/index.ts';

const render = (given: Record<string, unknown>): Record<string, string> => {
  const tree = renderTree(buildRenderContext(resolveAnswers({ cpus: 2, memoryMb: 4096, ...given }, FEATURES), FEATURES, '0.0.0-test'));
  return Object.fromEntries([...tree].map(([file, { content }]) => [file, content]));
};

interface Rules {
  groups: { rules: { alert: string }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}
interface Compose {
  services: Record<string, { mem_limit?: string; ports?: unknown[]; volumes?: string[] }>;
}

describe('monitoring', () => {
  it('is on by default and off removes every part of it', () => {
    const on = render({});
    const off = render({ monitoring: false });
    const ownFiles = ['backup/metrics.sh', 'gunicorn_runtime/metrics.py', 'tests/test_metrics.py'];
    expect(
      Object.keys(on).filter((file) => file.startsWith('monitoring/') || file.endsWith('monitoring.conf') || ownFiles.includes(file)),
    ).toHaveLength(9);
    const traces = /prometheus|alertmanager|exporter|metrics\.sh|stub_status|METRICS_PORT|monitoring\/|## Monitoring/i;
    for (const [file, content] of Object.entries(off)) {
      const lines = content.split('\n').filter((line) => traces.test(line));
      expect(lines, `${file} still mentions monitoring`).toEqual([]);
    }
    expect(Object.keys(on).length - Object.keys(off).length).toBe(9);
  });

  it('tests every alert rule: each fires at some evaluation and is cleared at a later one', () => {
    for (const given of [{}, { celery: false, backups: false }]) {
      const tree = render(given);
      const alerts = (parse(tree['monitoring/prometheus/rules/alerts.yml']!) as Rules).groups.flatMap((group) =>
        group.rules.map((rule) => rule.alert),
      );
      const cases = (parse(tree['monitoring/prometheus/tests/alerts.test.yml']!) as RuleTests).tests.flatMap(
        (test) => test.alert_rule_test,
      );
      expect(alerts).toHaveLength(given.celery === false ? 11 : 18);
      for (const alert of alerts) {
        const evaluations = cases.filter((test) => test.alertname === alert);
        const firing = evaluations.findIndex((test) => test.exp_alerts.length > 0);
        expect(firing, `${alert} never fires in the unit tests`).toBeGreaterThanOrEqual(0);
        expect(
          evaluations.slice(firing + 1).some((test) => test.exp_alerts.length === 0),
          `${alert} never clears after firing`,
        ).toBe(true);
      }
      expect(alerts.includes('CeleryQueueGrowing')).toBe(given.celery !== false);
      expect(alerts.includes('BackupMissing')).toBe(given.backups !== false);
    }
  });

  it("publishes nothing, and limits every monitoring service's memory to its measured fixed limit", () => {
    const compose = parse(render({})['compose.yaml']!) as Compose;
    for (const [service, mb] of Object.entries(MONITORING_MB)) {
      expect(compose.services[service]?.mem_limit, service).toBe(`${mb}m`);
      expect(compose.services[service]?.ports, service).toBeUndefined();
    }
    for (const [service, mb] of Object.entries(MONITORING_MB)) {
      expect(render({})['README.md']).toContain(`| \`${service}\` | ${mb} MiB | ${mb} MiB |`);
    }
  });

  it('skips TLS verification of the HTTPS probe only for self-signed certificates', () => {
    expect(render({ tlsMode: 'self-signed', domain: 'app.test' })['monitoring/blackbox/blackbox.yml']).toContain(
      'insecure_skip_verify: true',
    );
    for (const tlsMode of ['letsencrypt', 'letsencrypt-staging']) {
      expect(render({ tlsMode, domain: 'shop.example.com' })['monitoring/blackbox/blackbox.yml']).not.toContain('insecure_skip_verify');
    }
  });

  it('routes alerts by the answers: SMTP and a webhook, the password and the URL only as secret files', () => {
    const tree = render({
      alertSmtpHost: 'smtp.example.com',
      alertSmtpPort: 465,
      alertSmtpUser: 'alerts@example.com',
      alertWebhook: true,
    });
    const alertmanager = parse(tree['monitoring/alertmanager/alertmanager.yml']!) as {
      global: Record<string, unknown>;
      receivers: { email_configs?: { to: string }[]; webhook_configs?: Record<string, unknown>[] }[];
    };
    expect(alertmanager.global).toMatchObject({
      smtp_smarthost: 'smtp.example.com:465',
      smtp_auth_username: 'alerts@example.com',
      smtp_auth_password_file: '/run/secrets/alertmanager_smtp_password',
    });
    expect(alertmanager.receivers[0]!.email_configs![0]!.to).toBe('admin@example.com');
    expect(alertmanager.receivers[0]!.webhook_configs).toEqual([
      { url_file: '/run/secrets/alertmanager_webhook_url', send_resolved: true },
    ]);
    const compose = parse(tree['compose.yaml']!) as { secrets: Record<string, unknown>; services: Record<string, { secrets?: string[] }> };
    expect(compose.secrets['alertmanager_smtp_password']).toEqual({ file: './secrets/alertmanager_smtp_password' });
    expect(compose.secrets['alertmanager_webhook_url']).toEqual({ file: './secrets/alertmanager_webhook_url' });
    expect(compose.services['alertmanager']!.secrets).toEqual(['alertmanager_smtp_password', 'alertmanager_webhook_url']);
    const none = render({});
    expect(none['monitoring/alertmanager/alertmanager.yml']).not.toMatch(/email_configs|webhook_configs|smtp_/);
    expect(none['compose.yaml']).not.toMatch(/alertmanager_smtp_password|alertmanager_webhook_url/);
  });

  it("keeps metrics off the public side: Django on the master's own port, stub_status on an unpublished listener", () => {
    const tree = render({});
    expect(tree['gunicorn.conf.py']).toContain('METRICS_PORT = 8001');
    expect(tree['gunicorn.conf.py']).toMatch(/^bind = "0\.0\.0\.0:8000"$/m);
    expect(tree['nginx/conf.d/site.conf']).not.toContain('8001');
    expect(tree['nginx/conf.d/monitoring.conf']).toMatch(/listen 8080;[\s\S]*stub_status;[\s\S]*deny all;/);
    expect(tree['nginx/conf.d/site.conf']).not.toContain('stub_status');
  });
});
