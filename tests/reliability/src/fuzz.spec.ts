import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { signUp, type SignedIn } from './support/backend';
import {
  describeAnswer,
  errorContractViolation,
  rowCounts,
  useReliabilityApp,
  type RowCounts,
} from './support/harness';
import {
  API_ROUTES,
  PUBLIC_ROUTES,
  AUTHENTICATED_ROUTES,
  BODY_ROUTES,
  pathOf,
  type ApiRoute,
  type BodyKind,
} from './support/routes';

// Property-based fuzzing of every route with malformed input. Each property sends its inputs to
// the real app (over the shared in-memory PGlite) and requires the error contract: a 4xx with a
// `detail`, never a 5xx. After each group the database must hold exactly the rows that
// succeeded, and the app must still answer.

const ctx = useReliabilityApp();
let me: SignedIn;
/** A task that must come through every fuzzing group unchanged. */
let sentinel: { id: number; body: string };
let totalRequests = 0;

// Fixed seed per run of the suite would hide nothing: fast-check prints the seed and the
// shrunk counterexample on failure, which is what a reader needs to reproduce it.
const runs = (n: number) => ({ numRuns: n, endOnFailure: true });

beforeAll(async () => {
  me = await signUp(ctx.app);
  const created = await ctx.app.inject({
    method: 'POST',
    url: `/api/${me.user.id}/tasks`,
    headers: me.headers,
    payload: { title: 'must survive the fuzzing', description: 'sentinel' },
  });
  expect(created.statusCode).toBe(201);
  sentinel = { id: created.json().id, body: created.body };
});

let before: RowCounts;
beforeEach(async () => {
  before = await rowCounts(ctx.database);
});
afterEach(async () => {
  // Nothing malformed may have written anything, and the app still serves.
  expect(await rowCounts(ctx.database)).toEqual(before);
  const sentinelNow = await ctx.app.inject({
    method: 'GET',
    url: `/api/${me.user.id}/tasks/${sentinel.id}`,
    headers: me.headers,
  });
  expect(sentinelNow.body).toBe(sentinel.body);
  expect((await ctx.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
});
afterAll(() => {
  // Thousands of malformed inputs in total, not a handful.
  expect(totalRequests).toBeGreaterThan(5000);
});

async function send(options: InjectOptions) {
  totalRequests += 1;
  return ctx.app.inject(options);
}

function requestFor(route: ApiRoute, payload: string, contentType = 'application/json') {
  return {
    method: route.method,
    url: pathOf(route, me.user.id, sentinel.id),
    headers: {
      ...(route.authenticated ? me.headers : {}),
      'content-type': contentType,
    },
    payload,
  } satisfies InjectOptions;
}

function assertContract(response: Awaited<ReturnType<typeof send>>, input: unknown) {
  const violation = errorContractViolation(response);
  if (violation) throw new Error(`${violation}\n  input: ${JSON.stringify(input)?.slice(0, 300)}`);
}

// ── Value generators ──────────────────────────────────────────────────────────────────────────

/**
 * Without prototype-pollution keys: fast-check does generate `__proto__` and `constructor` keys,
 * and the server drops those before validation runs (they have their own test below), which
 * would change the value these tests expect a 422 naming the field for.
 */
const withoutPoisonKeys = <T>(value: fc.Arbitrary<T>) =>
  value.filter((generated) => !/"(__proto__|constructor)"/.test(JSON.stringify(generated) ?? ''));

/** Any JSON value that is not a string. */
const nonString = withoutPoisonKeys(
  fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  ),
);
const nonBoolean = withoutPoisonKeys(
  fc.oneof(
    fc.integer(),
    fc.constantFrom('true', 'false', '1', '0', 'yes', ''),
    fc.constant(null),
    fc.array(fc.boolean(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.boolean(), { maxKeys: 2 }),
  ),
);
const unicode = (options: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: 'grapheme', ...options });
/** Blank once trimmed. */
const blank = fc.stringMatching(/^[ \t\n\r]{0,12}$/);
/** Longer than `max` UTF-16 units even after trimming, with unicode after the padding. */
const tooLong = (max: number) =>
  unicode({ maxLength: 40 }).map((tail) => `${'x'.repeat(max + 1)}${tail}`);
const notAnEmail = fc.oneof(
  unicode({ maxLength: 40 }).filter((text) => !text.includes('@')),
  fc.constantFrom('a@', '@b.c', 'a b@c.d', 'a@b', 'a@@b.c', '"@"', 'a@b..c'),
);
const validEmail = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.stringMatching(/^[a-z]{2,8}$/))
  .map(([local, domain]) => `${local}@${domain}.example`);
