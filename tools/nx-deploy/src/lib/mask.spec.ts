import { Masker, MASK } from './mask';

describe('Masker', () => {
  it('masks values of secret-looking keys in every --set form and leaves the rest readable', () => {
    const masker = new Masker();
    const line = masker.command('helm', [
      'upgrade',
      '--set-string',
      'backend.image.tag=abc,backend.secret.jwtSecretKey=s3cr3t',
      '--set=postgresql.auth.password=pw',
      '--set',
      'backend.secret.openaiApiKey=sk-123',
      '--set-string',
      'backend.secret.databaseUrl=postgres://u:p@h/db',
    ]);
    // Quoted so the masked line stays a valid shell command (an unquoted * would glob).
    expect(line).toBe(
      `helm upgrade --set-string 'backend.image.tag=abc,backend.secret.jwtSecretKey=${MASK}' '--set=postgresql.auth.password=${MASK}' --set 'backend.secret.openaiApiKey=${MASK}' --set-string 'backend.secret.databaseUrl=${MASK}'`,
    );
  });

  it('blanks registered secret values anywhere in text', () => {
    const masker = new Masker();
    masker.add('hunter22-long-secret');
    expect(masker.text('Error: bad value hunter22-long-secret in line')).toBe(
      `Error: bad value ${MASK} in line`,
    );
  });

  it('masks kubectl --from-literal values', () => {
    expect(new Masker().args(['--from-literal=JWT_SECRET_KEY=abc'])).toEqual([
      `--from-literal=JWT_SECRET_KEY=${MASK}`,
    ]);
  });
});
