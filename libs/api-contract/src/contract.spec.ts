import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import {
  chatRequestSchema,
  loginRequestSchema,
  NO_NUL_MESSAGE,
  registerRequestSchema,
  taskCreateSchema,
  taskPathSchema,
  taskUpdateSchema,
} from './index';

function failedFields(result: { error?: { issues: { path: PropertyKey[] }[] } }) {
  return (result.error?.issues ?? []).map((issue) => issue.path.map(String).join('.'));
}

describe('register request', () => {
  it('accepts the original limits and stores the email lower-cased', () => {
    const parsed = registerRequestSchema.parse({
      name: 'A'.repeat(100),
      email: '  Ada@Example.COM ',
      password: '12345678',
    });
    expect(parsed.email).toBe('ada@example.com');
  });

  it('names every field that breaks a rule', () => {
    const result = registerRequestSchema.safeParse({
      name: 'A'.repeat(101),
      email: 'not-an-email',
      password: '1234567',
    });
    expect(failedFields(result).sort()).toEqual(['email', 'name', 'password']);
  });

  it('rejects a blank name', () => {
    expect(
      failedFields(
        registerRequestSchema.safeParse({ name: '   ', email: 'a@b.co', password: '12345678' }),
      ),
    ).toEqual(['name']);
  });
});

describe('login request', () => {
  it('lower-cases the email so a login matches the stored address', () => {
    expect(loginRequestSchema.parse({ email: 'BOB@X.IO', password: 'p' }).email).toBe('bob@x.io');
  });
});

describe('task bodies', () => {
  it('keeps title 1-200 and description up to 1000', () => {
    expect(
      taskCreateSchema.safeParse({ title: 'T'.repeat(200), description: 'd'.repeat(1000) }).success,
    ).toBe(true);
    expect(failedFields(taskCreateSchema.safeParse({ title: 'T'.repeat(201) }))).toEqual(['title']);
    expect(failedFields(taskCreateSchema.safeParse({ title: '' }))).toEqual(['title']);
    expect(
      failedFields(taskCreateSchema.safeParse({ title: 'ok', description: 'd'.repeat(1001) })),
    ).toEqual(['description']);
  });

  it('lets an update change any subset, and clear the description with null', () => {
    expect(taskUpdateSchema.parse({})).toEqual({});
    expect(taskUpdateSchema.parse({ description: null })).toEqual({ description: null });
    expect(failedFields(taskUpdateSchema.safeParse({ completed: 'yes' }))).toEqual(['completed']);
  });

  it('reads the task id from the path as a positive whole number', () => {
    expect(taskPathSchema.parse({ user_id: 'u', task_id: '42' }).task_id).toBe(42);
    for (const bad of ['abc', '1.5', '0', '-3', '99999999999']) {
      expect(failedFields(taskPathSchema.safeParse({ user_id: 'u', task_id: bad }))).toEqual([
        'task_id',
      ]);
    }
  });
});

describe('chat request', () => {
  it('accepts 1-2000 characters', () => {
    expect(chatRequestSchema.safeParse({ message: 'x'.repeat(2000) }).success).toBe(true);
    expect(failedFields(chatRequestSchema.safeParse({ message: 'x'.repeat(2001) }))).toEqual([
      'message',
    ]);
    expect(failedFields(chatRequestSchema.safeParse({ message: '' }))).toEqual(['message']);
  });
});

describe('text the database stores', () => {
  it('refuses a NUL character, which PostgreSQL text cannot hold, naming the rule', () => {
    const nul = 'before\u0000after';
    for (const result of [
      taskCreateSchema.safeParse({ title: nul }),
      taskCreateSchema.safeParse({ title: 'ok', description: nul }),
      registerRequestSchema.safeParse({
        name: nul,
        email: 'a@example.com',
        password: 'long-enough',
      }),
      chatRequestSchema.safeParse({ message: nul }),
    ]) {
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].message).toBe(NO_NUL_MESSAGE);
    }
    expect(taskCreateSchema.safeParse({ title: 'tab\there ✓' }).success).toBe(true);
  });
});

describe('the JSON Schema the OpenAPI document publishes', () => {
  // Ajv is a JSON Schema engine of its own: a body it accepts must be accepted by the server's
  // validators, and one it refuses must be refused, or clients generated from the document fail.
  const ajv = new Ajv2020({ strict: false });
  // `limit` is the field's length rule: its maximum, or for a password its minimum.
  const tricky = (limit: number) => [
    'ok',
    '',
    '   ',
    '\u3000\u00a0\ufeff',
    'a\u0000b',
    '\u001c',
    'line\n',
    'x'.repeat(limit),
    'x'.repeat(limit + 1),
    '😀'.repeat(limit - 1),
    '😀'.repeat(limit),
    '😀'.repeat(limit + 1),
    `  ${'x'.repeat(limit)}`,
  ];
  const cases: [string, string, z.ZodType, Record<string, unknown>, number][] = [
    [
      'RegisterRequest',
      'name',
      registerRequestSchema,
      { email: 'a@b.co', password: 'long-enough' },
      100,
    ],
    ['RegisterRequest', 'password', registerRequestSchema, { name: 'Ada', email: 'a@b.co' }, 8],
    ['LoginRequest', 'password', loginRequestSchema, { email: 'a@b.co' }, 1],
    ['TaskCreate', 'title', taskCreateSchema, {}, 200],
    ['TaskCreate', 'description', taskCreateSchema, { title: 'ok' }, 1000],
    ['ChatRequest', 'message', chatRequestSchema, {}, 2000],
  ];

  it.each(cases)(
    '%s: the server and the schema agree on every %s',
    (_, field, schema, rest, limit) => {
      const validate = ajv.compile(z.toJSONSchema(schema, { io: 'input' }));
      for (const value of tricky(limit)) {
        const body = { ...rest, [field]: value };
        expect({ value, accepted: schema.safeParse(body).success }).toEqual({
          value,
          accepted: validate(body),
        });
      }
    },
  );
});