const validText = (max: number) =>
  unicode({ minLength: 1, maxLength: 30 })
    .map((text) => `t${text}`.slice(0, max))
    .filter((text) => text.trim().length > 0);

interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
  required: boolean;
}

/** Creating and updating a task share these two fields' rules; only `required` differs. */
const taskTitle = { valid: validText(200), invalid: fc.oneof(nonString, blank, tooLong(200)) };
const taskDescription: FieldSpec = {
  valid: fc.option(validText(1000), { nil: null }),
  invalid: fc.oneof(
    nonString.filter((value) => value !== null),
    tooLong(1000),
  ),
  required: false,
};

const FIELDS: Record<BodyKind, Record<string, FieldSpec>> = {
  register: {
    name: {
      valid: validText(100),
      invalid: fc.oneof(nonString, blank, tooLong(100)),
      required: true,
    },
    email: { valid: validEmail, invalid: fc.oneof(nonString, notAnEmail), required: true },
    password: {
      valid: fc.constant('long-enough-1'),
      invalid: fc.oneof(nonString, fc.string({ unit: 'binary-ascii', maxLength: 7 })),
      required: true,
    },
  },
  login: {
    email: { valid: validEmail, invalid: fc.oneof(nonString, notAnEmail), required: true },
    password: {
      valid: fc.constant('some-password'),
      invalid: fc.oneof(nonString, fc.constant('')),
      required: true,
    },
  },
  taskCreate: {
    title: { ...taskTitle, required: true },
    description: taskDescription,
  },
  taskUpdate: {
    title: { ...taskTitle, required: false },
    description: taskDescription,
    completed: { valid: fc.boolean(), invalid: nonBoolean, required: false },
  },
  taskComplete: {
    completed: { valid: fc.boolean(), invalid: nonBoolean, required: true },
  },
  chat: {
    message: {
      valid: validText(2000),
      invalid: fc.oneof(nonString, blank, tooLong(2000)),
      required: true,
    },
  },
};

/**
 * A body object with exactly one field broken (wrong type, blank, too long, or missing when
 * required) and the others valid; returns the body and the field the error must name.
 */
function bodyWithOneBrokenField(kind: BodyKind) {
  const fields = FIELDS[kind];
  const names = Object.keys(fields);
  return fc.constantFrom(...names).chain((broken) => {
    const spec = fields[broken];
    const brokenValue = spec.required
      ? fc.oneof(spec.invalid, fc.constant(undefined))
      : spec.invalid;
    const others = Object.fromEntries(
      names
        .filter((name) => name !== broken)
        .map((name) => [
          name,
          fields[name].required
            ? fields[name].valid
            : fc.option(fields[name].valid, { nil: undefined }),
        ]),
    );
    return fc.record({ ...others, [broken]: brokenValue }).map((body) => ({ body, broken }));
  });
}

