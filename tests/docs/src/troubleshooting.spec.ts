import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { codeBlocks, documentationFiles, readDoc, workspaceRoot } from './markdown';

/**
 * The docs quote the messages the deploy tooling prints in blocks marked `text message`, with
 * `<placeholders>` for the parts that vary. The quoted wording must still be in
 * tools/nx-deploy/src or the image tooling it uses, and troubleshooting.md must cover every pod state the diagnostics recognise.
 */
const DOC = 'docs/deployment/troubleshooting.md';
const sourceDir = path.join(workspaceRoot, 'tools/nx-deploy/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|cjs)$/.test(entry.name) && !/\.(spec|d)\.c?ts$/.test(entry.name) ? [full] : [];
  });
}

const source = [sourceDir, path.join(workspaceRoot, 'tools/scripts/container-image/src')]
  .flatMap(sourceFiles)
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');

/**
 * True when `fragment` (the text between two placeholders) can be cut, only between words, into
 * pieces that each occur in the source: every piece at least `minPiece` characters long, except
 * short joints with no word of four letters or more (such as ") " between two template parts) and
 * the first and last piece, which meet a placeholder where the source has a variable too
 * (`${name} is not installed`). Found by dynamic programming over the cut points.
 */
export function coveredBySource(fragment: string, text: string, minPiece = 10): boolean {
  const n = fragment.length;
  // longest[i]: the longest piece starting at i that occurs in the source (presence is monotone).
  const longest = Array.from({ length: n }, (_, i) => {
    let low = 0;
    let high = n - i;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (text.includes(fragment.slice(i, i + mid))) low = mid;
      else high = mid - 1;
    }
    return low;
  });
  // Pieces never start or end inside a word: "ima" + "ge" would match anything.
  const cutAllowed = (at: number) =>
    at === 0 || at === n || !(/\w/.test(fragment[at - 1]) && /\w/.test(fragment[at]));
  const reachable = new Array<boolean>(n + 1).fill(false);
  reachable[0] = true;
  for (let i = 0; i < n; i++) {
    if (!reachable[i]) continue;
    for (let length = 1; length <= longest[i]; length++) {
      if (!cutAllowed(i + length)) continue;
      const piece = fragment.slice(i, i + length);
      const acceptable = length >= minPiece || !/\w{4,}/.test(piece) || i === 0 || i + length === n;
      if (acceptable) reachable[i + length] = true;
    }
  }
  return reachable[n];
}

const quoted = documentationFiles().flatMap((file) =>
  codeBlocks(file, readDoc(file))
    .filter((block) => block.info === 'text message')
    .flatMap((block) => block.body.split('\n'))
    .map((line) => line.trim())
    .filter(Boolean)
    .map((message) => ({ file, message })),
);
const messages = quoted.map(({ file, message }) => `${file}: ${message}`);

describe(DOC, () => {
  it('quotes messages', () => {
    expect(quoted.filter(({ file }) => file === DOC).length).toBeGreaterThanOrEqual(12);
  });

  it.each(messages)('%s — is worded as the deploy tooling prints it', (line) => {
    const message = line.slice(line.indexOf(': ') + 2);
    const text = message.replace(/^(✖|✔|!|•|-|…)\s+/, '');
    const fragments = text.split(/<[^>]+>/);
    const missing = fragments.filter(
      (fragment) => fragment.trim().length > 0 && !coveredBySource(fragment, source),
    );
    expect(missing).toEqual([]);
  });

  it('covers every pod state the rollout diagnostics recognise', () => {
    const diagnostics = readFileSync(path.join(sourceDir, 'lib/diagnostics.ts'), 'utf8');
    const reasons = [...diagnostics.matchAll(/reason === '([A-Za-z]+)'/g)]
      .map((match) => match[1])
      .filter((reason) => !['ContainerCreating', 'PodInitializing'].includes(reason));
    expect(reasons.length).toBeGreaterThan(4);
    const doc = readDoc(DOC);
    expect([...new Set(reasons)].filter((reason) => !doc.includes(reason))).toEqual([]);
  });

  it('rejects wording the tooling does not use', () => {
    expect(coveredBySource('image cannot be pulled from anywhere at all', source)).toBe(false);
    expect(coveredBySource('keeps crashing and restarting (CrashLoopBackOff, ', source)).toBe(true);
    expect(coveredBySource('kind is not installed — install kind', source)).toBe(true);
    expect(
      coveredBySource('kind could not be located on this computer — install kind', source),
    ).toBe(false);
  });
});
