import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { codeBlocks, documentationFiles, readDoc, workspaceRoot } from './markdown';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  let text = readDoc(file);
  for (const block of codeBlocks(file, text)) text = text.replace(block.body, '');
  return new Set(
    text
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => anchorOf(line.replace(/^#+ /, ''))),
  );
}

describe.each(documentationFiles())('links in %s', (file) => {
  it('point at files and headings that exist', () => {
    let text = readDoc(file);
    for (const block of codeBlocks(file, text)) text = text.replace(block.body, '');
    const broken: string[] = [];
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1];
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [relative, anchor] = target.split('#');
      const resolved = relative
        ? path.relative(workspaceRoot, path.resolve(workspaceRoot, path.dirname(file), relative))
        : file;
      if (!existsSync(path.join(workspaceRoot, resolved))) {
        broken.push(`${target} (no ${resolved})`);
        continue;
      }
      if (
        anchor &&
        resolved.endsWith('.md') &&
        statSync(path.join(workspaceRoot, resolved)).isFile()
      ) {
        if (!anchors(resolved).has(anchor)) broken.push(`${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
