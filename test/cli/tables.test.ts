// Tables as a user sees them on an 80-column terminal: long values wrap, no column falls off,
// wide (CJK) characters keep the borders aligned; ASCII under a non-UTF-8 locale.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import stringWidth from 'string-width';
import { runCli, tempDir } from '../helpers/cli.ts';

describe('tables on a terminal', () => {
  const { dir, cleanup } = tempDir();
  const cfg = join(dir, 'etc');
  after(cleanup);
  before(async () => {
    const data = join(dir, 'cf.data');
    writeFileSync(data, 'CF_Token=0123456789abcdef0123456789abcdef\nCF_Account_ID=東京本社のアカウント\n');
    const add = await runCli(['acme', 'plugin', 'add', 'dns', 'cloudflare-prod', '--api', 'cf', '--data', data, '--nodes', 'pve1,pve2,pve3'], { configDir: cfg });
    assert.equal(add.code, 0, add.stderr);
  });

  test('plugin list at 80 columns: every line fits, every column is there, the digest is whole', async () => {
    const r = await runCli(['acme', 'plugin', 'list'], { configDir: cfg, tty: true, columns: 80 });
    assert.equal(r.code, 0, r.stdout);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) assert.ok(stringWidth(line) <= 80, `too wide (${stringWidth(line)}): ${line}`);
    assert.match(lines[1]!, /^│ plugin +│ type +│ api +│ data +│ digest +│ nodes +│$/);
    assert.match(lines[2]!, /^╞═+╪═+╪═+╪═+╪═+╪═+╡$/);
    // every line of the table has the same display width: the borders line up, CJK included
    assert.equal(new Set(lines.map((l) => stringWidth(l))).size, 1, r.stdout);
    const digestColumn = lines.slice(3).filter((l) => l.startsWith('│')).map((l) => l.split('│')[5]!.trim());
    const json = await runCli(['acme', 'plugin', 'list', '--output-format', 'json'], { configDir: cfg });
    const digest = (JSON.parse(json.stdout) as { digest: string }[])[0]!.digest;
    assert.ok(digestColumn.join('').startsWith(digest), `${digest} not found whole in:\n${r.stdout}`);
    assert.ok(r.stdout.includes('cloudflare-prod'), 'short ids are not broken');
  });

  test('piped output does not wrap; LANG=C draws ASCII', async () => {
    const piped = await runCli(['acme', 'plugin', 'list'], { configDir: cfg });
    assert.ok(piped.stdout.split('\n').some((l) => stringWidth(l) > 80));
    const ascii = await runCli(['acme', 'plugin', 'list', '--noheader'], { configDir: cfg, env: { LANG: 'C' } });
    assert.match(ascii.stdout, /^\+-+\+-+\+/);
    assert.doesNotMatch(ascii.stdout.replace(/[東京本社のアカウント]/g, ''), /[^\x00-\x7f]/);
  });
});
