// The DNS script runner: real shim, real fixture scripts, as nobody when the tests run as root.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DnsScriptChallenge,
  maskSecrets,
  parsePluginData,
  secretsOf,
  unreadableDataPaths,
  type DnsChallengeOptions,
  type OutputStream,
} from '../../src/core/challenge/dns-script.ts';
import { DYNAMIC_UID_BASE, DYNAMIC_UID_COUNT, uidsOfProcesses } from '../../src/core/challenge/sandbox.ts';
import { CancelledError, PluginError } from '../../src/core/errors.ts';
import { DNSAPI_FIXTURES } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/shim.ts';

const TXT = 'XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs';
const isRoot = process.getuid?.() === 0;

// Roots of this file's own: other test files create sandboxes at the same time.
// As root the sandboxes go to RUN_ROOT (root-owned, 0711, like /run/certnode); otherwise TMP_ROOT.
const TMP_ROOT = mkdtempSync(join(tmpdir(), 'certnode-scripttest-'));
const RUN_ROOT = join(TMP_ROOT, 'run');
chmodSync(TMP_ROOT, 0o755);
process.on('exit', () => rmSync(TMP_ROOT, { recursive: true, force: true }));

function challenge(api: string, data: string, extra: Partial<DnsChallengeOptions> = {}) {
  const lines: { line: string; stream: OutputStream }[] = [];
  const ch = new DnsScriptChallenge({
    pluginId: `test-${api}`,
    api,
    scriptPath: join(DNSAPI_FIXTURES, `dns_${api}.sh`),
    data,
    domain: 'www.example.test',
    txtValue: TXT,
    sandbox: { asRoot: isRoot, tmpRoot: TMP_ROOT, runtimeDir: RUN_ROOT },
    onLine: (line, stream) => lines.push({ line, stream }),
    ...extra,
  });
  return { ch, lines, text: () => lines.map((l) => l.line).join('\n') };
}

const leftovers = (): string[] => [
  ...readdirSync(TMP_ROOT).filter((n) => n.startsWith('certnode-dns-')),
  ...(existsSync(RUN_ROOT) ? readdirSync(RUN_ROOT).filter((n) => n.startsWith('dns-')) : []),
  ...(existsSync(join(RUN_ROOT, 'uids')) ? readdirSync(join(RUN_ROOT, 'uids')) : []),
];

