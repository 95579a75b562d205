import { z } from 'zod';
import { isSecret } from './env';

export interface ConfigIssue {
  variable: string;
  rule: string;
}

/** Thrown when the environment breaks the schema; `message` lists every bad variable, one a line. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.rule}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Reads the variables a schema declares from `env`. Empty strings count as unset, so that
 * `FOO=` in a .env file or a chart value falls back to the default instead of failing.
 * Returns a frozen, typed object or throws one ConfigError naming every bad variable.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
): Readonly<z.output<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      rule: issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message,
    }));
    throw new ConfigError(mergeByVariable(issues));
  }
  return Object.freeze(result.data) as Readonly<z.output<S>>;
}

function mergeByVariable(issues: ConfigIssue[]): ConfigIssue[] {
  const byVariable = new Map<string, string[]>();
  for (const { variable, rule } of issues) {
    const rules = byVariable.get(variable) ?? [];
    if (!rules.includes(rule)) rules.push(rule);
    byVariable.set(variable, rules);
  }
  return [...byVariable].map(([variable, rules]) => ({ variable, rule: rules.join(', ') }));
}

export const REDACTED = '[redacted]';

/**
 * A copy of the configuration that is safe to log: secret values are replaced by `[redacted]`
 * (or left undefined when unset, so the log still tells whether a secret was provided).
 */
export function redactConfig<S extends z.ZodObject>(
  schema: S,
  config: z.output<S>,
): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const field = schema.shape[key] as z.ZodType | undefined;
    view[key] = field && isSecretField(field) && value !== undefined ? REDACTED : value;
  }
  return view;
}

function isSecretField(field: z.ZodType): boolean {
  if (isSecret(field)) return true;
  // Wrappers (.optional(), .default(), .describe()) create new schema objects around the marked one.
  const inner = (field as { _zod?: { def?: { innerType?: z.ZodType } } })._zod?.def?.innerType;
  return inner ? isSecretField(inner) : false;
}

/**
 * For an entry point: load the config or print the problem in plain lines (no stack trace)
 * and exit with status 1.
 */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
): Readonly<z.output<S>> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
