import type { ProjectGraph } from '@nx/devkit';
import { codeBlocks, documentationFiles, readDoc } from './markdown';
import { loadProjectGraph, nxInvocations, targetProblems } from './nx-commands';

/**
 * Every `nx` command shown in a shell block of README.md or docs/ — runnable or not (deploys need
 * a cluster and cannot run here) — names a project, target and configuration that exist.
 */
let graph: ProjectGraph;

beforeAll(async () => {
  graph = await loadProjectGraph();
});

describe.each(documentationFiles())('nx commands in %s', (file) => {
  it('name targets and configurations the workspace has', () => {
    const invocations = codeBlocks(file, readDoc(file))
      .filter((block) => /^(sh|bash|shell|console)\b/.test(block.info))
      .flatMap((block) => nxInvocations(block.body.replace(/^\$ /gm, '')));
    expect(targetProblems(invocations, graph)).toEqual([]);
  });
});

describe('README.md "Nx projects and targets" table', () => {
  it('lists every project with exactly its targets and root', () => {
    const readme = readDoc('README.md');
    const section = readme
      .split(/^## /m)
      .find((part) => part.startsWith('Nx projects and targets'));
    const rows = (section ?? '')
      .split('\n')
      .filter((line) => /^\| `[^`]+` \|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const documented = Object.fromEntries(
      rows.map(([, name, root, targets]) => [
        name.replace(/`/g, ''),
        {
          root: root.replace(/`/g, ''),
          targets: [...targets.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort(),
        },
      ]),
    );
    const actual = Object.fromEntries(
      Object.values(graph.nodes).map((node) => [
        node.name,
        { root: node.data.root, targets: Object.keys(node.data.targets ?? {}).sort() },
      ]),
    );
    expect(documented).toEqual(actual);
  });
});
