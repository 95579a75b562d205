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

/** Signs and verifies access tokens with one HMAC key; the algorithm is pinned both ways. */
export class TokenService {
  private readonly key: Uint8Array;

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
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [TOKEN_ALGORITHM],
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string') {
        throw new InvalidTokenError('token lacks sub or email');
      }
      return { sub: payload.sub, email: payload.email };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidTokenError('token expired');
      throw new InvalidTokenError('token invalid');
    }
  }
}
