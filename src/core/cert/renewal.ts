// When a certificate is due for renewal (pure; the caller passes `now`).

const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates shorter-lived than this renew at half their lifetime instead of two thirds. */
export const SHORT_LIFETIME_MS = 10 * DAY_MS;

export interface RenewalDecision {
  due: boolean;
  /** The instant from which the certificate is due. */
  dueAt: Date;
}

/**
 * Due when less than a third of the lifetime is left, or less than half for lifetimes under
 * 10 days (PBS >= 4.1.10 without its 3-day floor). A certificate whose dates make no sense
 * (notAfter not after notBefore) is due at once.
 */
export function renewalDecision(notBefore: Date, notAfter: Date, now: Date): RenewalDecision {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  if (!(lifetime > 0)) return { due: true, dueAt: new Date(now.getTime()) };
  const lead = lifetime < SHORT_LIFETIME_MS ? lifetime / 2 : lifetime / 3;
  const dueAt = new Date(notAfter.getTime() - Math.floor(lead));
  return { due: now.getTime() >= dueAt.getTime(), dueAt };
}

/** The CA's suggested renewal window (RFC 9773) and the instant picked in it, epoch seconds. */
export interface AriWindow {
  start: number;
  end: number;
  renewAt: number;
}

export interface CombinedDecision extends RenewalDecision {
  /** What made it due (or will): the lifetime rule or the CA's renewal window. */
  reason: 'lifetime' | 'ari';
}

/**
 * The CA's renewal window decides when it has one (RFC 9773 §4.2: renew at the instant picked in
 * it; a window that has ended is due at once), earlier or later than the lifetime rule. Later only
 * within a bound: never after half of the time the lifetime rule leaves (a 90-day certificate
 * 15 days, a 6-day one 36 hours before it expires), so a CA's window cannot make a certificate
 * expire. Without a window, the lifetime rule.
 */
export function combineWithAri(lifetime: RenewalDecision, ari: AriWindow | undefined, now: Date, notAfter: Date): CombinedDecision {
  if (!ari) return { ...lifetime, reason: 'lifetime' };
  const latest = lifetime.dueAt.getTime() + Math.floor(Math.max(0, notAfter.getTime() - lifetime.dueAt.getTime()) / 2);
  const ariAt = Math.min(ari.renewAt, ari.end) * 1000;
  if (ariAt > latest) return { due: now.getTime() >= latest, dueAt: new Date(latest), reason: 'lifetime' };
  return { due: now.getTime() >= ariAt, dueAt: new Date(ariAt), reason: 'ari' };
}
