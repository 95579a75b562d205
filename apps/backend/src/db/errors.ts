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
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) {
      return true;
    }
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(cause.message)) {
      return true;
    }
  }
  return false;
}
