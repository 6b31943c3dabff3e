// The standalone http-01 responder: one listener per (address, port) serving exactly
// GET /.well-known/acme-challenge/<token> -> key authorization; everything else 404.

import { createServer, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { PluginError } from '../errors.ts';

const PREFIX = '/.well-known/acme-challenge/';

export interface StandaloneOptions {
  pluginId: string;
  port: number;
  /** Bind address; undefined means all addresses (dual-stack, IPv4 fallback). */
  address: string | undefined;
}

export class StandaloneResponder {
  readonly #tokens: Map<string, string>;
  /** Told of every token served (a GET answered with its key authorization). */
  readonly #listeners: Set<(token: string) => void>;
  readonly #server: Server;
  readonly pluginId: string;

  private constructor(server: Server, tokens: Map<string, string>, listeners: Set<(token: string) => void>, pluginId: string) {
    this.#server = server;
    this.#tokens = tokens;
    this.#listeners = listeners;
    this.pluginId = pluginId;
  }

  static async start(opts: StandaloneOptions): Promise<StandaloneResponder> {
    const tokens = new Map<string, string>();
    const listeners = new Set<(token: string) => void>();
    const server = createServer((req, res) => {
      const url = req.url ?? '';
      const token = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : undefined;
      const keyAuth = token !== undefined && (req.method === 'GET' || req.method === 'HEAD') ? tokens.get(token) : undefined;
      if (keyAuth === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : keyAuth);
      if (req.method === 'GET') for (const listener of listeners) listener(token!);
    });
    server.keepAliveTimeout = 1000;
    await listenForChallenges(server, opts);
    return new StandaloneResponder(server, tokens, listeners, opts.pluginId);
  }

  /** Calls `listener` with each token served from now on; returns the unsubscribe. */
  onServed(listener: (token: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The port actually listened on (differs from the option when it was 0). */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  add(token: string, keyAuthorization: string): void {
    this.#tokens.set(token, keyAuthorization);
  }

  remove(token: string): void {
    this.#tokens.delete(token);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function listenOnce(server: NetServer, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, ipv6Only: false, exclusive: true });
  });
}

/**
 * Binds a challenge listener (http-01 here, tls-alpn-01 in tls-alpn.ts): the given address, or
 * all addresses dual-stack with an IPv4 fallback; a failure says what to do about it.
 */
export async function listenForChallenges(server: NetServer, opts: StandaloneOptions, label = `standalone plugin '${opts.pluginId}'`): Promise<void> {
  try {
    if (opts.address !== undefined) await listenOnce(server, opts.port, opts.address);
    else {
      try {
        await listenOnce(server, opts.port, '::');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw err;
        await listenOnce(server, opts.port, '0.0.0.0');
      }
    }
  } catch (err) {
    throw listenError(err as NodeJS.ErrnoException, opts, label);
  }
}

function listenError(err: NodeJS.ErrnoException, opts: StandaloneOptions, label: string): PluginError {
  const where = `port ${opts.port} on ${opts.address ?? 'all addresses'}`;
  const fix = `certnode acme plugin set ${opts.pluginId} --port <port>`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new PluginError(`${label}: ${where} is already in use - stop the service that holds it, or forward another port to it and use '${fix}'`, opts.pluginId);
    case 'EACCES':
      return new PluginError(`${label}: no permission to listen on ${where} - run as root (or with CAP_NET_BIND_SERVICE), or use a port above 1023 with '${fix}'`, opts.pluginId);
    case 'EADDRNOTAVAIL':
      return new PluginError(`${label}: address ${opts.address} is not on this host - change it with 'certnode acme plugin set ${opts.pluginId} --address <ip>'`, opts.pluginId);
    default:
      return new PluginError(`${label}: unable to listen on ${where} - ${err.message}`, opts.pluginId);
  }
}
