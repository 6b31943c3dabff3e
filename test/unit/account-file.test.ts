import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountInfo, parseAccountFile, serializeAccountFile } from '../../src/core/config/account-file.ts';
import { ConfigError } from '../../src/core/errors.ts';

const PVE = `{
   "account" : {
      "contact" : [
         "mailto:admin@example.com"
      ],
      "status" : "valid"
   },
   "directory" : "https://acme-v02.api.letsencrypt.org/directory",
   "key" : "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----\\n",
   "location" : "https://acme-v02.api.letsencrypt.org/acme/acct/123456789",
   "tos" : "https://letsencrypt.org/documents/LE-SA-v1.5-February-24-2025.pdf"
}
`;

test('a PVE account file round-trips byte for byte', () => {
  assert.equal(serializeAccountFile(parseAccountFile(PVE, 'f')), PVE);
});

test("PBS's directoryUrl is read as directory; unknown keys are kept", () => {
  const pbs = JSON.stringify({ location: 'https://ca/acct/1', account: { status: 'valid' }, key: 'PEM', directoryUrl: 'https://ca/dir', debug: true });
  const acc = parseAccountFile(pbs, 'f');
  assert.equal(acc.directory, 'https://ca/dir');
  assert.deepEqual(acc.extra, { debug: true });
  assert.deepEqual(Object.keys(JSON.parse(serializeAccountFile(acc)) as object), ['account', 'debug', 'directory', 'key', 'location']);
  assert.deepEqual(accountInfo(acc), { account: { status: 'valid' }, directory: 'https://ca/dir', location: 'https://ca/acct/1' });
});

test('broken files name the file and the problem', () => {
  assert.throws(() => parseAccountFile('{', '/x/acc'), (e: unknown) => e instanceof ConfigError && /^\/x\/acc: invalid JSON/.test(e.message));
  assert.throws(() => parseAccountFile('{"directory":"d","key":"k"}', '/x/acc'), { message: "/x/acc: missing 'location'" });
});
