// A real GlusterFS volume, mounted twice through FUSE: the distributed filesystem a cluster of
// certnode nodes shares its tree on. Throws — never skips — when a part is missing (Debian
// `glusterfs-server` + `glusterfs-client`, `iproute2`; scripts/run-tests.mjs installs them as root).
//
// The whole Gluster side runs in a network namespace of its own (`unshare -n`, loopback up):
// glusterd binds 127.0.0.1 there, its fixed port 24007 (the brick process always asks glusterd on
// that port; Gluster 10 has no option to tell it another) and the brick's port cannot clash with
// anything on the machine or with another test run's Gluster. The FUSE client daemons are started
// in that namespace too (`nsenter -n`), while the mounts themselves land in the machine's mount
// namespace, where the certnode processes under test use them like any other directory.
//
// Gluster's CLI refuses a bare IP and `localhost` as a brick host: the volume is created on a
// host name that resolves to 127.0.0.1 (this machine's name, or another /etc/hosts entry).
//
// stop() removes everything (mounts, volume, daemons, directories, the brick's log and socket
// outside the test directory), also after a failed start; every wait is bounded.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Gluster {
  /** The host name the brick and the mounts use (resolves to 127.0.0.1). */
  host: string;
  volume: string;
  /** The same volume, mounted at two mount points (one FUSE client each). */
  mounts: [string, string];
  /** glusterd's and the clients' logs (tails), for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * What a volume holding a certnode tree needs (README): with Gluster's defaults, its client caches
 * (open-behind's deferred opens, md-cache) hand one mount a file's old content for a while after
 * another mount replaced it (or ESTALE), and an update made from that view would be lost.
 */
export const GLUSTER_VOLUME_OPTIONS: Readonly<Record<string, string>> = { 'performance.open-behind': 'off', 'performance.stat-prefetch': 'off' };

const VOLUME = 'v0';
const COMMAND_MS = 60_000;
const START_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(command: string, args: readonly string[], timeout = COMMAND_MS): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    throw new Error(`${what} failed (${why}): ${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`);
  }
  return r.stdout;
}

function have(command: string): boolean {
  return run('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** A host name for 127.0.0.1 that Gluster accepts (not an IP, not `localhost`). */
async function loopbackName(): Promise<string> {
  const candidates = [hostname()];
  for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (addr === '127.0.0.1') candidates.push(...names);
  }
  for (const name of candidates) {
    if (!name || name === 'localhost' || name.startsWith('localhost.')) continue;
    try {
      if ((await lookup(name, { family: 4 })).address === '127.0.0.1') return name;
    } catch {
      // not resolvable: next one
    }
  }
  throw new Error('no host name resolves to 127.0.0.1 (Gluster refuses a bare IP and localhost as a brick host): add one to /etc/hosts, e.g. "127.0.0.1 certnode-gluster"');
}

/** Processes in the network namespace `netns` (e.g. "net:[4026532281]"), but never this one. */
function processesIn(netns: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${name}/ns/net`) === netns) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    // a zombie (exited, not reaped yet) counts as gone
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(none)';
  }
}

export interface GlusterOptions {
  /** Extra FUSE mount options (`-o`), e.g. 'entry-timeout=0'. */
  mountOptions?: string;
  /** Volume options set before the volume starts (`gluster volume set v0 KEY VALUE`). */
  volumeOptions?: Record<string, string>;
}

/** Kill every process in `netns` (never ours), bounded; the pids still alive afterwards. */
async function endProcesses(netns: string): Promise<number[]> {
  if (netns === readlinkSync('/proc/self/ns/net')) throw new Error(`refusing to end the processes of this test's own network namespace (${netns})`);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    for (const pid of processesIn(netns)) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone
      }
    }
    for (let i = 0; i < 50 && processesIn(netns).some(alive); i++) await sleep(100);
  }
  return processesIn(netns).filter(alive);
}

