/**
 * Secrets never reach the terminal: values of secret-looking keys in `--set` arguments are
 * replaced, and any value registered with `Masker.add` is blanked wherever it appears.
 */
const SECRET_KEY =
  /(secret|password|passwd|token|api[-_]?key|apikey|credential|private[-_]?key|database[-_]?url|dsn)/i;

export const MASK = '******';

/** Keys that name a Secret (existingSecret, secretName) rather than hold a secret value. */
const SECRET_NAME = /(existingSecret|secretName|secretRef|SecretKeyRef)$/i;

export function isSecretKey(key: string): boolean {
  const last = key.split('.').pop() ?? key;
  return SECRET_KEY.test(key) && !SECRET_NAME.test(last);
}

const SET_FLAGS = new Set(['--set', '--set-string', '--set-json', '--set-literal']);

export class Masker {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    // Very short values would blank innocent text; they are still masked inside --set arguments.
    if (value && value.length >= 4) this.secrets.add(value);
  }

  text(input: string): string {
    let output = input;
    for (const secret of this.secrets) output = output.split(secret).join(MASK);
    return output;
  }

  /** `--set a.password=x,b=y` → `--set a.password=******,b=y` and so on for every set flag. */
  args(args: readonly string[]): string[] {
    return args.map((arg, index) => {
      const previous = args[index - 1];
      const inline = SET_FLAGS.has(arg.split('=')[0]) && arg.includes('=') && arg.startsWith('--');
      if (inline) {
        const flag = arg.slice(0, arg.indexOf('='));
        return `${flag}=${maskAssignments(arg.slice(flag.length + 1))}`;
      }
      if (previous && SET_FLAGS.has(previous)) return maskAssignments(arg);
      if (/^--from-literal=/.test(arg)) {
        const [key] = arg.slice('--from-literal='.length).split('=');
        return `--from-literal=${key}=${MASK}`;
      }
      return this.text(arg);
    });
  }

  command(command: string, args: readonly string[]): string {
    return [command, ...this.args(args)].map(quote).join(' ');
  }
}

function maskAssignments(assignments: string): string {
  return assignments
    .split(',')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const key = pair.slice(0, eq);
      return isSecretKey(key) ? `${key}=${MASK}` : pair;
    })
    .join(',');
}

function quote(word: string): string {
  return /^[\w@%+=:,./^$-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
