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
  const acc = parseAccountFile(PVE, 'f');
  assert.equal(acc.format, 'pve');
  assert.equal(serializeAccountFile(acc, PVE), PVE);
  assert.equal(serializeAccountFile(acc), PVE);
});

const PBS = `{
  "location": "https://acme-v02.api.letsencrypt.org/acme/acct/123456789",
  "account": {
    "status": "valid",
    "contact": [
      "mailto:admin@example.com"
    ],
    "termsOfServiceAgreed": true,
    "key": {
      "kty": "EC",
      "crv": "P-256",
      "x": "AAA",
      "y": "BBB"
    }
  },
  "key": "-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----\\n",
  "tos": "https://letsencrypt.org/documents/LE-SA-v1.5-February-24-2025.pdf",
  "debug": true,
  "directoryUrl": "https://acme-v02.api.letsencrypt.org/directory"
}`;

test("a PBS account file (directoryUrl, serde layout, no final newline) round-trips byte for byte", () => {
  const acc = parseAccountFile(PBS, 'f');
  assert.equal(acc.format, 'pbs');
  assert.equal(acc.directory, 'https://acme-v02.api.letsencrypt.org/directory');
  assert.deepEqual(acc.extra, { debug: true });
  assert.equal(serializeAccountFile(acc, PBS), PBS);
  assert.deepEqual(accountInfo(acc).directory, 'https://acme-v02.api.letsencrypt.org/directory');
});

test('a PBS account stays PBS when the CA returns a new account object without termsOfServiceAgreed', () => {
  const acc = parseAccountFile(PBS, 'f');
  const updated = { ...acc, account: { contact: ['mailto:ops@example.com'], status: 'valid', key: acc.account.key, createdAt: '2026-01-01T00:00:00Z' } };
  const text = serializeAccountFile(updated, PBS);
  assert.equal(
    text,
    PBS.replace('admin@example.com', 'ops@example.com').replace('      "y": "BBB"\n    }\n', '      "y": "BBB"\n    },\n    "createdAt": "2026-01-01T00:00:00Z"\n'),
  );
  // a pending rollover key rides along (PBS ignores unknown fields)
  const pending = serializeAccountFile({ ...acc, rollover: { key: 'NEW' } }, PBS);
  assert.equal(pending, PBS.replace('\n}', ',\n  "rollover": {\n    "key": "NEW"\n  }\n}'));
});

test('a new account file is written in PVE format', () => {
  const acc = parseAccountFile(PVE, 'f');
  const { format: _f, ...fresh } = acc;
  assert.equal(serializeAccountFile(fresh), PVE);
});

test('broken files name the file and the problem', () => {
  assert.throws(() => parseAccountFile('{', '/x/acc'), (e: unknown) => e instanceof ConfigError && /^\/x\/acc: invalid JSON/.test(e.message));
  assert.throws(() => parseAccountFile('{"directory":"d","key":"k"}', '/x/acc'), { message: "/x/acc: missing 'location'" });
});
