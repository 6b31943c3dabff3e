// The ACME adapter: certnode's only importer of acme-client (loaded lazily, it is slow to load).
// acme-client signs requests; transport, nonces, retries and errors are ours:
// - nonces come from the Replay-Nonce of earlier responses (a HEAD newNonce only when none is left),
// - badNonce is retried, Retry-After is honoured up to a cap and reported beyond it,
// - problem documents become AcmeProblemError carrying the CA's detail.

import { createPrivateKey } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Context } from '../../context.ts';
import { CliError } from '../errors.ts';
import { withTrustHint } from './hints.ts';
import { trustedSecureContext } from './trust.ts';
import { userAgent as makeUserAgent } from './user-agent.ts';
import { BAD_NONCE, planRetry, problemError, retryAfterSeconds, type HttpResponse } from './problems.ts';

export { USER_AGENT_PRODUCT } from './user-agent.ts';
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * badNonce retries per request. Each retry uses the fresh nonce of the rejection, so against a CA
 * that rejects a share p of nonces a request fails with p^(n+1): 0.5^21 < 1e-6 for 50 %.
 */
export const MAX_BAD_NONCE_RETRIES = 20;
const MAX_RATE_LIMIT_RETRIES = 2;
const NONCE_POOL_SIZE = 16;

export interface AcmeDirectory {
  newAccount: string;
  newNonce: string;
  newOrder: string;
  revokeCert?: string;
  keyChange?: string;
  renewalInfo?: string;
  meta?: {
    termsOfService?: string;
    website?: string;
    caaIdentities?: string[];
    externalAccountRequired?: boolean;
    profiles?: Record<string, string>;
  };
  [key: string]: unknown;
}

export interface ExternalAccountBinding {
  kid: string;
  hmacKey: string;
}

export interface NewAccount {
  contact: string[];
  termsOfServiceAgreed: boolean;
  eab?: ExternalAccountBinding;
}

export type AcmeAccountObject = Record<string, unknown>;

/** What certnode needs from an ACME server (one directory). Orders will be added to AcmeAccount. */
export interface AcmeService {
  readonly directoryUrl: string;
  getDirectory(): Promise<AcmeDirectory>;
  /** newAccount with a fresh key; returns the CA's account object and the account URL. */
  createAccount(accountKey: string, req: NewAccount): Promise<{ account: AcmeAccountObject; location: string }>;
  /** An existing account, for requests signed with its key. */
  account(accountKey: string, location: string): AcmeAccount;
  /** ACME HTTP requests sent so far (for tests and benchmarks). */
  requestCount(): number;
}

export interface AcmeAccount {
  readonly location: string;
  /** Update the account (`{}` refreshes it) and return the CA's account object. */
  update(update: { contact?: string[] }): Promise<AcmeAccountObject>;
  deactivate(): Promise<AcmeAccountObject>;
  /** POST newOrder; `url` is the order's Location. */
  newOrder(request: NewOrderRequest): Promise<AcmeResource<AcmeOrder>>;
  /** POST-as-GET of an order, authorization or challenge. */
  fetch<T>(url: string): Promise<AcmeResource<T>>;
  /** Tell the CA a challenge is ready (POST `{}`). */
  respondToChallenge(url: string): Promise<AcmeResource<AcmeChallenge>>;
  finalize(url: string, csrDer: Uint8Array): Promise<AcmeResource<AcmeOrder>>;
  /** The PEM chain at `url` and the URLs of the alternate chains the CA offers (Link rel="alternate"). */
  downloadCertificate(url: string): Promise<{ chain: string; alternates: string[] }>;
  /** Revoke with the account key; `certDer` is the leaf certificate. */
  revoke(certDer: Uint8Array, reason?: number): Promise<void>;
  /** http-01 key authorization or dns-01 TXT value for a challenge of this account. */
  keyAuthorization(challenge: { type: string; token: string }): Promise<string>;
  /** RFC 8555 §7.3.5 keyChange: the CA binds the account to `newKey` (PEM) from now on. */
  changeKey(newKey: string): Promise<void>;
}

export interface AcmeIdentifier {
  type: string;
  value: string;
}

export interface NewOrderRequest {
  identifiers: AcmeIdentifier[];
  profile?: string;
  replaces?: string;
}

export interface AcmeResource<T> {
  url: string;
  data: T;
  /** The server's Retry-After, in ms, when it sent one. */
  retryAfterMs: number | undefined;
}

export interface AcmeProblem {
  type?: string;
  detail?: string;
  subproblems?: { type?: string; detail?: string; identifier?: AcmeIdentifier }[];
}

export interface AcmeOrder {
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
  identifiers: AcmeIdentifier[];
  authorizations: string[];
  finalize: string;
  certificate?: string;
  expires?: string;
  error?: AcmeProblem;
  profile?: string;
}

