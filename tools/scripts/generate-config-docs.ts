#!/usr/bin/env -S npx tsx
/**
 * Writes docs/deployment/configuration.md from the sources that define the configuration, so the
 * reference cannot disagree with them:
 *   - libs/config/src/{backend,frontend}.ts — every environment variable, its default (what the
 *     schema yields when the variable is unset), its rule (the error message the app prints for a
 *     bad value), its `.describe()` text and whether it is a `secret()`;
 *   - apps/<app>/Dockerfile `ENV` lines and the chart's ConfigMap, Secret and Deployment
 *     templates — where each variable is set in a deployment;
 *   - deploy/helm/todo-app/values.schema.json and values{,-dev,-prod}.yaml — every chart value with
 *     its type and rule, its default and the dev/prod overrides, and its meaning (the schema's
 *     description, else the comment above the key in values.yaml).
 *
 *   npx tsx tools/scripts/generate-config-docs.ts          # rewrite the file
 *   npx tsx tools/scripts/generate-config-docs.ts --check  # exit 1 when the file is stale
 *   npx tsx tools/scripts/generate-config-docs.ts --stdout # print what it would write
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import {
  backendEnvSchema,
  ConfigError,
  frontendEnvSchema,
  isSecret,
  loadConfig,
} from '../../libs/config/src/index';

export const workspaceRoot = path.resolve(__dirname, '../..');
export const OUTPUT = 'docs/deployment/configuration.md';
const CHART = 'deploy/helm/todo-app';

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
};

type Tree = Record<string, unknown>;

function read(file: string): string {
  return readFileSync(path.join(workspaceRoot, file), 'utf8');
}

/** Markdown table cell: no raw pipes or line breaks. */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function code(value: string): string {
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

// ── Environment variables ────────────────────────────────────────────────────────────────────

/** What the app uses when the variable is unset, shown as a person would write it. */
function defaultOf(schema: z.ZodType): string {
  const result = schema.safeParse(undefined);
  if (!result.success) return 'required';
  const value = result.data;
  if (value === undefined) return 'unset';
  if (Array.isArray(value)) return code(value.join(','));
  return code(String(value));
}

/** The rule the app enforces, as the message it prints for a value that breaks it. */
function ruleOf(schema: z.ZodType): string {
  const result = schema.safeParse('\u0000not a valid value');
  return result.success ? '' : result.error.issues.map((issue) => issue.message).join(', ');
}

/** Rules that depend on other variables, found by loading the schema in each deployment mode. */
function crossRules(schema: z.ZodObject): Map<string, string[]> {
  const rules = new Map<string, string[]>();
  for (const env of [{}, { NODE_ENV: 'production' }]) {
    try {
      loadConfig(schema, env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) {
        const list = rules.get(issue.variable) ?? [];
        if (!list.includes(issue.rule)) list.push(issue.rule);
        rules.set(issue.variable, list);
      }
    }
  }
  return rules;
}

/** `ENV A=1 B=2` lines of a Dockerfile (with line continuations). */
export function dockerfileEnv(dockerfile: string): Map<string, string> {
  const env = new Map<string, string>();
  const joined = dockerfile.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split('\n')) {
    const match = line.match(/^\s*ENV\s+(.*)$/);
    if (!match) continue;
    for (const pair of match[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env.set(pair[1], pair[2].replace(/^"|"$/g, ''));
    }
  }
  return env;
}

function templateText(name: string): string {
  const file = path.join(CHART, 'templates', name);
  return existsSync(path.join(workspaceRoot, file)) ? read(file) : '';
}

/** Where a deployment sets each of an app's variables: image, chart ConfigMap, values, Secret. */
function settingSources(app: 'backend' | 'frontend', values: Tree): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  const add = (variable: string, text: string) =>
    sources.set(variable, [...(sources.get(variable) ?? []), text]);

  const dockerfile = `apps/${app}/Dockerfile`;
  if (existsSync(path.join(workspaceRoot, dockerfile))) {
    for (const [key, value] of dockerfileEnv(read(dockerfile))) {
      add(key, `image: ${code(`${key}=${value}`)}`);
    }
  }

  // Keys the ConfigMap template writes itself (two-space indented literal keys under `data:`),
  // with the template condition they are written under, if any.
  const blocks: string[] = [];
  for (const line of templateText(`${app}-configmap.yaml`).split('\n')) {
    const action = line.match(/\{\{-?\s*(if|range|with|else|end)\b\s*([^}]*?)\s*-?\}\}/);
    if (action?.[1] === 'end') blocks.pop();
    else if (action?.[1] === 'else') blocks[blocks.length - 1] = 'else';
    else if (action) blocks.push(action[1] === 'if' ? `if ${action[2]}` : action[1]);
    const entry = line.match(/^ {2}([A-Z][A-Z0-9_]*): (.+)$/);
    if (!entry) continue;
    const fromValue = entry[2].match(/^\{\{\s*\.Values\.([A-Za-z0-9_.]+)\s*(\|\s*quote\s*)?\}\}$/);
    const condition = blocks.filter((block) => block.startsWith('if ')).pop();
    add(
      entry[1],
      (fromValue
        ? `chart ConfigMap, from ${code(fromValue[1])}`
        : entry[2].includes('{{')
          ? 'chart ConfigMap, computed by the chart'
          : `chart ConfigMap: ${code(entry[2].replace(/^"|"$/g, ''))}`) +
        (condition ? ` (only ${code(condition)})` : ''),
    );
  }

  const config = (values[app] as Tree | undefined)?.['config'] as Tree | undefined;
  for (const key of Object.keys(config ?? {}))
    add(key, `chart value ${code(`${app}.config.${key}`)}`);

  // Secret keys: `- name: VAR` followed by a secretKeyRef in the Deployment. Keys of the app's own
  // Secret come from `<app>.secret.existingSecret`, else from the values key the chart renders.
  const deployment = templateText(`${app}-deployment.yaml`);
  const valuesKeyOf = new Map(
    [...secretValueVariables(app)].map(([valuesPath, variable]) => [variable, valuesPath]),
  );
  const ownSecret = valuesKeyOf.size > 0;
  for (const match of deployment.matchAll(
    /- name: ([A-Z][A-Z0-9_]*)\n\s+valueFrom:\n\s+secretKeyRef:\n(?:\s+.*\n)*?\s+key: ([A-Za-z0-9_]+)/g,
  )) {
    const [, variable, key] = match;
    const valuesPath = valuesKeyOf.get(key);
    add(
      variable,
      ownSecret && (valuesPath || key === variable)
        ? `**secret**: ${code(`${app}.secret.existingSecret`)} key ${code(key)}${valuesPath ? ` or ${code(valuesPath)}` : ''}`
        : `**secret**: Secret key ${code(key)}`,
    );
  }
  // Plain values the Deployment composes (e.g. DATABASE_URL of the in-chart PostgreSQL).
  for (const match of deployment.matchAll(/- name: ([A-Z][A-Z0-9_]*)\n\s+value: /g)) {
    add(match[1], 'chart Deployment, composed by the chart');
  }
  return sources;
}

