// The DNS script runner: real shim, real fixture scripts, as nobody when the tests run as root.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DnsScriptChallenge,
  maskSecrets,
  parsePluginData,
  scriptUserFor,
  unreadableDataPaths,
  type DnsChallengeOptions,
  type OutputStream,
} from '../../src/core/challenge/dns-script.ts';
import { PluginError } from '../../src/core/errors.ts';
import { DNSAPI_FIXTURES } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/shim.ts';

const TXT = 'XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs';
const isRoot = process.getuid?.() === 0;
const user = scriptUserFor(process.getuid?.());

// A tmp root of this file's own: other test files create certnode-dns-* dirs in /tmp at the same time.
// 0755, so the unprivileged script user can reach the private dirs inside it.
const TMP_ROOT = mkdtempSync(join(tmpdir(), 'certnode-scripttest-'));
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
    user,
    tmpRoot: TMP_ROOT,
    onLine: (line, stream) => lines.push({ line, stream }),
    ...extra,
  });
  return { ch, lines, text: () => lines.map((l) => l.line).join('\n') };
}

const leftovers = (): string[] => readdirSync(TMP_ROOT).filter((n) => n.startsWith('certnode-dns-'));

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
    assert.match(setupText, /greeting=\[\*\*\*\]/, 'the greeting is a data value too, so masked');
    assert.doesNotMatch(setupText, /hello {2}"world"/);
    assert.match(setupText, /warning: data variable PATH is ignored/);
    assert.match(setupText, /path=\/usr\/local\/sbin:/);
    assert.match(setupText, /created record='rec-[0-9a-f]{12}'/);
    const id = /created record='(rec-[0-9a-f]{12})'/.exec(setupText)![1]!;
    const home = /home=(\S+)/.exec(setupText)![1]!;
    assert.match(/tmpdir=(\S+)/.exec(setupText)![1]!, /certnode-dns-.*\/run\/tmp$/);
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

  test(isRoot ? 'runs as nobody when certnode is root' : 'runs as the current user when not root', async () => {
    const { ch, text } = challenge('certnodestate', 'STATE_API_KEY=abcdefgh\n');
    try {
      await ch.setup();
    } finally {
      ch.dispose();
    }
    const uid = Number(/uid=(\d+)/.exec(text())![1]);
    assert.equal(uid, isRoot ? user!.uid : process.getuid!());
    if (isRoot) assert.notEqual(uid, 0);
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
    assert.throws(() => challenge('certnodetest', 'X=1\n', { txtValue: 'a b' }), PluginError);
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
  test('absolute paths the script user cannot read are reported; others and non-paths are not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certnode-test-paths-'));
    try {
      const open = join(dir, 'open.key');
      const closed = join(dir, 'closed.key');
      writeFileSync(open, 'k');
      writeFileSync(closed, 'k');
      chmodSync(dir, 0o755);
      chmodSync(open, 0o644);
      chmodSync(closed, 0o600);
      const data = `A=${open}\nB=${closed}\nC=${join(dir, 'missing')}\nD=not/a/path\n`;
      const found = unreadableDataPaths(data, user);
      const keys = found.map((f) => f.key);
      if (isRoot) assert.deepEqual(keys, ['B', 'C']);
      else assert.deepEqual(keys, ['C']);
      assert.equal(found.find((f) => f.key === 'C')!.reason, 'does not exist');
      if (isRoot) {
        chmodSync(dir, 0o700);
        assert.match(unreadableDataPaths(`A=${open}\n`, user)[0]!.reason, /not searchable by user 'nobody'/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
