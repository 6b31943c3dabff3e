// Which PID space this process runs in: the same kernel boot (/proc/sys/kernel/random/boot_id)
// and the same PID namespace (/proc/self/ns/pid). Only a process in the same PID space can be
// asked whether a PID still runs; a host name says nothing about that (`unshare -u` nodes share
// one, two machines may have the same name). Used by lock owners (lock.ts) and temp-file names
// (store.ts); kept apart from lock.ts so that writing a file does not load the lock library.

import * as fs from 'node:fs';
import { sha256Hex } from '../digest.ts';

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat` field 22 (start time), or undefined when there is no such process. */
export function processStart(pid: number | 'self'): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // the command name (field 2) is in parentheses and may hold anything: count after the last ')'
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

let self: { space?: string; start?: string } | undefined;

/** This process's PID space and start time (undefined parts where /proc does not tell). */
export function selfIdentity(): { space?: string; start?: string } {
  if (self === undefined) {
    const boot = readProc('/proc/sys/kernel/random/boot_id');
    let pidns: string | undefined;
    try {
      pidns = /^pid:\[(\d+)\]$/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1];
    } catch {
      pidns = undefined;
    }
    const start = processStart('self');
    self = {
      ...(boot && /^[0-9a-f-]+$/.test(boot) && pidns ? { space: `${boot}/${pidns}` } : {}),
      ...(start !== undefined ? { start } : {}),
    };
  }
  return self;
}

/** A short tag of this process's PID space (8 hex digits), for names; undefined when /proc does not tell. */
export function pidSpaceTag(): string | undefined {
  const space = selfIdentity().space;
  return space === undefined ? undefined : sha256Hex(space).slice(0, 8);
}