function envSection(
  title: string,
  app: 'backend' | 'frontend',
  schema: z.ZodObject,
  values: Tree,
): string {
  const cross = crossRules(schema);
  const sources = settingSources(app, values);
  const rows = Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, variable]) => {
    const rule = [ruleOf(variable), ...(cross.get(name) ?? [])].filter(Boolean).join('; ');
    const where = sources.get(name) ?? [];
    return [
      code(name) + (isSecret(variable) ? ' (secret)' : ''),
      defaultOf(variable),
      rule,
      variable.description ?? '',
      where.length ? where.join('; ') : 'not set by the chart: the default applies',
    ];
  });
  return [
    `## ${title}`,
    '',
    table(
      ['Variable', 'Default', 'Rule (the message for a bad value)', 'Meaning', 'Where it is set'],
      rows,
    ),
  ].join('\n');
}

// ── Chart values ─────────────────────────────────────────────────────────────────────────────

/**
 * Comments above each key of values.yaml, by dotted path. A commented-out key (`# tag: ""`) ends
 * the comment of that key, so its text is not taken for the next real key's.
 */
export function valuesComments(yamlText: string): Map<string, string> {
  const comments = new Map<string, string>();
  const record = (dotted: string, lines: string[]) => {
    const text = lines.join(' ').replace(/\s+/g, ' ').trim();
    if (text && !comments.has(dotted)) comments.set(dotted, text);
  };
  const attach = (raw: string | null | undefined, prefix: string, dotted: string) => {
    let pending: string[] = [];
    for (const line of (raw ?? '').split('\n').map((l) => l.trim())) {
      const commentedKey = line.match(/^([a-z][A-Za-z0-9]*):\s*("[^"]*"|'[^']*'|[^\s'"]+)?$/);
      if (commentedKey) {
        record(prefix ? `${prefix}.${commentedKey[1]}` : commentedKey[1], pending);
        pending = [];
      } else pending.push(line);
    }
    record(dotted, pending);
  };
  const visit = (map: YAMLMap, prefix: string, inherited?: string | null) => {
    map.items.forEach((pair, index) => {
      if (!isScalar(pair.key)) return;
      const key = String(pair.key.value);
      const dotted = prefix ? `${prefix}.${key}` : key;
      // The first key's comment is attached to the map itself by the parser.
      attach(pair.key.commentBefore ?? (index === 0 ? inherited : undefined), prefix, dotted);
      if (isMap(pair.value)) visit(pair.value, dotted, pair.value.commentBefore);
    });
  };
  const doc = parseDocument(yamlText);
  if (isMap(doc.contents)) visit(doc.contents, '', doc.contents.commentBefore);
  return comments;
}