export interface AcmeChallenge {
  type: string;
  url: string;
  status: 'pending' | 'processing' | 'valid' | 'invalid';
  token: string;
  error?: AcmeProblem;
  validated?: string;
  /** dns-persist-01: the issuer domain names a record may name, and the account URL it must name. */
  'issuer-domain-names'?: string[];
  accounturi?: string;
}

export interface AcmeAuthorization {
  identifier: AcmeIdentifier;
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
  challenges: AcmeChallenge[];
  wildcard?: boolean;
  expires?: string;
}

export interface AcmeOptions {
  directoryUrl: string;
  /** certnode's version, for the User-Agent. */
  version: string;
}

/** The part of acme-client's HttpClient we drive or replace. */
interface AcmeHttpClient {
  /** What createSignedBody signs with: acme-client keeps the PEM; we put its parsed KeyObject here. */
  accountKey: unknown;
  directoryCache: unknown;
  directoryTimestamp: number;
  externalAccountBinding: { kid?: string; hmacKey?: string } | undefined;
  getJwk(): unknown;
  createSignedBody(url: string, payload: unknown, opts: { nonce: string; kid: string | null }): unknown;
  createSignedHmacBody(hmacKey: string, url: string, payload: unknown, opts: { kid: string }): unknown;
  request(url: string, method: string, opts?: { data?: unknown; headers?: Record<string, string> }): Promise<HttpResponse>;
  getNonce(): Promise<string>;
  getDirectory(): Promise<unknown>;
  signedRequest(url: string, payload: unknown, opts?: { kid?: string | null; nonce?: string | null; includeExternalAccountBinding?: boolean }): Promise<HttpResponse>;
}

interface AcmeClientInstance {
  http: AcmeHttpClient;
  api: { http: AcmeHttpClient };
  createAccount(data: Record<string, unknown>): Promise<AcmeAccountObject>;
  updateAccount(data: Record<string, unknown>): Promise<AcmeAccountObject>;
  getAccountUrl(): string;
  getChallengeKeyAuthorization(challenge: { type: string; token: string }): Promise<string>;
}

/** One connection setup for all requests: keep-alive agent, the CA bundle certnode was told to trust. */
function transport(ctx: Context): { https: https.Agent; http: http.Agent } {
  const secureContext = trustedSecureContext(ctx.env);
  return {
    https: new https.Agent({ keepAlive: true, ...(secureContext ? { secureContext } : {}) }),
    http: new http.Agent({ keepAlive: true }),
  };
}

/** A network failure as one line ("connect ECONNREFUSED 127.0.0.1:1"). */
export function networkErrorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return networkErrorText(err.errors[0]);
  if (err instanceof Error) return withTrustHint(err.message || (err as { code?: string }).code || err.name, err);
  return String(err);
}

