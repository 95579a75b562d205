import type { ExecutorContext } from '@nx/devkit';
import { execCommand, type CommandRunner } from '../../lib/exec';
import { checkKubeContext } from '../../lib/kube-context';
import { Masker } from '../../lib/mask';
import { withOptions } from '../../lib/options-error';
import { NO_SECRET_KEYS } from '../../lib/problems';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import { normalizeSecretsOptions, type SecretsOptions } from './options';
import { hiddenPrompt } from './prompt';
import type { SecretsExecutorSchema } from './schema';
import { collectSecretValues, type ValueSources } from './values';
import { writeSecret } from './write-secret';

export interface SecretsDependencies extends ValueSources {
  runner: CommandRunner;
  write: LogLine;
}

/** Values first (file, then prompts), so a missing one fails before any cluster is asked. */
export async function runSecrets(
  options: SecretsOptions,
  deps: SecretsDependencies,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const masker = new Masker();
  const progress = new Progress(deps.write, masker, options.verbose);
  const fail = (text: string) => {
    progress.line(`✖ ${text}`);
    return { success: false };
  };

  const collected = await collectSecretValues(options, deps);
  if ('problem' in collected) return fail(collected.problem);
  for (const value of Object.values(collected.values)) masker.add(value);
  const keys = Object.keys(collected.values).sort();
  if (keys.length === 0) return fail(NO_SECRET_KEYS);
  if (options.dryRun) {
    progress.line(
      `would write secret ${options.name} in ${options.namespace} (context ${options.kubeContext}) with keys ${keys.join(', ')}`,
    );
    return { success: true };
  }

  const shell = new Shell(deps.runner, progress);
  const wrongContext = await checkKubeContext(shell, options.kubeContext, 'this secret belongs to');
  if (wrongContext) return fail(wrongContext);
  const written = await writeSecret(shell, masker, options, collected.values);
  if ('problem' in written) return fail(written.problem);
  progress.done(
    `secret ${options.name} ${written.verb} in ${options.namespace}`,
    started,
    `keys ${keys.join(', ')}`,
  );
  return { success: true };
}

export default async function secretsExecutor(
  options: SecretsExecutorSchema,
  context: ExecutorContext,
) {
  return withOptions(
    () => normalizeSecretsOptions(options, context.root),
    (normalized) =>
      runSecrets(normalized, {
        runner: execCommand,
        write: (line) => console.log(line),
        env: process.env,
        prompt: process.stdin.isTTY ? hiddenPrompt : undefined,
      }),
  );
}
