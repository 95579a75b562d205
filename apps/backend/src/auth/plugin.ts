import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { notFound, unauthorized } from '../http/errors';
import { InvalidTokenError, type TokenService } from './tokens';
import type { AuthUser, UserService } from './users';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Route hook (`onRequest` or `preHandler`): requires `Authorization: Bearer <token>`, loads
     * the user into `request.user`, and answers 404 when the path's `user_id` is someone else.
     */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Resolves the token's user or throws an HTTP 401 error (with WWW-Authenticate: Bearer). */
    verifyAccessToken(token: string): Promise<AuthUser>;
  }
  interface FastifyRequest {
    /** Set by `authenticate`; absent on public routes. */
    user: AuthUser | null;
  }
}

export interface AuthPluginOptions {
  tokens: TokenService;
  users: UserService;
  /**
   * How long a user found for a token is reused before the database is asked again. Each
   * authenticated request would otherwise pay a database round trip just to learn the account
   * still exists; the price is that a deleted account's tokens keep working for up to this long.
   */
  userCacheMs?: number;
}

export const USER_CACHE_MS = 1000;
const USER_CACHE_SIZE = 10_000;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The token from an `Authorization: Bearer` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  return header ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/** The user `authenticate` loaded; for handlers of authenticated routes only. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized('Not authenticated');
  return request.user;
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (
  app,
  { tokens, users, userCacheMs = USER_CACHE_MS },
) => {
  const recent = new Map<string, { user: AuthUser; until: number }>();

  async function findUser(id: string): Promise<AuthUser | null> {
    const now = Date.now();
    const known = recent.get(id);
    if (known && now < known.until) return known.user;
    const user = await users.findById(id);
    if (!user) {
      recent.delete(id);
      return null;
    }
    if (userCacheMs > 0) {
      if (!known && recent.size >= USER_CACHE_SIZE) {
        const oldest = recent.keys().next();
        if (!oldest.done) recent.delete(oldest.value);
      }
      recent.set(id, { user, until: now + userCacheMs });
    }
    return user;
  }

  async function verifyAccessToken(token: string): Promise<AuthUser> {
    let claims;
    try {
      claims = await tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized();
      throw error;
    }
    // A deleted account's tokens stop working (within userCacheMs), not when they expire.
    const user = await findUser(claims.sub);
    if (!user) throw unauthorized();
    return user;
  }

  app.decorateRequest('user', null);
  app.decorate('verifyAccessToken', verifyAccessToken);
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized('Not authenticated');
    request.user = await verifyAccessToken(token);
    const pathUser = (request.params as { user_id?: unknown } | undefined)?.user_id;
    if (pathUser !== undefined && String(pathUser).toLowerCase() !== request.user.id)
      throw notFound();
  });
};

export default fp(authPlugin, { name: 'auth', fastify: '5.x' });
