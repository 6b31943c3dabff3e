// Pebble 2.10 (or newer) for the test bed, from Debian's own packages.
//
// Debian bookworm ships Pebble 2.4.0, which lacks ARI, profiles, keyChange checks, Retry-After and
// tls-alpn-01 on tlsPort. The newer suites (forky, then sid) ship 2.10: two static Go binaries
// (Depends: libc6 >= 2.34, which bookworm has). We take that one package the least invasive way:
// - the machine's configured Debian mirror (what apt itself lists as the Debian archive) and its
//   archive keyring, asked for the `forky` suite (else `sid`),
// - through apt with a PRIVATE configuration (its own sources, lists and cache in a temporary
//   directory): the machine's sources, pins and package lists are not touched, no other package
//   can come from the newer suite, and `apt-get install` of bookworm packages works as before,
// - `apt-get download pebble` (signature-checked like any apt download), then `dpkg-deb -x` into
//   PEBBLE_HOME. The system's own `pebble` package (if any) is left as it is.
// Idempotent: when PEBBLE_HOME (or the system package) already holds >= 2.10, nothing runs.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PEBBLE_MIN_VERSION = '2.10.0';
/** Where the unpacked package lives: `version` (the Debian version) and `usr/bin/pebble*`. */
export const PEBBLE_HOME = '/var/cache/certnode-test/pebble';
/** Debian suites that carry Pebble >= 2.10, tried in order. */
const SUITES = ['forky', 'sid'];
const ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** dpkg's own version comparison: is `a` >= `b`? */
export function versionAtLeast(a, b) {
  return run('dpkg', ['--compare-versions', a, 'ge', b]).status === 0;
}

/**
 * The Pebble binaries to use: PEBBLE_HOME's, else the system package when it is new enough.
 * @returns {{pebble: string, challtestsrv: string, version: string} | undefined}
 */
export function findPebble() {
  const versionFile = join(PEBBLE_HOME, 'version');
  if (existsSync(versionFile)) {
    const version = readFileSync(versionFile, 'utf8').trim();
    const pebble = join(PEBBLE_HOME, 'usr/bin/pebble');
    const challtestsrv = join(PEBBLE_HOME, 'usr/bin/pebble-challtestsrv');
    if (versionAtLeast(version, PEBBLE_MIN_VERSION) && existsSync(pebble) && existsSync(challtestsrv)) return { pebble, challtestsrv, version };
  }
  const system = run('dpkg-query', ['-W', '-f', '${db:Status-Status} ${Version}', 'pebble']);
  const [status, version] = system.status === 0 ? system.stdout.trim().split(' ') : [];
  if (status === 'installed' && version && versionAtLeast(version, PEBBLE_MIN_VERSION) && existsSync('/usr/bin/pebble') && existsSync('/usr/bin/pebble-challtestsrv')) {
    return { pebble: '/usr/bin/pebble', challtestsrv: '/usr/bin/pebble-challtestsrv', version };
  }
  return undefined;
}

/** The machine's Debian archive as apt sees it: `{uri}` of the main (non-security) archive of this release. */
function debianArchive() {
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '')?.[1]?.replace(/"/g, '');
  const list = run('apt-get', ['indextargets', '--format', '$(REPO_URI)|$(RELEASE)|$(ORIGIN)|$(LABEL)|$(TARGET_OF)']);
  if (list.status !== 0) return undefined;
  const rows = list.stdout.split('\n').filter(Boolean).map((line) => {
    const [uri, release, origin, label, targetOf] = line.split('|');
    return { uri, release, origin, label, targetOf };
  });
  const debs = rows.filter((r) => r.targetOf === 'deb' && r.uri && !/security/.test(r.uri) && !/security/i.test(r.label ?? ''));
  const pick =
    debs.find((r) => r.origin === 'Debian' && r.label === 'Debian' && r.release === codename) ??
    debs.find((r) => r.origin === 'Debian' && r.label === 'Debian') ??
    debs.find((r) => r.release === codename);
  return pick ? { uri: pick.uri } : undefined;
}

/**
 * Make Pebble >= 2.10 available (see the top of this file).
 * @param {{log?: (line: string) => void}} [opts]
 * @returns {{ok: true, installed: boolean, version: string} | {ok: false, message: string}}
 */
