import type { ProjectGraph } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { workspaceRoot } from './markdown';

export interface NxInvocation {
  command: string;
  /** `affected`, `run-many`, or a single project for `nx run p:t` / `nx <target> <project>`. */
  mode: 'affected' | 'run-many' | 'single';
  targets: string[];
  projects: string[];
  configuration?: string;
  args: string[];
}

/** Splits a shell command line into words (no quoting beyond simple quotes is used here). */
function words(line: string): string[] {
  return (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
}

function optionValue(args: string[], names: string[]): string[] {
  const values: string[] = [];
  args.forEach((arg, i) => {
    for (const name of names) {
      if (arg === name && args[i + 1]) values.push(args[i + 1]);
      else if (arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1));
    }
  });
  return values;
}

/** Every `nx …` command in a step's script (folded or multi-line). */
export function nxInvocations(script: string): NxInvocation[] {
  const commands = script.replace(/\\\n/g, ' ').split(/\n|&&|;/);
  const found: NxInvocation[] = [];
  for (const raw of commands) {
    // Shell comments are prose, not commands.
    const command = raw.replace(/(^|\s)#.*$/, '');
    const all = words(command);
    const at = all.findIndex((w) => w === 'nx');
    if (at < 0) continue;
    const [sub, ...rest] = all.slice(at + 1);
    const configuration = optionValue(rest, ['--configuration', '-c'])[0];
    if (sub === 'affected' || sub === 'run-many') {
      const targets = optionValue(rest, ['-t', '--targets', '--target']).flatMap((v) =>
        v.split(','),
      );
      // `-t a b c`: the words after -t up to the next option are targets too.
      const t = rest.findIndex((w) => w === '-t' || w === '--targets');
      if (t >= 0)
        for (const w of rest.slice(t + 2))
          if (!w.startsWith('-')) targets.push(w);
          else break;
      found.push({
        command: command.trim(),
        mode: sub,
        targets,
        projects: optionValue(rest, ['-p', '--projects']).flatMap((v) => v.split(',')),
        configuration,
        args: rest,
      });
    } else if (sub === 'run') {
      const [project, target, config] = rest[0].split(':');
      found.push({
        command: command.trim(),
        mode: 'single',
        targets: [target],
        projects: [project],
        configuration: config ?? configuration,
        args: rest,
      });
    } else if (
      sub &&
      !['show', 'graph', 'report', 'reset', 'g', 'generate', 'format:check'].includes(sub)
    ) {
      found.push({
        command: command.trim(),
        mode: 'single',
        targets: [sub],
        projects: [rest[0]],
        configuration,
        args: rest,
      });
    }
  }
  return found;
}

/** One line per target or configuration an invocation names that the workspace lacks. */
export function targetProblems(invocations: NxInvocation[], graph: ProjectGraph): string[] {
  const problems: string[] = [];
  for (const nx of invocations) {
    for (const target of nx.targets) {
      const owners =
        nx.mode === 'single'
          ? [graph.nodes[nx.projects[0]]].filter((node) => node?.data.targets?.[target])
          : Object.values(graph.nodes).filter(
              (node) =>
                node.data.targets?.[target] &&
                (nx.projects.length === 0 || nx.projects.includes(node.name)),
            );
      if (owners.length === 0) {
        problems.push(
          `${nx.command}: no project${nx.mode === 'single' ? ` ${nx.projects[0]}` : ''} has a "${target}" target`,
        );
        continue;
      }
      if (nx.configuration) {
        const lacking = owners
          .filter(
            (node) => !node.data.targets?.[target]?.configurations?.[nx.configuration as string],
          )
          .map((node) => node.name);
        if (lacking.length)
          problems.push(
            `${nx.command}: ${lacking.join(', ')} ha${lacking.length > 1 ? 've' : 's'} "${target}" without a "${nx.configuration}" configuration`,
          );
      }
    }
  }
  return problems;
}

/**
 * The workspace's project graph, as `nx graph --file` writes it. In a child process: computed
 * inside Jest, the graph's plugin workers outlive the test file, and the ESLint plugin cannot
 * load ESLint in Jest's module sandbox.
 */
export async function loadProjectGraph(): Promise<ProjectGraph> {
  const dir = mkdtempSync(path.join(tmpdir(), 'docs-graph-'));
  try {
    const file = path.join(dir, 'graph.json');
    execFileSync(
      process.execPath,
      [require.resolve('nx/bin/nx.js', { paths: [workspaceRoot] }), 'graph', `--file=${file}`],
      {
        cwd: workspaceRoot,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
        stdio: 'ignore',
      },
    );
    return (JSON.parse(readFileSync(file, 'utf8')) as { graph: ProjectGraph }).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
