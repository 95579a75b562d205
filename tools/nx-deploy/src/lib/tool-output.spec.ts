import type { CommandResult } from './exec';
import { commandFailure, parseKubeList, toolLabel } from './tool-output';

const result = (over: Partial<CommandResult>): CommandResult => ({
  command: 'kubectl',
  args: [],
  stdout: '',
  stderr: '',
  exitCode: 1,
  notFound: false,
  durationMs: 1,
  ...over,
});

describe('tool output', () => {
  it('names the tool with the version it reported', () => {
    expect(toolLabel([{ name: 'helm', found: true, version: 'v4.1.4' }], 'helm')).toBe(
      'Helm v4.1.4',
    );
    expect(toolLabel([], 'kubectl')).toBe('kubectl');
  });

  it('a kubectl List without items, or not JSON, is one line with the start of the answer', () => {
    expect(() => parseKubeList('kubectl get pods', 'kubectl v1.33.9', '{"kind":"Status"}')).toThrow(
      'kubectl get pods (kubectl v1.33.9) answered JSON without "items": "{\\"kind\\":\\"Status\\"}"',
    );
    expect(() => parseKubeList('kubectl get pods', 'kubectl v1.33.9', 'x'.repeat(200))).toThrow(
      `kubectl get pods (kubectl v1.33.9) answered something that is not JSON: "${'x'.repeat(80)}…"`,
    );
    expect(parseKubeList('s', 't', '{"items":[{"kind":"Pod"},null,3]}')).toEqual([{ kind: 'Pod' }]);
  });

  it('a failure names its error line, skipping kubectl warnings; one with no output says so', () => {
    expect(
      commandFailure(
        'helm list',
        'Helm v4.1.4',
        result({ stderr: 'Error: unknown flag: --all\n' }),
      ),
    ).toBe('helm list (Helm v4.1.4) failed: Error: unknown flag: --all');
    expect(
      commandFailure(
        'kubectl get pods',
        'kubectl v1.33.9',
        result({
          stderr:
            'Warning: version difference between client (1.33) and server (1.37) exceeds the supported minor version skew of +/-1\nError from server (Forbidden): pods is forbidden',
        }),
      ),
    ).toBe(
      'kubectl get pods (kubectl v1.33.9) failed: Error from server (Forbidden): pods is forbidden',
    );
    expect(commandFailure('helm list', 'Helm v3.17.2', result({ exitCode: 2 }))).toBe(
      'helm list (Helm v3.17.2) exited with code 2 and printed nothing',
    );
  });
});
