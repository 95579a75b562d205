import { SignJWT } from 'jose';

const key = new TextEncoder().encode('a-test-signing-key-of-at-least-32-chars');

/** A real HS256 token like the backend issues (`sub` = user id), valid for `seconds`. */
export function backendToken(
  userId: string,
  seconds = 3600,
  email = 'ada@example.com',
): Promise<string> {
  return new SignJWT({ sub: userId, email })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .sign(key);
}
