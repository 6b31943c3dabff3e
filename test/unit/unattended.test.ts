// The pure parts of unattended reporting: which outcomes notify, the run state, the metrics
// text, the mail, and the node settings that configure them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskSecrets } from '../../src/core/notify/report.ts';
import { configPaths } from '../../src/core/paths.ts';
import { NOTIFY_EVENTS, checkCertSettingValue, unattendedSettings } from '../../src/core/config/node.ts';
import { parseNodeCfg } from '../../src/core/config/node-cfg.ts';
import { renderMetrics } from '../../src/core/metrics.ts';
import { mailMessage, notifyEnvironment, shouldNotify } from '../../src/core/notify/notify.ts';
import { nextRunState } from '../../src/core/run-state.ts';
import { UsageError } from '../../src/core/errors.ts';

test('notify-on: failures (the default) tells every failure and the first success after one; all; event names', () => {
  const failures = ['order-failed', 'renew-failed', 'revoke-failed', 'reload-failed'];
  for (const event of NOTIFY_EVENTS) {
    const failure = failures.includes(event);
    assert.equal(shouldNotify(event, ['failures'], false), failure, `${event} after a success`);
    assert.equal(shouldNotify(event, ['failures'], true), true, `${event} after a failure`);
    assert.equal(shouldNotify(event, ['all'], false), true);
    assert.equal(shouldNotify(event, ['renewed'], true), event === 'renewed');
  }
  assert.equal(shouldNotify('renewed', ['renew-failed', 'failures'], false), false);
});

test('run state: failures count up, a success resets them, a rate limit lasts only until the next outcome', () => {
  let s = nextRunState({ consecutiveFailures: 0 }, { event: 'ordered', success: true, now: 100 });
  assert.deepEqual(s, { consecutiveFailures: 0, lastAttempt: 100, lastSuccess: 100, lastEvent: 'ordered' });
  s = nextRunState(s, { event: 'renew-failed', success: false, now: 200, rateLimit: { until: 4000, detail: 'slow down' } });
  assert.deepEqual(s, { consecutiveFailures: 1, lastAttempt: 200, lastSuccess: 100, lastFailure: 200, lastEvent: 'renew-failed', rateLimit: { until: 4000, detail: 'slow down' } });
  s = nextRunState(s, { event: 'renew-failed', success: false, now: 300 });
  assert.equal(s.consecutiveFailures, 2);
  assert.equal(s.rateLimit, undefined);
  s = nextRunState(s, { event: 'renewed', success: true, now: 400 });
  assert.deepEqual(s, { consecutiveFailures: 0, lastAttempt: 400, lastSuccess: 400, lastFailure: 300, lastEvent: 'renewed' });
});

