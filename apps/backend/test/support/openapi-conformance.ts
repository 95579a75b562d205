import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

/**
 * Checks every answer a suite's routes give against the app's own OpenAPI document: the status is
 * documented for that operation, and the body matches its schema (or is empty where the document
 * declares no content). Ajv reads the document's OpenAPI 3.0 schemas (`nullable` included).
 * Answers of paths the document leaves out (probes, /docs, /mcp, unknown routes) are not checked.
 */
export function checkAnswersAgainstOpenApi(app: FastifyInstance) {
  const found = {
    violations: [] as string[],
    /** Call once the app is ready, with the document it serves. */
    use(document: { paths: Record<string, Record<string, Operation>> }) {
      operations = document.paths;
      ajv.addSchema(document, 'openapi');
    },
  };
  let operations: Record<string, Record<string, Operation>> | undefined;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const validators = new Map<string, ValidateFunction>();

  app.addHook('onSend', async (request, reply, payload) => {
    const path = request.routeOptions.url?.replace(/:(\w+)/g, '{$1}');
    const operation = path ? operations?.[path]?.[request.method.toLowerCase()] : undefined;
    if (!operation || request.is404) return payload;
    const where = `${request.method} ${path} → ${reply.statusCode}`;
    const documented = operation.responses[String(reply.statusCode)];
    if (!documented) {
      found.violations.push(`${where}: status not in the document`);
      return payload;
    }
    const schema = documented.content?.['application/json']?.schema;
    // Fastify writes no body with a 204, whatever the handler passed on.
    const body = typeof payload === 'string' && reply.statusCode !== 204 ? payload : '';
    if (!schema) {
      if (body !== '') found.violations.push(`${where}: body sent where the document has none`);
      return payload;
    }
    const key = `${path} ${request.method} ${reply.statusCode}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(rebase(schema));
      validators.set(key, validate);
    }
    if (!validate(JSON.parse(body))) {
      found.violations.push(
        `${where}: ${ajv.errorsText(validate.errors)} in ${body.slice(0, 200)}`,
      );
    }
    return payload;
  });
  return found;
}

/** The document's local `$ref`s, pointed at the document registered with Ajv as `openapi`. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi#/')) as object;
}
