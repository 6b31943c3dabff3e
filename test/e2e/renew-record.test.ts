// acme cert renew trusts the state file's record of the checked pair (`checked`: SHA-256 of the
// chain and key files, the leaf's validity) only for exactly those bytes: a not-due renewal of
// an untouched pair parses nothing (node:crypto is not even loaded); anything replaced, cut or
// hand-edited gets today's full checks and today's answers, and a pair that passes them while the
// state describes it gets its record (back).

import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { baseEnv } from '../helpers/cli.ts';
import { pebbleForFile } from '../helpers/pebble.ts';
import { runProbed } from '../helpers/probe.ts';

const { fixture, dir } = pebbleForFile({ authzReuse: 0, nonceReject: 0 });

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const NOT_DUE = /^Certificate does not expire within the next \d+ days, not renewing \(due for renewal from [^)]+\)\.\n$/;

test(
  'renew: the record of the checked pair answers a not-due renewal without node:crypto, for exactly those bytes',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    await fixture.provision(dir, { domains: 'record.example.test' });
    const certs = join(dir, 'certs');
    const certFile = join(certs, 'certnode.pem');
    const keyFile = join(certs, 'certnode.key');
    const stateFile = join(certs, 'certnode.json');
    const renew = (...extra: string[]) => runProbed(['acme', 'cert', 'renew', ...extra], { ...baseEnv(pebble.env), CERTNODE_CONFIG_DIR: dir });
    const state = (): Record<string, unknown> & { checked?: Record<string, unknown>; fingerprint: string } => JSON.parse(readFileSync(stateFile, 'utf8'));

    // the install recorded what it checked
    const leaf = new X509Certificate(readFileSync(certFile, 'utf8'));
    const epoch = (date: string): number => Math.floor(new Date(date).getTime() / 1000);
    const record = { fingerprint: leaf.fingerprint256, chainSha256: sha256(certFile), keySha256: sha256(keyFile), notBefore: epoch(leaf.validFrom), notAfter: epoch(leaf.validTo) };
    assert.deepEqual(state().checked, record);
    assert.equal(state().fingerprint, leaf.fingerprint256);

    // first renew stores the ARI answer; from then on the not-due answer needs no parse at all
    assert.equal((await renew()).status, 0);
    const fast = await renew();
    assert.equal(fast.status, 0, fast.stderr);
    assert.match(fast.stdout, NOT_DUE);
    assert.ok(fast.builtins.includes('fs'), 'the probe sees built-ins (control)');
    assert.deepEqual(fast.builtins.filter((m) => /crypto/.test(m)), []);
    // nor the report module (metrics, notifications): no metrics file is configured
    assert.ok(fast.sources.includes('src/core/run-state.ts'), 'the probe sees sources (control)');
    assert.deepEqual(fast.sources.filter((m) => /src\/core\/(notify|metrics)/.test(m)), []);
    const fastJson = await renew('--output-format', 'json');
    assert.equal(JSON.parse(fastJson.stdout).notafter, record.notAfter);
    assert.equal(JSON.parse(fastJson.stdout).source, 'acme');

    const saved = join(dir, 'saved');
    mkdirSync(saved);
    cpSync(certs, saved, { recursive: true });
    const restore = (): void => {
      rmSync(certs, { recursive: true, force: true });
      cpSync(saved, certs, { recursive: true });
    };

    // the same key in another encoding (SEC1 instead of PKCS#8), as by hand: full check (node:crypto), same answer, record rewritten
    const sec1 = createPrivateKey(readFileSync(keyFile, 'utf8')).export({ type: 'sec1', format: 'pem' }) as string;
    writeFileSync(keyFile, sec1, { mode: 0o600 });
    const stateBefore = state();
    const slow = await renew();
    assert.equal(slow.status, 0, slow.stderr);
    assert.equal(slow.stdout, fast.stdout);
    assert.ok(slow.builtins.includes('crypto'), 'the full check loads node:crypto');
    assert.deepEqual(state(), { ...stateBefore, checked: { ...record, keySha256: sha256(keyFile) } });
    const again = await renew();
    assert.equal(again.stdout, fast.stdout);
    assert.deepEqual(again.builtins.filter((m) => /crypto/.test(m)), [], 'answered from the new record');
    restore();

    // a state file from before the record: same answer, and the record is added (the rest of the file byte for byte)
    const { checked: _, ...old } = state();
    const oldText = `${JSON.stringify(old, null, 2)}\n`;
    writeFileSync(stateFile, oldText);
    const legacy = await renew();
    assert.equal(legacy.stdout, fast.stdout);
    assert.ok(legacy.builtins.includes('crypto'));
    assert.equal(readFileSync(stateFile, 'utf8'), `${JSON.stringify({ ...old, checked: record }, null, 2)}\n`);
    restore();

    // a dry run leaves such a state file as it is
    writeFileSync(stateFile, oldText);
    assert.equal((await renew('--dry-run')).status, 0);
    assert.equal(readFileSync(stateFile, 'utf8'), oldText);
    restore();

    // hand-edited hashes in the record: full check, same answers, the record corrected
    for (const edit of [{ chainSha256: '0'.repeat(64) }, { keySha256: '0'.repeat(64) }, { notAfter: record.notAfter + 86400 * 365, chainSha256: '1'.repeat(64) }, { fingerprint: 'AA' }]) {
      writeFileSync(stateFile, `${JSON.stringify({ ...state(), checked: { ...record, ...edit } }, null, 2)}\n`);
      const edited = await renew('--output-format', 'json');
      assert.equal(edited.status, 0, edited.stderr);
      assert.equal(JSON.parse(edited.stdout).notafter, record.notAfter, JSON.stringify(edit));
      assert.ok(edited.builtins.includes('crypto'), JSON.stringify(edit));
      assert.deepEqual(state().checked, record);
      restore();
    }

    // the state's fingerprint edited (the record then names another chain): not ours, as today
    writeFileSync(stateFile, `${JSON.stringify({ ...state(), fingerprint: 'AA:BB' }, null, 2)}\n`);
    const other = await renew();
    assert.equal(other.stdout, "The installed certificate was set by hand (cert set), not renewing it; 'acme cert renew --force' replaces it with an ACME certificate.\n");
    restore();

    // the chain replaced by a self-signed certificate for the same key: set by hand, its own validity
    const selfSigned = join(dir, 'self.pem');
    const openssl = spawnSync('openssl', ['req', '-x509', '-key', keyFile, '-subj', '/CN=record.example.test', '-days', '3', '-out', selfSigned], { encoding: 'utf8' });
    assert.equal(openssl.status, 0, openssl.stderr);
    writeFileSync(certFile, readFileSync(selfSigned));
    const custom = await renew('--output-format', 'json');
    assert.equal(custom.status, 0, custom.stderr);
    assert.equal(JSON.parse(custom.stdout).source, 'custom');
    assert.equal(JSON.parse(custom.stdout).notafter, epoch(new X509Certificate(readFileSync(selfSigned)).validTo));
    const customText = await renew();
    assert.equal(customText.stdout, "The installed certificate was set by hand (cert set), not renewing it; 'acme cert renew --force' replaces it with an ACME certificate.\n");
    assert.equal(state().fingerprint, record.fingerprint, 'no record for a chain the state does not describe');
    restore();

    // the key replaced by another valid key that is not the certificate's: cannot be used, ordered anew
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const wrongKey = await renew();
    assert.equal(wrongKey.status, 0, wrongKey.stderr);
    assert.equal(wrongKey.stdout.split('\n')[0], `The installed certificate cannot be used ('${keyFile}' is not the key of '${certFile}'), ordering a new one`);
    assert.match(wrongKey.stdout, /\nTask OK\n$/);
    assert.notEqual(sha256(certFile), record.chainSha256);
    assert.equal(state().checked?.chainSha256, sha256(certFile));
    assert.equal(state().checked?.keySha256, sha256(keyFile));
    restore();

    // once the files have not changed for the stamp's settling time (2 s; a day for the timer), a
    // renew that hashed them stamps the record with their identity (dev, inode, size, mtime, ctime):
    // later runs need two stats instead of hashing
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2100));
    await settle();
    assert.equal((await renew()).stdout, fast.stdout);
    const stamp = state().checked?.stamp as Record<string, unknown> | undefined;
    assert.ok(stamp, 'stamped');
    assert.deepEqual(Object.keys(stamp).sort(), ['at', 'chain', 'key', 'seal']);
    assert.equal(stamp.chain, (({ dev, ino, size, mtimeNs, ctimeNs }) => `${dev}:${ino}:${size}:${mtimeNs}:${ctimeNs}`)(statSync(certFile, { bigint: true })));
    const stamped = await renew();
    assert.equal(stamped.stdout, fast.stdout);
    assert.deepEqual(stamped.builtins.filter((m) => /crypto/.test(m)), []);
    // the stamp vouches only for the record it was sealed with: a hand-edited hash gets the full check
    const withStamp = state();
    writeFileSync(stateFile, `${JSON.stringify({ ...withStamp, checked: { ...withStamp.checked, chainSha256: '0'.repeat(64) } }, null, 2)}\n`);
    const sealed = await renew();
    assert.equal(sealed.stdout, fast.stdout);
    assert.ok(sealed.builtins.includes('crypto'), 'a record that does not match its seal is not trusted');
    assert.deepEqual(state().checked, record);
    restore();
    // the key overwritten in place by another key of the same size (same inode): the stamp no longer holds
    await settle();
    await renew();
    assert.ok(state().checked?.stamp, 'stamped again');
    const before = statSync(keyFile);
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.equal(otherKey.length, before.size);
    writeFileSync(keyFile, otherKey);
    assert.equal(statSync(keyFile).ino, before.ino);
    const inPlace = await renew();
    assert.equal(inPlace.stdout.split('\n')[0], `The installed certificate cannot be used ('${keyFile}' is not the key of '${certFile}'), ordering a new one`);
    assert.match(inPlace.stdout, /\nTask OK\n$/);
    restore();

    // the chain cut short: cannot be used, ordered anew
    const chain = readFileSync(certFile, 'utf8');
    writeFileSync(certFile, chain.slice(0, 400));
    const cut = await renew();
    assert.equal(cut.status, 0, cut.stderr);
    assert.equal(cut.stdout.split('\n')[0], `The installed certificate cannot be used ('${certFile}': not a valid PEM-formatted string.), ordering a new one`);
    assert.match(cut.stdout, /\nTask OK\n$/);
  }),
);
