// The Prometheus textfile (node setting metrics-file) for node_exporter's textfile collector:
// rendered from facts (pure), written atomically so the collector never reads half a file.

import { PUBLIC_DIR_MODE, PUBLIC_FILE_MODE, writeFileAtomic } from './store/store.ts';
import type { RunState } from './run-state.ts';

export interface MetricsFacts {
  /** The `node` label: the node this config dir belongs to. */
  node: string;
  certificate?: {
    notBefore: number;
    notAfter: number;
    source: string;
    /** Epoch seconds from which renewal is due (lifetime rule, or the CA's ARI window when earlier). */
    renewalDue?: number;
    ari?: { start: number; end: number };
  };
  runs: RunState;
}

interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number | undefined;
  labels?: Record<string, string>;
}

/** Label values escaped per the text exposition format (backslash, double quote, newline). */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderMetrics(facts: MetricsFacts): string {
  const cert = facts.certificate;
  const { runs } = facts;
  const metrics: Metric[] = [
    { name: 'certnode_certificate_not_before_timestamp_seconds', help: 'Start of the installed certificate\'s validity.', type: 'gauge', value: cert?.notBefore },
    { name: 'certnode_certificate_not_after_timestamp_seconds', help: 'End of the installed certificate\'s validity.', type: 'gauge', value: cert?.notAfter },
    { name: 'certnode_certificate_info', help: 'The installed certificate; source is acme, custom or self-signed.', type: 'gauge', value: cert ? 1 : undefined, labels: cert ? { source: cert.source } : {} },
    { name: 'certnode_renewal_due_timestamp_seconds', help: 'When renewal of the installed ACME certificate is due (lifetime rule or ARI window).', type: 'gauge', value: cert?.renewalDue },
    { name: 'certnode_ari_window_start_timestamp_seconds', help: 'Start of the CA\'s suggested renewal window (ARI), when known.', type: 'gauge', value: cert?.ari?.start },
    { name: 'certnode_ari_window_end_timestamp_seconds', help: 'End of the CA\'s suggested renewal window (ARI), when known.', type: 'gauge', value: cert?.ari?.end },
    { name: 'certnode_last_attempt_timestamp_seconds', help: 'Last order, renewal or revocation attempt.', type: 'gauge', value: runs.lastAttempt },
    { name: 'certnode_last_success_timestamp_seconds', help: 'Last successful order, renewal or revocation.', type: 'gauge', value: runs.lastSuccess },
    { name: 'certnode_last_failure_timestamp_seconds', help: 'Last failed order, renewal or revocation.', type: 'gauge', value: runs.lastFailure },
    { name: 'certnode_consecutive_failures', help: 'Failed attempts since the last success.', type: 'gauge', value: runs.consecutiveFailures },
    { name: 'certnode_rate_limited_until_timestamp_seconds', help: 'The CA asked not to be contacted before this time (rate limit).', type: 'gauge', value: runs.rateLimit?.until },
  ];
  let out = '';
  for (const m of metrics) {
    if (m.value === undefined) continue;
    const labels = { node: facts.node, ...m.labels };
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${labelValue(v)}"`)
      .join(',');
    out += `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n${m.name}{${text}} ${m.value}\n`;
  }
  return out;
}

export function writeMetricsFile(file: string, facts: MetricsFacts): void {
  // 0644: node_exporter runs as its own user
  writeFileAtomic(file, renderMetrics(facts), { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE, keepDirMode: true });
}
