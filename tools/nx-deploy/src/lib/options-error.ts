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

export function resolveEngine(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
): 'docker' | 'podman' {
  const chosen = option ?? env['CONTAINER_ENGINE'] ?? 'docker';
  if (chosen !== 'docker' && chosen !== 'podman') {
    throw new OptionsError(
      option === undefined ? 'CONTAINER_ENGINE' : 'engine',
      `must be "docker" or "podman", got "${chosen}"`,
    );
  }
  return chosen;
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

export function requireDuration(option: string, value: string): string {
  if (!GO_DURATION.test(value)) {
    throw new OptionsError(option, `"${value}" must be a duration such as 90s, 5m or 1h30m`);
  }
  return value;
}
