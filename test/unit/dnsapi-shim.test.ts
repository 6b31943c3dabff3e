// The dnsapi shim's helpers under dash (all) and bash (a subset): acme.sh semantics, table-driven.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runShim, startTestServer, type TestServer } from '../helpers/shim.ts';

/** The 54 helpers of the contract's §2 table, plus the internals scripts may reach. */
const HELPERS = `_err _debug _info _readaccountconf_mutable _saveaccountconf_mutable _post _get _contains _math _debug2
  _egrep_o _head_n _base64 _normalizeJson _tail_n _lower_case _url_encode _sleep _saveaccountconf _savedomainconf _hmac
  _hex_dump _digest _readdomainconf _clearaccountconf_mutable _debug3 _secure_debug _secure_debug2 _time _endswith __green
  _startswith _clearaccountconf _dbase64 _exists _idn _cleardomainconf _secure_debug3 _getfield _log _mktemp _sign _utc_date
  _readaccountconf _upper_case _sed_i _json_decode _h2b _ns_lookup _usage _resethttp __red _isRSA _url_replace`
  .split(/\s+/)
  .filter(Boolean);
const EXTRA = ['_inithttp', '_is_idn', '_source_plugin_config'];

interface Row {
  name: string;
  snippet: string;
  stdout: string;
  status?: number;
  stderr?: string | RegExp;
  env?: Record<string, string>;
  /** Also run under bash. */
  bash?: boolean;
}

