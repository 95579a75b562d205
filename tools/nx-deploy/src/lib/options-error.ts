import {
  InvalidEngineError,
  resolveEngine as resolveWorkspaceEngine,
} from '../../../scripts/container-image/src/lib/engine.cjs';

/** Bad options: one message naming the option and the rule it broke. */
export class OptionsError extends Error {
  constructor(
    readonly option: string,
    rule: string,
  ) {
    super(`Invalid option "${option}": ${rule}`);
    this.name = 'OptionsError';
  }
}

/** An executor's start: its options normalised, else the broken rule in one line and a failed task. */
export async function withOptions<T>(
  normalize: () => T,
  run: (options: T) => Promise<{ success: boolean }>,
): Promise<{ success: boolean }> {
  let options: T;
  try {
    options = normalize();
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    console.error(error.message);
    return { success: false };
  }
  return run(options);
}

/** The image tooling's choice (option, else CONTAINER_ENGINE, else docker) as an option error. */
export function resolveEngine(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
): 'docker' | 'podman' {
  try {
    return resolveWorkspaceEngine(option, env);
  } catch (error) {
    if (error instanceof InvalidEngineError) throw new OptionsError(error.source, error.rule);
    throw error;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function requireDnsLabel(option: string, value: string | undefined): string {
  if (!value) throw new OptionsError(option, 'is required');
  if (!DNS_LABEL.test(value) || value.length > 63) {
    throw new OptionsError(
      option,
      `"${value}" must be a DNS label: lower-case letters, digits and '-', at most 63 characters`,
    );
  }
  return value;
}

const GO_DURATION = /^([0-9]+(ms|s|m|h))+$/;

/** A Go duration (what --timeout takes: 90s, 5m, 1h30m, 500ms) in milliseconds. */
export function durationMs(duration: string): number {
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h)/g))
    total += Number(amount) * factor[unit];
  return total;
}

export function requireDuration(option: string, value: string): string {
  if (!GO_DURATION.test(value)) {
    throw new OptionsError(option, `"${value}" must be a duration such as 90s, 5m or 1h30m`);
  }
  return value;
}
