import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const workspaceRoot = path.resolve(__dirname, '../../..');

/** README.md and every Markdown file under docs/, relative to the workspace root. */
export function documentationFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(workspaceRoot, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.md')) files.push(relative);
    }
  };
  walk('docs');
  return files.sort();
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string after the fence, e.g. `sh runnable`. */
  info: string;
  body: string;
}

/** Fenced code blocks (``` or ~~~) of a Markdown text. */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)(`{3,}|~{3,})(.*)$/);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trim().startsWith(fence)) body.push(lines[j++]);
    blocks.push({ file, line: i + 1, info: open[3].trim(), body: body.join('\n') });
    i = j;
  }
  return blocks;
}

export function readDoc(file: string): string {
  return readFileSync(path.join(workspaceRoot, file), 'utf8');
}

/** The marker of a shell block the docs test executes. */
export const RUNNABLE = 'sh runnable';

export function runnableBlocks(): CodeBlock[] {
  return documentationFiles().flatMap((file) =>
    codeBlocks(file, readDoc(file)).filter((block) => block.info === RUNNABLE),
  );
}
