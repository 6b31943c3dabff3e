// cert info / set / delete / update through the built binary, with openssl-made certificates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli, tempDir, type RunOptions, type RunResult } from '../../helpers/cli.ts';
import { encryptedKey, opensslCert, opensslX509, type MadeCert } from '../../helpers/certs.ts';

interface Setup {
  dir: string;
  config: string;
  certFile: string;
  keyFile: string;
  stateFile: string;
  run(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  files(): Record<string, string | undefined>;
  a: MadeCert;
  b: MadeCert;
}

function setup(t: { after(fn: () => void): void }): Setup {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = join(dir, 'cfg');
  const certFile = join(config, 'certs', 'certnode.pem');
  const keyFile = join(config, 'certs', 'certnode.key');
  const stateFile = join(config, 'certs', 'certnode.json');
  const read = (f: string): string | undefined => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  return {
    dir,
    config,
    certFile,
    keyFile,
    stateFile,
    run: (args, opts = {}) => runCli(args, { configDir: config, ...opts, env: { TZ: 'UTC', ...opts.env } }),
    files: () => ({
      cert: read(certFile),
      key: read(keyFile),
      certOld: read(`${certFile}.old`),
      keyOld: read(`${keyFile}.old`),
      state: read(stateFile),
    }),
    a: opensslCert(dir, 'a'),
    b: opensslCert(dir, 'b', { newkey: 'rsa:2048', days: 30 }),
  };
}

const mode = (file: string): string => (statSync(file).mode & 0o777).toString(8);
const source = (s: Setup): string => (JSON.parse(s.files().state!) as { source: string }).source;

/** `cert info` text lines (--noborder) for an openssl-made certificate, dates in UTC. */
function infoLines(filename: string, made: MadeCert): string[] {
  const x = new X509Certificate(made.cert);
  const utc = (d: string): string => new Date(d).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  const key = x.publicKey.asymmetricKeyType === 'ec' ? ['id-ecPublicKey', '256'] : ['rsaEncryption', '2048'];
  const subject = opensslX509(made.certFile, '-subject', '-nameopt', 'compat').trim().replace(/^subject=/, '');
  const san = x.subjectAltName!.replace(/^DNS:/, '');
  return [
    `filename        ${filename}`,
    `fingerprint     ${x.fingerprint256}`,
    `subject         ${subject}`,
    `issuer          ${subject}`,
    `notbefore       ${utc(x.validFrom)}`,
    `notafter        ${utc(x.validTo)}`,
    `public-key-type ${key[0]}`,
    `public-key-bits ${key[1]}`,
    `san             - ${san}`,
  ];
}

/** `cert info` lines: infoLines with the status rows (role, source, days left) where cert info puts them. */
function statusLines(filename: string, made: MadeCert, role: string, source: string | undefined, now = Date.now()): string[] {
  const base = infoLines(filename, made);
  const daysLeft = Math.floor((new Date(new X509Certificate(made.cert).validTo).getTime() - now) / 86_400_000);
  return [base[0]!, `role            ${role}`, ...(source ? [`source          ${source}`] : []), ...base.slice(1, 6), `days-left       ${daysLeft}`, ...base.slice(6)];
}

const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());

test('cert update on an empty config dir installs a self-signed certificate that cert info describes', async (t) => {
  const s = setup(t);
  const r = await s.run(['cert', 'update']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(lines(r.stdout)[0], 'Created a self-signed certificate');
  assert.equal(mode(s.keyFile), '600');
  assert.equal(mode(s.certFile), '644');
  assert.equal(source(s), 'self-signed');

  // openssl sees the SANs, node crypto sees the key match the certificate
  const text = opensslX509(s.certFile, '-text');
  const host = hostname().toLowerCase().split('.')[0]!;
  assert.match(text, new RegExp(`DNS:${host}\\b`));
  assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
  assert.ok(new X509Certificate(s.files().cert!).checkPrivateKey(createPrivateKey(s.files().key!)));
  assert.match(s.files().key!, /^-----BEGIN PRIVATE KEY-----\n/);

  const info = await s.run(['cert', 'info', '--output-format', 'json']);
  assert.equal(info.code, 0);
  const [cert, ...rest] = JSON.parse(info.stdout) as Record<string, unknown>[];
  assert.equal(rest.length, 0);
  assert.equal(cert!.filename, s.certFile);
  assert.equal(cert!['public-key-type'], 'id-ecPublicKey');
  assert.equal(cert!['public-key-bits'], 256);
  for (const name of ['localhost', '127.0.0.1', '::1', host]) assert.ok((cert!.san as string[]).includes(name), name);
  assert.equal(cert!.pem, s.files().cert);
  assert.equal(cert!.subject, cert!.issuer);
  assert.ok((cert!.notafter as number) - (cert!.notbefore as number) >= 3650 * 86_400);

  // a second run changes nothing
  const before = s.files();
  const again = await s.run(['cert', 'update']);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, 'Certificate files exist, nothing to do (use --force to replace them).\n');
  assert.deepEqual(s.files(), before);

  // --force makes a new one and keeps the old pair as .old; cert info lists both
  const forced = await s.run(['cert', 'update', '--force']);
  assert.equal(forced.code, 0);
  const after = s.files();
  assert.notEqual(after.cert, before.cert);
  assert.equal(after.certOld, before.cert);
  assert.equal(after.keyOld, before.key);
  assert.equal(mode(`${s.keyFile}.old`), '600');
  const both = JSON.parse((await s.run(['cert', 'info', '--output-format', 'json'])).stdout) as { filename: string }[];
  assert.deepEqual(
    both.map((c) => c.filename),
    [s.certFile, `${s.certFile}.old`],
  );
});