const ROWS: Row[] = [
  // logging
  { name: '_info MSG', snippet: '_info "Adding record"', stdout: 'Adding record\n', bash: true },
  { name: '_info MSG VALUE', snippet: '_info fulldomain _acme-challenge.a.test', stdout: "fulldomain='_acme-challenge.a.test'\n", bash: true },
  { name: '_info with empty VALUE prints MSG only', snippet: '_info name ""', stdout: 'name\n' },
  { name: '_info has a timestamp unless NO_TIMESTAMP', snippet: '_info hi', stdout: '', env: { NO_TIMESTAMP: '0' } },
  { name: '_err goes to stderr and returns 1', snippet: '_err "bad thing" x; echo "st=$?"', stdout: 'st=1\n', stderr: "bad thing='x'\n", bash: true },
  { name: '_err || idiom', snippet: 'false || _err failed || echo handled', stdout: 'handled\n', stderr: 'failed\n' },
  { name: '_debug silent without DEBUG', snippet: '_debug a b; _debug2 c; _debug3 d; echo "st=$?"', stdout: 'st=0\n', stderr: '' },
  { name: '_debug with DEBUG=1 prints to stderr', snippet: '_debug a b; _debug2 c', stdout: '', stderr: "a='b'\n", env: { DEBUG: '1' } },
  { name: '_debug2/_debug3 with DEBUG=3', snippet: '_debug2 c; _debug3 d e', stdout: '', stderr: "c\nd='e'\n", env: { DEBUG: '3' } },
  { name: 'non-numeric DEBUG means level 1', snippet: '_debug on; _debug2 off', stdout: '', stderr: 'on\n', env: { DEBUG: 'yes' } },
  {
    name: '_secure_debug* never print the secret',
    snippet: '_secure_debug token s3cr3t-value; _secure_debug2 key s3cr3t-value; _secure_debug3 k s3cr3t-value',
    stdout: '',
    stderr: "token='[hidden]'\nkey='[hidden]'\nk='[hidden]'\n",
    env: { DEBUG: '3', OUTPUT_INSECURE: '1' },
    bash: true,
  },
  { name: '_log writes to $LOG_FILE only', snippet: '_log hello; cat "$LOG_FILE"; rm -f "$LOG_FILE"', stdout: 'hello\n', env: { LOG_FILE: '/tmp/certnode-shim-test.log' } },
  { name: '_log without LOG_FILE is a no-op', snippet: '_log hello; echo "st=$?"', stdout: 'st=0\n' },
  { name: '_usage to stderr', snippet: '_usage "Usage: x"', stdout: '', stderr: 'Usage: x\n' },
  { name: '__green/__red interpret %b escapes, no colour', snippet: '__green "a\\tb"; __red "c"', stdout: 'a\tbc', bash: true },
  // text
  { name: '_contains true', snippet: '_contains "hello world" "o w"', stdout: '', status: 0, bash: true },
  { name: '_contains false', snippet: '_contains "hello" "xyz"', stdout: '', status: 1, bash: true },
  { name: '_contains is a basic regex', snippet: '_contains "id:123" "id:[0-9]"', stdout: '', status: 0 },
  { name: '_startswith', snippet: '_startswith abcdef abc && ! _startswith abcdef bcd', stdout: '', status: 0 },
  { name: '_endswith', snippet: '_endswith abcdef def && ! _endswith abcdef abc', stdout: '', status: 0 },
  { name: '_egrep_o is ERE', snippet: 'printf \'{"id":"12","id":"345"}\' | _egrep_o \'"id":"[0-9]{2,3}"\'', stdout: '"id":"12"\n"id":"345"\n', bash: true },
  { name: '_egrep_o alternation and groups', snippet: 'echo "a=1 b=2 c=3" | _egrep_o "(a|c)=[0-9]+"', stdout: 'a=1\nc=3\n' },
  { name: '_egrep_o no match: no output, status 0', snippet: 'echo abc | _egrep_o "z+"', stdout: '', status: 0 },
  { name: '_head_n', snippet: 'printf "1\\n2\\n3\\n" | _head_n 2', stdout: '1\n2\n' },
  { name: '_tail_n', snippet: 'printf "1\\n2\\n3\\n" | _tail_n 1', stdout: '3\n' },
  { name: '_lower_case', snippet: 'printf "AbC-Ü" | _lower_case', stdout: 'abc-Ü' },
  { name: '_upper_case', snippet: 'printf "aBc_1" | _upper_case', stdout: 'ABC_1' },
  {
    name: '_normalizeJson',
    snippet: 'printf \'{\\n  "a" : "b",\\n  "c":  [1],\\r\\n  "d" :{"e": 2}\\n}\' | _normalizeJson',
    stdout: '{"a":"b","c":[1],"d":{"e": 2}}',
    bash: true,
  },
  { name: '_json_decode', snippet: 'printf \'{"u":"https:\\\\/\\\\/x.test\\\\/a"}\' | _json_decode', stdout: '{"u":"https://x.test/a"}' },
  { name: '_url_encode', snippet: 'printf "a b/c~d.e_f-g+é" | _url_encode', stdout: 'a%20b%2fc~d.e_f-g%2b%c3%a9', bash: true },
  { name: '_url_encode upper-hex', snippet: 'printf "a/b=" | _url_encode upper-hex', stdout: 'a%2Fb%3D' },
  { name: '_url_encode drops the trailing newline of echo', snippet: 'echo "x y" | _url_encode', stdout: 'x%20y' },
  { name: '_url_replace (base64 -> base64url)', snippet: 'printf "ab+/cd==" | _url_replace', stdout: 'ab-_cd' },
  { name: '_math', snippet: '_math 1 + 2; echo; _math "(7 * 6) / 2 - 1"; echo; _math 10 % 3', stdout: '3\n20\n1', bash: true },
  { name: '_math refuses names (no eval)', snippet: 'x=5; _math x + 1; echo "st=$?"', stdout: 'st=1\n', stderr: /refusing/, bash: true },
  { name: '_math refuses command substitution', snippet: '_math \'$(touch /tmp/certnode-pwned)\' ; echo "st=$?"; test -e /tmp/certnode-pwned && echo PWNED; true', stdout: 'st=1\n', stderr: /refusing/ },
  { name: '_getfield', snippet: '_getfield "a,b,c" 2; echo; _getfield "a b c" 3 " "', stdout: 'b\nc' },
  { name: '_getfield falls back to a lower field, then the string', snippet: '_getfield "a,,c" 2; echo; _getfield "abc" 3', stdout: 'a\nabc' },
  { name: '_exists', snippet: '_exists _info && _exists sh && ! _exists no-such-cmd-xyz && ! _exists ""', stdout: '', status: 0 },
  { name: '_sed_i edits in place', snippet: 'f=$(_mktemp); printf "a\\nb\\n" >"$f"; _sed_i "/^a$/d" "$f"; cat "$f"; rm -f "$f"', stdout: 'b\n' },
  { name: '_is_idn / _idn of ASCII', snippet: '_is_idn "bücher.test" && ! _is_idn "www.test" && _idn "www.test"', stdout: 'www.test' },
  { name: '_mktemp makes a file in TMPDIR', snippet: 'f=$(_mktemp); test -f "$f" && case "$f" in /tmp/*) echo ok;; esac; rm -f "$f"', stdout: 'ok\n' },
  // encoding and crypto
  { name: '_base64', snippet: 'printf "hello world" | _base64', stdout: 'aGVsbG8gd29ybGQ=', bash: true },
  { name: '_base64 single line for long input', snippet: 'head -c 100 /dev/zero | _base64 | wc -l', stdout: '0\n' },
  { name: '_base64 multiline wraps at 64', snippet: 'head -c 100 /dev/zero | _base64 multiline | wc -l', stdout: '3\n' },
  { name: '_dbase64', snippet: 'printf "aGVsbG8gd29ybGQ=" | _dbase64', stdout: 'hello world', bash: true },
  { name: '_hex_dump', snippet: 'printf "abc" | _hex_dump', stdout: ' 61 62 63', bash: true },
  { name: '_hex_dump of 20 bytes stays on one line', snippet: 'printf "%020d" 0 | _hex_dump | wc -l', stdout: '0\n' },
  { name: '_h2b', snippet: 'printf "48692100" | _h2b | od -A n -t x1 | tr -d " \\n"', stdout: '48692100' },
  { name: '_digest sha256 base64', snippet: 'printf "abc" | _digest sha256', stdout: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=', bash: true },
  { name: '_digest sha256 hex', snippet: 'printf "abc" | _digest sha256 hex', stdout: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { name: '_digest sha1 hex', snippet: 'printf "abc" | _digest sha1 hex', stdout: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
  { name: '_digest md5 hex', snippet: 'printf "abc" | _digest md5 hex', stdout: '900150983cd24fb0d6963f7d28e17f72' },
  { name: '_digest refuses an unknown algorithm', snippet: 'printf abc | _digest nope; echo "st=$?"', stdout: 'st=1\n', stderr: /unsupported/ },
  {
    name: '_hmac sha256 hex (RFC 4231 case 2)',
    snippet: 'printf "what do ya want for nothing?" | _hmac sha256 "$(printf Jefe | _hex_dump | tr -d " ")" hex',
    stdout: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    bash: true,
  },
  { name: '_hmac raw output chains', snippet: 'printf "abc" | _hmac sha1 6b6579 | _hex_dump | tr -d " "', stdout: '4fd0b215276ef12f2b3e4c8ecac2811498b656fc' },
  { name: '_hmac refuses a non-hex key', snippet: 'printf abc | _hmac sha256 "zz;rm"; echo "st=$?"', stdout: 'st=1\n', stderr: /hex/ },
  // time
  { name: '_time is epoch seconds', snippet: 't=$(_time); [ "$t" -gt 1700000000 ] && echo ok', stdout: 'ok\n' },
  { name: '_utc_date', snippet: '_utc_date | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$" && echo ok', stdout: 'ok\n' },
  { name: '_sleep', snippet: '_sleep 0 && echo ok', stdout: 'ok\n' },
  // saved configuration
  { name: '_readaccountconf_mutable reads the environment', snippet: '_readaccountconf_mutable CF_Token', stdout: 'tok en', env: { CF_Token: 'tok en' }, bash: true },
  { name: 'read helpers print nothing for unset names', snippet: '_readaccountconf_mutable NOPE; _readaccountconf NOPE; _readdomainconf NOPE; echo "|"', stdout: '|\n' },
  { name: 'read helpers accept other spellings (env lookup by name)', snippet: '_readaccountconf lower_name; echo; _readdomainconf lower_name', stdout: 'v\nv', env: { lower_name: 'v' } },
  { name: 'read helpers refuse a name that is no identifier', snippet: '_readaccountconf_mutable \'A;id\'; echo "st=$?"', stdout: 'st=1\n', stderr: /invalid variable name/, bash: true },
  { name: 'save helpers without a state file are no-ops', snippet: '_saveaccountconf_mutable A b && _savedomainconf A b && _saveaccountconf A b && _clearaccountconf_mutable A && _clearaccountconf A && _cleardomainconf A && echo ok', stdout: 'ok\n' },
  { name: '_source_plugin_config / _resethttp / _inithttp exist and succeed', snippet: '_source_plugin_config && _resethttp && _inithttp && test -f "$HTTP_HEADER" && echo ok', stdout: 'ok\n' },
];

for (const shell of ['dash', 'bash']) {
  describe(`dnsapi shim helpers under ${shell}`, () => {
    test('defines all 54 helpers of the contract (and the internals)', async () => {
      const r = await runShim(shell, [...HELPERS, ...EXTRA].map((h) => `command -v ${h} >/dev/null || echo "missing ${h}"`).join('\n'));
      assert.equal(HELPERS.length, 54);
      assert.equal(r.stdout, '');
    });
    for (const row of ROWS.filter((r) => shell === 'dash' || r.bash)) {
      test(row.name, async () => {
        const r = await runShim(shell, row.snippet, { env: row.env });
        if (row.name.includes('timestamp')) {
          assert.match(r.stdout, /^\[[^\]]+\] hi\n$/);
          return;
        }
        assert.equal(r.stdout, row.stdout, `stdout of: ${row.snippet}\nstderr: ${r.stderr}`);
        assert.equal(r.code, row.status ?? 0, `status of: ${row.snippet}\nstderr: ${r.stderr}`);
        if (row.stderr instanceof RegExp) assert.match(r.stderr, row.stderr);
        else if (row.stderr !== undefined) assert.equal(r.stderr, row.stderr);
      });
    }
  });
}

describe('dnsapi shim: state file between add and rm (dash)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'certnode-shim-state-'));
  const state = join(dir, 'state');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('saved values come back in a later process, env is the fallback, clear removes them', async () => {
    const env = { CERTNODE_TEST_STATE: state, ENV_ONLY: 'from env' };
    const save = await runShim(
      'dash',
      `_certnode_state="$CERTNODE_TEST_STATE"
       _savedomainconf REC_ID "id 42 'quoted' \\$x"
       _saveaccountconf_mutable TOKEN_CACHE "multi
line"
       _saveaccountconf LEGACY legacy-value
       _savedomainconf GONE soon-gone
       _cleardomainconf GONE`,
      { env },
    );
    assert.equal(save.code, 0, save.stderr);
    const text = readFileSync(state, 'utf8');
    assert.doesNotMatch(text, /id 42/, 'values are stored encoded, not as shell text');
    const read = await runShim(
      'dash',
      `_certnode_state="$CERTNODE_TEST_STATE"
       _certnode_load_legacy_state
       printf '[%s]\\n' "$(_readdomainconf REC_ID)" "$(_readaccountconf_mutable TOKEN_CACHE)" "$(_readaccountconf LEGACY)" "$LEGACY" "$(_readdomainconf GONE)" "$(_readaccountconf_mutable ENV_ONLY)"`,
      { env },
    );
    assert.equal(read.stdout, "[id 42 'quoted' $x]\n[multi\nline]\n[legacy-value]\n[legacy-value]\n[]\n[from env]\n");
    const clear = await runShim('dash', `_certnode_state="$CERTNODE_TEST_STATE"; _clearaccountconf_mutable TOKEN_CACHE; printf '[%s]' "$(_readaccountconf_mutable TOKEN_CACHE)"`, { env });
    assert.equal(clear.stdout, '[]');
  });
});

describe('dnsapi shim: _get/_post against a local HTTP server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  const last = () => server.requests.at(-1)!;

  for (const client of ['curl', 'wget']) {
    const env = (): Record<string, string> => ({ URL: server.url, ...(client === 'wget' ? { ACME_USE_WGET: '1' } : {}) });

    test(`${client}: _post sends body, method, Content-Type and _H1.._H5; returns 0; HTTP_HEADER has the response headers`, async () => {
      const r = await runShim(
        'dash',
        `_inithttp
         export _H1="X-One: 1" _H2="Authorization: Bearer abc" _H3="" _H4="X-Four: 4" _H5="X-Five: five"
         response="$(_post '{"a":"b c"}' "$URL/ok" "" PUT "application/json")"
         echo "st=$? body=$response"
         cat "$HTTP_HEADER"`,
        { env: env() },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^st=0 body=\{"ok":true\}\n/);
      assert.match(r.stdout, /HTTP\/1\.1 200 OK\r\n/);
      assert.match(r.stdout, /X-Test: yes\r\n/i);
      const req = last();
      assert.equal(req.method, 'PUT');
      assert.equal(req.body, '{"a":"b c"}');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.equal(req.headers['x-one'], '1');
      assert.equal(req.headers.authorization, 'Bearer abc');
      assert.equal(req.headers['x-four'], '4');
      assert.equal(req.headers['x-five'], 'five');
      assert.match(String(req.headers['user-agent']), /certnode-dnsapi-shim/);
    });

    for (const method of ['DELETE', 'PATCH', 'POST']) {
      test(`${client}: _post with method ${method}`, async () => {
        const r = await runShim('dash', `_inithttp; r="$(_post "x=1" "$URL/echo" "" ${method})"; echo "st=$?"`, { env: env() });
        assert.equal(r.stdout, 'st=0\n', r.stderr);
        assert.equal(last().method, method);
        assert.equal(last().body, 'x=1');
      });
    }

    test(`${client}: a body starting with @ is sent as is, not read from a file`, async () => {
      await runShim('dash', `_inithttp; _post "@/etc/passwd" "$URL/echo" >/dev/null`, { env: env() });
      assert.equal(last().body, '@/etc/passwd');
    });

    test(`${client}: 404 is a response (status 0), the status line is the last HTTP line of HTTP_HEADER`, async () => {
      const r = await runShim(
        'dash',
        `_inithttp; body="$(_post "" "$URL/missing")"; st=$?
         code="$(grep "^HTTP" "$HTTP_HEADER" | _tail_n 1 | cut -d " " -f 2 | tr -d "\\r\\n")"
         echo "st=$st code=$code body=$body"`,
        { env: env() },
      );
      assert.equal(r.stdout, 'st=0 code=404 body=nope\n', r.stderr);
    });

    test(`${client}: _get streams the body, follows redirects, sends _H1`, async () => {
      const r = await runShim('dash', `_inithttp; _H1="X-Get: g"; _get "$URL/redirect"; echo "st=$?"; grep -c "^HTTP" "$HTTP_HEADER"`, { env: env() });
      assert.equal(r.stdout, '{"ok":true}\nst=0\n2\n', r.stderr);
      assert.equal(last().url, '/ok');
      assert.equal(last().headers['x-get'], 'g');
    });

    test(`${client}: _get ONLYHEADER prints the headers`, async () => {
      const r = await runShim('dash', `_inithttp; _get "$URL/ok" onlyheader 5`, { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /HTTP\/1\.1 200 OK/);
      assert.doesNotMatch(r.stdout, /"ok":true/);
    });

    test(`${client}: a transport failure is a non-zero status and an _err line`, async () => {
      const r = await runShim('dash', `_inithttp; _post "x" "http://127.0.0.1:1/none" >/dev/null; echo "st=$?"`, { env: env() });
      assert.match(r.stdout, /^st=[1-9][0-9]*\n$/);
      assert.match(r.stderr, /POST http:\/\/127\.0\.0\.1:1\/none failed/);
    });
  }

  test('curl: _post NEEDBASE64 encodes the response; HTTPS_INSECURE is passed on', async () => {
    const r = await runShim('dash', `_inithttp; _post "" "$URL/ok" base64 GET; echo; HTTPS_INSECURE=1 _get "$URL/ok" >/dev/null; echo "st=$?"`, { env: { URL: server.url } });
    assert.equal(r.stdout, `${Buffer.from('{"ok":true}').toString('base64')}\nst=0\n`, r.stderr);
  });

  test('bash: _post and _get work the same', async () => {
    const r = await runShim('bash', `_inithttp; _H1="X-Bash: 1"; _post '{"x":1}' "$URL/echo" "" POST application/json >/dev/null; echo "st=$?"; _get "$URL/ok"`, { env: { URL: server.url } });
    assert.equal(r.stdout, 'st=0\n{"ok":true}\n', r.stderr);
    assert.equal(server.requests.at(-2)!.headers['x-bash'], '1');
  });
});

describe('dnsapi shim: _sign and _isRSA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'certnode-shim-sign-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('RSA and EC keys: base64 signatures that verify (EC as raw r||s)', async () => {
    const r = await runShim(
      'dash',
      `cd "$D" && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null &&
       openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null &&
       _isRSA rsa.pem && ! _isRSA ec.pem && echo rsa-detected
       printf data | _sign rsa.pem sha256 | _dbase64 >rsa.sig
       openssl pkey -in rsa.pem -pubout -out rsa.pub && printf data | openssl dgst -sha256 -verify rsa.pub -signature rsa.sig
       printf data | _sign ec.pem sha256 | _dbase64 | wc -c | tr -d ' '`,
      { env: { D: dir } },
    );
    assert.equal(r.stdout, 'rsa-detected\nVerified OK\n64\n', r.stderr);
    writeFileSync(join(dir, 'done'), '');
  });
});
