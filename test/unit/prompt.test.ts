import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { LinePrompter } from '../../src/core/prompt.ts';
import { CancelledError, CliError, UsageError } from '../../src/core/errors.ts';

function prompter(input: string) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { p: new LinePrompter(Readable.from([input]), out, true), output: () => text };
}

test('answers piped together are read one per question (one buffer over stdin)', async () => {
  const { p, output } = prompter('1\nhttps://x/dir\ny\n');
  assert.equal(await p.menu({ text: 'Enter selection: ', flag: '--directory' }, [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }]), 'b');
  assert.equal(await p.input({ text: 'Enter custom URL: ', flag: '--directory' }), 'https://x/dir');
  assert.equal(await p.confirm({ text: 'Do you agree? [y|N]: ', flag: '--agree-tos', required: true }), true);
  assert.equal(output(), '0) A\n1) B\nEnter selection: \nEnter custom URL: \nDo you agree? [y|N]: \n');
});

test('EOF: required questions name their flag, optional ones take the default', async () => {
  const { p } = prompter('');
  await assert.rejects(p.confirm({ text: 'Do you agree to the above terms? [y|N]: ', flag: '--agree-tos', required: true }), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'no answer for "Do you agree to the above terms? [y|N]" on stdin; pass --agree-tos');
    return true;
  });
  assert.equal(await p.confirm({ text: 'Use EAB? [y|N]: ', flag: '--eab-kid', required: false }), false);
  await assert.rejects(p.input({ text: 'Enter EAB key id: ', flag: '--eab-kid/--eab-hmac-key' }), /pass --eab-kid\/--eab-hmac-key$/);
});

test('four invalid menu answers are an error (not an interruption) naming the flag', async () => {
  const { p, output } = prompter('x\n9\n-1\n\n');
  await assert.rejects(p.menu({ text: 'Enter selection: ', flag: '--directory' }, [{ label: 'A', value: 'a' }]), (e: unknown) => {
    assert.ok(e instanceof CliError && !(e instanceof CancelledError));
    assert.equal(e.message, 'no valid answer to "Enter selection" after 4 attempts, aborting; pass --directory');
    return true;
  });
  assert.equal((output().match(/Invalid selection\./g) ?? []).length, 4);
});

test('a last line without newline is still an answer', async () => {
  const { p } = prompter('y');
  assert.equal(await p.confirm({ text: 'ok? ', flag: '--x', required: true }), true);
});

test('an optional input takes an empty line or EOF as no answer', async () => {
  const { p } = prompter('\n');
  assert.equal(await p.input({ text: 'CF_Account_ID (optional)', flag: '--data', optional: true }), '');
  assert.equal(await p.input({ text: 'CF_Zone_ID (optional)', flag: '--data', optional: true }), '');
});
