// Shared by plugin add/set/apis: locating a DNS API script, with an error that says where we looked,
// and the warning about data paths the script's user cannot read.

import { UsageError } from '../../../core/errors.ts';
import { dnsapiSearchDirs, findDnsApiScript, scriptFileName, type SearchDir } from '../../../core/challenge/dnsapi-scripts.ts';
import { scriptUserFor, unreadableDataPaths } from '../../../core/challenge/dns-script.ts';
import type { CommandEnv } from '../../command.ts';

export function searchDirs(env: CommandEnv): SearchDir[] {
  return dnsapiSearchDirs(env.paths, env.ctx.env);
}

/** The script for `api`, or a UsageError naming every directory searched. */
export function requireDnsApiScript(env: CommandEnv, api: string): string {
  const dirs = searchDirs(env);
  const script = findDnsApiScript(api, dirs);
  if (script) return script;
  const where = dirs.map((d) => `${d.dir} (${d.source})`).join(', ');
  throw new UsageError(
    `no DNS API script ${scriptFileName(api)} found; looked in: ${where}. Install acme.sh's dnsapi scripts or point CERTNODE_DNSAPI_DIR (or the node setting dnsapi-dir) at them`,
    'api',
  );
}

/** One WARNING line per data value naming a file the DNS script's user will not be able to read. */
export function warnUnreadableDataPaths(env: CommandEnv, data: string | undefined): void {
  if (data === undefined || env.globals.quiet) return;
  const user = scriptUserFor(process.getuid?.());
  for (const p of unreadableDataPaths(data, user)) {
    env.ctx.io.stderr.write(`WARNING: data ${p.key}=${p.path}: ${p.reason}; the DNS script runs as ${user ? `user '${user.name}'` : 'this user'} and will not read it\n`);
  }
}
