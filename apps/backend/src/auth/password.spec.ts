import { hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('salts: the same password hashes differently each time, and both verify', async () => {
    const [first, second] = await Promise.all([
      hashPassword('correct horse'),
      hashPassword('correct horse'),
    ]);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(first).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', first)).resolves.toBe(true);
    await expect(verifyPassword('correct horse', second)).resolves.toBe(true);
  });

  it('rejects a wrong password and a malformed stored hash', async () => {
    const stored = await hashPassword('battery staple');
    await expect(verifyPassword('battery stapler', stored)).resolves.toBe(false);
    await expect(verifyPassword('battery staple', 'plain-text')).resolves.toBe(false);
    await expect(verifyPassword('battery staple', 'scrypt$x$8$1$c2FsdA$')).resolves.toBe(false);
  });
});
