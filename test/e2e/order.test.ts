// acme cert order / renew / revoke over http-01 against a real Pebble (default 5 % badNonce).

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, baseEnv, snapshot, type RunResult } from '../helpers/cli.ts';
import { testNode, type TestNode } from '../helpers/node.ts';
import { freePort, pebbleFixture, startPebble, type Pebble } from '../helpers/pebble.ts';
import { runProbed } from '../helpers/probe.ts';

const fixture = pebbleFixture({ authzReuse: 0 });
const cleanups: (() => void)[] = [];
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

let nameCounter = 0;
/** Names no other test has used, so Pebble has no authorization to reuse. */
function freshNames(n: number): string[] {
  nameCounter++;
  return Array.from({ length: n }, (_, i) => `h${i}.t${nameCounter}.example.test`);
}

/** A config dir with a fresh account, the standalone plugin on Pebble's validation port, and `names`. */
const node = (pebble: Pebble, names: string[], acmeExtra = ''): Promise<TestNode> => testNode(pebble, { cleanups, acme: `domains=${names.join(';')}${acmeExtra}` });

const mode = (file: string): number => statSync(file).mode & 0o777;

/** openssl verify of the installed leaf against Pebble's current root and intermediate. */
async function verifyAgainstPebble(pebble: Pebble, certFile: string, dir: string): Promise<void> {
  const root = join(dir, 'root.pem');
  const intermediate = join(dir, 'intermediate.pem');
  writeFileSync(root, await pebble.root());
  writeFileSync(intermediate, await pebble.intermediate());
  const r = spawnSync('openssl', ['verify', '-CAfile', root, '-untrusted', intermediate, certFile], { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl verify: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout.trim(), `${certFile}: OK`);
}

function sans(certFile: string): string[] {
  const cert = new X509Certificate(readFileSync(certFile));
  return (cert.subjectAltName ?? '').split(', ').map((s) => s.replace(/^DNS:/, '')).sort();
}

/** Pebble's handled requests while `fn` runs, excluding the directory GET (the target's "directory aside"). */
async function countRequests(pebble: Pebble, fn: () => Promise<void>): Promise<number> {
  const before = await pebble.requestCount();
  const dirBefore = (pebble.log().match(/GET \/dir -> calling handler/g) ?? []).length;
  await fn();
  const total = (await pebble.requestCount()) - before;
  const dirs = (pebble.log().match(/GET \/dir -> calling handler/g) ?? []).length - dirBefore;
  return total - dirs;
}

describe('acme cert order', () => {
  test(
    'one name: the task log, files and modes, a chain that verifies against Pebble (surviving badNonce)',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const [name] = freshNames(1) as [string];
      const n = await node(pebble, [name]);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout.split('\n');
      const expected: (string | RegExp)[] = [
        'Loading ACME account details',
        // bound before the order: a busy port must fail before the CA creates anything
        `Setting up webserver on 127.0.0.1:${pebble.httpPort}`,
        'Placing ACME order',
        /^Order URL: https:\/\/127\.0\.0\.1:\d+\/my-order\/\S+$/,
        '',
        /^Getting authorization details from 'https:\/\/127\.0\.0\.1:\d+\/authZ\/\S+'$/,
        `The validation for ${name} is pending!`,
        'Triggering validation',
        `Status is 'valid', domain '${name}' OK!`,
        'All domains validated!',
        '',
        'Creating CSR',
        'Checking order status',
        'Order is ready, finalizing order',
        'valid!',
        '',
        'Downloading certificate',
        'Installing certificate and key',
        'Task OK',
        '',
      ];
      assert.equal(lines.length, expected.length, r.stdout);
      expected.forEach((want, i) => (typeof want === 'string' ? assert.equal(lines[i], want) : assert.match(lines[i]!, want)));
      assert.equal(mode(n.keyFile), 0o600);
      assert.equal(mode(n.certFile), 0o644);
      await verifyAgainstPebble(pebble, n.certFile, n.dir);
      assert.deepEqual(sans(n.certFile), [name]);
      const key = createPrivateKey(readFileSync(n.keyFile));
      assert.equal(key.asymmetricKeyType, 'ec');
      assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.ok(new X509Certificate(readFileSync(n.certFile)).checkPrivateKey(key));
      const info = await n.run(['cert', 'info', '--output-format', 'json']);
      const infoJson = JSON.parse(info.stdout) as { subject: string; fingerprint: string }[];
      assert.equal(infoJson[0]!.subject, `/CN=${name}`);
      // order and a renewal that ordered share one JSON shape
      const renewed = await n.run(['acme', 'cert', 'renew', '--force', '--output-format', 'json']);
      assert.equal(renewed.code, 0, renewed.stderr);
      const renewJson = JSON.parse(renewed.stdout) as { changed: boolean; certificate: { subject: string; filename: string }; order: string };
      assert.equal(renewJson.changed, true);
      assert.equal(renewJson.certificate.subject, `/CN=${name}`);
      assert.equal(renewJson.certificate.filename, n.certFile);
      assert.match(renewJson.order, /^https:\/\/127\.0\.0\.1:\d+\/my-order\//);
      const again = await n.run(['acme', 'cert', 'order', '--output-format', 'json']);
      assert.equal(again.code, 0, again.stderr);
      const orderJson = JSON.parse(again.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(orderJson), ['certificate', 'changed', 'order']);
      assert.deepEqual(Object.keys(orderJson.certificate as object), Object.keys(renewJson.certificate));
      const notDue = JSON.parse((await n.run(['acme', 'cert', 'renew', '--output-format', 'json'])).stdout) as { changed: boolean; due: boolean };
      assert.deepEqual([notDue.changed, notDue.due], [false, false]);
    }),
  );

  test(
    'ten names from acme domains and acmedomainN slots: exactly those SANs',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const names = freshNames(10);
      const n = await node(pebble, names.slice(0, 4));
      for (const [i, name] of names.slice(4).entries()) {
        assert.equal((await n.run(['config', 'set', `--acmedomain${i * 3}`, name.toUpperCase()])).code, 0);
      }
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await verifyAgainstPebble(pebble, n.certFile, n.dir);
      assert.deepEqual(sans(n.certFile), [...names].sort());
      assert.equal(new X509Certificate(readFileSync(n.certFile)).subject, `CN=${names[0]}`);
      for (const name of names) assert.match(r.stdout, new RegExp(`Status is 'valid', domain '${name.replace(/\./g, '\\.')}' OK!`));
    }),
  );

  test(
    'an IP identifier next to a DNS name, on the default all-addresses listener: IP SAN, CN the DNS name',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const [name] = freshNames(1) as [string];
      const n = await node(pebble, [name]);
      assert.equal((await n.run(['acme', 'plugin', 'set', 'standalone', '--delete', 'address'])).code, 0);
      assert.equal((await n.run(['config', 'set', '--acmedomain0', '127.0.0.1'])).code, 0);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`Setting up webserver on port ${pebble.httpPort}\n`));
      assert.match(r.stdout, /Status is 'valid', domain '127\.0\.0\.1' OK!/);
      const cert = new X509Certificate(readFileSync(n.certFile));
      assert.equal(cert.subject, `CN=${name}`);
      assert.deepEqual((cert.subjectAltName ?? '').split(', ').sort(), [`DNS:${name}`, 'IP Address:127.0.0.1']);
      await verifyAgainstPebble(pebble, n.certFile, n.dir);
    }),
  );

  const keyTypes: [string, (k: ReturnType<typeof createPrivateKey>) => void][] = [
    ['ec-384', (k) => assert.equal(k.asymmetricKeyDetails?.namedCurve, 'secp384r1')],
    ['rsa-2048', (k) => assert.equal(k.asymmetricKeyDetails?.modulusLength, 2048)],
    ['rsa-3072', (k) => assert.equal(k.asymmetricKeyDetails?.modulusLength, 3072)],
    ['rsa-4096', (k) => assert.equal(k.asymmetricKeyDetails?.modulusLength, 4096)],
  ];
  for (const [keyType, check] of keyTypes) {
    test(
      `key type ${keyType}`,
      fixture.withLogs(async () => {
        const pebble = fixture.get();
        const n = await node(pebble, freshNames(1), `,keytype=${keyType}`);
        const r = await n.run(['acme', 'cert', 'order']);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const key = createPrivateKey(readFileSync(n.keyFile));
        check(key);
        assert.ok(new X509Certificate(readFileSync(n.certFile)).checkPrivateKey(key));
        await verifyAgainstPebble(pebble, n.certFile, n.dir);
      }),
    );
  }

  test(
    'a certificate set by hand is not replaced without --force; no domains is an error',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, freshNames(1));
      assert.equal((await n.run(['acme', 'cert', 'order'])).code, 0);
      const set = await n.run(['cert', 'set', n.certFile, n.keyFile, '--force']);
      assert.equal(set.code, 0, set.stderr);
      const before = snapshot(join(n.dir, 'certs'));
      const refused = await n.run(['acme', 'cert', 'order']);
      assert.equal(refused.code, 255);
      assert.equal(refused.stderr, "ERROR: force: Custom certificate exists but 'force' is not set.\nUSAGE: certnode acme cert order [OPTIONS]\n");
      assert.deepEqual(snapshot(join(n.dir, 'certs')), before);
      const forced = await n.run(['acme', 'cert', 'order', '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal((await n.run(['config', 'set', '--delete', 'acme'])).code, 0);
      const none = await n.run(['acme', 'cert', 'order']);
      assert.equal(none.code, 255);
      assert.equal(
        none.stderr,
        "ERROR: ACME domain list in node configuration is missing! - set it with certnode config set --acme 'domains=<name>[;<name>...]' or --acmedomain0 <name>[,plugin=<id>] (slots 0..99)\n",
      );
    }),
  );
});