test('metrics: Prometheus text format, every sample labelled with the node, unknown values left out', () => {
  const text = renderMetrics({
    node: 'pve1',
    certificate: { notBefore: 1000, notAfter: 9000, source: 'acme', renewalDue: 6000 },
    runs: { consecutiveFailures: 2, lastAttempt: 5000, lastFailure: 5000 },
  });
  assert.equal(
    text,
    [
      '# HELP certnode_certificate_not_before_timestamp_seconds Start of the installed certificate\'s validity.',
      '# TYPE certnode_certificate_not_before_timestamp_seconds gauge',
      'certnode_certificate_not_before_timestamp_seconds{node="pve1"} 1000',
      '# HELP certnode_certificate_not_after_timestamp_seconds End of the installed certificate\'s validity.',
      '# TYPE certnode_certificate_not_after_timestamp_seconds gauge',
      'certnode_certificate_not_after_timestamp_seconds{node="pve1"} 9000',
      '# HELP certnode_certificate_info The installed certificate; source is acme, custom or self-signed.',
      '# TYPE certnode_certificate_info gauge',
      'certnode_certificate_info{node="pve1",source="acme"} 1',
      '# HELP certnode_renewal_due_timestamp_seconds When renewal of the installed ACME certificate is due (lifetime rule or ARI window).',
      '# TYPE certnode_renewal_due_timestamp_seconds gauge',
      'certnode_renewal_due_timestamp_seconds{node="pve1"} 6000',
      '# HELP certnode_last_attempt_timestamp_seconds Last order, renewal or revocation attempt.',
      '# TYPE certnode_last_attempt_timestamp_seconds gauge',
      'certnode_last_attempt_timestamp_seconds{node="pve1"} 5000',
      '# HELP certnode_last_failure_timestamp_seconds Last failed order, renewal or revocation.',
      '# TYPE certnode_last_failure_timestamp_seconds gauge',
      'certnode_last_failure_timestamp_seconds{node="pve1"} 5000',
      '# HELP certnode_consecutive_failures Failed attempts since the last success.',
      '# TYPE certnode_consecutive_failures gauge',
      'certnode_consecutive_failures{node="pve1"} 2',
      '',
    ].join('\n'),
  );
  assert.match(renderMetrics({ node: 'a"b\\c', runs: { consecutiveFailures: 0 } }), /^certnode_consecutive_failures\{node="a\\"b\\\\c"\} 0$/m);
});

test('mail: the facts and the log tail; no configured value can add a header line', () => {
  const facts = { event: 'renew-failed' as const, node: 'pve1', domains: ['a.example.com', 'b\r\nBcc: evil@example.com'], notAfter: new Date(Date.UTC(2027, 0, 2, 3, 4, 5)), error: 'CA down' };
  const text = mailMessage(facts, ['root@example.com', 'ops@example.com'], ['Loading ACME account details', '.'], new Date(Date.UTC(2026, 10, 28, 9, 0, 0)));
  const [head, body] = text.split('\n\n') as [string, string];
  assert.deepEqual(head.split('\n'), [
    'To: root@example.com, ops@example.com',
    'Subject: certnode on pve1: certificate renewal FAILED (a.example.com, b Bcc: evil@example.com)',
    'Date: Sat, 28 Nov 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    'Auto-Submitted: auto-generated',
  ]);
  assert.match(body, /^Event: {5}renew-failed\nNode: {6}pve1\n/);
  assert.match(text, /\nNot after: 2027-01-02T03:04:05Z\nError: {5}CA down\n/);
  assert.match(text, /Task log \(last lines\):\n {2}Loading ACME account details\n {2}\.\n$/);
  assert.deepEqual(notifyEnvironment({ ...facts, domains: ['a.example.com', 'b.example.com'] }), {
    CERTNODE_EVENT: 'renew-failed',
    CERTNODE_NODE: 'pve1',
    CERTNODE_DOMAINS: 'a.example.com b.example.com',
    CERTNODE_NOT_AFTER: '2027-01-02T03:04:05Z',
    CERTNODE_ERROR: 'CA down',
  });
});

test('settings: notify-mailto, notify-on and metrics-file are checked; defaults', () => {
  const bad: [string, string, RegExp][] = [
    ['notify-mailto', 'root@example.com, not-an-address', /^notify-mailto: invalid mail address 'not-an-address'$/],
    ['notify-mailto', 'a@b.example\nBcc:x@y', /^notify-mailto: invalid mail address/],
    ['notify-on', 'failures,sometimes', /^notify-on: unknown event 'sometimes' - one of failures, all, ordered, renewed, /],
    ['metrics-file', 'certnode.prom', /^metrics-file: value 'certnode.prom' is not an absolute path$/],
    ['metrics-file', '/var/lib/prometheus/node-exporter/certnode.txt', /does not end in '\.prom'/],
    ['notify-command', '  ', /^notify-command: value must not be empty/],
  ];
  for (const [key, value, message] of bad) assert.throws(() => checkCertSettingValue(key, value), (err: unknown) => err instanceof UsageError && message.test(err.message), `${key}=${value}`);
  const cfg = parseNodeCfg('notify-mailto: root@example.com;ops@example.com\nmetrics-file: /var/lib/prometheus/node-exporter/certnode.prom\n', 'node.cfg');
  assert.deepEqual(unattendedSettings(cfg), { notifyCommand: undefined, notifyMailto: ['root@example.com', 'ops@example.com'], notifyOn: ['failures'], metricsFile: '/var/lib/prometheus/node-exporter/certnode.prom' });
});

test('mail: DNS plugin credentials that reach the log tail are masked before the mail leaves the host', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'certnode-mask-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'acme'));
  const data = Buffer.from("CF_Token=cf-secret-token-123\nCF_Account_ID='acct-4567'\nX=ab\n").toString('base64url');
  writeFileSync(join(dir, 'acme', 'plugins.cfg'), `dns: cloudflare\n\tapi cf\n\tdata ${data}\n`);
  assert.deepEqual(maskSecrets(configPaths(dir), ['token cf-secret-token-123 for acct-4567', 'ab stays (too short to mask)']), ['token *** for ***', 'ab stays (too short to mask)']);
});
