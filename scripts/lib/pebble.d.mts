// Types of scripts/lib/pebble.mjs (imported by the TypeScript tests as '#pebble').

export interface PebbleOptions {
  /** externalAccountBindingRequired, with `eabKeys` as externalAccountMACKeys. */
  eabRequired?: boolean;
  eabKeys?: Record<string, string>;
  /** PEBBLE_WFE_NONCEREJECT percentage (Pebble's default 5 when undefined). */
  nonceReject?: number;
  /** Port Pebble validates http-01 on (default: a free one). */
  httpPort?: number;
  /** PEBBLE_AUTHZREUSE percentage. */
  authzReuse?: number;
  /** PEBBLE_VA_NOSLEEP=1 (default true: no random 0-15 s sleep before each validation). */
  vaNoSleep?: boolean;
  /** PEBBLE_ALTERNATE_ROOTS: alternate chains (to other roots) offered with each certificate. */
  alternateRoots?: number;
  /** DNS server ("host:port") Pebble resolves through (default: its pebble-challtestsrv). */
  dnsServer?: string;
  /** Port Pebble validates tls-alpn-01 on (default: a free one). */
  tlsPort?: number;
  /**
   * Pebble's `profiles` (validityPeriod in seconds; promoteCommonName keeps the CSR's CN). Default:
   * DEFAULT_PROFILES. Pebble gives an order that names no profile a random one of these.
   */
  profiles?: Record<string, PebbleProfile>;
  /** Pebble's `retryAfter`: seconds it asks for on a processing authorization / order. */
  retryAfter?: { authz: number; order: number };
  /** Key type of Pebble's CA: "rsa" (its default) or "ecdsa". */
  keyAlgorithm?: 'rsa' | 'ecdsa';
}

export interface PebbleProfile {
  description: string;
  validityPeriod: number;
  promoteCommonName?: boolean;
}

export interface Pebble {
  directoryUrl: string;
  managementUrl: string;
  /** PEM of the throw-away CA that signed Pebble's HTTPS certificate: pass as NODE_EXTRA_CA_CERTS. */
  caFile: string;
  httpPort: number;
  tlsPort: number;
  pids: { pebble: number | undefined; challtestsrv: number | undefined };
  challtestsrv: { dnsAddr: string; managementUrl: string };
  /** Environment for a spawned certnode that talks to this Pebble. */
  env: Record<string, string>;
  /** Requests Pebble's ACME API has handled so far, from its log (waits until the log is quiet, bounded). */
  requestCount(): Promise<number>;
  log(): string;
  challtestsrvLog(): string;
  /**
   * Set the renewalInfo answer for a certificate Pebble issued (management `/set-renewal-info/`):
   * an object is sent as its JSON, a string as it is (even malformed).
   */
  setRenewalInfo(certificatePem: string, info: unknown): Promise<void>;
  /** Pebble's current root / intermediate (new at every start). */
  root(index?: number): Promise<string>;
  intermediate(index?: number): Promise<string>;
  /** Stop both servers (SIGTERM, SIGKILL after 3 s) and remove the temporary dir; idempotent. */
  stop(): Promise<void>;
}

export declare const PEBBLE_PACKAGES: readonly { command: string; pkg: string }[];
export declare const PEBBLE_MIN_VERSION: string;
export declare const DEFAULT_PROFILES: Record<string, PebbleProfile>;
/** Pebble >= PEBBLE_MIN_VERSION from Debian's forky/sid package (scripts/lib/pebble-install.mjs). */
/** The Pebble binaries in use and their Debian version; undefined when none >= PEBBLE_MIN_VERSION. */
export declare function findPebble(): { pebble: string; challtestsrv: string; version: string } | undefined;
/** dpkg --compare-versions a ge b. */
export declare function versionAtLeast(a: string, b: string): boolean;
export declare function ensurePebble(opts?: { log?: (line: string) => void }): { ok: true; installed: boolean; version: string } | { ok: false; message: string };
export declare function freePort(): Promise<number>;
export declare function makeTlsFiles(dir: string): { caFile: string; certFile: string; keyFile: string };
export declare function startPebble(opts?: PebbleOptions): Promise<Pebble>;
