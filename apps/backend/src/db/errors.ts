// Errors that mean "the database cannot be reached right now" (PostgreSQL starting or restarting,
// DNS or the pod not ready, a dropped connection) as opposed to a broken query, a bad password or
// a failed migration. Drizzle wraps driver errors, so the whole `cause` chain is inspected.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: socket errors come from Node's own realm, which is
  // not the realm of the code that wraps them under a VM sandbox such as Jest's.
  // Bounded: a cause chain can loop.
  for (
    let cause = error, depth = 0;
    isErrorLike(cause) && depth < 10;
    cause = cause.cause, depth++
  ) {
    const { code, message } = cause;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) {
      return true;
    }
    if (
      typeof message === 'string' &&
      /timeout exceeded when trying to connect|Connection terminated/i.test(message)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The innermost message of an outage ("connect ECONNREFUSED 127.0.0.1:5432"): what a retry log
 * line needs, where the stack of a known condition would only repeat itself.
 */
export function unavailableReason(error: unknown): string {
  let reason = String(error);
  for (
    let cause = error, depth = 0;
    isErrorLike(cause) && depth < 10;
    cause = cause.cause, depth++
  ) {
    // A connect to a name with several addresses fails as an AggregateError with no message.
    const first = (cause as { errors?: unknown[] }).errors?.[0];
    const message =
      (typeof cause.message === 'string' && cause.message) ||
      (isErrorLike(first) && typeof first.message === 'string' && first.message) ||
      (typeof cause.code === 'string' && cause.code);
    if (message) reason = message;
  }
  return reason;
}

function isErrorLike(
  value: unknown,
): value is { code?: unknown; message?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null;
}