/** Meanings of the keys every helm-create style chart has, for keys values.yaml leaves uncommented. */
const CONVENTIONAL: Array<[RegExp, string]> = [
  [/\.replicaCount$/, 'Number of pods when autoscaling is off.'],
  [/\.containerPort$/, 'Port the app listens on inside the pod.'],
  [/\.service\.type$/, 'Kubernetes Service type.'],
  [/\.service\.port$/, 'Port of the Service.'],
  [/Probe\.periodSeconds$/, 'Seconds between two probes.'],
  [
    /Probe\.failureThreshold$/,
    'Failed probes in a row before Kubernetes acts (restart, or out of the Service).',
  ],
  [/Probe\.timeoutSeconds$/, 'Seconds one probe may take.'],
  [/\.autoscaling\.minReplicas$/, 'Fewest pods the HorizontalPodAutoscaler keeps.'],
  [/\.autoscaling\.maxReplicas$/, 'Most pods the HorizontalPodAutoscaler starts.'],
  [
    /\.autoscaling\.targetCPUUtilizationPercentage$/,
    'Average CPU use (percent of requests) the autoscaler aims for.',
  ],
  [/\.podDisruptionBudget\.enabled$/, 'Render a PodDisruptionBudget.'],
  [
    /\.podDisruptionBudget\.maxUnavailable$/,
    'Pods (number or percentage) voluntary disruptions may evict at once.',
  ],
  [/\.autoscaling\.enabled$/, 'Render a HorizontalPodAutoscaler (it replaces replicaCount).'],
  [/\.serviceAccount\.annotations$/, 'Annotations of the ServiceAccount.'],
  [
    /\.serviceAccount\.name$/,
    'ServiceAccount to use; empty: <fullname>-<app> when created, else `default`.',
  ],
  [/\.serviceAccount\.create$/, 'Create a dedicated ServiceAccount.'],
  [/\.podAnnotations$/, 'Extra annotations of the pods.'],
  [/\.podLabels$/, 'Extra labels of the pods.'],
  [/\.nodeSelector$/, 'Node labels the pods must run on.'],
  [/\.tolerations$/, 'Taints the pods tolerate.'],
  [/\.affinity$/, 'Pod affinity and anti-affinity rules.'],
  [/\.topologySpreadConstraints$/, 'How pods spread over nodes or zones.'],
  [/\.resources\.requests\.cpu$/, 'CPU reserved for each pod.'],
  [/\.resources\.requests\.memory$/, 'Memory reserved for each pod.'],
  [/\.resources\.limits\.cpu$/, 'CPU each pod may use at most (throttled above).'],
  [/\.resources\.limits\.memory$/, 'Memory each pod may use at most (killed above: OOMKilled).'],
  [/\.terminationGracePeriodSeconds$/, 'Seconds Kubernetes waits after SIGTERM before SIGKILL.'],
  [/\.image\.pullPolicy$/, 'When the node pulls the image.'],
  [/\.image\.registry$/, 'Registry of the image; empty: global.imageRegistry, else Docker Hub.'],
  [/\.image\.repository$/, 'Image repository.'],
  [/\.image\.tag$/, 'Image tag.'],
  [/\.persistence\.size$/, 'Size of the PersistentVolumeClaim.'],
  [/\.auth\.username$/, 'Database user the backend connects as.'],
  [/\.auth\.database$/, 'Database the backend uses.'],
  [/^postgresql\.port$/, 'Port of the PostgreSQL Service.'],
];