export async function openAcme(ctx: Context, opts: AcmeOptions): Promise<AcmeService> {
  const acme = (await import('./acme-lib.ts')).default;
  const agents = transport(ctx);
  const userAgent = makeUserAgent(opts.version);
  // acme-client's own axios is not used for ACME traffic (we replace request()), but keep it from sleeping if anything does.
  (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;

  let requests = 0;
  const nonces: string[] = [];
  /** Signed requests on the wire: each brings a Replay-Nonce back, so a request short of one waits for it. */
  let inFlight = 0;
  const nonceWaiters: (() => void)[] = [];
  const wakeNonceWaiter = (): void => nonceWaiters.shift()?.();

  const send = (url: string, method: string, body?: unknown): Promise<HttpResponse> => {
    requests++;
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(new CliError(`invalid URL '${url}'`));
        return;
      }
      const isHttps = target.protocol === 'https:';
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: 'application/json, application/pem-certificate-chain, */*' };
      if (payload) {
        headers['Content-Type'] = 'application/jose+json';
        headers['Content-Length'] = String(payload.length);
      }
      const req = (isHttps ? https : http).request(target, { method: method.toUpperCase(), headers, agent: isHttps ? agents.https : agents.http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = String(res.headers['content-type'] ?? '');
          let data: unknown = text;
          if (/json/i.test(contentType) || /^\s*[{[]/.test(text)) {
            try {
              data = JSON.parse(text);
            } catch {
              data = text;
            }
          }
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          const nonce = flat['replay-nonce'];
          if (nonce) {
            nonces.push(nonce);
            if (nonces.length > NONCE_POOL_SIZE) nonces.shift();
            wakeNonceWaiter();
          }
          resolve({ status: res.statusCode ?? 0, headers: flat, data });
        });
      });
      // One wall-clock bound for the whole exchange (connect, TLS, headers, body); the message says
      // the time that really passed. (A socket idle timeout restarts at each stage: 30 s became 60.)
      const started = Date.now();
      const timer = setTimeout(() => req.destroy(new Error(`no response within ${((Date.now() - started) / 1000).toFixed(0)} s`)), REQUEST_TIMEOUT_MS);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(new CliError(`${method.toUpperCase()} '${url}' failed - ${networkErrorText(err)}`));
      });
      req.end(payload);
    });
  };

  /** Unsigned request with bounded retries on 429/5xx. */
  const unsigned = async (url: string, method: string): Promise<HttpResponse> => {
    for (let attempt = 0; ; attempt++) {
      const resp = await send(url, method);
      if (resp.status < 400) return resp;
      const plan = planRetry(resp, attempt, MAX_RATE_LIMIT_RETRIES, ctx.now());
      if (plan.action === 'fail') throw problemError(resp, url, plan.retryAt);
      await ctx.sleep(plan.waitMs);
    }
  };

  let directory: AcmeDirectory | undefined;
  const getDirectory = async (): Promise<AcmeDirectory> => {
    if (directory) return directory;
    let resp: HttpResponse;
    try {
      resp = await unsigned(opts.directoryUrl, 'get');
    } catch (err) {
      const reason = err instanceof CliError ? err.message.replace(/^GET '[^']*' failed - /, '') : networkErrorText(err);
      throw new CliError(`unable to fetch ACME directory '${opts.directoryUrl}' - ${reason}`);
    }
    directory = checkDirectory(opts.directoryUrl, resp.data);
    return directory;
  };

  /** An acme-client Client for `accountKey` whose transport, nonces and retries are ours. */
  const makeClient = (accountKey: string, accountUrl?: string): AcmeClientInstance => {
    const client = new acme.Client({ directoryUrl: opts.directoryUrl, accountKey, ...(accountUrl ? { accountUrl } : {}) }) as unknown as AcmeClientInstance;
    const httpClient = client.http;
    // acme-client signs with the PEM, which OpenSSL parses anew for every request (~0.7 ms for an
    // ec-256 key, 13x the signature itself): parsed once, an order of 100 names saves ~0.14 s
    httpClient.accountKey = createPrivateKey(accountKey);
    httpClient.request = (url, method, reqOpts) => send(url, method, reqOpts?.data);
    httpClient.getDirectory = async () => getDirectory();
    httpClient.getNonce = async () => {
      // Parallel signed requests: rather than HEAD newNonce, wait for the nonce an in-flight response brings.
      // The caller sends a request with the nonce it gets, so it counts as in flight from here on.
      for (let attempt = 0; ; attempt++) {
        while (nonces.length === 0 && inFlight > 0) {
          await new Promise<void>((resolve) => {
            nonceWaiters.push(resolve);
          });
        }
        const pooled = nonces.pop();
        if (pooled) {
          inFlight++;
          return pooled;
        }
        const dir = await getDirectory();
        if (attempt >= 3) throw new CliError(`the ACME server sent no Replay-Nonce from '${dir.newNonce}'`);
        inFlight++; // a HEAD newNonce on its way: others wait for its nonce rather than sending their own
        try {
          await unsigned(dir.newNonce, 'head');
        } finally {
          inFlight--;
          if (inFlight === 0) wakeNonceWaiter();
        }
      }
    };
    httpClient.signedRequest = async (url, payload, { kid = null, includeExternalAccountBinding = false } = {}) => {
      let body = payload;
      const eab = httpClient.externalAccountBinding;
      if (includeExternalAccountBinding && eab?.kid && eab.hmacKey && body !== null && typeof body === 'object') {
        body = { ...(body as object), externalAccountBinding: httpClient.createSignedHmacBody(eab.hmacKey, url, httpClient.getJwk(), { kid: eab.kid }) };
      }
      let badNonces = 0;
      /** The Replay-Nonce of a badNonce rejection: the one to retry with (RFC 8555 §6.5). */
      let retryNonce: string | undefined;
      for (let attempt = 0; ; ) {
        let nonce: string;
        if (retryNonce !== undefined) {
          nonce = retryNonce;
          retryNonce = undefined;
          inFlight++; // as getNonce would count it
        } else nonce = await httpClient.getNonce(); // counts this request as in flight
        let resp: HttpResponse;
        try {
          resp = await send(url, 'post', httpClient.createSignedBody(url, body, { nonce, kid }));
        } finally {
          inFlight--;
          // a response without a nonce (or a failure) must not strand a waiter
          if (nonces.length > 0 || inFlight === 0) wakeNonceWaiter();
        }
        if (resp.status < 400) return resp;
        const type = (resp.data as { type?: unknown } | null)?.type;
        if (resp.status === 400 && type === BAD_NONCE && badNonces < MAX_BAD_NONCE_RETRIES) {
          badNonces++;
          const fresh = resp.headers['replay-nonce'];
          if (fresh) {
            // taken out of the pool: it is this request's, not another's
            const i = nonces.lastIndexOf(fresh);
            if (i >= 0) {
              nonces.splice(i, 1);
              retryNonce = fresh;
            }
          }
          continue;
        }
        const plan = planRetry(resp, attempt, MAX_RATE_LIMIT_RETRIES, ctx.now());
        if (plan.action === 'fail') throw problemError(resp, url, plan.retryAt);
        attempt++;
        await ctx.sleep(plan.waitMs);
      }
    };
    return client;
  };

  return {
    directoryUrl: opts.directoryUrl,
    getDirectory,
    async createAccount(accountKey, req) {
      await getDirectory();
      const client = makeClient(accountKey);
      client.http.externalAccountBinding = req.eab ? { kid: req.eab.kid, hmacKey: req.eab.hmacKey } : {};
      const account = await client.createAccount({ contact: req.contact, termsOfServiceAgreed: req.termsOfServiceAgreed });
      return { account, location: client.getAccountUrl() };
    },
    account(accountKey, location) {
      const client = makeClient(accountKey, location);
      const signed = async <T>(url: string, payload: unknown): Promise<AcmeResource<T>> => {
        const resp = await client.http.signedRequest(url, payload, { kid: location });
        const retry = retryAfterSeconds(resp.headers['retry-after'], ctx.now());
        return { url: resp.headers.location ?? url, data: resp.data as T, retryAfterMs: retry === undefined ? undefined : retry * 1000 };
      };
      return {
        location,
        update: (update) => client.updateAccount(update.contact ? { contact: update.contact } : {}),
        deactivate: () => client.updateAccount({ status: 'deactivated' }),
        async newOrder(request) {
          const dir = await getDirectory();
          const resp = await signed<AcmeOrder>(dir.newOrder, request);
          if (resp.url === dir.newOrder) throw new CliError(`the ACME server sent no order URL (Location) for the new order`);
          return resp;
        },
        fetch: <T>(url: string) => signed<T>(url, null).then((r) => ({ ...r, url })),
        respondToChallenge: (url) => signed<AcmeChallenge>(url, {}).then((r) => ({ ...r, url })),
        finalize: (url, csrDer) => signed<AcmeOrder>(url, { csr: Buffer.from(csrDer).toString('base64url') }),
        async downloadCertificate(url) {
          const resp = await client.http.signedRequest(url, null, { kid: location });
          if (typeof resp.data !== 'string' || !resp.data.includes('-----BEGIN CERTIFICATE-----')) {
            throw new CliError(`the ACME server did not return a PEM certificate chain from '${url}'`);
          }
          return { chain: resp.data, alternates: linkTargets(resp.headers.link, 'alternate', url) };
        },
        async revoke(certDer, reason) {
          const dir = await getDirectory();
          if (!dir.revokeCert) throw new CliError('the ACME server does not offer certificate revocation (no revokeCert in its directory)');
          await signed<unknown>(dir.revokeCert, { certificate: Buffer.from(certDer).toString('base64url'), ...(reason === undefined ? {} : { reason }) });
        },
        keyAuthorization: (challenge) => client.getChallengeKeyAuthorization(challenge),
        async changeKey(newKey) {
          const dir = await getDirectory();
          if (!dir.keyChange) throw new CliError('the ACME server does not offer account key rollover (no keyChange in its directory)');
          // inner JWS: signed by the new key, its jwk in the header, no nonce; outer: the old key, as always
          const inner = makeClient(newKey).http.createSignedBody(dir.keyChange, { account: location, oldKey: client.http.getJwk() }, { nonce: null as unknown as string, kid: null });
          await signed<unknown>(dir.keyChange, inner);
        },
      };
    },
    requestCount: () => requests,
  };
}

/** The directory object, or an error saying the URL is not an ACME directory. */
export function checkDirectory(url: string, data: unknown): AcmeDirectory {
  const d = data as Partial<AcmeDirectory> | null;
  const ok = d !== null && typeof d === 'object' && !Array.isArray(d) && ['newAccount', 'newNonce', 'newOrder'].every((k) => typeof (d as Record<string, unknown>)[k] === 'string');
  if (!ok) throw new CliError(`'${url}' is not an ACME directory (no newAccount/newNonce/newOrder)`);
  return d as AcmeDirectory;
}

/** The targets of `Link: <url>;rel="<rel>"` headers (several may arrive joined by ", "), resolved against `base`. */
export function linkTargets(header: string | undefined, rel: string, base: string): string[] {
  if (!header) return [];
  const targets: string[] = [];
  for (const m of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const params = m[2] ?? '';
    const relMatch = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params);
    if (relMatch && relMatch[1]!.split(/\s+/).includes(rel)) targets.push(new URL(m[1]!, base).toString());
  }
  return targets;
}