test('cert update under umask 000 still writes the key 0600 and the chain 0644', async (t) => {
  const s = setup(t);
  const r = await s.run(['cert', 'update'], { umask: '000' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(mode(s.keyFile), '600');
  assert.equal(mode(s.certFile), '644');
  assert.equal(mode(join(s.config, 'certs')), '755');
});

test('cert set: happy path in text and json, text before BEGIN stripped', async (t) => {
  const s = setup(t);
  assert.equal((await s.run(['cert', 'update'])).code, 0);
  const selfSigned = s.files();
  const chainFile = join(s.dir, 'chain-with-text.pem');
  writeFileSync(chainFile, `Bag Attributes\nsubject=/CN=a.example.com\n${s.a.cert}`);

  const r = await s.run(['cert', 'set', chainFile, s.a.keyFile, '--noborder']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.deepEqual(lines(r.stdout), ['Setting custom certificate files', ...infoLines(s.certFile, s.a)]);
  assert.equal(s.files().cert, s.a.cert);
  assert.equal(s.files().key, s.a.key);
  assert.equal(s.files().certOld, selfSigned.cert, 'the self-signed pair is the backup');
  assert.equal(s.files().keyOld, selfSigned.key);
  assert.equal(mode(s.keyFile), '600');
  assert.equal(mode(s.certFile), '644');
  assert.equal(source(s), 'custom');

  const info = await s.run(['cert', 'info', '--noborder']);
  assert.equal(info.code, 0);
  // one table per certificate, a blank line between them (--noborder used to run them together)
  assert.deepEqual(lines(info.stdout).slice(0, 13), [...statusLines(s.certFile, s.a, 'installed', 'custom'), '']);
  assert.equal(lines(info.stdout)[13], `filename        ${s.certFile}.old`);
  assert.equal(lines(info.stdout)[14], 'role            backup');

  const json = await s.run(['cert', 'set', '--force', '1', s.b.certFile, s.b.keyFile, '--output-format', 'json']);
  assert.equal(json.code, 0);
  assert.equal(json.stderr, 'Setting custom certificate files\n');
  const [cert] = JSON.parse(json.stdout) as Record<string, unknown>[];
  const x = new X509Certificate(s.b.cert);
  assert.deepEqual(cert, {
    filename: s.certFile,
    fingerprint: x.fingerprint256,
    subject: '/CN=b.example.com',
    issuer: '/CN=b.example.com',
    notbefore: Date.parse(x.validFrom) / 1000,
    notafter: Date.parse(x.validTo) / 1000,
    'public-key-type': 'rsaEncryption',
    'public-key-bits': 2048,
    san: ['b.example.com'],
    pem: s.b.cert,
  });
  assert.equal(s.files().certOld, s.a.cert);
});

test('cert set --force semantics and the missing-key error', async (t) => {
  const s = setup(t);
  const noKey = await s.run(['cert', 'set', s.a.certFile]);
  assert.equal(noKey.code, 255);
  assert.equal(noKey.stderr, 'ERROR: key: Attempted to upload custom certificate without (existing) key.\nUSAGE: certnode cert set <certificates-file> [<key-file>] [OPTIONS]\n');
  assert.equal(s.files().cert, undefined);

  assert.equal((await s.run(['cert', 'set', s.a.certFile, s.a.keyFile])).code, 0, 'nothing installed: no force needed');
  const installed = s.files();
  for (const args of [[s.b.certFile, s.b.keyFile], [s.a.certFile]]) {
    const r = await s.run(['cert', 'set', ...args]);
    assert.equal(r.code, 255);
    assert.equal(r.stderr, 'ERROR: Custom certificate file exists but force flag is not set.\n');
    assert.equal(r.stdout, 'Setting custom certificate files\n');
    assert.deepEqual(s.files(), installed);
  }
  // only a key left behind (chain removed by hand)
  unlinkSync(s.certFile);
  const keyOnly = await s.run(['cert', 'set', s.b.certFile, s.b.keyFile]);
  assert.equal(keyOnly.code, 255);
  assert.equal(keyOnly.stderr, 'ERROR: Custom certificate key file exists but force flag is not set.\n');
  // without a key file, the existing key is used (and must match)
  const reuse = await s.run(['cert', 'set', s.a.certFile]);
  assert.equal(reuse.code, 0, reuse.stderr);
  assert.equal(s.files().cert, s.a.cert);
  // -force (pvenode spelling) replaces a custom certificate
  const forced = await s.run(['cert', 'set', '-force', s.b.certFile, s.b.keyFile]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(s.files().cert, s.b.cert);
  assert.equal(s.files().certOld, s.a.cert);
});

test('cert set refuses a key that does not match, a password-protected key and bad PEM; old files stay byte-identical', async (t) => {
  const s = setup(t);
  assert.equal((await s.run(['cert', 'set', s.a.certFile, s.a.keyFile])).code, 0);
  assert.equal((await s.run(['cert', 'set', '--force', s.b.certFile, s.b.keyFile])).code, 0);
  const before = s.files();
  assert.ok(before.certOld !== undefined && before.keyOld !== undefined);
  const stats = [s.certFile, s.keyFile].map((f) => statSync(f).ino);

  const mismatch = await s.run(['cert', 'set', '--force', s.a.certFile, s.b.keyFile]);
  assert.equal(mismatch.code, 255);
  assert.equal(mismatch.stderr, 'ERROR: Setting certificate files failed - key does not match the certificate (chain)\n');
  assert.deepEqual(s.files(), before);

  const keptKey = await s.run(['cert', 'set', '--force', s.a.certFile]);
  assert.equal(keptKey.code, 255, 'the installed key belongs to b');
  assert.equal(keptKey.stderr, 'ERROR: Setting certificate files failed - key does not match the certificate (chain)\n');

  for (const style of ['pkcs8', 'legacy'] as const) {
    const encFile = join(s.dir, `enc-${style}.key`);
    encryptedKey(style === 'pkcs8' ? s.a.keyFile : s.b.keyFile, encFile, style);
    const enc = await s.run(['cert', 'set', '--force', style === 'pkcs8' ? s.a.certFile : s.b.certFile, encFile]);
    assert.equal(enc.code, 255);
    assert.equal(enc.stderr, 'ERROR: key file is password protected - certnode needs an unencrypted key\n', style);
    assert.equal(enc.stdout, '');
  }

  const junk = join(s.dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');
  const bad = await s.run(['cert', 'set', '--force', junk, s.a.keyFile]);
  assert.equal(bad.code, 255);
  assert.equal(bad.stderr, 'ERROR: certificates: not a valid PEM-formatted string.\nUSAGE: certnode cert set <certificates-file> [<key-file>] [OPTIONS]\n');

  const combined = join(s.dir, 'combined.pem');
  writeFileSync(combined, s.a.cert + s.a.key);
  const leak = await s.run(['cert', 'set', '--force', combined, s.a.keyFile]);
  assert.equal(leak.code, 255);
  assert.match(leak.stderr, /^ERROR: certificates: the file contains a private key - give the key as a separate key file\n/);

  assert.deepEqual(s.files(), before);
  assert.deepEqual(
    [s.certFile, s.keyFile].map((f) => statSync(f).ino),
    stats,
    'not even rewritten',
  );
});

test('cert delete falls back to a self-signed certificate and removes the custom pair and its backup', async (t) => {
  const s = setup(t);
  assert.equal((await s.run(['cert', 'set', s.a.certFile, s.a.keyFile])).code, 0);
  assert.equal((await s.run(['cert', 'set', '--force', s.b.certFile, s.b.keyFile])).code, 0);
  const r = await s.run(['cert', 'delete']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'Deleting custom certificate files\nInstalled a self-signed certificate\n');
  const files = s.files();
  assert.equal(files.certOld, undefined);
  assert.equal(files.keyOld, undefined);
  assert.equal(source(s), 'self-signed');
  assert.equal(mode(s.keyFile), '600');
  const [cert, ...rest] = JSON.parse((await s.run(['cert', 'info', '--output-format', 'json'])).stdout) as { san: string[]; fingerprint: string }[];
  assert.equal(rest.length, 0);
  assert.ok(cert!.san.includes('localhost'));
  assert.notEqual(cert!.fingerprint, new X509Certificate(s.b.cert).fingerprint256);
  assert.ok(new X509Certificate(files.cert!).checkPrivateKey(createPrivateKey(files.key!)));

  // nothing custom left: a second delete keeps the self-signed pair as it is
  const again = await s.run(['cert', 'delete']);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, 'Deleting custom certificate files\n');
  assert.deepEqual(s.files(), files);

  // and a self-signed certificate can be replaced by cert set without --force
  const set = await s.run(['cert', 'set', s.a.certFile, s.a.keyFile]);
  assert.equal(set.code, 0, set.stderr);
});

test('--restart runs the reload command; a failing one is an error but the certificate stays installed', async (t) => {
  const s = setup(t);
  const marker = join(s.dir, 'reloaded');
  const noCommand = await s.run(['cert', 'set', '--restart', s.a.certFile, s.a.keyFile]);
  assert.equal(noCommand.code, 255);
  assert.equal(noCommand.stderr, "ERROR: --restart needs a reload command - set one with 'certnode config set --reload-command <command>'\n");
  assert.equal(s.files().cert, undefined, 'checked before anything is installed');

  const reload = `printf '%s %s\\n' "$CERTNODE_CERT_FILE" "$CERTNODE_KEY_FILE" >> ${marker}; echo reloading; echo warn >&2`;
  assert.equal((await s.run(['config', 'set', '--reload-command', reload])).code, 0);
  const r = await s.run(['cert', 'set', '--restart', s.a.certFile, s.a.keyFile, '--noborder']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), ['Setting custom certificate files', `Running reload command: ${reload}`, 'reloading', 'warn', ...infoLines(s.certFile, s.a)]);
  assert.equal(readFileSync(marker, 'utf8'), `${s.certFile} ${s.keyFile}\n`);

  // without --restart nothing runs
  assert.equal((await s.run(['cert', 'set', '--force', s.b.certFile, s.b.keyFile])).code, 0);
  assert.equal(readFileSync(marker, 'utf8').split('\n').length, 2);

  const del = await s.run(['cert', 'delete', '--restart']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(readFileSync(marker, 'utf8').split('\n').length, 3);

  const failing = 'echo cannot reload; exit 1';
  assert.equal((await s.run(['config', 'set', '--reload-command', failing])).code, 0);
  const f = await s.run(['cert', 'set', '--force', '--restart', s.a.certFile, s.a.keyFile]);
  assert.equal(f.code, 255);
  assert.equal(f.stdout, `Setting custom certificate files\nRunning reload command: ${failing}\ncannot reload\n`);
  assert.equal(f.stderr, `ERROR: reload command '${failing}' failed - exit code 1\n`);
  assert.equal(s.files().cert, s.a.cert, 'the new certificate stays installed');
  assert.equal(s.files().key, s.a.key);
});

test('cert-file and cert-key-file from node.cfg: installs there, leaves the mode of existing directories alone', async (t) => {
  const s = setup(t);
  const pub = join(s.dir, 'ssl', 'certs');
  const priv = join(s.dir, 'ssl', 'private');
  mkdirSync(pub, { recursive: true });
  mkdirSync(priv, { recursive: true });
  chmodSync(priv, 0o710);
  const certFile = join(pub, 'host.pem');
  const keyFile = join(priv, 'host.key');
  const set = await s.run(['config', 'set', '--cert-file', certFile, '--cert-key-file', keyFile, '--acme', 'keytype=ec-384']);
  assert.equal(set.code, 0, set.stderr);
  const r = await s.run(['cert', 'update', '--output-format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const [cert] = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(cert!.filename, certFile);
  assert.equal(cert!['public-key-bits'], 384, 'keytype from --acme');
  assert.equal(mode(keyFile), '600');
  assert.equal(mode(certFile), '644');
  assert.equal(mode(priv), '710');
  assert.ok(new X509Certificate(readFileSync(certFile)).checkPrivateKey(createPrivateKey(readFileSync(keyFile))));
  assert.equal(s.files().cert, undefined, 'nothing at the default paths');
});

test('an install that cannot write its files fails and leaves the installed key as it was', async (t) => {
  const s = setup(t);
  assert.equal((await s.run(['cert', 'set', s.a.certFile, s.a.keyFile])).code, 0);
  const notADir = join(s.dir, 'plain-file');
  writeFileSync(notADir, '');
  assert.equal((await s.run(['config', 'set', '--cert-file', join(notADir, 'host.pem')])).code, 0);
  const r = await s.run(['cert', 'set', '--force', s.b.certFile, s.b.keyFile]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /^ERROR: unable to .* - Not a directory\n$/);
  assert.equal(s.files().key, s.a.key);
  assert.equal(readFileSync(notADir, 'utf8'), '');
});
