import { z } from 'zod';
import { text } from './common';

export const NAME_MAX = 100;
export const PASSWORD_MIN = 8;

/**
 * zod's email rule, with the spaces around it a typing slip may add: a pattern, so that the
 * OpenAPI document states exactly what the server accepts (ASCII spaces only, which JSON Schema
 * engines of every language read alike). Emails are compared and stored trimmed and lower-cased.
 */
const SPACES = '[\\t\\n\\v\\f\\r ]*';
const EMAIL = new RegExp(`^${SPACES}${z.regexes.email.source.slice(1, -1)}${SPACES}$`);
const emailSchema = z
  .string()
  .regex(EMAIL, { error: 'must be a valid email address' })
  .trim()
  .toLowerCase();

export const registerRequestSchema = z
  .object({
    name: text({ min: 1, max: NAME_MAX, trim: true, message: `must be 1-${NAME_MAX} characters` }),
    email: emailSchema,
    password: text({ min: PASSWORD_MIN, message: `must be at least ${PASSWORD_MIN} characters` }),
  })
  .meta({ id: 'RegisterRequest' });

export const registerResponseSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    message: z.string(),
  })
  .meta({ id: 'RegisterResponse' });

export const loginRequestSchema = z
  .object({
    email: emailSchema,
    password: text({ min: 1, message: 'is required' }),
  })
  .meta({ id: 'LoginRequest' });

export const publicUserSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
  })
  .meta({ id: 'User' });

export const loginResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    user: publicUserSchema,
  })
  .meta({ id: 'LoginResponse' });

export type RegisterRequest = z.input<typeof registerRequestSchema>;
export type RegisterResponse = z.infer<typeof registerResponseSchema>;
export type LoginRequest = z.input<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;
export type PublicUser = z.infer<typeof publicUserSchema>;