describe('request count (Pebble without nonce rejection, so every request is the order\'s own)', () => {
  let pebble: Pebble;
  before(async () => {
    pebble = await startPebble({ authzReuse: 0, nonceReject: 0 });
  });
  after(() => pebble.stop());
  // The bound of the order path's poll schedule (VALIDATION_POLL_MS and ISSUANCE_POLL_MS in
  // src/core/acme/order.ts): looks at 100 (or once the CA has fetched every token), 400 and
  // 1000 ms cover a CA that validates within a second; an early look after finalize only when
  // validation left a spare one. A count, not a time.
  for (const count of [1, 10]) {
    test(`${count} name(s): at most 2N+8 ACME requests, directory aside`, async () => {
      const n = await node(pebble, freshNames(count));
      let r: RunResult | undefined;
      const requests = await countRequests(pebble, async () => {
        r = await n.run(['acme', 'cert', 'order']);
      });
      assert.equal(r!.code, 0, r!.stdout + r!.stderr);
      assert.ok(requests >= 2 * count + 5 && requests <= 2 * count + 8, `${requests} ACME requests for ${count} name(s)\n${pebble.log().split('\n').slice(-60).join('\n')}`);
    });
  }
});

describe('acme cert renew and revoke', () => {
  test(
    'renew: not due -> exit 0, nothing changes, no ACME library loaded; --force renews and keeps the old pair as .old',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, freshNames(2));
      assert.equal((await n.run(['acme', 'cert', 'order'])).code, 0);
      const before = snapshot(join(n.dir, 'certs'));

      const r = await runProbed(['acme', 'cert', 'renew'], { ...baseEnv(pebble.env), CERTNODE_CONFIG_DIR: n.dir });
      assert.equal(r.status, 0, r.stderr);
      // Pebble offers ARI: its default window (around two thirds of the lifetime) is shown beside the lifetime rule
      assert.match(r.stdout, /^Certificate does not expire within the next \d+ days, not renewing \(due for renewal from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; ARI window from \S+ \S+ to \S+ \S+\)\.\n$/);
      assert.ok(r.sources.some((m) => m.includes('node_modules/commander/')), 'the probe sees commander (control)');
      assert.deepEqual(r.sources.filter((m) => /acme-client|axios|@peculiar/.test(m)), []);
      // nor the ordering side: ACME client, order, challenges, task log, tables
      assert.deepEqual(r.sources.filter((m) => /src\/core\/acme\/(client|order|certificate)\.ts|src\/core\/challenge\/|src\/core\/output\/(tasklog|table)\.ts|node_modules\/(chalk|cli-table3)\//.test(m)), []);
      assert.ok(r.sources.some((m) => m === 'src/core/acme/installed.ts'), 'the renewal check itself is seen (control)');
      // the certificate files are untouched (the state file keeps the ARI answer)
      const after = snapshot(join(n.dir, 'certs'));
      for (const file of Object.keys(before).filter((f) => !f.includes('certnode.json'))) assert.equal(after[file], before[file], file);

      const json = await n.run(['acme', 'cert', 'renew', '--output-format', 'json']);
      assert.equal(JSON.parse(json.stdout).due, false);

      const oldChain = readFileSync(n.certFile, 'utf8');
      const oldKey = readFileSync(n.keyFile, 'utf8');
      const forced = await n.run(['acme', 'cert', 'renew', '--force']);
      assert.equal(forced.code, 0, forced.stdout + forced.stderr);
      assert.match(forced.stdout, /Installing certificate and key\nTask OK\n$/);
      assert.notEqual(readFileSync(n.certFile, 'utf8'), oldChain);
      assert.equal(readFileSync(`${n.certFile}.old`, 'utf8'), oldChain);
      assert.equal(readFileSync(`${n.keyFile}.old`, 'utf8'), oldKey);
      await verifyAgainstPebble(pebble, n.certFile, n.dir);
    }),
  );

  test(
    'renew without an ACME certificate says so',
    fixture.withLogs(async () => {
      const n = await node(fixture.get(), freshNames(1));
      const r = await n.run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 255);
      assert.equal(r.stderr, 'ERROR: No current (custom) certificate found, please order a new certificate!\n');
    }),
  );

  test(
    'revoke: Pebble reports the serial revoked, the ACME pair is gone (self-signed in its place), the reload command ran',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, freshNames(1));
      const marker = join(n.dir, 'reloaded');
      assert.equal((await n.run(['config', 'set', '--reload-command', `echo reloaded >> ${marker}`])).code, 0);
      assert.equal((await n.run(['acme', 'cert', 'order'])).code, 0);
      assert.equal(readFileSync(marker, 'utf8'), 'reloaded\n');
      const acmeCert = new X509Certificate(readFileSync(n.certFile));
      const serial = acmeCert.serialNumber.toLowerCase().replace(/^0+/, '');
      const status = async (): Promise<string> => {
        const res = await fetchPebble(pebble, `/cert-status-by-serial/${serial}`);
        return (JSON.parse(res) as { Status: string }).Status;
      };
      assert.equal(await status(), 'Valid');

      const r = await n.run(['acme', 'cert', 'revoke', '--reason', 'superseded']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Loading ACME account details\nRevoking old certificate\nDeleting certificate files\n/);
      assert.match(r.stdout, /Task OK\n$/);
      assert.equal(await status(), 'Revoked');
      assert.equal(readFileSync(marker, 'utf8'), 'reloaded\nreloaded\n');
      const now = new X509Certificate(readFileSync(n.certFile));
      assert.notEqual(now.fingerprint256, acmeCert.fingerprint256);
      assert.equal(now.issuer, now.subject, 'a self-signed certificate took its place');
      assert.equal(existsSync(`${n.certFile}.old`), false);
      const again = await n.run(['acme', 'cert', 'revoke']);
      assert.equal(again.code, 255);
      assert.equal(again.stderr, 'ERROR: No current (custom) certificate found, please order a new certificate!\n');
    }),
  );
});

