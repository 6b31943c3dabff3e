// Unattended operation that speaks up, against a real Pebble: cert info status, renew --check,
// --dry-run, notifications (notify-command; mail through msmtp as sendmail into a real SMTP
// server), the metrics file scraped by a real prometheus-node-exporter, a failed reload, and
// the rate-limit memory (a MOCK CA gate in front of Pebble plays the CA that is down or that
// rate-limits: Pebble does neither).

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runProbed } from '../helpers/probe.ts';
import { baseEnv, snapshot, tempDir } from '../helpers/cli.ts';
import { testNode, type TestNode } from '../helpers/node.ts';
import { startMockCaGate, type MockCaGate } from '../helpers/mock-ca-gate.ts';
import { startMailSink, startNodeExporter, type MailSink, type NodeExporter } from '../helpers/monitoring.ts';
import { txtAt } from '../helpers/dns-server.ts';
import { pebbleFixture, type Pebble } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void | Promise<void>)[] = [];
before(() => fixture.start());
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fixture.stop();
});

let counter = 0;
const fresh = (label: string): string => `${label}.u${++counter}.example.test`;
const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** A config dir with an account at `directoryUrl`, the standalone plugin on Pebble's http-01 port, and `names`. */
const node = (pebble: Pebble, directoryUrl: string, names: string[], env: Record<string, string> = {}): Promise<TestNode> =>
  testNode(pebble, { cleanups, directoryUrl, ...(names.length ? { acme: `domains=${names.join(';')}` } : {}), env: { CERTNODE_NODE: 'testnode', ...env } });

const epoch = (date: string): number => Math.floor(new Date(date).getTime() / 1000);
const leaf = (file: string): X509Certificate => new X509Certificate(readFileSync(file));

const txt = (pebble: Pebble, name: string): Promise<string[]> => txtAt(pebble.challtestsrv.dnsAddr, name);