const notAnObject = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  unicode({ maxLength: 50 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
);

/** Text that JSON.parse refuses (the body must then be answered 400, not crash a parser). */
const invalidJson = fc
  .oneof(
    unicode({ minLength: 1, maxLength: 80 }),
    fc.json().map((text) => text.slice(0, Math.max(1, text.length - 1)) + '{'),
    fc.constantFrom(
      '{',
      '{"title":',
      "{'title':'x'}",
      '{"title":"x",}',
      'undefined',
      'NaN',
      '\u0000',
    ),
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

// ── Properties ────────────────────────────────────────────────────────────────────────────────

describe.each(BODY_ROUTES.map((route) => [`${route.method} ${route.template}`, route] as const))(
  'fuzzing the body of %s',
  (_name, route) => {
    const kind = route.body as BodyKind;

    it('answers 422 naming the broken field for a body with one bad field', async () => {
      await fc.assert(
        fc.asyncProperty(bodyWithOneBrokenField(kind), async ({ body, broken }) => {
          const response = await send(requestFor(route, JSON.stringify(body)));
          assertContract(response, body);
          expect(response.statusCode).toBe(422);
          const fields = (response.json().detail as { loc: unknown[] }[]).map(
            (issue) => issue.loc[1],
          );
          if (!fields.includes(broken)) {
            throw new Error(`422 does not name ${broken}: ${response.body}`);
          }
        }),
        runs(260),
      );
    });

    it('answers 4xx with a detail for JSON that is not an object', async () => {
      await fc.assert(
        fc.asyncProperty(notAnObject, async (body) => {
          assertContract(await send(requestFor(route, JSON.stringify(body))), body);
        }),
        runs(100),
      );
    });

    it('answers 400 for text that is not JSON', async () => {
      await fc.assert(
        fc.asyncProperty(invalidJson, async (text) => {
          const response = await send(requestFor(route, text));
          assertContract(response, text);
          expect(response.statusCode).toBe(400);
        }),
        runs(100),
      );
    });

    it('answers 4xx for other content types', async () => {
      const contentType = fc.constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/octet-stream',
        'image/png',
        'application/json-patch+json',
      );
      await fc.assert(
        fc.asyncProperty(contentType, unicode({ maxLength: 60 }), async (type, text) => {
          assertContract(await send(requestFor(route, JSON.stringify({ title: text }), type)), {
            type,
            text,
          });
        }),
        runs(60),
      );
    });

    it('answers 4xx for deeply nested JSON, and prototype-pollution keys get past no rule', async () => {
      const firstField = Object.keys(FIELDS[kind])[0];
      const deep = fc
        .record({
          depth: fc.integer({ min: 200, max: 100_000 }),
          open: fc.constantFrom('[', '{"a":'),
          asField: fc.boolean(),
        })
        .map(({ depth, open, asField }) => {
          const close = open === '[' ? ']' : '}';
          const nested = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
          // A top-level object of unknown keys is a valid (empty) update, so deep objects go
          // inside a field; deep arrays are tried at the top level too.
          return asField || open !== '[' ? `{"${firstField}":${nested}}` : nested;
        });
      // The server drops these keys and reads the rest (src/app.spec.ts): beside an invalid
      // field they must still get its 4xx, and nothing may reach Object.prototype.
      const poisoned = fc
        .constantFrom('__proto__', 'constructor')
        .map((key) =>
          key === '__proto__'
            ? `{"${firstField}":5,"__proto__":{"isAdmin":true}}`
            : `{"${firstField}":5,"constructor":{"prototype":{"isAdmin":true}}}`,
        );
      await fc.assert(
        fc.asyncProperty(fc.oneof(deep, poisoned), async (text) => {
          assertContract(await send(requestFor(route, text)), text.slice(0, 80));
        }),
        runs(40),
      );
      expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    });
  },
);

describe('fuzzing paths, ids and headers', () => {
  const taskRoutes = API_ROUTES.filter((route) => route.template.includes('{task_id}'));

  it('answers 4xx for bad, negative, fractional and huge task ids', async () => {
    const badId = fc.oneof(
      fc.integer({ max: 0 }).map(String),
      fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n }).map(String),
      fc
        .double({ noNaN: true })
        .filter((n) => !Number.isInteger(n))
        .map(String),
      // (No empty id: with the trailing slash that is the list route. Nor "." or "..": a URL's dot
      // segments name another path, the list or the user's root, as every client resolves them.)
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', ' ', 'null', 'true', '0x', '--1'),
      unicode({ minLength: 1, maxLength: 20 }).filter(
        (text) => !/^\s*[+]?\d/.test(text) && text !== '.' && text !== '..',
      ),
    );
    const route = fc.constantFrom(...taskRoutes);
    await fc.assert(
      fc.asyncProperty(route, badId, async (chosen, id) => {
        const response = await send({
          method: chosen.method,
          url: pathOf(chosen, me.user.id, id),
          headers: me.headers,
          ...(chosen.body ? { payload: { title: 'x', completed: true } } : {}),
        });
        assertContract(response, { route: chosen.template, id });
      }),
      runs(600),
    );
  });

  it("answers 404 for any user id that is not the token's user", async () => {
    const otherId = fc
      .oneof(
        fc.uuid(),
        unicode({ minLength: 1, maxLength: 60 }),
        fc.constantFrom('..', '%00', 'me', 'null', '0', '-1', "' OR 1=1 --"),
      )
      .filter((id) => id.toLowerCase() !== me.user.id);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...AUTHENTICATED_ROUTES), otherId, async (route, id) => {
        const response = await send({
          method: route.method,
          url: pathOf(route, id, sentinel.id),
          headers: me.headers,
          ...(route.body ? { payload: { title: 'x', completed: true, message: 'list' } } : {}),
        });
        assertContract(response, { route: route.template, id });
        expect([404, 422]).toContain(response.statusCode);
      }),
      runs(500),
    );
  });

  it('answers 401 for any malformed Authorization header', async () => {
    const header = fc.oneof(
      fc
        .string({ unit: 'binary-ascii', maxLength: 200 })
        .map((text) => text.replace(/[^\x20-\x7e]/g, '')),
      fc
        .string({ unit: 'binary-ascii', maxLength: 300 })
        .map((text) => `Bearer ${text.replace(/[^\x21-\x7e]/g, '')}`),
      fc
        .tuple(fc.base64String(), fc.base64String(), fc.base64String())
        .map((parts) => `Bearer ${parts.join('.')}`),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        'bearer  ',
        `Token ${'a'.repeat(40)}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...AUTHENTICATED_ROUTES), header, async (route, value) => {
        const response = await send({
          method: route.method,
          url: pathOf(route, me.user.id, sentinel.id),
          headers: { authorization: value },
          ...(route.body ? { payload: { title: 'x' } } : {}),
        });
        assertContract(response, value);
        expect(response.statusCode).toBe(401);
      }),
      runs(500),
    );
  });

  it('ignores junk query strings: never a 5xx, never a write', async () => {
    const query = fc.webQueryParameters();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...API_ROUTES), query, async (route, q) => {
        const response = await send({
          method: route.method,
          url: `${pathOf(route, route.authenticated ? me.user.id : 'x', 2_000_000_000)}?${q}`,
          headers: route.authenticated ? me.headers : {},
          // Deliberately broken bodies, so no route can succeed in writing.
          ...(route.body ? { payload: { nothing: q } } : {}),
        });
        if (response.statusCode >= 500) throw new Error(describeAnswer(response));
      }),
      runs(300),
    );
  });
});

describe('coverage of the fuzzing', () => {
  it('knows every route the API documents, so a new route cannot escape the fuzzing', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const known = new Set(
      [...API_ROUTES, ...PUBLIC_ROUTES].map((route) => `${route.method} ${route.template}`),
    );
    expect(documented.filter((route) => !known.has(route))).toEqual([]);
  });

  it('never answers a 5xx on the public routes, whatever the query string and headers', async () => {
    const header = fc
      .string({ unit: 'binary-ascii', maxLength: 100 })
      .map((text) => text.replace(/[^\x20-\x7e]/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...PUBLIC_ROUTES,
          { method: 'GET', template: '/openapi.json' },
          { method: 'GET', template: '/mcp' },
        ),
        fc.webQueryParameters(),
        header,
        async (route, query, value) => {
          const response = await send({
            method: route.method as 'GET',
            url: `${route.template}?${query}`,
            headers: { 'x-request-id': value, accept: value, authorization: value },
          });
          if (
            response.statusCode >= 500 &&
            !(route.template === '/ready' && response.statusCode === 503)
          ) {
            throw new Error(describeAnswer(response));
          }
        },
      ),
      runs(150),
    );
  });
});
