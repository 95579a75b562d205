import { parseErrorBody } from './errors';

describe('parseErrorBody', () => {
  it('puts each 422 issue beside its field (FastAPI-style loc)', () => {
    const parsed = parseErrorBody(
      {
        detail: [
          { loc: ['body', 'email'], msg: 'must be a valid email address', type: 'invalid_format' },
          { loc: ['body', 'password'], msg: 'must be at least 8 characters', type: 'too_small' },
        ],
      },
      'fallback',
    );
    expect(parsed.fields).toEqual({
      email: 'must be a valid email address',
      password: 'must be at least 8 characters',
    });
    expect(parsed.message).toBe('Please correct the highlighted fields.');
  });

  it('keeps the first message per field and reports issues without a field as the message', () => {
    const parsed = parseErrorBody(
      {
        detail: [
          { loc: ['body', 'title'], msg: 'must be 1-200 characters' },
          { loc: ['body', 'title'], msg: 'second rule' },
          { loc: ['body'], msg: 'body must be an object' },
        ],
      },
      'fallback',
    );
    expect(parsed).toEqual({
      message: 'body must be an object',
      fields: { title: 'must be 1-200 characters' },
    });
  });

  it('uses a sentence detail as the message', () => {
    expect(parseErrorBody({ detail: 'Incorrect email or password' }, 'fallback')).toEqual({
      message: 'Incorrect email or password',
      fields: {},
    });
  });

  it('accepts a {field: message} object', () => {
    expect(parseErrorBody({ detail: { name: 'is required' } }, 'fallback').fields).toEqual({
      name: 'is required',
    });
  });

  it('falls back when the body says nothing usable', () => {
    expect(parseErrorBody(undefined, 'Try again')).toEqual({ message: 'Try again', fields: {} });
    expect(parseErrorBody({ detail: [] }, 'Try again')).toEqual({
      message: 'Try again',
      fields: {},
    });
  });
});