describe('parsePluginData / maskSecrets', () => {
  test('split at the first =, value verbatim, blank and # lines skipped, bad keys refused', () => {
    assert.deepEqual(parsePluginData('A=b c\n\n# note\nB=x=y=\r\nC=\n D_1="q"\n'.replace(' D_1', 'D_1'), 'p'), [
      { key: 'A', value: 'b c' },
      { key: 'B', value: 'x=y=' },
      { key: 'C', value: '' },
      { key: 'D_1', value: '"q"' },
    ]);
    assert.throws(() => parsePluginData('1A=b\n', 'p'), PluginError);
    assert.throws(() => parsePluginData('A-B=c\n', 'p'), PluginError);
    assert.throws(() => parsePluginData('novalue\n', 'p'), PluginError);
  });
  test('masking replaces every occurrence, longest first', () => {
    assert.equal(maskSecrets('token abcd and abcdef and abcd', ['abcdef', 'abcd']), 'token *** and *** and ***');
  });
  test('secrets are the values of secret-named keys and token-like values; zones, hosts, ports, paths stay readable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certnode-test-secrets-'));
    try {
      const keyFile = join(dir, 'tsig.key');
      writeFileSync(keyFile, 'key "k" {\n  algorithm hmac-sha256;\n  secret "c2VjcmV0LXRzaWctc2VjcmV0LTEyMzQ1Ng==";\n};\n');
      const entries = parsePluginData(
        [
          'CF_Key=abcdef',
          'PDNS_Token=tok-1',
          'HE_Password=hunter2',
          'NC_Apipw=pw99',
          'OVH_AS=Ab3dEf6hIj9kLm2nOp',
          'NSUPDATE_SERVER=ns1.example.net',
          'NSUPDATE_SERVER_PORT=5353',
          'NSUPDATE_ZONE=example.com',
          `NSUPDATE_KEY=${keyFile}`,
          'PDNS_Url=http://127.0.0.1:8081',
          'PDNS_ServerId=localhost',
        ].join('\n'),
        'p',
      );
      assert.deepEqual(secretsOf(entries), ['c2VjcmV0LXRzaWctc2VjcmV0LTEyMzQ1Ng==', 'Ab3dEf6hIj9kLm2nOp', 'hunter2', 'abcdef', 'tok-1', 'pw99']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DnsScriptChallenge', () => {
  let server: TestServer & { txt: Map<string, string[]> };
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test(`dns_certnodetest sets and clears the TXT record through the HTTP API${isRoot ? ' (as nobody)' : ''}`, async () => {
    const { ch, text } = challenge('certnodetest', `CERTNODETEST_URL=${server.url}\nCERTNODETEST_TOKEN=tok-secret-123\n`);
    await ch.setup();
    assert.deepEqual(server.txt.get('_acme-challenge.www.example.test.'), [TXT]);
    const req = server.requests.at(-1)!;
    assert.equal(req.url, '/set-txt');
    assert.equal(req.headers.authorization, 'Bearer tok-secret-123');
    assert.deepEqual(JSON.parse(req.body), { host: '_acme-challenge.www.example.test.', value: TXT });
    await ch.teardown();
    assert.equal(server.txt.has('_acme-challenge.www.example.test.'), false);
    assert.match(text(), /Added, OK[\s\S]*Removed, OK/);
    assert.doesNotMatch(text(), /tok-secret-123/);
  });

  test('credentials are masked, data with spaces arrives verbatim, state goes from add to rm, private dir removed', async () => {
    const before = leftovers();
    const { ch, lines, text } = challenge('certnodestate', 'STATE_API_KEY=sk_live_0123456789\nSTATE_GREETING=  hello  "world" $HOME `id` \nPATH=/evil\n');
    await ch.setup();
    const setupText = text();
    assert.doesNotMatch(setupText, /sk_live_0123456789/);
    assert.match(setupText, /key in use: \*\*\*/);
    assert.match(setupText, /greeting=\[  hello  "world" \$HOME `id` \]/, 'a value that is no secret stays readable');
    assert.match(setupText, /warning: data variable PATH is ignored/);
    assert.match(setupText, /path=\/usr\/local\/sbin:/);
    assert.match(setupText, /created record='rec-[0-9a-f]{12}'/);
    const id = /created record='(rec-[0-9a-f]{12})'/.exec(setupText)![1]!;
    const home = /home=(\S+)/.exec(setupText)![1]!;
    assert.match(/tmpdir=(\S+)/.exec(setupText)![1]!, isRoot ? /\/run\/dns-[^/]+\/run\/tmp$/ : /certnode-dns-.*\/run\/tmp$/);
    await ch.teardown();
    const rm = lines.map((l) => l.line).join('\n');
    assert.match(rm, new RegExp(`deleting record='${id}'`));
    assert.match(rm, /legacy variable='legacy value'/);
    assert.equal(existsSync(home), false, 'private HOME removed after teardown');
    assert.deepEqual(leftovers(), before);
  });

  test('a value with spaces, quotes and shell syntax reaches the script verbatim', async () => {
    const greeting = `  hello  "world" $HOME \`id\` 'x' \\n; `;
    const { ch, text } = challenge('certnodestate', `STATE_API_KEY=k3y!abc\nSTATE_GREETING=${greeting}\n`);
    try {
      await ch.setup();
    } finally {
      ch.dispose();
    }
    const sha = createHash('sha256').update(greeting).digest('hex');
    assert.match(text(), new RegExp(`greeting length=${greeting.length} sha256=${sha}`));
  });

  test(isRoot ? 'runs as a dynamic user id that no other process uses, without groups' : 'runs as the current user when not root', async () => {
    const { ch, text } = challenge('certnodehostile', 'HOSTILE_MODE=id\n');
    await ch.setup();
    const [uid, gid, groups] = /uid (\d+) gid (\d+) groups (.*)/.exec(text())!.slice(1);
    if (isRoot) {
      assert.ok(Number(uid) >= DYNAMIC_UID_BASE && Number(uid) < DYNAMIC_UID_BASE + DYNAMIC_UID_COUNT, `uid ${uid}`);
      assert.equal(gid, uid);
      assert.equal(groups!.trim(), gid);
    } else assert.equal(Number(uid), process.getuid!());
    await ch.teardown();
    assert.match(text(), new RegExp(`rm by uid ${uid}`), 'add and rm run as the same user');
  });

  test('a failing script: PluginError with exit code and the stderr tail, credential masked', async () => {
    const { ch, lines } = challenge('certnodefail', 'FAIL_TOKEN=very-secret-token\n');
    await assert.rejects(ch.setup(), (err: unknown) => {
      assert.ok(err instanceof PluginError);
      assert.equal(err.pluginId, 'test-certnodefail');
      assert.equal(err.exitCode, 1);
      assert.match(err.stderrTail!, /provider said: invalid token \*\*\*/);
      assert.match(err.message, /DNS plugin 'test-certnodefail' \(dns_certnodefail\.sh\) setup failed with exit code 1: .*Error add txt for domain:_acme-challenge\.www\.example\.test/);
      assert.doesNotMatch(`${err.message}${err.stderrTail}`, /very-secret-token/);
      return true;
    });
    assert.ok(lines.some((l) => l.stream === 'stderr' && l.line === 'provider said: invalid token ***'));
    assert.ok(lines.some((l) => l.stream === 'stdout' && /trying with token \*\*\*/.test(l.line)));
    await assert.rejects(ch.teardown(), /teardown failed with exit code 1/);
  });

  test('a missing function and a missing script say so', async () => {
    const broken = challenge('certnodebroken', '');
    await broken.ch.setup();
    await assert.rejects(broken.ch.teardown(), /it must have a function named: dns_certnodebroken_rm/);
    const dir = mkdtempSync(join(tmpdir(), 'certnode-test-bad-'));
    try {
      writeFileSync(join(dir, 'dns_syntax.sh'), 'dns_syntax_add() {\n  if then fi\n');
      chmodSync(dir, 0o755);
      const bad = challenge('syntax', '', { scriptPath: join(dir, 'dns_syntax.sh') });
      await assert.rejects(bad.ch.setup(), /Load file dns_syntax error/);
      bad.ch.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a hanging script is killed, with its children, at the timeout', async (t) => {
    const { ch, text } = challenge('certnodehang', 'HANG_SECONDS=30\n', { timeoutSec: 2 });
    t.after(() => ch.dispose());
    const started = Date.now();
    await assert.rejects(ch.setup(), (err: unknown) => {
      assert.ok(err instanceof PluginError);
      assert.match(err.message, /setup timed out after 2 s/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1900 && elapsed < 6000, `took ${elapsed} ms`);
    const pgid = /sleeping, pid (\d+)/.exec(text())![1]!;
    // nothing of that process group is left running (zombies wait for their reaper: fine)
    const running = (): string[] =>
      readdirSync('/proc').filter((p) => {
        if (!/^\d+$/.test(p)) return false;
        try {
          const [state, , group] = procStat(p);
          return group === pgid && state !== 'Z';
        } catch {
          return false;
        }
      });
    for (let i = 0; i < 20 && running().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(running(), []);
  });

  test('bad inputs are refused before anything runs', () => {
    assert.throws(() => challenge('certnodetest', 'X=1\n', { domain: 'a.test;rm -rf /' }), PluginError);
    for (const txtValue of ['a"b', "a'b", 'a$(id)', 'a`id`', 'a\\b', ' leading', 'a\nb']) assert.throws(() => challenge('certnodetest', 'X=1\n', { txtValue }), PluginError, txtValue);
    // a dns-persist-01 value is fine
    assert.doesNotThrow(() => challenge('certnodetest', 'X=1\n', { txtValue: 'pebble.letsencrypt.org; accounturi=https://127.0.0.1:14000/my-account/1; policy=wildcard' }));
    for (const recordName of ['_acme-challenge.a.test;x', 'acme.a.test', '_x..a.test', '_x.a.test.']) assert.throws(() => challenge('certnodetest', 'X=1\n', { recordName }), PluginError, recordName);
    assert.equal(challenge('certnodetest', '', { recordName: '_abcdefghijklmnop._acme-challenge.a.test' }).ch.recordName, '_abcdefghijklmnop._acme-challenge.a.test');
    assert.throws(() => challenge('certnodetest', 'bad line\n'), PluginError);
    assert.equal(challenge('certnodetest', '', { domain: '*.example.test' }).ch.recordName, '_acme-challenge.example.test');
  });
});

/** Fields 3.. of /proc/<pid>/stat: state, ppid, pgrp, ... */
function procStat(pid: string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

describe('unreadableDataPaths', () => {
  test('missing files are reported; as root a file only root can read is fine (the script gets a copy)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certnode-test-paths-'));
    try {
      const closed = join(dir, 'closed.key');
      writeFileSync(closed, 'k');
      chmodSync(closed, 0o600);
      const data = `B=${closed}\nC=${join(dir, 'missing')}\nD=not/a/path\nE=${dir}\n`;
      const found = unreadableDataPaths(data, isRoot);
      assert.deepEqual(
        found.map((f) => [f.key, f.reason]),
        isRoot ? [['C', 'does not exist'], ['E', 'not a regular file (the script gets a private copy of data files)']] : [['C', 'does not exist']],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Processes (not zombies) running as `uid`. */
const processesOf = (uid: number): number[] => uidsOfProcesses().get(uid) ?? [];

describe('the sandbox holds against a hostile script (as root, as CI runs)', () => {
  test('children that left the process group (setsid, double fork) are killed when the call ends', async () => {
    const { ch, text } = challenge('certnodehostile', 'HOSTILE_MODE=setsid\n');
    await ch.setup();
    const escaped = /escaped: ([\d ]+)/.exec(text())![1]!.trim().split(/\s+/).map(Number);
    assert.equal(escaped.length, 2, `the script started two escapees: ${text()}`);
    const uid = ch.user!.uid;
    assert.deepEqual(processesOf(uid), [], 'nothing of the script user runs after add returned');
    for (const pid of escaped) assert.equal(existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')), false);
    await ch.teardown();
  });

  test('a helper swapping its directory for a link outside cannot make the cleanup delete anything outside', async () => {
    const victim = mkdtempSync(join(tmpdir(), 'certnode-test-victim-'));
    mkdirSync(join(victim, 'keep'));
    writeFileSync(join(victim, 'keep', 'precious'), 'root data\n');
    writeFileSync(join(victim, 'mine'), 'root data\n');
    chmodSync(victim, 0o755);
    try {
      for (let round = 0; round < 5; round++) {
        const { ch, text } = challenge('certnodehostile', `HOSTILE_MODE=symlink\nHOSTILE_TARGET=${victim}\n`);
        await ch.setup();
        assert.match(text(), /swapping/);
        await ch.teardown();
        assert.deepEqual(readdirSync(victim).sort(), ['keep', 'mine']);
        assert.equal(readFileSync(join(victim, 'keep', 'precious'), 'utf8'), 'root data\n');
      }
      assert.deepEqual(leftovers(), []);
    } finally {
      rmSync(victim, { recursive: true, force: true });
    }
  });

  test("another unprivileged process (nobody, another script) cannot read the script's environment", async () => {
    const secret = 'hostile-secret-value-0123456789';
    let attempts: { root: string; nobody: number | null; other: number | null } | undefined;
    const { ch } = challenge('certnodehostile', `HOSTILE_MODE=environ\nHOSTILE_SECRET=${secret}\n`, {
      onLine: (line) => {
        const pid = /^pid (\d+)$/.exec(line)?.[1];
        if (!pid) return;
        const read = (args: string[]) => spawnSync('setpriv', [...args, '--clear-groups', '--', 'cat', `/proc/${pid}/environ`], { encoding: 'utf8' });
        attempts = {
          root: readFileSync(`/proc/${pid}/environ`, 'utf8'),
          nobody: read(['--reuid', 'nobody', '--regid', 'nogroup']).status,
          other: read(['--reuid', String(DYNAMIC_UID_BASE + DYNAMIC_UID_COUNT - 1), '--regid', String(DYNAMIC_UID_BASE + DYNAMIC_UID_COUNT - 1)]).status,
        };
      },
    });
    await ch.setup();
    await ch.teardown();
    assert.ok(attempts, 'the script ran and printed its pid');
    assert.ok(attempts.root.includes(`HOSTILE_SECRET=${secret}`), 'the test itself can see the environment (it can fail)');
    assert.notEqual(attempts.nobody, 0, 'nobody cannot read it');
    assert.notEqual(attempts.other, 0, 'another unprivileged id cannot read it');
  });

  test('a data file only root can read reaches the script as a private read-only copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certnode-test-keyfile-'));
    try {
      const keyFile = join(dir, 'tsig.key');
      writeFileSync(keyFile, 'key "k" { secret "c2VjcmV0LXRzaWctc2VjcmV0LTEyMzQ1Ng=="; };\n');
      chmodSync(keyFile, 0o600);
      chmodSync(dir, 0o700);
      const { ch, text } = challenge('certnodehostile', `HOSTILE_MODE=readfile\nHOSTILE_FILE=${keyFile}\n`);
      await ch.setup();
      const sha = createHash('sha256').update(readFileSync(keyFile)).digest('hex');
      assert.match(text(), new RegExp(`file \\S+/lib/file1-tsig\\.key sha256 ${sha}`));
      await ch.teardown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an abort kills the running script at once', async () => {
    const controller = new AbortController();
    const { ch } = challenge('certnodehang', 'HANG_SECONDS=30\n');
    const started = Date.now();
    setTimeout(() => controller.abort('SIGINT'), 300);
    await assert.rejects(ch.setup(controller.signal), (err: unknown) => err instanceof CancelledError && err.signal === 'SIGINT');
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(processesOf(ch.user!.uid), []);
    ch.dispose();
  });

  test('under umask 077 and with TMPDIR a 0700 directory, the script still reaches its files', async () => {
    const old = process.umask(0o077);
    try {
      const { ch, text } = challenge('certnodestate', 'STATE_API_KEY=abcdefgh\n');
      await ch.setup();
      await ch.teardown();
      assert.match(text(), /created record='rec-/);
    } finally {
      process.umask(old);
    }
  });
});
