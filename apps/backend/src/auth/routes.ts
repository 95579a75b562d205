import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  errorResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  registerRequestSchema,
  registerResponseSchema,
} from '@todo/api-contract';
import { BEARER_CHALLENGE, HttpError } from '../http/errors';
import { routeRateLimit, type RateLimitRule } from '../http/hardening';
import type { LoginLockout } from './lockout';
import { hashForUnknownUser, hashPassword, verifyPassword } from './password';
import type { TokenService } from './tokens';
import type { UserService } from './users';

export interface AuthRoutesOptions {
  users: UserService;
  tokens: TokenService;
  lockout: LoginLockout;
  /** Per client IP: a password hash per login, an account per registration. */
  rateLimits: Record<'login' | 'register', RateLimitRule>;
}

const BAD_CREDENTIALS = 'Incorrect email or password';

/** POST /api/auth/register and /api/auth/login. */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (
  app,
  { users, tokens, lockout, rateLimits },
) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/api/auth/register',
    {
      config: { rateLimit: routeRateLimit(rateLimits.register, 'registrations') },
      schema: {
        tags: ['auth'],
        operationId: 'register',
        summary: 'Create an account',
        security: [],
        body: registerRequestSchema,
        response: {
          201: registerResponseSchema,
          409: errorResponseSchema,
          422: errorResponseSchema,
          429: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { name, email, password } = request.body;
      const user = await users.create({ name, email, passwordHash: await hashPassword(password) });
      if (!user) throw new HttpError(409, 'Email already registered');
      request.log.info({ userId: user.id }, 'user registered');
      return reply.code(201).send({ ...user, message: 'User registered successfully' });
    },
  );

  routes.post(
    '/api/auth/login',
    {
      config: { rateLimit: routeRateLimit(rateLimits.login, 'login attempts') },
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Exchange email and password for an access token',
        security: [],
        body: loginRequestSchema,
        response: {
          200: loginResponseSchema,
          401: errorResponseSchema,
          422: errorResponseSchema,
          429: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const { email, password } = request.body;
      const wait = await lockout.retryAfter(email);
      if (wait > 0) {
        request.log.warn('login refused: too many failed attempts');
        throw new HttpError(429, `Too many failed login attempts. Try again in ${wait} seconds.`, {
          'Retry-After': String(wait),
        });
      }
      const user = await users.findByEmail(email);
      // Unknown emails still pay for a hash, so timing does not reveal who has an account.
      const valid = await verifyPassword(
        password,
        user?.password_hash ?? (await hashForUnknownUser()),
      );
      if (!user || !valid) {
        await lockout.recordFailure(email);
        request.log.info('login failed');
        throw new HttpError(401, BAD_CREDENTIALS, BEARER_CHALLENGE);
      }
      await lockout.recordSuccess(email);
      const access_token = await tokens.sign({ sub: user.id, email: user.email });
      return {
        access_token,
        token_type: 'bearer' as const,
        user: { id: user.id, name: user.name, email: user.email },
      };
    },
  );
};
