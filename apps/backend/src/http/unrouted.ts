import FindMyWay from 'find-my-way';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The methods the API's routes use; OPTIONS is CORS's, answered on every path. */
const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The answer to a request no route takes, as the original FastAPI service gave it: 405
 * `{"detail":"Method Not Allowed"}` with `Allow` when the path exists under other methods,
 * otherwise 404 `{"detail":"Not Found"}`. Call it on the root instance before any route is
 * declared (it records them as they are); register the handler it returns in the API's scope, so
 * that the API's hooks (security headers, no-store, request id) apply to these answers too.
 */
export function unroutedHandler(
  app: FastifyInstance,
): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  // The same router Fastify uses, holding paths only: it matches a URL as Fastify would.
  const paths = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const known = (ROUTE_METHODS as readonly string[]).includes(method);
      if (known && !paths.hasRoute(method as 'GET', route.url)) {
        paths.on(method as 'GET', route.url, () => undefined);
      }
    }
  });
  return (request, reply) => {
    const path = request.url.split('?', 1)[0];
    const allowed = ROUTE_METHODS.filter((method) => paths.find(method, path) !== null);
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ detail: 'Method Not Allowed' });
    }
    return reply.code(404).send({ detail: 'Not Found' });
  };
}

/**
 * Fastify's router refuses some URLs before any route or hook runs (a path parameter longer than
 * its maxParamLength, a malformed percent-encoding) and would answer with its own body, which
 * echoes the URL. `applyHeaders` gives these answers what the API's hooks give the others.
 */
export function frameworkErrorHandler(
  applyHeaders: (request: FastifyRequest, reply: FastifyReply) => void,
  maxParamLength: number,
) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    applyHeaders(request, reply);
    const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const statusCode = tooLong ? 414 : 400;
    // Fastify logs the request coming in but, for these, not its answer.
    request.log.info({ code: error.code, statusCode }, 'URL refused by the router');
    void reply.code(statusCode).send({
      detail: tooLong
        ? `URI Too Long: a path parameter may be at most ${maxParamLength} characters`
        : 'The URL is not valid: it holds a malformed percent-encoding',
    });
  };
}
