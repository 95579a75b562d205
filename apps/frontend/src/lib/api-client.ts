import { parseErrorBody, type FieldErrors } from './errors';

/** An error answer from the frontend's /api routes, ready to show to a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const GENERIC = 'Something went wrong. Please try again.';
const OFFLINE = 'Cannot reach the server. Check your connection and try again.';

/**
 * Calls one of the frontend's own /api routes (same origin, so the session cookie rides along)
 * and returns the JSON answer, or throws an ApiError with the message and field errors.
 */
export async function apiRequest<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, OFFLINE);
  }
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!response.ok) {
    const { message, fields } = parseErrorBody(body, GENERIC);
    throw new ApiError(response.status, message, fields);
  }
  return body as T;
}

/** Sends the visitor to the login page and back here afterwards (their session ended). */
export function redirectToLogin(): void {
  const next = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/login?${new URLSearchParams({ next })}`);
}
