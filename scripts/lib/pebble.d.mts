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
  /** Pebble's current root / intermediate (new at every start). */
  root(index?: number): Promise<string>;
  intermediate(index?: number): Promise<string>;
  /** Stop both servers (SIGTERM, SIGKILL after 3 s) and remove the temporary dir; idempotent. */
  stop(): Promise<void>;
}

export declare const PEBBLE_PACKAGES: readonly { command: string; pkg: string }[];
export declare function freePort(): Promise<number>;
export declare function makeTlsFiles(dir: string): { caFile: string; certFile: string; keyFile: string };
export declare function startPebble(opts?: PebbleOptions): Promise<Pebble>;
