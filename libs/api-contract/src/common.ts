import { z } from 'zod';

/**
 * PostgreSQL text columns cannot hold U+0000, so text the API stores refuses it at validation
 * (a 422 naming the field) instead of failing in the database with a 500.
 */
export const hasNoNul = (value: string): boolean => !value.includes('\u0000');
export const NO_NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';

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
 * `user_id` is accepted as any string so that a path naming someone else (or nothing valid)
 * answers 404 "Not found" after authentication, as the original did, instead of a 422 that
 * would tell a caller which ids are well-formed.
 */
export const userPathSchema = z.object({
  user_id: z.string().min(1).describe('The id of the signed-in user (the token `sub`)'),
});

export type ValidationIssue = z.infer<typeof validationIssueSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type MessageResponse = z.infer<typeof messageResponseSchema>;
export type RootResponse = z.infer<typeof rootResponseSchema>;
