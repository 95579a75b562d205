import { errors, jwtVerify, SignJWT } from 'jose';

export const TOKEN_ALGORITHM = 'HS256';

export interface TokenClaims {
  sub: string;
  email: string;
}

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/** How many verified tokens to remember; each entry is a few hundred bytes. */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and verifies access tokens with one HMAC key; the algorithm is pinned both ways. */
export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Tokens already verified, until their `exp`. The same bytes under the same key always verify
   * the same way, so a repeat skips the HMAC (WebCrypto, ~tens of µs on every request).
   */
  private readonly verified = new Map<string, { claims: TokenClaims; expiresAtMs: number }>();

  constructor(
    secret: string,
    private readonly lifetimeDays: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: TokenClaims): Promise<string> {
    return new SignJWT({ email: claims.email })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeDays}d`)
      .sign(this.key);
  }

  async verify(token: string): Promise<TokenClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAtMs) return known.claims;
      this.verified.delete(token);
    }
    const { claims, expiresAtMs } = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { claims, expiresAtMs });
    return claims;
  }

  private async verifySignature(
    token: string,
  ): Promise<{ claims: TokenClaims; expiresAtMs: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [TOKEN_ALGORITHM],
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string') {
        throw new InvalidTokenError('token lacks sub or email');
      }
      return {
        claims: { sub: payload.sub, email: payload.email },
        expiresAtMs: (payload.exp as number) * 1000,
      };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidTokenError('token expired');
      throw new InvalidTokenError('token invalid');
    }
  }
}
