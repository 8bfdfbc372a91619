// What verify changes in the repository's monitoring files to prove them in minutes, not hours:
// the same scrape jobs and alert rules, with short intervals and `for:` durations, and an
// Alertmanager that keeps alerts to itself. Pure: text in, text out (the override mounts them).
import { parse, stringify } from 'yaml';

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
