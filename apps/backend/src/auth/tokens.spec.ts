import { SignJWT } from 'jose';
import { InvalidTokenError, TokenService } from './tokens';

const SECRET = 'unit-test-signing-key-0123456789abcdefghij';

describe('TokenService', () => {
  it('round-trips sub and email', async () => {
    const tokens = new TokenService(SECRET, 7);
    const token = await tokens.sign({ sub: 'user-1', email: 'a@example.com' });
    await expect(tokens.verify(token)).resolves.toEqual({ sub: 'user-1', email: 'a@example.com' });
    // Verified again (now from memory of the first check), still the same answer.
    await expect(tokens.verify(token)).resolves.toEqual({ sub: 'user-1', email: 'a@example.com' });
  });

  it('stops accepting a remembered token once it expires', async () => {
    const tokens = new TokenService(SECRET, 7);
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const token = await new SignJWT({ email: 'b@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-2')
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(SECRET));
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'user-2' });
    await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50));
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects a token from another key even after a valid one was remembered', async () => {
    const ours = new TokenService(SECRET, 7);
    const theirs = new TokenService('another-signing-key-0123456789abcdefghijk', 7);
    await ours.verify(await ours.sign({ sub: 'u', email: 'u@example.com' }));
    const foreign = await theirs.sign({ sub: 'u', email: 'u@example.com' });
    await expect(ours.verify(foreign)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
