// The exit statuses certnode uses: one table, read by cli.ts (which maps errors to them), by the man
// page generator and, through a test, kept identical to the README's table.

export const EXIT_OK = 0;
/** Any error, as pvenode: bad arguments or configuration, a failed task, a declined prompt. */
export const EXIT_FAILURE = 255;
/** 128 + the signal's number: SIGINT (Ctrl-C, also in a prompt) is 130. */
export const EXIT_SIGNAL_BASE = 128;
export const EXIT_INTERRUPTED = EXIT_SIGNAL_BASE + 2;
/** The certificate was installed (order, renew, revoke) but the reload command failed: not a failed install. */
export const EXIT_RELOAD_FAILED = 3;

export const EXIT_STATUS_TABLE: readonly { status: string; meaning: string }[] = [
  { status: '0', meaning: 'Success, also when there was nothing to do (a renewal not due, a setting already as asked: `unchanged`).' },
  {
    status: '3',
    meaning: 'The new certificate was installed (order, renew, revoke), but the reload command failed afterwards: "certificate installed; reload command failed: ...". The reload-failed event is notified.',
  },
  {
    status: '255',
    meaning: 'Any error: bad arguments, bad configuration, a failed task, declined terms of service, no valid menu answer (as pvenode).',
  },
  { status: '128+N', meaning: 'Ended by signal N: 130 for Ctrl-C (SIGINT, also in a prompt), 143 for SIGTERM, 129 for SIGHUP (a closed terminal). An order first kills a running DNS script, removes its records and closes its listener.' },
];
