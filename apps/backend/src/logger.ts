import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Log paths that could carry a credential. Request logs never include headers or bodies (Fastify's
 * default serializers), so these are a second line of defence for anything logged by hand. The
 * configuration is logged through `redactConfig`, which keeps whether a secret is set visible.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'password_hash',
  'access_token',
  'token',
  'secret',
  '*.password',
  '*.password_hash',
  '*.access_token',
  '*.token',
];

/** JSON lines on stdout (or `destination`), one object per event. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'backend' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
