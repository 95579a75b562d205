import fastJson from 'fast-json-stringify';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type SerializerCompiler = Parameters<FastifyInstance['setSerializerCompiler']>[0];

/**
 * Responses are written by fast-json-stringify compiled from each route's zod response schema
 * (converted to JSON Schema once, at start-up). Like zod's own serializer it writes only the
 * declared fields — a stray `password_hash` never leaves — but without re-validating every
 * object of every response, which dominated the cost of listing tasks. Schemas that JSON Schema
 * cannot express fall back to the zod serializer.
 */
export const serializerCompiler: SerializerCompiler = (route) => {
  // Compiled on a route's first answer rather than at start-up: most routes of a given process
  // never answer every status, and building all of them up front costs start time and memory.
  let write: ((data: unknown) => string) | undefined;
  return (data: unknown) => {
    write ??= compile(route);
    return write(data);
  };
};

function compile(route: Parameters<SerializerCompiler>[0]): (data: unknown) => string {
  const schema = route.schema;
  if (schema instanceof z.ZodType) {
    try {
      const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' });
      return fastJson(jsonSchema as Parameters<typeof fastJson>[0]);
    } catch {
      // transforms, custom types: let zod encode them
    }
  }
  return (zodSerializerCompiler as SerializerCompiler)(route) as (data: unknown) => string;
}
