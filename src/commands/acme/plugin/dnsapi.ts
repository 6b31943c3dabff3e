// Shared by plugin add/set/apis: locating a DNS API script, with an error that says where we looked,
// and the warning about data paths the script's user cannot read.

import { UsageError } from '../../../core/errors.ts';
import { dnsapiSearchDirs, findDnsApiScript, readApiInfo, scriptFileName, type SearchDir } from '../../../core/challenge/dnsapi-scripts.ts';
import { parsePluginData, unreadableDataPaths } from '../../../core/challenge/dns-script.ts';
import { closest } from '../../../core/suggest.ts';
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

/**
 * WARNING lines (stderr) about data that will not work: a file the DNS script cannot read, and a
 * key the script does not document (a typo of a documented one is named).
 */
export function warnDataProblems(env: CommandEnv, data: string | undefined, api: string | undefined): void {
  if (data === undefined || env.globals.quiet) return;
  const warn = (line: string): void => void env.ctx.io.stderr.write(`WARNING: ${line}\n`);
  for (const p of unreadableDataPaths(data, process.getuid?.() === 0)) warn(`data ${p.key}=${p.path}: ${p.reason}; the DNS script will not be able to read it`);
  const script = api === undefined ? undefined : findDnsApiScript(api, searchDirs(env));
  if (api === undefined || script === undefined) return;
  const known = readApiInfo({ api, script }).fields.map((f) => f.name);
  if (known.length === 0) return;
  let keys: string[];
  try {
    keys = parsePluginData(data, '').map((e) => e.key);
  } catch {
    return;
  }
  for (const key of keys.filter((k) => !known.includes(k))) {
    const suggestion = closest(key, known);
    warn(`data ${key}: not a setting of ${scriptFileName(api)}${suggestion ? ` - did you mean ${suggestion}?` : ` (it knows: ${known.join(', ')})`}`);
  }
}