/** Pebble's finalize requests so far: a dry run must add none (no certificate issued). */
const finalizes = (pebble: Pebble): number => (pebble.log().match(/POST \/finalize-order\//g) ?? []).length;

describe('cert info and renew --check', () => {
  test(
    'an ACME certificate: role, source, days left, renewal due date; the backup is marked; --check decides without the CA library',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const name = fresh('info');
      const n = await node(pebble, pebble.directoryUrl, [name]);
      await n.ok(['acme', 'cert', 'order']);
      const cert = leaf(n.certFile);
      const [info, ...rest] = JSON.parse((await n.ok(['cert', 'info', '--output-format', 'json'])).stdout) as Record<string, unknown>[];
      assert.deepEqual(rest, []);
      const notBefore = new Date(cert.validFrom).getTime();
      const notAfter = new Date(cert.validTo).getTime();
      const lifetime = notAfter - notBefore;
      assert.equal(info!.role, 'installed');
      assert.equal(info!.source, 'acme');
      assert.equal(info!.notafter, epoch(cert.validTo));
      assert.equal(info!['days-left'], Math.floor((notAfter - Date.now()) / 86_400_000));
      // due with a third of the lifetime left (the lifetime is Pebble's: longer than 10 days)
      assert.equal(info!['renewal-due'], Math.floor((notAfter - Math.floor(lifetime / 3)) / 1000));
      assert.equal(info!['renewal-reason'], 'lifetime');

      const text = (await n.ok(['cert', 'info', '--noborder'])).stdout.split('\n');
      assert.equal(text[1], 'role            installed');
      assert.equal(text[2], 'source          acme');
      assert.match(text.find((l) => l.startsWith('renewal-due'))!, /^renewal-due {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

      // --check: the decision, exit 0, no ACME library loaded (Pebble 2.10 offers ARI: its window is named)
      const check = await runProbed(['acme', 'cert', 'renew', '--check'], { ...baseEnv(pebble.env), CERTNODE_CONFIG_DIR: n.dir });
      assert.equal(check.status, 0, check.stderr);
      const m = /^Would not renew: due for renewal from (\S+ \S+)( \(ARI window from \S+ \S+ to \S+ \S+\))?; the certificate expires (.+)\.\n$/.exec(check.stdout);
      assert.ok(m, check.stdout);
      assert.match(m[1]!, TIME);
      assert.ok(check.sources.some((p) => p.includes('node_modules/commander/')), 'the probe sees commander (control)');
      assert.deepEqual(check.sources.filter((p) => /acme-client|axios|@peculiar/.test(p)), []);
      const checkJson = JSON.parse((await n.ok(['acme', 'cert', 'renew', '--check', '--output-format', 'json'])).stdout) as Record<string, unknown>;
      assert.equal(checkJson.due, false);
      assert.equal(checkJson['would-renew'], false);
      // cert info shows the same decision (now with the CA's ARI window, when it sent one)
      const [again] = JSON.parse((await n.ok(['cert', 'info', '--output-format', 'json'])).stdout) as Record<string, unknown>[];
      assert.equal(checkJson['due-from'], again!['renewal-due']);
      assert.match((await n.ok(['acme', 'cert', 'renew', '--check', '--force'])).stdout, /^Would renew: forced; the certificate expires .+\.\n$/);

      await n.ok(['acme', 'cert', 'renew', '--force']);
      const both = JSON.parse((await n.ok(['cert', 'info', '--output-format', 'json'])).stdout) as Record<string, unknown>[];
      assert.deepEqual(
        both.map((c) => [c.role, c.source, c.filename]),
        [
          ['installed', 'acme', n.certFile],
          ['backup', undefined, `${n.certFile}.old`],
        ],
      );
      assert.equal(both[1]!.fingerprint, cert.fingerprint256);
    }),
  );
});

describe('--dry-run', () => {
  test(
    'order and renew --dry-run validate every name (http-01 and dns-01), then stop: nothing issued, installed or changed',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const web = fresh('web');
      const dns = fresh('dns');
      const n = await node(pebble, pebble.directoryUrl, [web]);
      const data = join(n.dir, 'chall.data');
      writeFileSync(data, `CERTNODETEST_URL=${pebble.challtestsrv.managementUrl}\nCERTNODETEST_TOKEN=tok-dry-run\n`);
      await n.ok(['acme', 'plugin', 'add', 'dns', 'chall', '--api', 'certnodetest', '--data', data, '--validation-delay', '10']);
      await n.ok(['config', 'set', '--acmedomain0', `domain=${dns},plugin=chall`]);

      const finalized = finalizes(pebble);
      const first = await n.ok(['acme', 'cert', 'order', '--dry-run']);
      assert.match(first.stdout, /^All domains validated!$/m);
      assert.match(first.stdout, /\nRemove TXT record: _acme-challenge\.\S+\nDry run OK: all 2 names validated\nTask OK\n$/);
      assert.doesNotMatch(first.stdout, /Creating CSR|finalizing|Installing/);
      assert.equal(existsSync(n.certFile), false, 'a dry run installs nothing');

      await n.ok(['acme', 'cert', 'order']);
      const certs = join(n.dir, 'certs');
      const before = snapshot(certs);
      const issued = finalizes(pebble);
      assert.equal(issued, finalized + 1, 'the control: one real order finalized once');
      const dry = await n.ok(['acme', 'cert', 'renew', '--dry-run']);
      // validated again, or (Pebble reuses a valid authorization about 1 % of the time, even with
      // PEBBLE_AUTHZREUSE=0) found valid already
      for (const name of [web, dns]) {
        const escaped = name.replace(/\./g, '\\.');
        assert.match(dry.stdout, new RegExp(`Status is 'valid', domain '${escaped}' OK!|\n${escaped} is already validated!\n`));
      }
      assert.match(dry.stdout, /Dry run OK: all 2 names validated\nTask OK\n$/);
      assert.doesNotMatch(dry.stdout, /Creating CSR|finalizing|Installing/);
      assert.deepEqual(snapshot(certs), before, 'installed pair and state file unchanged');
      assert.equal(finalizes(pebble), issued, 'the CA issued nothing');
      assert.deepEqual(await txt(pebble, `_acme-challenge.${dns}`), []);

      // a broken DNS plugin: the plugin's error, the other record removed, still nothing changed
      const failData = join(n.dir, 'failing.data');
      writeFileSync(failData, 'FAIL_TOKEN=dry-run-fail-token\n');
      await n.ok(['acme', 'plugin', 'add', 'dns', 'failing', '--api', 'certnodefail', '--data', failData]);
      // a name the CA has not validated yet (a CA may reuse a valid authorization), added before the failing one
      const dns2 = fresh('dns');
      await n.ok(['config', 'set', '--acmedomain0', `domain=${dns2},plugin=chall`, '--acmedomain1', `domain=${fresh('bad')},plugin=failing`]);
      const broken = await n.run(['acme', 'cert', 'renew', '--dry-run']);
      assert.equal(broken.code, 255, broken.stdout);
      assert.match(broken.stderr, /^Task ERROR: domain '[^']+': DNS plugin 'failing' \(dns_certnodefail\.sh\) setup failed with exit code 1/m);
      assert.match(broken.stdout, new RegExp(`^Add TXT record: _acme-challenge\\.${dns2.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(broken.stdout, new RegExp(`^Remove TXT record: _acme-challenge\\.${dns2.replace(/\./g, '\\.')}$`, 'm'));
      assert.doesNotMatch(broken.stdout, /Dry run OK/);
      assert.deepEqual(await txt(pebble, `_acme-challenge.${dns2}`), []);
      assert.deepEqual(snapshot(certs), before);
      assert.equal(finalizes(pebble), issued);
    }),
  );
});

describe('notifications, metrics, a failed reload', () => {
  let gate: MockCaGate;
  let exporter: NodeExporter;
  let mail: MailSink;
  let work: string;
  before(async () => {
    const pebble = fixture.get();
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    work = tmp.dir;
    mkdirSync(join(work, 'textfiles'));
    gate = await startMockCaGate(pebble);
    cleanups.push(() => gate.stop());
    exporter = await startNodeExporter(join(work, 'textfiles'), work);
    cleanups.push(() => exporter.stop());
    mail = await startMailSink(work);
    cleanups.push(() => mail.stop());
  });

  test(
    'renew-failed (CA down) runs notify-command and mails; renewed after it; not due: silence; node_exporter serves the values',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const name = fresh('notify');
      const n = await node(pebble, gate.directoryUrl, [name], mail.env);
      const events = join(work, 'events.log');
      const promFile = join(work, 'textfiles', 'certnode.prom');
      await n.ok(['config', 'set', '--notify-command', `printf '%s|%s|%s|%s\\n' "$CERTNODE_EVENT" "$CERTNODE_DOMAINS" "$CERTNODE_NOT_AFTER" "$CERTNODE_ERROR" >> ${events}`]);
      await n.ok(['config', 'set', '--notify-mailto', 'admin@example.test', '--metrics-file', promFile]);
      const lines = (): string[] => (existsSync(events) ? readFileSync(events, 'utf8').trimEnd().split('\n') : []);
      const iso = (file: string): string => new Date(leaf(file).validTo).toISOString().replace(/\.\d+Z$/, 'Z');
      const metrics = async (): Promise<Map<string, number>> => exporter.scrape('certnode_');
      const m = (name: string): string => `certnode_${name}{node="testnode"}`;

      // a first success: nothing to tell by default (failures, and the first success after one)
      await n.ok(['acme', 'cert', 'order']);
      assert.deepEqual(lines(), []);
      assert.deepEqual(mail.messages(), []);
      let scraped = await metrics();
      assert.equal(scraped.get(m('certificate_not_after_timestamp_seconds')), epoch(leaf(n.certFile).validTo));
      assert.equal(scraped.get(m('certificate_not_before_timestamp_seconds')), epoch(leaf(n.certFile).validFrom));
      assert.equal(scraped.get(m('consecutive_failures')), 0);
      assert.ok(scraped.has(m('last_success_timestamp_seconds')));
      assert.equal(scraped.has(m('last_failure_timestamp_seconds')), false);

      // the CA down: renew-failed, with the error, by command and by mail; the counter counts
      const installed = readFileSync(n.certFile, 'utf8');
      gate.down = true;
      const failed = await n.run(['acme', 'cert', 'renew', '--force']);
      assert.equal(failed.code, 255, failed.stdout);
      assert.equal(readFileSync(n.certFile, 'utf8'), installed);
      const [event] = lines();
      const [ev, domains, notAfter, error] = event!.split('|');
      assert.deepEqual([ev, domains, notAfter], ['renew-failed', name, iso(n.certFile)]);
      assert.equal(`Task ERROR: ${error}\n`, failed.stderr);
      assert.match(failed.stdout, /^Running notify command \(renew-failed\)$/m);
      assert.match(failed.stdout, /^Sending notification mail \(renew-failed\) to admin@example\.test$/m);
      const [mailed] = mail.messages();
      assert.ok(mailed, mail.log());
      assert.match(mailed, /^Subject: certnode on testnode: certificate renewal FAILED \(.+\)$/m);
      assert.match(mailed, /^To: admin@example\.test$/m);
      assert.match(mailed, /^Event: {5}renew-failed$/m);
      assert.ok(mailed.includes(`Error:     ${error}`), mailed);
      assert.match(mailed, /^Task log \(last lines\):\n {2}Loading ACME account details$/m);
      scraped = await metrics();
      assert.equal(scraped.get(m('consecutive_failures')), 1);
      assert.ok(scraped.has(m('last_failure_timestamp_seconds')));
      assert.equal((await n.run(['acme', 'cert', 'renew', '--force'])).code, 255);
      assert.equal((await metrics()).get(m('consecutive_failures')), 2);
      assert.equal(lines().length, 2);

      // back up: the first success after failures is told, and the counter resets
      gate.down = false;
      await n.ok(['acme', 'cert', 'renew', '--force']);
      assert.notEqual(readFileSync(n.certFile, 'utf8'), installed);
      assert.equal(lines()[2], `renewed|${name}|${iso(n.certFile)}|`);
      assert.equal(mail.messages().length, 3);
      assert.match(mail.messages().find((t) => /renewed/.test(t))!, /^Subject: certnode on testnode: certificate renewed /m);
      scraped = await metrics();
      assert.equal(scraped.get(m('consecutive_failures')), 0);
      assert.equal(scraped.get(m('certificate_not_after_timestamp_seconds')), epoch(leaf(n.certFile).validTo));

      // a second success and a not-due renew: nothing told (the metrics file is still rewritten)
      await n.ok(['acme', 'cert', 'renew', '--force']);
      const notDue = await n.ok(['acme', 'cert', 'renew']);
      assert.match(notDue.stdout, /^Certificate does not expire within the next \d+ days/);
      assert.equal(lines().length, 3);
      assert.equal(mail.messages().length, 3);
      assert.equal((await metrics()).get(m('certificate_not_after_timestamp_seconds')), epoch(leaf(n.certFile).validTo));

      // a reload command that fails: the pair is installed, exit 3, reload-failed told
      await n.ok(['config', 'set', '--reload-command', 'echo cannot reload >&2; exit 1']);
      const before = readFileSync(n.certFile, 'utf8');
      const reload = await n.run(['acme', 'cert', 'renew', '--force']);
      assert.equal(reload.code, 3, reload.stdout + reload.stderr);
      assert.equal(reload.stderr, "Task ERROR: certificate installed; reload command failed: reload command 'echo cannot reload >&2; exit 1' failed - exit code 1\n");
      assert.notEqual(readFileSync(n.certFile, 'utf8'), before);
      assert.equal(readFileSync(`${n.certFile}.old`, 'utf8'), before);
      assert.match(lines()[3]!, new RegExp(`^reload-failed\\|${name.replace(/\./g, '\\.')}\\|${iso(n.certFile)}\\|certificate installed; reload command failed: `));
      assert.equal(mail.messages().length, 4);

      // a notify command that fails is a warning in the task log; the outcome stays the task's own
      await n.ok(['config', 'set', '--notify-command', 'echo notifier broken; exit 7', '--notify-on', 'all', '--delete', 'notify-mailto,reload-command']);
      gate.down = true;
      try {
        const down = await n.run(['acme', 'cert', 'renew', '--force']);
        assert.equal(down.code, 255);
        assert.match(down.stdout, /^Running notify command \(renew-failed\)\nnotifier broken\nnotify command failed - exit code 7 \(notify-command 'echo notifier broken; exit 7'\)$/m);
        assert.match(down.stderr, /^Task ERROR: /);
        assert.doesNotMatch(down.stderr, /notify/);
      } finally {
        gate.down = false;
      }
      const up = await n.ok(['acme', 'cert', 'renew', '--force']);
      assert.match(up.stdout, /^notify command failed - exit code 7 .*\nTask WARNINGS: 1\n$/m);
      assert.equal(mail.messages().length, 4, 'notify-mailto deleted: no more mail');
    }),
  );

  test(
    'a rate-limit answer with Retry-After: later renews do not contact the CA before then; --force does',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, gate.directoryUrl, [fresh('limit')]);
      await n.ok(['acme', 'cert', 'order']);
      gate.rateLimitRetryAfter = 3600;
      try {
        const limited = await n.run(['acme', 'cert', 'renew', '--force']);
        assert.equal(limited.code, 255);
        assert.match(limited.stderr, /^Task ERROR: too many new orders recently \(mock\) - the CA asks to retry after \S+; try again then\n$/);
        const contacts = gate.connections;
        const later = await n.ok(['acme', 'cert', 'renew']);
        const m = /^Not renewing now: the CA rate-limited the last renewal \(too many new orders recently \(mock\).*\); not contacting it again before (.+) \('--force' does\)\.\n$/.exec(later.stdout);
        assert.ok(m, later.stdout);
        assert.match(m[1]!, TIME);
        const check = await n.ok(['acme', 'cert', 'renew', '--check', '--output-format', 'json']);
        const until = (JSON.parse(check.stdout) as Record<string, number>)['rate-limited-until']!;
        assert.ok(Math.abs(until - (Date.now() / 1000 + 3600)) < 120, `rate-limited-until ${until}`);
        assert.equal(gate.connections, contacts, 'no contact with the CA before Retry-After');
      } finally {
        gate.rateLimitRetryAfter = undefined;
      }
      const contacts = gate.connections;
      await n.ok(['acme', 'cert', 'renew', '--force']);
      assert.ok(gate.connections > contacts);
      assert.match((await n.ok(['acme', 'cert', 'renew'])).stdout, /^Certificate does not expire within the next \d+ days/);
    }),
  );
});
