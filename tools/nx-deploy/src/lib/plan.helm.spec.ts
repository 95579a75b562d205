/**
 * The plan decides "nothing changed, no helm upgrade" by comparing the values it expects Helm to
 * store (desiredValues) with what `helm get values` answers for the release. Here that
 * expectation meets real Helm 3.17 and 4.1, given the same values files and the same -f, --set and
 * --set-string arguments the plan puts on its command line: a disagreement is a rollout on every
 * deploy, or a change that is never deployed.
 *
 * Helm's answer comes from `helm template` of a throw-away chart whose only template is
 * `{{ toJson .Values }}` and which has no values.yaml: with no chart defaults to coalesce, .Values
 * is exactly the user-supplied values a release stores (nulls included) — no cluster needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realHelm } from '../../test/harness';
import { normalizeDeployOptions } from './deploy-options';
import { helmTemplateArgs } from './helm';
import { readValuesFiles, type AppObservation, type Observation } from './observe';
import { desiredValues, planDeploy, type PlanContext } from './plan';
import type { Values } from './values';

let dir: string;
let probeChart: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nx-deploy-values-'));
  probeChart = path.join(dir, 'probe');
  mkdirSync(path.join(probeChart, 'templates'), { recursive: true });
  writeFileSync(
    path.join(probeChart, 'Chart.yaml'),
    'apiVersion: v2\nname: probe\nversion: 0.1.0\n',
  );
  writeFileSync(path.join(probeChart, 'templates/values.json'), '{{ toJson .Values }}\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes a values file; its values reach the plan the way the executor reads them (observe.ts). */