describe('failed orders keep the installed certificate', () => {
  test(
    'a standalone port Pebble cannot reach: the CA detail is shown, old files byte-identical, listener closed',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, freshNames(1));
      assert.equal((await n.run(['acme', 'cert', 'order'])).code, 0);
      const before = snapshot(join(n.dir, 'certs'));
      // a name Pebble has no valid authorization for: even with PEBBLE_AUTHZREUSE=0 it reuses one 1 % of the time
      const renamed = freshNames(1)[0]!;
      assert.equal((await n.run(['config', 'set', '--acme', `domains=${renamed}`])).code, 0);
      const wrongPort = await freePort();
      assert.equal((await n.run(['acme', 'plugin', 'set', 'standalone', '--port', String(wrongPort)])).code, 0);
      const r = await n.run(['acme', 'cert', 'renew', '--force']);
      assert.equal(r.code, 255);
      // the domain, the challenge type, the CA's detail and a hint at the usual cause
      const name = renamed.replace(/\./g, '\\.');
      assert.match(r.stderr, new RegExp(`^Task ERROR: domain '${name}' \\(http-01\\): validation failed - .*(refused|connect).* - hint: the CA must reach http://${name}/\\.well-known/acme-challenge/ on this host: .*port 80 is open and forwarded to the standalone listener \\(127\\.0\\.0\\.1:${wrongPort}\\)$`, 'm'));
      assert.doesNotMatch(r.stdout, /Task OK/);
      // errors are never silenced: the same line under --quiet, as the timer runs it
      const quiet = await n.run(['acme', 'cert', 'renew', '--force', '--quiet']);
      assert.equal(quiet.code, 255);
      assert.equal(quiet.stdout, '');
      assert.match(quiet.stderr, /^Task ERROR: domain '.*' \(http-01\): validation failed - .* - hint: /m);
      assert.deepEqual(snapshot(join(n.dir, 'certs')), before);
      await assertPortFree(wrongPort);
    }),
  );

  test(
    'a reload command that exits 1: certificate installed, the message and exit status 3 say so',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, freshNames(1));
      assert.equal((await n.run(['config', 'set', '--reload-command', 'echo reload failing >&2; exit 1'])).code, 0);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 3);
      assert.match(r.stdout, /Installing certificate and key\nRunning reload command: echo reload failing >&2; exit 1\nreload failing\n/);
      assert.equal(r.stderr, "Task ERROR: certificate installed; reload command failed: reload command 'echo reload failing >&2; exit 1' failed - exit code 1\n");
      await verifyAgainstPebble(pebble, n.certFile, n.dir);
      const info = await n.run(['cert', 'info', '--output-format', 'json']);
      assert.match((JSON.parse(info.stdout) as { issuer: string }[])[0]!.issuer, /Pebble Intermediate/);
    }),
  );

  test(
    'SIGINT while waiting for validation: exit 130, listener closed, old files byte-identical',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, freshNames(1));
      assert.equal((await n.run(['acme', 'cert', 'order'])).code, 0);
      const before = snapshot(join(n.dir, 'certs'));
      // a name Pebble has no valid authorization for: even with PEBBLE_AUTHZREUSE=0 it reuses one 1 % of the time
      assert.equal((await n.run(['config', 'set', '--acme', `domains=${freshNames(1)[0]!}`])).code, 0);
      // Pebble validates on its httpPort: a server there that accepts and never answers keeps the order waiting.
      const held = new Set<import('node:net').Socket>();
      const silent = createServer((socket) => {
        held.add(socket);
      });
      await new Promise<void>((resolve) => silent.listen(pebble.httpPort, '127.0.0.1', resolve));
      const ourPort = await freePort();
      try {
        assert.equal((await n.run(['acme', 'plugin', 'set', 'standalone', '--port', String(ourPort)])).code, 0);
        const renew = await renewUntil(pebble, n, 'Triggering validation');
        await new Promise((r) => setTimeout(r, 300));
        renew.child.kill('SIGINT');
        const { code, stdout, stderr } = await renew.finished(30_000);
        assert.equal(code, 130, `exit ${code}\n${stdout}\n${stderr}`);
        assert.equal(stderr, 'Task ERROR: interrupted by SIGINT\n');
        assert.deepEqual(snapshot(join(n.dir, 'certs')), before);
        await assertPortFree(ourPort);
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    }),
  );

  test('Pebble stopped mid-order: one clear error, old files byte-identical, listener closed', async () => {
    const pebble = await startPebble({ authzReuse: 0, nonceReject: 0 });
    let stopped = false;
    try {
      const n = await node(pebble, freshNames(1));
      assert.equal((await n.run(['acme', 'cert', 'order'])).code, 0);
      const before = snapshot(join(n.dir, 'certs'));
      // Stop Pebble as soon as the order has placed its challenges.
      const renew = await renewUntil(pebble, n, 'Placing ACME order');
      await pebble.stop();
      stopped = true;
      const { code, stdout, stderr } = await renew.finished(90_000);
      assert.equal(code, 255, `exit ${code}\n${stdout}\n${stderr}`);
      assert.match(stderr, /^Task ERROR: .*(ECONNREFUSED|socket hang up|ECONNRESET)/m);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.deepEqual(snapshot(join(n.dir, 'certs')), before);
      await assertPortFree(pebble.httpPort);
    } finally {
      if (!stopped) await pebble.stop();
    }
  });
});

/** Start `acme cert renew --force` and resolve once its task log shows `line`. */
async function renewUntil(pebble: Pebble, n: TestNode, line: string): Promise<{ child: ChildProcess; finished: (timeoutMs: number) => Promise<{ code: number | string | null; stdout: string; stderr: string }> }> {
  const child = spawn(process.execPath, [BIN, 'acme', 'cert', 'renew', '--force'], { env: { ...baseEnv(pebble.env), CERTNODE_CONFIG_DIR: n.dir } });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${line}' within 30 s: ${stdout}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const finished = async (timeoutMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    return { code, stdout, stderr };
  };
  return { child, finished };
}

async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function fetchPebble(pebble: Pebble, path: string): Promise<string> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    https
      .get(`${pebble.managementUrl}${path}`, { ca: readFileSync(pebble.caFile) }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}
