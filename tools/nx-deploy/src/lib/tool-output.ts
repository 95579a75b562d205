/**
 * Whatever a real tool prints becomes either a value or one clear line naming the step and the
 * tool's version — never a TypeError from `JSON.parse(...).items` and never a stack trace.
 */
import type { CommandResult } from './exec';
import type { ToolStatus } from './tools';

/** A tool answered something the executor cannot use; the message is the whole story. */
export class ToolOutputError extends Error {
  constructor(step: string, tool: string, problem: string, output?: string) {
    super(`${step} (${tool}) ${problem}${output === undefined ? '' : `: ${excerpt(output)}`}`);
    this.name = 'ToolOutputError';
  }
}

/** The first characters of an answer, on one line, quoted. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

/** "Helm v4.1.4", "kubectl v1.33.9" — how messages name the tool that answered. */
export function toolLabel(tools: ToolStatus[], name: 'helm' | 'kubectl'): string {
  const version = tools.find((t) => t.name === name)?.version;
  const shown = name === 'helm' ? 'Helm' : 'kubectl';
  return version ? `${shown} ${version}` : shown;
}

export function parseToolJson(step: string, tool: string, stdout: string): unknown {
  const text = stdout.trim();
  if (!text) throw new ToolOutputError(step, tool, 'answered nothing where JSON was expected');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ToolOutputError(step, tool, 'answered something that is not JSON', text);
  }
}

/** `kubectl get … -o json`: the List's items; a List without `items` is a problem, not `[]`. */
export function parseKubeList(step: string, tool: string, stdout: string): unknown[] {
  const parsed = parseToolJson(step, tool, stdout);
  const items = (parsed as { items?: unknown } | null)?.items;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(items)) {
    throw new ToolOutputError(step, tool, 'answered JSON without "items"', stdout);
  }
  return items.filter((item) => typeof item === 'object' && item !== null);
}

/** One line for a failed command: its first error line, or what it did when it printed nothing. */
export function commandFailure(step: string, tool: string, result: CommandResult): string {
  if (result.notFound) return `${step}: ${result.command} is not installed`;
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  // kubectl's client warnings (version skew, deprecations) come before the error that matters.
  const line = lines.find((l) => !/^(W\d{4}|Warning:)/.test(l)) ?? lines[0];
  return line
    ? `${step} (${tool}) failed: ${line}`
    : `${step} (${tool}) exited with code ${result.exitCode} and printed nothing`;
}
