/**
 * An error that becomes `{"detail": message}` with `statusCode` (the original API's error shape);
 * `headers` go on the answer (WWW-Authenticate, Retry-After).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

export function unauthorized(detail = 'Could not validate credentials'): HttpError {
  return new HttpError(401, detail, BEARER_CHALLENGE);
}

export function notFound(detail = 'Not found'): HttpError {
  return new HttpError(404, detail);
}
