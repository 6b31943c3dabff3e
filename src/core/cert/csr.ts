// The certificate signing request of an order (PKCS#10, RFC 2986), DER-encoded with node:crypto
// alone. An ACME CA reads two things from it: the public key and the names (RFC 8555 §7.4), so
// it holds just those: subject CN = the first DNS name (at most 64 characters, RFC 5280's upper
// bound, which CAs enforce), every name as a subjectAltName (dNSName / iPAddress), signed with
// the certificate key (ecdsa-with-SHA256 / -SHA384 for ec-256 / ec-384, sha256WithRSAEncryption).
//
// Why not acme-client's createCsr (@peculiar/x509 over asn1js): loading and running it cost
// ~95 ms of the main thread for one name and ~155 ms for 100 (16 / 107 ms even when loaded),
// on the order's critical path while the challenges are answered; this is a few fixed
// structures and under a millisecond. Tests check every key type with openssl.

import { createPrivateKey, createPublicKey, sign } from 'node:crypto';

export interface CsrIdentifier {
  type: 'dns' | 'ip';
  value: string;
}

const MAX_CN_LENGTH = 64;

/** One DER TLV. */
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length: number[] = [];
  if (body.length < 0x80) length.push(body.length);
  else {
    for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
    length.unshift(0x80 | length.length);
  }
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const sequence = (...content: Buffer[]): Buffer => tlv(0x30, ...content);
const set = (...content: Buffer[]): Buffer => tlv(0x31, ...content);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      groups.unshift((n % 128) | (groups.length ? 0x80 : 0));
      if (n < 128) break;
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const OID = {
  commonName: '2.5.4.3',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

/** The 4 or 16 bytes of an IP address (a valid one: node.cfg's checks ran before). */
export function ipAddressBytes(ip: string): Buffer {
  if (!ip.includes(':')) return Buffer.from(ip.split('.').map(Number));
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** The DER CSR for `identifiers` (in the configured order), signed with `keyPem`. */
export function createCsr(identifiers: readonly CsrIdentifier[], keyPem: string): Buffer {
  const key = createPrivateKey(keyPem);
  let algorithm: Buffer;
  let hash: string;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1' && curve !== 'secp384r1') throw new Error(`unsupported EC curve for a CSR: ${String(curve)}`);
    hash = curve === 'prime256v1' ? 'sha256' : 'sha384';
    algorithm = sequence(oid(hash === 'sha256' ? OID.ecdsaWithSha256 : OID.ecdsaWithSha384));
  } else if (key.asymmetricKeyType === 'rsa') {
    hash = 'sha256';
    algorithm = sequence(oid(OID.sha256WithRsa), Buffer.from([0x05, 0x00]));
  } else {
    throw new Error(`unsupported key type for a CSR: ${String(key.asymmetricKeyType)}`);
  }

  const commonName = identifiers.find((i) => i.type === 'dns' && i.value.length <= MAX_CN_LENGTH)?.value;
  const subject = commonName === undefined ? sequence() : sequence(set(sequence(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  // GeneralName: [2] dNSName IA5String, [7] iPAddress OCTET STRING (both implicit, primitive)
  const names = identifiers.map((i) => (i.type === 'ip' ? tlv(0x87, ipAddressBytes(i.value)) : tlv(0x82, Buffer.from(i.value, 'ascii'))));
  const extensions = sequence(sequence(oid(OID.subjectAltName), tlv(0x04, sequence(...names))));
  const attributes = tlv(0xa0, sequence(oid(OID.extensionRequest), set(extensions)));
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const info = sequence(Buffer.from([0x02, 0x01, 0x00]), subject, spki, attributes);
  // ECDSA signatures come DER-encoded (Ecdsa-Sig-Value) by default, as X.509 wants them
  const signature = sign(hash, info, key);
  return sequence(info, algorithm, tlv(0x03, Buffer.from([0]), signature));
}
