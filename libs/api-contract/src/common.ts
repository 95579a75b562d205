import { z } from 'zod';

export const NO_NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';

/** What String#trim removes: ECMAScript's WhiteSpace and LineTerminator code points. */
const TRIMMED =
  '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

export interface TextRules {
  /** Fewest characters. */
  min?: number;
  /** Most characters. */
  max?: number;
  /** Said when a length rule fails: "must be 1-200 characters". */
  message: string;
  /** Stored trimmed; with `min`, blank text is refused too. */
  trim?: boolean;
  /** Said when the value is not a string. */
  typeError?: string;
}

/**
 * A text field whose rules the OpenAPI document states exactly, so a client that obeys the
 * document is never refused and one that breaks it always is:
 * - lengths count characters (code points), as JSON Schema's minLength/maxLength and
 *   PostgreSQL's varchar do (String#length counts UTF-16 units: "😀" would count twice), and
 *   are checked on the text as sent;
 * - U+0000 is refused (a 422 naming the field), as PostgreSQL text cannot hold it;
 * - with `trim` and `min`, blank text is refused, by a pattern naming exactly the characters
 *   trimmed.
 */
export function text({ min, max, message, trim = false, typeError }: TextRules) {
  const refusesBlank = trim && min !== undefined;
  const pattern = refusesBlank ? `^[^\\u0000]*[^\\u0000${TRIMMED}][^\\u0000]*$` : '^[^\\u0000]*$';
  return z
    .string(typeError === undefined ? undefined : { error: typeError })
    .check((ctx) => {
      const { value } = ctx;
      const length = [...value].length;
      if (min !== undefined && (length < min || (refusesBlank && value.trim() === ''))) {
        ctx.issues.push({
          code: 'too_small',
          origin: 'string',
          minimum: min,
          input: value,
          message,
        });
      } else if (max !== undefined && length > max) {
        ctx.issues.push({ code: 'too_big', origin: 'string', maximum: max, input: value, message });
      }
      if (value.includes('\u0000')) {
        ctx.issues.push({ code: 'custom', input: value, message: NO_NUL_MESSAGE });
      }
    })
    .overwrite((value) => (trim ? value.trim() : value))
    .meta({
      ...(min !== undefined && { minLength: min }),
      ...(max !== undefined && { maxLength: max }),
      pattern,
    });
}

/** One failed rule, in FastAPI's shape so clients of the original backend keep working. */
export const validationIssueSchema = z
  .object({
    loc: z
      .array(z.union([z.string(), z.number()]))
      .describe('Where: `body`, `path` or `query`, then the field'),
    msg: z.string(),
    type: z.string(),
  })
  .meta({ id: 'ValidationIssue' });

/** Every error answer: `{"detail": "..."}`, or a list of issues for a 422. */
export const errorResponseSchema = z
  .object({
    detail: z.union([z.string(), z.array(validationIssueSchema)]),
  })
  .meta({ id: 'ErrorResponse' });

export const messageResponseSchema = z.object({ message: z.string() });

export const rootResponseSchema = z.object({
  message: z.string(),
  version: z.string(),
  docs: z.string(),
});

/**
 * The longest path parameter the backend's router takes, in what it counts: UTF-16 code units
 * (so at most half as many characters outside the Basic Multilingual Plane). Longer ones are
 * answered 414 before any route runs.
 */
export const MAX_PATH_PARAMETER_UNITS = 100;

/**
 * `user_id` is accepted as any string so that a path naming someone else (or nothing valid)
 * answers 404 "Not found" after authentication, as the original did, instead of a 422 that
 * would tell a caller which ids are well-formed. The document's maxLength (JSON Schema counts
 * characters) is the length every id is routed at, whatever its characters.
 */
export const userPathSchema = z.object({
  user_id: z
    .string()
    .min(1)
    .describe('The id of the signed-in user (the token `sub`)')
    .meta({ maxLength: MAX_PATH_PARAMETER_UNITS / 2 }),
});

export type ValidationIssue = z.infer<typeof validationIssueSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type MessageResponse = z.infer<typeof messageResponseSchema>;
export type RootResponse = z.infer<typeof rootResponseSchema>;
