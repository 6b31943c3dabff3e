// Telling someone how an order, renewal or revocation ended: which outcomes notify (pure),
// the notify-command (/bin/sh -c, bounded) and a mail through the host's sendmail (bounded).
// A notification that fails is a warning: it never changes the task's outcome.

import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import type { NotifyEvent } from '../config/node.ts';

export const NOTIFY_TIMEOUT_MS = 60_000;
const FAILURES: readonly NotifyEvent[] = ['order-failed', 'renew-failed', 'revoke-failed', 'reload-failed'];

export function isFailureEvent(event: NotifyEvent): boolean {
  return FAILURES.includes(event);
}

/**
 * Whether `event` notifies under notify-on `words`: an event named, `all`, or `failures`
 * (every failure, and the first success after one: `afterFailure`).
 */
export function shouldNotify(event: NotifyEvent, words: readonly string[], afterFailure: boolean): boolean {
  if (words.includes('all') || words.includes(event)) return true;
  if (!words.includes('failures')) return false;
  return isFailureEvent(event) || afterFailure;
}

export interface NotifyFacts {
  event: NotifyEvent;
  node: string;
  domains: readonly string[];
  /** The installed certificate's notAfter (after the outcome), when there is one. */
  notAfter: Date | undefined;
  /** One line, for failures. */
  error: string | undefined;
}

/** The environment the notify-command gets on top of certnode's own. */
export function notifyEnvironment(facts: NotifyFacts): Record<string, string> {
  return {
    CERTNODE_EVENT: facts.event,
    CERTNODE_NODE: facts.node,
    CERTNODE_DOMAINS: facts.domains.join(' '),
    CERTNODE_NOT_AFTER: facts.notAfter ? isoSeconds(facts.notAfter) : '',
    CERTNODE_ERROR: facts.error ?? '',
  };
}

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
/** No CR/LF (or other controls) can reach a mail header from a configured value. */
const headerSafe = (text: string): string => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');

const SUBJECTS: Record<NotifyEvent, string> = {
  ordered: 'certificate ordered',
  renewed: 'certificate renewed',
  revoked: 'certificate revoked',
  'order-failed': 'certificate order FAILED',
  'renew-failed': 'certificate renewal FAILED',
  'revoke-failed': 'certificate revocation FAILED',
  'reload-failed': 'certificate installed, reload command FAILED',
};

/** The mail (RFC 5322, plain UTF-8 text): the facts, then the task log's tail. */
export function mailMessage(facts: NotifyFacts, to: readonly string[], logTail: readonly string[], now: Date): string {
  const names = facts.domains.length > 0 ? facts.domains.join(', ') : '(no names configured)';
  const headers = [
    `To: ${to.join(', ')}`,
    `Subject: ${headerSafe(`certnode on ${facts.node}: ${SUBJECTS[facts.event]} (${names})`)}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    'Auto-Submitted: auto-generated',
  ];
  const body = [
    `Event:     ${facts.event}`,
    `Node:      ${facts.node}`,
    `Domains:   ${names}`,
    `Not after: ${facts.notAfter ? isoSeconds(facts.notAfter) : '-'}`,
    ...(facts.error ? [`Error:     ${facts.error}`] : []),
    '',
    'Task log (last lines):',
    ...logTail.map((line) => `  ${line}`),
  ];
  // a line of a single "." ends the message for some sendmails: -i is passed, but be safe anyway
  return `${headers.join('\n')}\n\n${body.map((l) => (l === '.' ? '..' : l)).join('\n')}\n`;
}

/** The host's sendmail: on PATH, else the usual places (PBS uses /usr/sbin/sendmail). */
export function findSendmail(envPath: string | undefined): string | undefined {
  const dirs = [...(envPath ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/lib', '/sbin'];
  for (const dir of dirs) {
    const file = path.join(dir, 'sendmail');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
