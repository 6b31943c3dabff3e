// Crash consistency of an order's install against a real Pebble: `acme cert order` is SIGKILLed by
// strace at every rename, every file write and every fsync of its main thread (strace -e inject=<syscall>:
// signal=SIGKILL:when=N, N over all of them), then `cert info` runs: the installed pair and the
// .old pair match, and are either the previous ACME pair (kill before the journal) or the new
// one with the previous as backup. File writes are counted as pwrite64: certnode writes files by
// position, so the network's writes (plain write/writev, their number varies from run to run)
// are neither counted nor killed. The bundle's code cache is off: a run that finds none writes it
// at exit, which would add renames and writes to some runs and not others.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pairMatches } from '../helpers/certs.ts';
import { BIN, baseEnv, runCli } from '../helpers/cli.ts';
import { pebbleForFile } from '../helpers/pebble.ts';

const { fixture, dir } = pebbleForFile({ nonceReject: 0 });

test(
  'acme cert order killed at every rename, file write and fsync: both pairs always match',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const template = join(dir, 'template');
    await fixture.provision(template, { domains: 'crash.example.test' });
    const again = await runCli(['acme', 'cert', 'order', '--force'], { configDir: template, env: pebble.env, timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    const certs = (cfg: string): string => join(cfg, 'certs');
    const read = (cfg: string, f: string): string => readFileSync(join(certs(cfg), f), 'utf8');
    const previous = read(template, 'certnode.pem');
    const previousBackup = read(template, 'certnode.pem.old');
    const order = (cfg: string, strace: string[]) =>
      spawnSync('strace', [...strace, process.execPath, BIN, 'acme', 'cert', 'order', '--force'], { env: baseEnv({ ...pebble.env, CERTNODE_CONFIG_DIR: cfg, NODE_DISABLE_COMPILE_CACHE: '1' }), encoding: 'utf8', timeout: 120_000 });

    for (const syscall of ['rename', 'fsync', 'pwrite64']) {
      const counted = join(dir, `count-${syscall}`);
      cpSync(template, counted, { recursive: true });
      const trace = join(dir, `trace-${syscall}`);
      const r = order(counted, ['-o', trace, '-e', `trace=${syscall}`]);
      assert.equal(r.status, 0, r.stderr);
      const steps = readFileSync(trace, 'utf8').split('\n').filter((l) => l.startsWith(`${syscall}(`)).length;
      assert.ok(steps >= (syscall === 'pwrite64' ? 5 : 7), `${syscall}: ${steps} steps`);
      const seen = new Set<string>();
      for (let n = 1; n <= steps; n++) {
        const cfg = join(dir, `${syscall}-${n}`);
        cpSync(template, cfg, { recursive: true });
        const killed = order(cfg, ['-o', '/dev/null', '-e', `trace=${syscall}`, '-e', `inject=${syscall}:signal=SIGKILL:when=${n}`]);
        assert.ok(killed.signal === 'SIGKILL' || killed.status === 128 + 9, `${syscall} ${n}: killed (${killed.signal ?? killed.status}) ${killed.stderr}`);
        const info = await runCli(['cert', 'info'], { configDir: cfg });
        assert.equal(info.code, 0, `${syscall} ${n}: ${info.stderr}`);
        const cert = read(cfg, 'certnode.pem');
        const certOld = read(cfg, 'certnode.pem.old');
        assert.ok(pairMatches(cert, read(cfg, 'certnode.key')), `${syscall} ${n}: installed pair matches`);
        assert.ok(pairMatches(certOld, read(cfg, 'certnode.key.old')), `${syscall} ${n}: .old pair matches`);
        const state = cert === previous ? 'previous' : 'new';
        if (state === 'previous') assert.equal(certOld, previousBackup, `${syscall} ${n}: untouched backup`);
        else assert.equal(certOld, previous, `${syscall} ${n}: the previous pair is the backup`);
        seen.add(state);
        rmSync(cfg, { recursive: true });
      }
      assert.deepEqual([...seen].sort(), ['new', 'previous'], syscall);
    }
  }),
);
