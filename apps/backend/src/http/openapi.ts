import { existsSync } from 'node:fs';
import { join } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { APP_VERSION } from '../version';

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
function openApiDocument(input: Parameters<typeof jsonSchemaTransformObject>[0]): Json {
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

/**
 * In the esbuild bundle swagger-ui's own `static/` folder is not beside its code any more; the
 * build copies it next to main.js. From source the package finds its files itself.
 */
function bundledSwaggerAssets(): string | undefined {
  const folder = join(__dirname, 'static');
  return existsSync(join(folder, 'swagger-ui-bundle.js')) ? folder : undefined;
}

/**
 * `/openapi.json` and its page `/docs`, built from the routes registered after it in the same
 * scope (not encapsulated, so that @fastify/swagger sees them).
 */
export const openApiRoutes = fp(
  async (api) => {
    await api.register(swagger, {
      openapi: {
        info: {
          title: 'Todo API',
          description: 'Tasks, authentication and the AI task assistant',
          version: APP_VERSION,
          license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
        },
        // Relative: the API answers on whatever host and port serve this document.
        servers: [{ url: '/', description: 'The server that serves this document' }],
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: openApiDocument,
    });
    await api.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      baseDir: bundledSwaggerAssets(),
    });
    api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
  },
  { name: 'openapi', fastify: '5.x' },
);