/** `<app>.secret.<valuesKey>` → the Secret key (the variable) the chart's Secret stores it under. */
function secretValueVariables(app: string): Map<string, string> {
  const text = templateText(`${app}-secret.yaml`);
  const variables = new Map<string, string>();
  for (const match of text.matchAll(/^\s*([A-Z][A-Z0-9_]*):.*\$secret\.([A-Za-z0-9_]+)/gm)) {
    variables.set(`${app}.secret.${match[2]}`, match[1]);
  }
  for (const match of text.matchAll(
    /with \$secret\.([A-Za-z0-9_]+) \}\}\n\s*([A-Z][A-Z0-9_]*):/g,
  )) {
    variables.set(`${app}.secret.${match[1]}`, match[2]);
  }
  return variables;
}

function meaningOf(
  row: ValueRow,
  rows: ValueRow[],
  comments: Map<string, string>,
  envMeanings: Map<string, string>,
) {
  const own = row.schema.description ?? comments.get(row.path);
  if (own) return own;
  const app = row.path.split('.')[0];
  const stored = secretValueVariables(app).get(row.path);
  if (stored && envMeanings.has(`${app}.${stored}`)) {
    return `${envMeanings.get(`${app}.${stored}`)} (stored in the Secret as ${stored})`;
  }
  const env = row.path.match(/^(backend|frontend)\.config\.([A-Z0-9_]+)$/);
  if (env && envMeanings.has(`${env[1]}.${env[2]}`)) {
    return `${envMeanings.get(`${env[1]}.${env[2]}`)} (the ${env[2]} variable)`;
  }
  const conventional = CONVENTIONAL.find(([pattern]) => pattern.test(row.path));
  if (conventional) return conventional[1];
  // A section with a single value: the section's comment is that value's meaning.
  const parent = row.path.split('.').slice(0, -1).join('.');
  if (row.path.endsWith('.enabled') && comments.has(parent)) return comments.get(parent) as string;
  const siblings = rows.filter((other) => other.path.startsWith(`${parent}.`)).length;
  return siblings === 1 ? (comments.get(parent) ?? '') : '';
}

function getPath(tree: unknown, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node && typeof node === 'object' && !Array.isArray(node) ? (node as Tree)[key] : undefined,
      tree,
    );
}

function show(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return '`null`';
  if (typeof value === 'string') return value === '' ? '`""`' : code(value);
  return code(JSON.stringify(value));
}

function allowed(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(`one of ${schema.enum.map((v) => code(String(v))).join(', ')}`);
  else if (schema.type)
    parts.push(Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type);
  if (schema.minimum !== undefined && schema.maximum !== undefined)
    parts.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength) parts.push('not empty');
  if (schema.pattern) parts.push(`matches ${code(schema.pattern)}`);
  return parts.join(', ');
}

interface ValueRow {
  path: string;
  schema: JsonSchema;
  required: boolean;
}

/** Every leaf the schema or values.yaml knows, in values.yaml order where it has one. */
function valueRows(schema: JsonSchema, defaults: unknown, prefix = ''): ValueRow[] {
  const rows: ValueRow[] = [];
  const properties = schema.properties ?? {};
  const defaultKeys =
    defaults && typeof defaults === 'object' && !Array.isArray(defaults)
      ? Object.keys(defaults as Tree)
      : [];
  const keys = [...defaultKeys, ...Object.keys(properties).filter((k) => !defaultKeys.includes(k))];
  for (const key of keys) {
    const child = properties[key] ?? {};
    const dotted = prefix ? `${prefix}.${key}` : key;
    const childDefault = (defaults as Tree | undefined)?.[key];
    const isObject =
      child.properties !== undefined ||
      (child.type === 'object' &&
        childDefault !== null &&
        typeof childDefault === 'object' &&
        !Array.isArray(childDefault) &&
        Object.keys(childDefault as Tree).length > 0);
    if (isObject && (child.properties || child.additionalProperties === false)) {
      rows.push(...valueRows(child, childDefault, dotted));
    } else {
      rows.push({ path: dotted, schema: child, required: (schema.required ?? []).includes(key) });
    }
  }
  return rows;
}

