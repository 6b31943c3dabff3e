// Debian packages a script needs, installed through apt-get when missing and running as root.
// Shared by scripts/run-tests.mjs, scripts/demo.mjs and scripts/bench.mjs.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Debian puts named, setpriv and friends in sbin directories, which a non-login PATH may lack;
// everything spawned from here on inherits the fuller PATH.
for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
  if (!(process.env.PATH ?? '').split(':').includes(dir)) process.env.PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:${dir}`;
}

/** Whether `command` is on PATH. */
export function have(command) {
  return spawnSync('sh', ['-c', `command -v '${command}'`], { stdio: 'ignore' }).status === 0;
}

/** An entry names a command on PATH, or a `file` the package installs (a plugin, a schema). */
const present = (r) => (r.file ? existsSync(r.file) : have(r.command));

/**
 * Make sure every `{command | file, pkg}` is available: as root with apt-get, install the missing
 * packages (non-interactively, no recommends); otherwise return a message naming them.
 * @param {readonly ({command: string, pkg: string} | {file: string, pkg: string})[]} required
 * @param {{purpose?: string, log?: (line: string) => void}} [opts]
 * @returns {{ok: true, installed: string[]} | {ok: false, message: string}}
 */
export function ensurePackages(required, opts = {}) {
  const purpose = opts.purpose ?? 'prerequisites';
  const log = opts.log ?? ((line) => console.log(line));
  const missing = [...new Set(required.filter((r) => !present(r)).map((r) => r.pkg))];
  if (missing.length === 0) return { ok: true, installed: [] };
  if (process.getuid?.() !== 0 || !have('apt-get')) {
    return { ok: false, message: `Missing ${purpose}: ${missing.join(' ')}. Install them (as root: apt-get install ${missing.join(' ')}) and run this again.` };
  }
  log(`Installing ${purpose}: ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // stdin closed: apt must never wait for an answer
  const stdio = ['ignore', 'inherit', 'inherit'];
  // another apt run (a second test suite, unattended-upgrades) may hold the dpkg lock: wait for it, bounded
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  const update = spawnSync('apt-get', [...lockWait, 'update', '-qq'], { stdio, env });
  const install = update.status === 0 && spawnSync('apt-get', [...lockWait, 'install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio, env });
  if (!install || install.status !== 0 || required.some((r) => !present(r))) {
    return { ok: false, message: `FAILED to install ${missing.join(' ')}; install them (apt-get install ${missing.join(' ')}) and run this again.` };
  }
  return { ok: true, installed: missing };
}