function valuesFile(yaml: string): string {
  const file = path.join(dir, `values-${++fileCount}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** The -f, --set and --set-string arguments (in their order) of a helm command line. */
function valueArguments(argv: string[]): string[] {
  return argv.flatMap((arg, i) =>
    ['-f', '--values', '--set', '--set-string'].includes(arg) ? [arg, argv[i + 1]] : [],
  );
}

type Stored = { values: Values } | { refused: string };

/** What real Helm stores for these value arguments, or the error it refuses them with. */
function helmStores(major: 3 | 4, valueArgs: string[]): Stored {
  const result = spawnSync(
    realHelm(major),
    ['template', 'probe', probeChart, '--namespace', 'default', ...valueArgs],
    {
      encoding: 'utf8',
      // No cluster exists here: nothing may reach for a kubeconfig of the machine.
      env: { ...process.env, KUBECONFIG: path.join(dir, 'no-kubeconfig') },
      timeout: 30_000,
    },
  );
  if (result.status !== 0) return { refused: result.stderr.trim() || String(result.error) };
  return { values: JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null') as Values };
}

interface ValuesCase {
  name: string;
  /** Values files, in order. */
  files?: string[];
  /** The plan's --set-string pairs (image repositories and tags). */
  setStrings?: Array<[string, string]>;
  /** The configuration's `set` pairs, passed with --set. */
  sets?: Array<[string, string]>;
  /** Helm refuses the arguments; the plan must not call the release up to date. */
  refused?: boolean;
}

/** What the plan believes Helm stores, or "refused" when it knows Helm will refuse. */
function planned(c: ValuesCase): Stored {
  const files = (c.files ?? []).map(valuesFile);
  const read = readValuesFiles(files, dir);
  expect(read.valuesFileErrors).toEqual([]);
  const values = desiredValues(read.valuesFromFiles, c.setStrings ?? [], c.sets ?? []);
  return values === undefined ? { refused: 'refused' } : { values };
}

function helmFor(major: 3 | 4, c: ValuesCase): Stored {
  const files = (c.files ?? []).map(valuesFile);
  const argv = helmTemplateArgs({
    release: 'probe',
    chartDir: probeChart,
    namespace: 'default',
    valuesFiles: files,
    setStrings: c.setStrings ?? [],
    sets: c.sets ?? [],
  });
  return helmStores(major, valueArguments(argv));
}

const CASES: ValuesCase[] = [
  {
    name: 'image tags that look like numbers stay text (--set-string)',
    setStrings: [
      ['frontend.image.tag', '1234567890123456'],
      ['backend.image.tag', '0123456789012345'],
      ['a.image.tag', '1e5'],
      ['b.image.tag', '1234e5'],
      ['c.image.tag', '007'],
      ['d.image.tag', 'null'],
      ['e.image.tag', 'true'],
    ],
  },
  {
    name: 'null in any letter case is a null value: the key stays',
    files: ['a: 1\nb: {c: 2}\n'],
    sets: [
      ['a', 'null'],
      ['b', 'NULL'],
      ['d', 'Null'],
    ],
  },
  {
    name: 'leading zeros: "007" and "00" stay text, "-007" and "+5" are numbers, "0" and "-0" are 0',
    sets: [
      ['a', '007'],
      ['b', '-007'],
      ['c', '+5'],
      ['d', '00'],
      ['e', '0'],
      ['f', '-0'],
    ],
  },
  {
    name: 'numbers vs text: only 64-bit integers are numbers; decimals, exponents and hex stay text',
    sets: [
      ['a', '42'],
      ['b', '-42'],
      ['c', '1.5'],
      ['d', '1e5'],
      ['e', '0x1F'],
      ['f', '9223372036854775807'],
      ['g', '9223372036854775808'],
      ['h', ' 1'],
      ['i', ''],
    ],
  },
  {
    name: 'booleans in any case; yes and no stay text',
    sets: [
      ['a', 'true'],
      ['b', 'TRUE'],
      ['c', 'False'],
      ['d', 'yes'],
      ['e', 'off'],
    ],
  },
  {
    name: 'a comma starts the next assignment; an escaped comma is text',
    sets: [
      ['a', 'x,b=2'],
      ['origins', 'http://a\\,http://b'],
    ],
  },
  {
    name: 'a value with an unescaped comma and no "=" after it is refused',
    sets: [['origins', 'http://a,http://b']],
    refused: true,
  },
  {
    name: 'equals signs and dots in values are text; an escaped dot in a key is part of the key',
    sets: [
      ['a', 'b=c=d'],
      ['host', 'api.example.com'],
      ['podAnnotations.prometheus\\.io/scrape', 'true'],
      ['path', 'C:\\dir\\\\file'],
    ],
  },
  {
    name: 'nested keys merge into the values files; a scalar replaces a map and null a value',
    files: [
      'backend:\n  config: {LOG_LEVEL: info, X: 1}\n  resources: {limits: {cpu: 1}}\nlist: [1, 2]\n',
      'backend:\n  config: {X: 2}\n',
    ],
    sets: [
      ['backend.config.LOG_LEVEL', 'debug'],
      ['backend.resources', 'none'],
      ['backend.config.X', 'null'],
    ],
  },
  {
    name: 'values files are YAML 1.1 to Helm: yes/no/on/off, 010 and 1_000; dates stay text',
    files: [
      'enabled: yes\ndisabled: off\nshort: y\non: 1\nmode: 010\ncount: 1_000\nday: 2024-01-02\nhex: 0x1F\n',
    ],
  },
  {
    name: 'a path through a value that is not a map is refused',
    files: ['a: 5\n'],
    sets: [['a.b', '1']],
    refused: true,
  },
  {
    name: 'lists: {a,b} is a list of typed items, [i] sets one item (null-padded), .key inside one',
    files: ['tolerations: [{key: a, value: b}]\nports: [80, 443]\n'],
    sets: [
      ['args', '{--port,8080,007,true}'],
      ['empty', '{}'],
      ['ports[1]', '8443'],
      ['extra[2]', 'x'],
      ['tolerations[0].value', 'c'],
      ['tolerations[1].key', 'd'],
      ['grid[1][0]', 'z'],
    ],
  },
  {
    name: 'an unterminated list is refused',
    sets: [['args', '{a,b']],
    refused: true,
  },
  {
    name: 'every --set-string wins over every --set, whatever the order of the command line',
    setStrings: [['frontend.image.tag', 'f1']],
    sets: [
      ['frontend.image.tag', 'custom'],
      ['frontend.image.pullPolicy', 'Never'],
    ],
  },
  {
    name: 'values files: nulls, quoted and unquoted leading zeros, exponents, hex, lists, overrides',
    files: [
      [
        'a: null',
        'b: ~',
        'c: "007"',
        'd: 007',
        'e: 1e5',
        'f: 0x1F',
        'g: 1.0',
        'h: "true"',
        'i: false',
        'j: [1, "2", x, null]',
        'k: {l: {m: 1}, o: 2}',
        'cors: http://localhost:3000,http://127.0.0.1:30000',
        'dsn: postgres://u:p@h/db?sslmode=require&a=b',
        'big: 12345678901234567890',
        '',
      ].join('\n'),
      'k: {l: null}\na: 3\n',
    ],
  },
];

describe.each([3, 4] as const)('the values the plan expects Helm %s to store', (major) => {
  it.each(CASES)('$name', (c) => {
    const helm = helmFor(major, c);
    // Helm's own message shows when it refuses (or accepts) what the case says it does not.
    expect(helm).toEqual(
      c.refused ? { refused: expect.any(String) } : { values: expect.anything() },
    );
    const plan = planned(c);
    if ('refused' in helm) expect(plan).toEqual({ refused: 'refused' });
    else expect(plan).toEqual(helm);
  });
});

const MINIKUBE: PlanContext = {
  clusterRepository: (r) => r,
  deliveryVerb: 'load into minikube',
  deliveryTool: 'minikube',
};

function app(chartKey: string, tag: string): AppObservation {
  return {
    chartKey,
    project: chartKey,
    manifest: { image: `localhost/todo/${chartKey}`, tag },
    inEngine: true,
    inCluster: true,
  };
}

describe.each([3, 4] as const)('a redeploy with Helm %s', (major) => {
  const file = () =>
    valuesFile(
      'backend:\n  config: {LOG_LEVEL: info, CORS: "http://a,http://b"}\n  nodePort: null\n' +
        'frontend:\n  podLabels: {build: "007"}\n',
    );
  const set = {
    'backend.replicaCount': '+1',
    'backend.podAnnotations.example\\.com/team': 'a\\,b',
    'backend.config.TRUST_PROXY': 'TRUE',
    'frontend.args': '{--port,007}',
    'frontend.config.LOG_LEVEL': 'null',
  };

  /** Plans the deploy of `values` to a release that holds what real Helm stored for `deployedWith`. */
  function plan(values: Record<string, string>, deployedWith: Record<string, string>) {
    const valuesFiles = [file()];
    const options = normalizeDeployOptions(
      { namespace: 'todo-dev', valuesFiles, set: values },
      'frontend',
      dir,
      {},
    );
    const observation = (release: Observation['release']): Observation => ({
      tools: [
        { name: 'helm', found: true, version: major === 3 ? 'v3.17.2' : 'v4.1.4' },
        { name: 'kubectl', found: true, version: 'v1.33.0' },
        { name: 'minikube', found: true, version: 'v1.35.0' },
      ],
      currentContext: 'minikube',
      chart: { name: 'todo-app', version: '0.1.0' },
      ...readValuesFiles(valuesFiles, dir),
      // Content tags are 16 hex digits: some are all digits, some start with 0.
      apps: [app('frontend', '0123456789012345'), app('backend', '1234567890123456')],
      release,
    });
    const install = planDeploy(
      observation({ exists: false, values: {} }),
      { ...options, set: deployedWith },
      MINIKUBE,
    );
    const stored = helmStores(major, valueArguments(install.helmArgs));
    if ('refused' in stored) throw new Error(stored.refused);
    return planDeploy(
      observation({
        exists: true,
        revision: 1,
        status: 'deployed',
        chart: 'todo-app-0.1.0',
        values: stored.values,
        lastDeployedRevision: 1,
      }),
      options,
      MINIKUBE,
    );
  }

  it('with the same set values and tags rolls nothing', () => {
    const again = plan(set, set);
    expect(again.upToDate).toBe(true);
    expect(again.upToDateLine).toContain('nothing built, loaded or rolled out');
  });

  it('with one set value changed upgrades, saying the values changed', () => {
    const changed = plan({ ...set, 'backend.replicaCount': '+2' }, set);
    expect(changed.upToDate).toBe(false);
    expect(changed.steps.find((s) => s.kind === 'helm-upgrade')?.reason).toBe('values changed');
  });
});