function chartSection(): string {
  const schema = JSON.parse(read(`${CHART}/values.schema.json`)) as JsonSchema;
  const valuesText = read(`${CHART}/values.yaml`);
  const defaults = parseDocument(valuesText).toJS() as Tree;
  const dev = parseDocument(read(`${CHART}/values-dev.yaml`)).toJS() as Tree;
  const prod = parseDocument(read(`${CHART}/values-prod.yaml`)).toJS() as Tree;
  const comments = valuesComments(valuesText);
  const rows = valueRows(schema, defaults);
  const envMeanings = new Map<string, string>();
  for (const [app, envSchema] of [
    ['backend', backendEnvSchema],
    ['frontend', frontendEnvSchema],
  ] as const) {
    for (const [name, variable] of Object.entries(envSchema.shape as Record<string, z.ZodType>)) {
      if (variable.description) envMeanings.set(`${app}.${name}`, variable.description);
    }
  }
  const sections: string[] = [];
  for (const top of [...new Set(rows.map((row) => row.path.split('.')[0]))]) {
    const own = rows.filter((row) => row.path.split('.')[0] === top);
    const body = own.map((row) => {
      const fallback = getPath(defaults, row.path);
      return [
        code(row.path),
        fallback === undefined ? (row.required ? '**required**' : '') : show(fallback),
        show(getPath(dev, row.path)),
        show(getPath(prod, row.path)),
        allowed(row.schema),
        meaningOf(row, rows, comments, envMeanings),
      ];
    });
    sections.push(
      [
        `### ${code(top)}`,
        '',
        ...(comments.has(top) ? [comments.get(top) as string, ''] : []),
        table(
          [
            'Value',
            'Default (values.yaml)',
            'values-dev.yaml',
            'values-prod.yaml',
            'Allowed',
            'Meaning',
          ],
          body,
        ),
      ].join('\n'),
    );
  }
  return ['## Chart values', '', sections.join('\n\n')].join('\n');
}

// ── The document ─────────────────────────────────────────────────────────────────────────────

export function renderConfigurationDoc(): string {
  const values = parseDocument(read(`${CHART}/values.yaml`)).toJS() as Tree;
  return [
    '# Configuration reference',
    '',
    '<!-- Generated by tools/scripts/generate-config-docs.ts — do not edit by hand. -->',
    '',
    "Generated from `libs/config/src/backend.ts`, `libs/config/src/frontend.ts`, the apps'",
    'Dockerfiles and the chart (`values.schema.json`, `values*.yaml`, `templates/`). After changing',
    'any of them, run:',
    '',
    '```sh',
    'npx tsx tools/scripts/generate-config-docs.ts',
    '```',
    '',
    'The docs test (`npx nx test docs-tests`) fails while this file is stale; `--check` only reports',
    'whether it is.',
    '',
    'How a setting reaches an app: locally (`npm start`) the environment of your shell applies and',
    'everything else takes the default below. In Kubernetes the chart writes non-secret settings',
    'into a ConfigMap (`<app>.config.*` values, plus a few the chart sets itself), secret ones into a',
    "Secret (the chart's own, or the one `backend.secret.existingSecret` names), and the image sets a",
    'few defaults with `ENV`. Empty values count as unset. A missing or malformed variable stops the',
    'app at start-up with one line naming the variable and the rule — the "Rule" column is that text.',
    '',
    envSection('Backend environment variables', 'backend', backendEnvSchema, values),
    '',
    envSection('Frontend environment variables', 'frontend', frontendEnvSchema, values),
    '',
    chartSection(),
    '',
  ].join('\n');
}

if (require.main === module) {
  const file = path.join(workspaceRoot, OUTPUT);
  const rendered = renderConfigurationDoc();
  if (process.argv.includes('--stdout')) {
    process.stdout.write(rendered);
  } else if (process.argv.includes('--check')) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current !== rendered) {
      console.error(`${OUTPUT} is stale — run: npx tsx tools/scripts/generate-config-docs.ts`);
      process.exit(1);
    }
    console.log(`${OUTPUT} is up to date`);
  } else {
    writeFileSync(file, rendered);
    console.log(`wrote ${OUTPUT}`);
  }
}
