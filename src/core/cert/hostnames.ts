// This host's names for the self-signed certificate: short name and FQDN (`hostname --fqdn`, bounded).

import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import type { HostNames } from './selfsigned.ts';

const FQDN_TIMEOUT_MS = 2000;

export async function localHostNames(): Promise<HostNames> {
  const name = hostname().toLowerCase();
  const nodename = name.split('.')[0] || 'localhost';
  if (name.includes('.')) return { nodename, fqdn: name };
  const fqdn = await new Promise<string>((resolve) => {
    // A resolver that hangs must not hang certnode: fall back to the short name.
    execFile('hostname', ['--fqdn'], { timeout: FQDN_TIMEOUT_MS }, (err, stdout) => resolve(err ? '' : stdout.trim().toLowerCase()));
  });
  return { nodename, fqdn: fqdn.startsWith(`${nodename}.`) ? fqdn : nodename };
}
