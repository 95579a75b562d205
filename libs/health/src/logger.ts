/** The subset of pino's interface the library logs through: `(object, message)`. */
export interface HealthLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Used when no logger is given: a failed close hook or a missed deadline must never go unseen,
 * so these lines still reach stderr as JSON.
 */
export const consoleLogger: HealthLogger = {
  info: (obj, msg) => console.info(JSON.stringify({ level: 'info', msg, ...obj })),
  warn: (obj, msg) => console.warn(JSON.stringify({ level: 'warn', msg, ...obj })),
  error: (obj, msg) => console.error(JSON.stringify({ level: 'error', msg, ...serialise(obj) })),
};

function serialise(obj: object): object {
  const out: Record<string, unknown> = { ...obj };
  for (const [key, value] of Object.entries(out)) {
    if (value instanceof Error) out[key] = { message: value.message, stack: value.stack };
  }
  return out;
}