export function ensurePebble(opts = {}) {
  const log = opts.log ?? ((line) => console.log(line));
  const found = findPebble();
  if (found) return { ok: true, installed: false, version: found.version };
  const manual = `install Pebble >= ${PEBBLE_MIN_VERSION} (Debian package 'pebble' from forky or sid) and run this again (as root, npm test does it: it unpacks the package into ${PEBBLE_HOME})`;
  if (process.getuid?.() !== 0) return { ok: false, message: `Missing test prerequisite: Pebble >= ${PEBBLE_MIN_VERSION}; ${manual}` };
  for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb']) {
    if (run('sh', ['-c', `command -v ${tool}`]).status !== 0) return { ok: false, message: `Missing test prerequisite: Pebble >= ${PEBBLE_MIN_VERSION}, and no ${tool} to fetch it; ${manual}` };
  }

  let archive = debianArchive();
  if (!archive) {
    // no package lists yet (a fresh machine): apt learns its sources' origins from an update
    run('apt-get', [...LOCK_WAIT, 'update', '-qq'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    archive = debianArchive();
  }
  if (!archive) return { ok: false, message: `FAILED to find the Debian archive among apt's sources; ${manual}` };

  const work = mkdtempSync(join(tmpdir(), 'certnode-pebble-apt-'));
  try {
    for (const dir of ['lists/partial', 'cache/archives/partial', 'parts', 'download']) mkdirSync(join(work, dir), { recursive: true });
    // apt downloads as the unprivileged _apt user where it exists
    try {
      const apt = run('id', ['-u', '_apt']);
      if (apt.status === 0) for (const dir of ['lists/partial', 'cache/archives/partial', 'download']) chownSync(join(work, dir), Number(apt.stdout.trim()), 0);
      chmodSync(work, 0o755);
    } catch {
      // apt falls back to downloading as root (with a notice)
    }
    const signedBy = existsSync(ARCHIVE_KEYRING) ? ` [signed-by=${ARCHIVE_KEYRING}]` : '';
    const aptOpts = (suite) => {
      writeFileSync(join(work, 'sources.list'), `deb${signedBy} ${archive.uri} ${suite} main\n`);
      return [
        '-o', `Dir::Etc::SourceList=${join(work, 'sources.list')}`,
        '-o', `Dir::Etc::SourceParts=${join(work, 'parts')}`,
        '-o', `Dir::Etc::Preferences=${join(work, 'no-preferences')}`,
        '-o', `Dir::Etc::PreferencesParts=${join(work, 'parts')}`,
        '-o', `Dir::State::Lists=${join(work, 'lists')}`,
        '-o', `Dir::Cache=${join(work, 'cache')}`,
        '-o', 'Acquire::Languages=none',
        '-o', 'APT::Get::List-Cleanup=false',
      ];
    };
    let failure = '';
    for (const suite of SUITES) {
      const o = aptOpts(suite);
      rmSync(join(work, 'lists'), { recursive: true, force: true });
      mkdirSync(join(work, 'lists/partial'), { recursive: true });
      log(`Fetching Pebble >= ${PEBBLE_MIN_VERSION} from Debian ${suite} (${archive.uri}), that package only`);
      const update = run('apt-get', [...o, 'update', '-qq']);
      if (update.status !== 0) {
        failure = `apt-get update of ${suite}: ${update.stderr.trim().split('\n').at(-1)}`;
        continue;
      }
      const policy = run('apt-cache', [...o, 'policy', 'pebble']);
      const candidate = /Candidate:\s*(\S+)/.exec(policy.stdout)?.[1];
      if (!candidate || candidate === '(none)' || !versionAtLeast(candidate, PEBBLE_MIN_VERSION)) {
        failure = `${suite} has pebble ${candidate ?? '(none)'}`;
        continue;
      }
      const download = run('apt-get', [...o, 'download', `pebble=${candidate}`], { cwd: join(work, 'download') });
      const deb = readdirSync(join(work, 'download')).find((f) => f.endsWith('.deb'));
      if (download.status !== 0 || !deb) {
        failure = `apt-get download pebble=${candidate}: ${download.stderr.trim().split('\n').at(-1)}`;
        continue;
      }
      const staging = `${PEBBLE_HOME}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      const unpack = run('dpkg-deb', ['-x', join(work, 'download', deb), staging]);
      const probe = unpack.status === 0 ? run(join(staging, 'usr/bin/pebble'), ['-version']) : undefined;
      if (!probe || probe.status !== 0) {
        rmSync(staging, { recursive: true, force: true });
        failure = `the unpacked ${deb} does not run: ${(unpack.stderr || probe?.stderr || '').trim()}`;
        continue;
      }
      writeFileSync(join(staging, 'version'), `${candidate}\n`);
      // another suite run may have finished first: either copy is good, keep the one in place
      if (!findPebble()) {
        rmSync(PEBBLE_HOME, { recursive: true, force: true });
        try {
          renameSync(staging, PEBBLE_HOME);
        } catch {
          // lost a race to a concurrent install
        }
      }
      rmSync(staging, { recursive: true, force: true });
      const now = findPebble();
      if (now) {
        log(`Pebble ${now.version} unpacked into ${PEBBLE_HOME}`);
        return { ok: true, installed: true, version: now.version };
      }
      failure = `unpacking into ${PEBBLE_HOME} failed`;
    }
    return { ok: false, message: `FAILED to fetch Pebble >= ${PEBBLE_MIN_VERSION} from Debian (${failure}); ${manual}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
