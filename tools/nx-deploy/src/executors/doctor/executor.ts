import type { ExecutorContext } from '@nx/devkit';
import { execCommand, type CommandRunner } from '../../lib/exec';
import { Masker } from '../../lib/mask';
import { withOptions } from '../../lib/options-error';
import { Progress, type LogLine } from '../../lib/progress';
import { Shell } from '../../lib/shell';
import { observeDoctor } from './observe';
import { normalizeDoctorOptions, type DoctorOptions } from './options';
import { doctorReport, printDoctorReport } from './report';
import type { DoctorExecutorSchema } from './schema';

/** Asks every tool at once, then judges and prints: doctor changes nothing. */
export async function runDoctor(
  options: DoctorOptions,
  runner: CommandRunner,
  write: LogLine,
  workspaceRoot?: string,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const progress = new Progress(write, new Masker(), false);
  const observation = await observeDoctor(new Shell(runner, progress), options, workspaceRoot);
  return { success: printDoctorReport(progress, doctorReport(observation, options), started) };
}

export default async function doctorExecutor(
  options: DoctorExecutorSchema,
  context: ExecutorContext,
) {
  return withOptions(
    () => normalizeDoctorOptions(options, process.env),
    (normalized) => runDoctor(normalized, execCommand, (line) => console.log(line), context.root),
  );
}
