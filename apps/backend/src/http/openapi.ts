import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';

type Json = Record<string, unknown>;
type Responses = Record<string, Json>;
interface Operation {
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses?: Responses;
}

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/**
 * Answers that no route declares because the framework gives them before or around every route
 * (src/http/error-handler.ts, unrouted.ts): the document lists them where they can happen.
 */
function frameworkAnswers(path: string, operation: Operation): Responses {
  const answers: Responses = {};
  if (operation.requestBody) {
    answers['400'] = { description: 'The body is not valid JSON', content: ERROR };
    answers['413'] = { description: 'The body is larger than 1 MiB', content: ERROR };
    answers['415'] = { description: 'The body is not application/json', content: ERROR };
  }
  if (operation.parameters?.some((parameter) => parameter.in === 'path')) {
    answers['414'] = { description: 'A path parameter is too long', content: ERROR };
  }
  if (path.startsWith('/api/')) {
    answers['503'] = { description: 'The database is not reachable; retry later', content: ERROR };
  }
  return answers;
}

/** Every `$ref` target reachable from `value`, followed through the components it names. */
function referencedSchemas(value: unknown, schemas: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedSchemas(item, schemas, found);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const name =
        key === '$ref' && typeof item === 'string'
          ? item.replace('#/components/schemas/', '')
          : undefined;
      if (name !== undefined && !found.has(name)) {
        found.add(name);
        referencedSchemas(schemas[name], schemas, found);
      } else referencedSchemas(item, schemas, found);
    }
  }
  return found;
}

/**
 * The document @fastify/swagger builds from the routes' zod schemas, made to tell the whole truth
 * (Redocly's recommended rules pass, src/app.spec.ts): where it is served, its
 * licence, the framework's own answers, 204s without content, and only the components in use
 * (the zod provider emits an input and an output variant of every schema).
 */
export function openApiDocument(input: Parameters<typeof jsonSchemaTransformObject>[0]): Json {
  const document = jsonSchemaTransformObject(input) as Json & {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Json };
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS.filter((name) => name in item)) {
      const operation = item[method];
      const responses = { ...frameworkAnswers(path, operation), ...operation.responses };
      if (responses['204']) responses['204'] = { description: responses['204']['description'] };
      operation.responses = responses;
    }
  }
  const used = referencedSchemas(document.paths, document.components.schemas);
  document.components.schemas = Object.fromEntries(
    Object.entries(document.components.schemas).filter(([name]) => used.has(name)),
  );
  return document;
}
