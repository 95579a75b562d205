import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDotenv } from '../../lib/dotenv';
import { envFileMissing, secretKeysMissing } from '../../lib/problems';
import type { SecretsOptions } from './options';

/** Where the values come from besides the env file. */
export interface ValueSources {
  env: NodeJS.ProcessEnv;
  /** Asks for a value without echoing it; undefined when no terminal can be asked. */
  prompt?: (key: string) => Promise<string>;
}

type Values = Record<string, string>;

/** Decides which keys the Secret gets and which are missing. Pure. */
export function selectSecretValues(
  fileValues: Values,
  options: Pick<SecretsOptions, 'keys' | 'optionalKeys'>,
) {
  const wanted = options.keys.length ? options.keys : Object.keys(fileValues);
  const values: Values = {};
  const missing: string[] = [];
  for (const key of wanted) {
    if (fileValues[key]) values[key] = fileValues[key];
    else missing.push(key);
  }
  for (const key of options.optionalKeys) if (fileValues[key]) values[key] = fileValues[key];
  return { values, missing };
}

function readEnvFile(file: string | undefined): { values: Values } | { problem: string } {
  if (!file) return { values: {} };
  if (!existsSync(file)) return { problem: envFileMissing(file) };
  const parsed = parseDotenv(readFileSync(file, 'utf8'));
  if (parsed.errors.length) return { problem: `env file ${file}: ${parsed.errors.join('; ')}` };
  return { values: parsed.values };
}

/** The file's values, then a prompt for each missing key — never with CI=true. */
export async function collectSecretValues(
  options: SecretsOptions,
  sources: ValueSources,
): Promise<{ values: Values } | { problem: string }> {
  const file = readEnvFile(options.envFile);
  if ('problem' in file) return file;
  const { values, missing } = selectSecretValues(file.values, options);
  const ci = sources.env['CI'] === 'true';
  if (missing.length && (ci || !sources.prompt)) {
    const fileName = options.envFile ? path.basename(options.envFile) : undefined;
    return { problem: secretKeysMissing(missing, fileName, ci) };
  }
  for (const key of missing) {
    const value = (await sources.prompt?.(key)) ?? '';
    if (!value) return { problem: `${key} was left empty — nothing was changed` };
    values[key] = value;
  }
  return { values };
}
