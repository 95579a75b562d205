/**
 * Every executor's and generator's schema refuses unknown options and wrong types through Nx's own
 * validator (what `nx run` applies before an executor starts), with a message naming the option.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validateOptsAgainstSchema } from 'nx/src/utils/params';

const root = path.resolve(__dirname, '..');
const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
const executors = Object.entries(
  read('executors.json').executors as Record<string, { schema: string }>,
);
const generators = Object.entries(
  read('generators.json').generators as Record<string, { schema: string }>,
);

const minimal: Record<string, Record<string, unknown>> = {
  deploy: { namespace: 'todo-dev' },
  doctor: {},
  secrets: { name: 'todo-app-secrets', namespace: 'todo' },
  teardown: { namespace: 'todo-dev' },
  'deploy-targets': { project: 'admin' },
};

describe.each([...executors, ...generators])('%s schema', (name, entry) => {
  const schema = read(entry.schema);

  it('forbids additional properties', () => {
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts its minimal options and refuses an unknown one by name', () => {
    expect(() => validateOptsAgainstSchema(minimal[name], schema)).not.toThrow();
    expect(() => validateOptsAgainstSchema({ ...minimal[name], dryrun: true }, schema)).toThrow(
      "'dryrun' is not found in schema",
    );
  });

  it('refuses a wrong type, naming the property', () => {
    const [property] = Object.entries(schema.properties as Record<string, { type?: unknown }>).find(
      ([, p]) => p.type === 'string',
    ) as [string, unknown];
    expect(() => validateOptsAgainstSchema({ ...minimal[name], [property]: 42 }, schema)).toThrow(
      property,
    );
  });
});

it('deploy refuses an imageDelivery it does not know', () => {
  const schema = read('src/executors/deploy/schema.json');
  expect(() => validateOptsAgainstSchema({ namespace: 'x', imageDelivery: 'ftp' }, schema)).toThrow(
    'imageDelivery',
  );
});
