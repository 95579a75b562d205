import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ValidationIssue } from '@todo/api-contract';
import { HttpError } from './errors';
import { isDatabaseUnavailable } from '../db/errors';

/** Fastify's validation contexts, named the way FastAPI names them in `loc`. */
const LOCATION: Record<string, string> = {
  body: 'body',
  params: 'path',
  querystring: 'query',
  headers: 'header',
};

interface ValidationEntry {
  keyword?: string;
  instancePath?: string;
  message?: string;
}

export function validationIssues(
  context: string | undefined,
  entries: ValidationEntry[],
): ValidationIssue[] {
  const location = LOCATION[context ?? 'body'] ?? context ?? 'body';
  return entries.map((entry) => {
    const path = (entry.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const missing =
      entry.keyword === 'invalid_type' && /received undefined$/.test(entry.message ?? '');
    const rule = missing ? 'field required' : (entry.message ?? 'is invalid');
    const field = path.length > 0 ? path.join('.') : location;
    return {
      loc: [location, ...path],
      msg: `${field}: ${rule}`,
      type: missing ? 'missing' : (entry.keyword ?? 'value_error'),
    };
  });
}

/**
 * Every error leaves as `{"detail": ...}`, like the original FastAPI service: validation → 422
 * with one entry per field, malformed JSON → 400, oversized body → 413 (unknown routes: unrouted.ts).
 * A database outage → 503 with Retry-After. Unexpected errors are logged and answered 500
 * without internals.
 */
export function installErrorHandling(
  app: FastifyInstance,
  unrouted: (request: FastifyRequest, reply: FastifyReply) => FastifyReply,
): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    // No route takes the request: its body (a QUERY without Content-Type, malformed JSON) does not
    // matter, the answer is the 404 or 405 it would get without one.
    if (request.is404) return unrouted(request, reply);
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ detail: error.message });
    }
    if (error.validation) {
      return reply.code(422).send({
        detail: validationIssues(error.validationContext, error.validation as ValidationEntry[]),
      });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send({ detail: 'Request body is not valid JSON' });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({ detail: 'Request body is larger than 1 MiB' });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({ detail: 'Unsupported media type: send application/json' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ detail: error.message });
    }
    if (isDatabaseUnavailable(error)) {
      // A passing outage, not a bug: ask the client to retry (/ready tells the kubelet already).
      request.log.error({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ detail: 'The database is not reachable right now. Please try again in a moment.' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ detail: 'Internal Server Error' });
  });
}