/** The brick's log and socket, outside the test directory (named after the brick path), from its command line. */
function brickFiles(netns: string): string[] {
  for (const pid of processesIn(netns)) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (args.includes('--brick-name')) return ['-S', '-l'].map((flag) => args[args.indexOf(flag) + 1] ?? '').filter(Boolean);
  }
  return [];
}

/**
 * Remove what an earlier test process left when it died without its teardown (killed, or aborted):
 * its directory names the process that started it; when that one is gone, unmount, end the
 * Gluster processes (found through glusterd's network namespace) and remove it all.
 */
async function reapOrphans(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('certnode-gluster-')) continue;
    const dir = join(tmpdir(), name);
    const owner = Number(tail(join(dir, 'test.pid'), 1));
    if (!(owner > 0) || alive(owner)) continue;
    for (const m of ['mnt-a', 'mnt-b']) {
      if (run('mountpoint', ['-q', join(dir, m)], 10_000).status === 0 && run('umount', [join(dir, m)], 30_000).status !== 0) run('umount', ['-l', join(dir, m)], 30_000);
    }
    const glusterd = Number(tail(join(dir, 'glusterd.pid'), 1));
    if (glusterd > 0 && alive(glusterd)) {
      const netns = readlinkSync(`/proc/${glusterd}/ns/net`);
      const extras = brickFiles(netns);
      await endProcesses(netns);
      for (const f of extras) rmSync(f, { force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startGluster(opts: GlusterOptions = {}): Promise<Gluster> {
  for (const [command, pkg] of [
    ['glusterd', 'glusterfs-server'],
    ['gluster', 'glusterfs-server'],
    ['mount.glusterfs', 'glusterfs-client'],
    ['ip', 'iproute2'],
    ['unshare', 'util-linux'],
    ['nsenter', 'util-linux'],
  ] as const) {
    if (!have(command)) throw new Error(`'${command}' not found: install the Debian package '${pkg}' (npm test does this when run as root)`);
  }
  if (!existsSync('/dev/fuse')) throw new Error('/dev/fuse is missing: GlusterFS mounts need FUSE (modprobe fuse)');
  const host = await loopbackName();
  await reapOrphans();
  const dir = mkdtempSync(join(tmpdir(), 'certnode-gluster-'));
  writeFileSync(join(dir, 'test.pid'), `${process.pid}\n`);
  const d = {
    work: join(dir, 'glusterd'),
    run: join(dir, 'run'),
    log: join(dir, 'log'),
    brick: join(dir, 'brick'),
    mounts: [join(dir, 'mnt-a'), join(dir, 'mnt-b')] as [string, string],
  };
  for (const p of [d.work, d.run, d.log, d.brick, ...d.mounts]) mkdirSync(p, { recursive: true });
  const socket = join(dir, 'glusterd.socket');
  const pidFile = join(dir, 'glusterd.pid');
  const volfile = join(dir, 'glusterd.vol');
  writeFileSync(
    volfile,
    [
      'volume management',
      '    type mgmt/glusterd',
      `    option working-directory ${d.work}`,
      `    option run-directory ${d.run}`,
      `    option glusterd-sockfile ${socket}`,
      '    option transport-type socket',
      '    option transport.socket.bind-address 127.0.0.1',
      '    option ping-timeout 0',
      '    option event-threads 1',
      'end-volume',
      '',
    ].join('\n'),
  );
  const cli = (args: string[], timeout = COMMAND_MS): SpawnSyncReturns<string> =>
    run('gluster', ['--mode=script', `--glusterd-sock=${socket}`, `--log-file=${join(d.log, 'cli.log')}`, ...args], timeout);

  let glusterdPid: number | undefined;
  let netns: string | undefined;
  const mounted: string[] = [];
  let brickExtras: string[] = [];

  const logs = (): string =>
    [`--- glusterd log (tail) ---\n${tail(join(d.log, 'glusterd.log'))}`, ...d.mounts.map((_, i) => `--- mount ${i} log (tail) ---\n${tail(join(d.log, `mount-${i}.log`))}`)].join('\n');

  const stop = async (): Promise<void> => {
    const problems: string[] = [];
    for (const m of mounted.splice(0)) {
      if (run('umount', [m], 30_000).status !== 0 && run('umount', ['-l', m], 30_000).status !== 0) problems.push(`umount ${m}`);
    }
    if (glusterdPid !== undefined && alive(glusterdPid)) {
      // the volume first (stops the brick), then glusterd
      cli(['volume', 'stop', VOLUME, 'force']);
      cli(['volume', 'delete', VOLUME]);
    }
    if (netns !== undefined) {
      // glusterd, the brick and any client left: everything in the namespace is ours
      const left = await endProcesses(netns);
      if (left.length) problems.push(`processes left in ${netns}: ${left.join(' ')}`);
    }
    for (const f of brickExtras) rmSync(f, { force: true });
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      problems.push(`remove ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (problems.length) throw new Error(`GlusterFS teardown incomplete: ${problems.join('; ')}`);
  };

  try {
    // glusterd daemonizes: the unshare'd shell returns once it runs in the background
    ok(run('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', 'glusterd', '-f', volfile, '-p', pidFile, '-l', join(d.log, 'glusterd.log'), '-L', 'WARNING'], START_MS), 'starting glusterd');
    const deadline = Date.now() + START_MS;
    for (;;) {
      if (glusterdPid === undefined && existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        if (pid > 0) {
          glusterdPid = pid;
          const ns = readlinkSync(`/proc/${pid}/ns/net`);
          // never our own namespace: stop() ends every process in it
          if (ns === readlinkSync('/proc/self/ns/net')) throw new Error(`glusterd (pid ${pid}) is not in a network namespace of its own`);
          netns = ns;
        }
      }
      if (glusterdPid !== undefined && cli(['volume', 'list'], 10_000).status === 0) break;
      if (Date.now() > deadline) throw new Error(`glusterd did not answer within ${START_MS / 1000} s`);
      await sleep(200);
    }
    ok(cli(['volume', 'create', VOLUME, `${host}:${d.brick}`, 'force']), 'gluster volume create');
    for (const [key, value] of Object.entries(opts.volumeOptions ?? {})) ok(cli(['volume', 'set', VOLUME, key, value]), `gluster volume set ${VOLUME} ${key} ${value}`);
    ok(cli(['volume', 'start', VOLUME]), 'gluster volume start');
    // the brick's log and socket live outside our directory (named after the brick path)
    brickExtras = brickFiles(netns!);
    for (const [i, m] of d.mounts.entries()) {
      ok(run('nsenter', ['-t', String(glusterdPid), '-n', 'mount', '-t', 'glusterfs', '-o', `log-file=${join(d.log, `mount-${i}.log`)},log-level=WARNING${opts.mountOptions ? `,${opts.mountOptions}` : ''}`, `${host}:/${VOLUME}`, m]), `mount -t glusterfs ${host}:/${VOLUME} ${m}`);
      mounted.push(m);
    }
    // one volume seen through both: what one mount writes, the other reads
    writeFileSync(join(d.mounts[0], '.probe'), 'gluster\n');
    const seen = readFileSync(join(d.mounts[1], '.probe'), 'utf8');
    rmSync(join(d.mounts[1], '.probe'));
    if (seen !== 'gluster\n') throw new Error(`the two mounts do not share the volume (read ${JSON.stringify(seen)})`);
  } catch (err) {
    const message = `${err instanceof Error ? err.message : String(err)}\n${logs()}`;
    try {
      await stop();
    } catch (teardown) {
      throw new Error(`${message}\n${teardown instanceof Error ? teardown.message : String(teardown)}`);
    }
    throw new Error(message);
  }
  return { host, volume: VOLUME, mounts: d.mounts, logs, stop };
}
