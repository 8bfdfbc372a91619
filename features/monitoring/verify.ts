// What verify changes in the repository's monitoring files to prove them in minutes, not hours:
// the same scrape jobs and alert rules, with short intervals and `for:` durations, and an
// Alertmanager that keeps alerts to itself. Pure: text in, text out (the override mounts them).
import { parse, stringify } from 'yaml';
import { aliasDomainsToNginx, withConfigFile, type OverridePart } from '../../generators/verify/override.ts';

/** Where verify mounts its versions (outside the read-only bind mounts of monitoring/). */
export const VERIFY_MONITORING_DIR = '/verify-monitoring';
/** Scrape and rule evaluation interval under verify. */
export const VERIFY_INTERVAL = '3s';
/** Every alert's `for:` under verify: long enough to need two evaluations, short enough to wait for. */
export const VERIFY_FOR = '6s';

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  [key: string]: unknown;
}

/** prometheus.yml with short intervals, reading verify's rules file instead of rules/*.yml. */
export function verifyPrometheusConfig(text: string): string {
  const config = parse(text) as PrometheusConfig;
  config.global = {
    ...config.global,
    scrape_interval: VERIFY_INTERVAL,
    scrape_timeout: VERIFY_INTERVAL,
    evaluation_interval: VERIFY_INTERVAL,
  };
  config.rule_files = [`${VERIFY_MONITORING_DIR}/alerts.yml`];
  return stringify(config);
}

interface Rules {
  groups: { rules: { alert?: string; for?: string }[] }[];
}

/** The alert rules, each with `for:` cut to VERIFY_FOR (rules without one fire at once anyway). */
export function verifyAlertRules(text: string): string {
  const rules = parse(text) as Rules;
  for (const group of rules.groups) {
    for (const rule of group.rules) if (rule.alert && rule.for) rule.for = VERIFY_FOR;
  }
  return stringify(rules);
}

/**
 * blackbox.yml trusting any certificate: verify's certificates come from Pebble (a CA created at
 * its start) or are self-signed, so only the production config can judge trust.
 */
export function verifyBlackboxConfig(text: string): string {
  const config = parse(text) as { modules: Record<string, { http?: { tls_config?: Record<string, unknown> } }> };
  for (const module of Object.values(config.modules)) {
    if (module.http) module.http.tls_config = { ...module.http.tls_config, insecure_skip_verify: true };
  }
  return stringify(config);
}

/** Alertmanager that notifies nobody: verify never sends mail or calls a webhook. */
export function verifyAlertmanagerConfig(): string {
  return stringify({
    route: { receiver: 'verify', group_by: ['alertname', 'job'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
    receivers: [{ name: 'verify' }],
  });
}

/** The override: Prometheus, Alertmanager and blackbox_exporter on verify's versions of their files. */
export const monitoringOverride: OverridePart = (override) => {
  // blackbox_exporter probes the site by its public names: nginx answers them inside the network.
  aliasDomainsToNginx(override);
  const file = (name: string) => `${VERIFY_MONITORING_DIR}/${name}`;
  const read = (name: string) => override.readFile(`monitoring/${name}`);
  Object.assign(override.configs, {
    'verify-prometheus': { content: verifyPrometheusConfig(read('prometheus/prometheus.yml')) },
    'verify-alert-rules': { content: verifyAlertRules(read('prometheus/rules/alerts.yml')) },
    'verify-blackbox': { content: verifyBlackboxConfig(read('blackbox/blackbox.yml')) },
    'verify-alertmanager': { content: verifyAlertmanagerConfig() },
  });
  Object.assign(override.edit('prometheus'), {
    command: withConfigFile(override.base.services['prometheus'], file('prometheus.yml')),
    configs: [
      { source: 'verify-prometheus', target: file('prometheus.yml') },
      { source: 'verify-alert-rules', target: file('alerts.yml') },
    ],
  });
  Object.assign(override.edit('blackbox-exporter'), {
    command: withConfigFile(override.base.services['blackbox-exporter'], file('blackbox.yml')),
    configs: [{ source: 'verify-blackbox', target: file('blackbox.yml') }],
  });
  Object.assign(override.edit('alertmanager'), {
    command: withConfigFile(override.base.services['alertmanager'], file('alertmanager.yml')),
    configs: [{ source: 'verify-alertmanager', target: file('alertmanager.yml') }],
  });
};
