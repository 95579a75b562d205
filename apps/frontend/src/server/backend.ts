import { frontendConfig } from './config';

export const BACKEND_UNREACHABLE =
  'The task service is not reachable right now. Please try again in a moment.';
export const BACKEND_TIMEOUT = 'The task service took too long to answer. Please try again.';

export interface BackendCall {
  method: string;
  /** Path on the backend, e.g. `/api/<user>/tasks`. */
  path: string;
  token?: string;
  body?: unknown;
  /** Defaults to BACKEND_URL from the environment. */
  baseUrl?: string;
  /** Defaults to BACKEND_TIMEOUT_MS from the environment. */
  timeoutMs?: number;
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * Sends one request to the backend and hands its answer back unchanged (status, JSON body).
 * When the backend cannot be reached the visitor gets a friendly `{detail}` with 502 (504 on a
 * timeout) instead of an exception.
 */
export async function callBackend(call: BackendCall): Promise<Response> {
  const baseUrl = call.baseUrl ?? frontendConfig().BACKEND_URL;
  const timeoutMs = call.timeoutMs ?? frontendConfig().BACKEND_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';

  let upstream: Response;
  try {
    upstream = await fetch(joinUrl(baseUrl, call.path), {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(timeoutMs),
      cache: 'no-store',
      redirect: 'manual',
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    console.error(
      JSON.stringify({
        level: 'error',
        msg: timedOut ? 'backend timed out' : 'backend unreachable',
        method: call.method,
        path: call.path,
        error:
          error instanceof Error
            ? ((error.cause as Error | undefined)?.message ?? error.message)
            : String(error),
      }),
    );
    return json(timedOut ? 504 : 502, { detail: timedOut ? BACKEND_TIMEOUT : BACKEND_UNREACHABLE });
  }

  if (upstream.status === 204 || upstream.status === 304) {
    return new Response(null, { status: upstream.status });
  }
  const text = await upstream.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // A proxy in between (or a crash page) answered with something that is not the API.
    return json(502, { detail: BACKEND_UNREACHABLE });
  }
  return json(upstream.status, body);
}

/** Whether the backend answers its liveness endpoint; throws a readable error when it does not. */
export async function checkBackendReachable(
  signal: AbortSignal,
  baseUrl = frontendConfig().BACKEND_URL,
): Promise<void> {
  const url = joinUrl(baseUrl, '/health');
  let response: Response;
  try {
    response = await fetch(url, { signal, cache: 'no-store' });
  } catch (error) {
    const reason =
      error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error);
    throw new Error(`backend at ${url} unreachable: ${reason}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`backend at ${url} answered ${response.status}`);
}
