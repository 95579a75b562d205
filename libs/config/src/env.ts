import { z } from 'zod';

/**
 * Builders for environment variables. Every variable arrives as a string (or not at all), so each
 * builder parses from `string | undefined` and carries a rule message a person can act on.
 */

/** Variables whose values must never be shown: redaction and docs read this registry. */
export const secretRegistry = z.registry<{ secret: true }>();

export function secret<T extends z.ZodType>(schema: T): T {
  secretRegistry.add(schema, { secret: true });
  return schema;
}

export function isSecret(schema: z.ZodType): boolean {
  return secretRegistry.has(schema);
}

// `prefault` (not `default`) so a fallback goes through the same parsing as a real value.
function withFallback<T extends z.ZodType>(
  schema: T,
  fallback: string | undefined,
  optional = false,
) {
  if (fallback !== undefined) return schema.prefault(fallback as never);
  return optional ? schema.optional() : schema;
}

interface Common {
  /** Left unset, the value is `undefined` instead of an error. */
  optional?: boolean;
  description?: string;
}

/** Parses to a value every time (it has a default or is required). */
type Present<T> = z.ZodType<T, string | undefined>;
/** May stay unset: `undefined` after parsing. */
type Absent<T> = z.ZodType<T | undefined, string | undefined>;

export function str(opts: Common & { optional: true; min?: number }): Absent<string>;
export function str(opts?: Common & { default?: string; min?: number }): Present<string>;
export function str(opts: Common & { default?: string; min?: number } = {}): Absent<string> {
  let schema = z.string();
  if (opts.min) schema = schema.min(opts.min, `at least ${opts.min} characters`);
  const result = withFallback(schema, opts.default, opts.optional);
  return (opts.description ? result.describe(opts.description) : result) as Absent<string>;
}

export function int(opts: {
  default?: number;
  min?: number;
  max?: number;
  description?: string;
}): Present<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  const rule =
    opts.min !== undefined && opts.max !== undefined
      ? `must be a whole number from ${min} to ${max}`
      : opts.min !== undefined
        ? `must be a whole number of at least ${min}`
        : 'must be a whole number';
  const schema = z
    .string()
    .trim()
    .regex(/^-?\d+$/, rule)
    .transform(Number)
    .pipe(z.number().min(min, rule).max(max, rule));
  const result = withFallback(
    schema,
    opts.default === undefined ? undefined : String(opts.default),
  );
  return (opts.description ? result.describe(opts.description) : result) as Present<number>;
}

export function port(fallback: number, description?: string) {
  return int({ default: fallback, min: 1, max: 65535, description });
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export function bool(fallback: boolean, description?: string) {
  const schema = z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => TRUE.includes(v) || FALSE.includes(v), {
      message: `must be one of ${[...TRUE, ...FALSE].join(', ')}`,
    })
    .transform((v) => TRUE.includes(v));
  const result = schema.prefault(String(fallback) as never);
  return description ? result.describe(description) : result;
}

/** A comma-separated list: `a, b,,c` → `['a', 'b', 'c']`. */
export function list(fallback: string[] = [], description?: string) {
  const schema = z.string().transform((v) =>
    v
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
  const result = schema.prefault(fallback.join(',') as never);
  return description ? result.describe(description) : result;
}

function isOrigin(value: string): boolean {
  try {
    const parsed = new URL(value);
    return ['http:', 'https:'].includes(parsed.protocol) && parsed.origin === value;
  } catch {
    return false;
  }
}

/** A comma-separated list of web origins (`scheme://host[:port]`, no path), as CORS compares them. */
export function origins(fallback: string[] = [], description?: string) {
  const schema = z.string().transform((value, ctx) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (!items.every(isOrigin)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be comma-separated origins, scheme://host[:port] with no path (e.g. http://localhost:3000)',
      });
    }
    return items;
  });
  const result = schema.prefault(fallback.join(',') as never);
  return description ? result.describe(description) : result;
}

export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
  description?: string,
) {
  const result = z
    .enum(values, { error: `must be one of ${values.join(', ')}` })
    .prefault(fallback as never);
  return description ? result.describe(description) : result;
}

export function url(opts: Common & { optional: true; protocols?: string[] }): Absent<string>;
export function url(opts?: Common & { default?: string; protocols?: string[] }): Present<string>;
export function url(
  opts: Common & { default?: string; protocols?: string[] } = {},
): Absent<string> {
  const protocols = opts.protocols ?? ['http', 'https'];
  const rule = `must be a URL (${protocols.map((p) => `${p}://`).join(' or ')}...)`;
  const schema = z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: rule },
    );
  const result = withFallback(schema, opts.default, opts.optional);
  return (opts.description ? result.describe(opts.description) : result) as Absent<string>;
}
