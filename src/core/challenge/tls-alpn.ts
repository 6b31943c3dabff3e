// The standalone tls-alpn-01 responder (RFC 8737): a TLS listener that completes a handshake only
// for the ALPN protocol "acme-tls/1" and a server name of this order, presenting for it a
// self-signed validation certificate (that name as its only SAN, the SHA-256 of the key
// authorization in the critical acmeIdentifier extension). Any other handshake fails: it serves
// nothing else. Chosen per standalone plugin (`challenge=tls-alpn-01`, port 443 by default); one
// listener per (address, port) for the whole order, closed by the session's cleanup.

import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import type { PluginSection } from '../config/plugins-cfg.ts';
import { listenForChallenges } from './standalone.ts';

export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';
/** id-pe-acmeIdentifier (RFC 8737 §6.1). */
export const ACME_IDENTIFIER_OID = '1.3.6.1.5.5.7.1.31';
export const CHALLENGE_PROPERTY = 'challenge';
export const STANDALONE_CHALLENGES = ['http-01', 'tls-alpn-01'] as const;
export type StandaloneChallenge = (typeof STANDALONE_CHALLENGES)[number];
export const DEFAULT_TLS_ALPN_PORT = 443;

/** The ACME challenge a plugin answers: dns-01, or the standalone plugin's http-01 (default) / tls-alpn-01. */
export function pluginChallengeType(plugin: PluginSection): 'http-01' | 'dns-01' | 'tls-alpn-01' | undefined {
  if (plugin.type === 'dns') return 'dns-01';
  if (plugin.type !== 'standalone') return undefined;
  return plugin.props.get(CHALLENGE_PROPERTY) === 'tls-alpn-01' ? 'tls-alpn-01' : 'http-01';
}

/**
 * The TLS server name a validation connection for `identifier` carries: the name itself, for an
 * IP address its reverse-mapping name (RFC 8738 §6).
 */
export function validationServerName(identifier: string): string {
  const v = isIP(identifier);
  if (v === 4) return `${identifier.split('.').reverse().join('.')}.in-addr.arpa`;
  if (v === 6) {
    const [head = '', tail = ''] = identifier.split('::');
    const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
    const missing = 8 - groups(head).length - groups(tail).length;
    const full = [...groups(head), ...Array<string>(identifier.includes('::') ? missing : 0).fill('0'), ...groups(tail)].map((g) => g.padStart(4, '0'));
    return `${full.join('').split('').reverse().join('.')}.ip6.arpa`;
  }
  return identifier.toLowerCase();
}

/** A self-signed validation certificate and its key (PEM) for `identifier` and `keyAuthorization`. */
export async function validationCertificate(identifier: string, keyAuthorization: string): Promise<{ cert: string; key: string }> {
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as never);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const digest = createHash('sha256').update(keyAuthorization).digest();
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: ['certnode tls-alpn-01 validation'] }],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 7 * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.SubjectAlternativeNameExtension([isIP(identifier) ? { type: 'ip' as const, value: identifier } : { type: 'dns' as const, value: identifier }]),
      // extnValue: the DER OCTET STRING of the 32-byte digest
      new x509.Extension(ACME_IDENTIFIER_OID, true, Buffer.concat([Buffer.from([0x04, digest.length]), digest])),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}

export interface TlsAlpnOptions {
  pluginId: string;
  port: number;
  /** Bind address; undefined means all addresses (dual-stack, IPv4 fallback). */
  address: string | undefined;
}

export class TlsAlpnResponder {
  readonly #server: tls.Server;
  readonly #contexts: Map<string, tls.SecureContext>;

  private constructor(server: tls.Server, contexts: Map<string, tls.SecureContext>) {
    this.#server = server;
    this.#contexts = contexts;
  }

  static async start(opts: TlsAlpnOptions): Promise<TlsAlpnResponder> {
    const contexts = new Map<string, tls.SecureContext>();
    const server = tls.createServer({
      // anything but acme-tls/1 ends the handshake (no_application_protocol)
      ALPNCallback: ({ protocols }) => (protocols.includes(ACME_TLS_ALPN_PROTOCOL) ? ACME_TLS_ALPN_PROTOCOL : undefined),
      SNICallback: (servername, callback) => {
        const context = contexts.get(servername.toLowerCase().replace(/\.$/, ''));
        if (context) callback(null, context);
        else callback(new Error(`no validation certificate for '${servername}'`));
      },
    });
    // a validation connection carries no data: close it once the handshake is done
    server.on('secureConnection', (socket) => socket.end());
    server.on('tlsClientError', () => {});
    await listenForChallenges(server, opts, `standalone plugin '${opts.pluginId}' (tls-alpn-01)`);
    return new TlsAlpnResponder(server, contexts);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async add(identifier: string, keyAuthorization: string): Promise<void> {
    const { cert, key } = await validationCertificate(identifier, keyAuthorization);
    this.#contexts.set(validationServerName(identifier), tls.createSecureContext({ cert, key }));
  }

  remove(identifier: string): void {
    this.#contexts.delete(validationServerName(identifier));
  }

  close(): Promise<void> {
    this.#contexts.clear();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
    });
  }
}

/** The tls-alpn-01 listeners of one order: one per (address, port), shared by its names. */
export class TlsAlpnListeners {
  readonly #responders = new Map<string, Promise<TlsAlpnResponder>>();
  readonly #say: (line: string) => void;

  constructor(say: (line: string) => void) {
    this.#say = say;
  }

  async present(plugin: PluginSection, identifier: string, keyAuthorization: string): Promise<void> {
    await (await this.bind(plugin)).add(identifier, keyAuthorization);
  }

  /** The plugin's listener, bound now if it is not yet (before the order: a busy port fails early). */
  bind(plugin: PluginSection): Promise<TlsAlpnResponder> {
    const portValue = plugin.props.get('port');
    const port = portValue === undefined ? DEFAULT_TLS_ALPN_PORT : Number(portValue);
    const address = plugin.props.get('address');
    const key = `${address ?? '*'}|${port}`;
    let responder = this.#responders.get(key);
    if (!responder) {
      this.#say(`Setting up tls-alpn-01 responder on ${address === undefined ? `port ${port}` : `${address.includes(':') ? `[${address}]` : address}:${port}`}`);
      responder = TlsAlpnResponder.start({ pluginId: plugin.id, port, address });
      // a failed bind is reported by whoever awaits it; no unhandled rejection meanwhile
      responder.catch(() => undefined);
      this.#responders.set(key, responder);
    }
    return responder;
  }

  async close(): Promise<void> {
    const all = [...this.#responders.values()];
    this.#responders.clear();
    await Promise.all(all.map(async (pending) => (await pending.catch(() => undefined))?.close()));
  }
}

