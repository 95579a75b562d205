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
 * It also writes the rules of the chart values `backend.config.*` and `frontend.config.*` in
 * values.schema.json (their `properties`) from the same zod schemas, so that the chart refuses at
 * `helm install` what the app would refuse at start-up, and nothing the app accepts.
 *
 *   npx tsx tools/scripts/generate-config-docs.ts          # rewrite the doc (and the rules)
 *   npx tsx tools/scripts/generate-config-docs.ts --check  # exit 1 when either is stale
 *   npx tsx tools/scripts/generate-config-docs.ts --stdout # print the doc it would write
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { z } from 'zod';
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
const SCHEMA = `${CHART}/values.schema.json`;

const APPS = ['backend', 'frontend'] as const;
type App = (typeof APPS)[number];
const ENV_SCHEMAS: Record<App, z.ZodObject> = {
  backend: backendEnvSchema,
  frontend: frontendEnvSchema,
};

type JsonSchema = {
  $ref?: string;
  $comment?: string;
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
  definitions?: Record<string, JsonSchema>;
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

interface ConfigMapEntry {
  variable: string;
  /** The template text after `KEY: `. */
  value: string;
  /** The innermost `if` the key is written under, if any. */
  condition?: string;
}

/** Keys the ConfigMap template writes itself (two-space indented literal keys under `data:`). */
function configMapEntries(app: App): ConfigMapEntry[] {
  const entries: ConfigMapEntry[] = [];
  const blocks: string[] = [];
  for (const line of templateText(`${app}-configmap.yaml`).split('\n')) {
    const action = line.match(/\{\{-?\s*(if|range|with|else|end)\b\s*([^}]*?)\s*-?\}\}/);
    if (action?.[1] === 'end') blocks.pop();
    else if (action?.[1] === 'else') blocks[blocks.length - 1] = 'else';
    else if (action) blocks.push(action[1] === 'if' ? `if ${action[2]}` : action[1]);
    const entry = line.match(/^ {2}([A-Z][A-Z0-9_]*): (.+)$/);
    if (!entry) continue;
    const condition = blocks.filter((block) => block.startsWith('if ')).pop();
    entries.push({ variable: entry[1], value: entry[2], condition });
  }
  return entries;
}

/** Where a deployment sets each of an app's variables: image, chart ConfigMap, values, Secret. */
function settingSources(app: App, values: Tree): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  const add = (variable: string, text: string) =>
    sources.set(variable, [...(sources.get(variable) ?? []), text]);

  const dockerfile = `apps/${app}/Dockerfile`;
  if (existsSync(path.join(workspaceRoot, dockerfile))) {
    for (const [key, value] of dockerfileEnv(read(dockerfile))) {
      add(key, `image: ${code(`${key}=${value}`)}`);
    }
  }

  for (const entry of configMapEntries(app)) {
    const fromValue = entry.value.match(
      /^\{\{\s*\.Values\.([A-Za-z0-9_.]+)\s*(\|\s*quote\s*)?\}\}$/,
    );
    add(
      entry.variable,
      (fromValue
        ? `chart ConfigMap, from ${code(fromValue[1])}`
        : entry.value.includes('{{')
          ? 'chart ConfigMap, computed by the chart'
          : `chart ConfigMap: ${code(entry.value.replace(/^"|"$/g, ''))}`) +
        (entry.condition ? ` (only ${code(entry.condition)})` : ''),
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

function envSection(title: string, app: App, schema: z.ZodObject, values: Tree): string {
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

// ── Chart config rules (values.schema.json) ─────────────────────────────────────────────────

/**
 * Rules zod cannot state in JSON schema, written here by hand. `z.toJSONSchema` throws on a
 * transform and silently drops a `.refine()`, so each variable built with one needs an entry (the
 * generator stops otherwise), and an entry whose variable has become translatable is refused.
 */
const HAND_WRITTEN: Record<string, JsonSchema> = {
  // url() is a refine (`new URL()`, then the protocol). The pattern checks the protocol only: a
  // value such as `http://a b` passes the chart and stops the app at start-up. Empty is allowed:
  // the ConfigMap leaves empty values out, and the app then takes its default (or, for
  // BACKEND_URL, the chart writes the release's backend Service).
  OPENAI_BASE_URL: { type: 'string', pattern: '^(https?://.+)?$' },
  BACKEND_URL: { type: 'string', pattern: '^(https?://.+)?$' },
  // origins() transforms the text into a list and checks each item with `new URL()` (an origin:
  // scheme, host and port, nothing else). No pattern says that exactly, so the chart takes any
  // text and the app checks it at start-up.
  BACKEND_CORS_ORIGINS: { type: 'string' },
  MCP_ALLOWED_ORIGINS: { type: 'string' },
  // bool() transforms true/false/1/0/yes/no/on/off. The chart takes a YAML boolean, which the
  // ConfigMap writes as `true` or `false`: a subset of what the app accepts.
  TRUST_PROXY: { type: 'boolean' },
};

/**
 * The variables an app's `config` value takes: not the secrets (they reach pods through Secrets,
 * never a ConfigMap) and not those the ConfigMap template writes itself unless its condition
 * reads the value (PORT, HOST and DATA_DIR are the chart's; BACKEND_URL is a default the value
 * overrides).
 */
function chartConfigVariables(app: App): Array<[string, z.ZodType]> {
  const byChart = new Set(
    configMapEntries(app)
      .filter((entry) => !entry.condition?.includes(`.Values.${app}.config.${entry.variable}`))
      .map((entry) => entry.variable),
  );
  return Object.entries(ENV_SCHEMAS[app].shape as Record<string, z.ZodType>).filter(
    ([name, variable]) => !isSecret(variable) && !byChart.has(name),
  );
}

/** The JSON schema of one variable as a chart value (a YAML value, not the string the app reads). */
function configRule(name: string, variable: z.ZodType): JsonSchema {
  let refined = false;
  const override = ({ zodSchema }: { zodSchema: z.core.$ZodType }) => {
    const checks = (zodSchema._zod.def as { checks?: z.core.$ZodCheck[] }).checks ?? [];
    if (checks.some((check) => check._zod.def.check === 'custom')) refined = true;
  };
  let output: JsonSchema | undefined;
  let input: JsonSchema | undefined;
  try {
    output = z.toJSONSchema(variable, { target: 'draft-07', io: 'output', override }) as JsonSchema;
    input = z.toJSONSchema(variable, { target: 'draft-07', io: 'input', override }) as JsonSchema;
  } catch {
    refined = true; // a transform
  }
  const handWritten = HAND_WRITTEN[name];
  if (refined || !output || !input) {
    if (!handWritten) {
      throw new Error(
        `${name}: zod cannot state its rule in JSON schema (a refine or transform); write it in HAND_WRITTEN in ${path.basename(__filename)}`,
      );
    }
    return { ...handWritten, description: variable.description };
  }
  if (handWritten) {
    throw new Error(`${name} translates from zod now: remove its entry from HAND_WRITTEN`);
  }
  const {
    $schema: _schema,
    default: _default,
    description,
    ...rule
  } = output as JsonSchema & {
    $schema?: string;
    default?: unknown;
  };
  // int() reads a string of digits (the input's pattern) and pipes it into a number with bounds
  // (the output): as a YAML value, an integer with those bounds.
  if (rule.type === 'number' && input.type === 'string' && input.pattern === '^-?\\d+$') {
    rule.type = 'integer';
  }
  // Patterns of z.string().regex() pass through as written. Helm reads them as Go regular
  // expressions, which have no lookaround or backreference: a zod regex with one needs a rule in
  // HAND_WRITTEN.
  return { ...rule, description };
}

/** `properties` of `<app>.config` in values.schema.json, as the zod schema of the app states them. */
function chartConfigRules(app: App): Record<string, JsonSchema> {
  return Object.fromEntries(
    chartConfigVariables(app).map(([name, variable]) => [name, configRule(name, variable)]),
  );
}

function configSchema(schema: JsonSchema, app: App): JsonSchema {
  const config = schema.properties?.[app]?.properties?.config;
  if (!config?.properties) throw new Error(`${SCHEMA} has no properties.${app}.properties.config`);
  return config;
}

/** The apps whose `config` rules in the schema differ from what their zod schema says. */
function staleConfigRules(schema: JsonSchema): App[] {
  return APPS.filter(
    (app) =>
      JSON.stringify(configSchema(schema, app).properties) !==
      JSON.stringify(chartConfigRules(app)),
  );
}

/**
 * values.schema.json with its config rules regenerated, in the workspace's Prettier style. Objects
 * stay expanded as JSON.stringify writes them, except `{ "$ref": ... }`, which reads best inline.
 */
async function renderSchema(schema: JsonSchema): Promise<string> {
  const updated = structuredClone(schema);
  for (const app of APPS) configSchema(updated, app).properties = chartConfigRules(app);
  const text = JSON.stringify(updated, null, 2).replace(
    /\{\n\s*("\$ref": "[^"]*")\n\s*\}/g,
    '{ $1 }',
  );
  const file = path.join(workspaceRoot, SCHEMA);
  const options = await prettier.resolveConfig(file);
  return prettier.format(text, { ...options, filepath: file });
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
  const env = row.path.match(/^(backend|frontend)\.config\.([A-Z0-9_]+)$/);
  // A config value's schema description is the variable's own (generated from zod), shown below
  // with the variable's name; the comment in values.yaml, when there is one, says more.
  const own = (env ? undefined : row.schema.description) ?? comments.get(row.path);
  if (own) return own;
  const app = row.path.split('.')[0];
  const stored = secretValueVariables(app).get(row.path);
  if (stored && envMeanings.has(`${app}.${stored}`)) {
    return `${envMeanings.get(`${app}.${stored}`)} (stored in the Secret as ${stored})`;
  }
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

/** The schema with each local `$ref` replaced by what it points to (the schema has no cycles). */
function inlineRefs(node: unknown, root: JsonSchema): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineRefs(item, root));
  if (!node || typeof node !== 'object') return node;
  const { $ref, ...rest } = node as JsonSchema;
  const target = $ref
    ? $ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((at, key) => (at as Tree)[key], root)
    : {};
  return Object.fromEntries(
    Object.entries({ ...(target as Tree), ...rest }).map(([key, value]) => [
      key,
      inlineRefs(value, root),
    ]),
  );
}

function chartSection(): string {
  const raw = JSON.parse(read(SCHEMA)) as JsonSchema;
  const schema = inlineRefs(raw, raw) as JsonSchema;
  const valuesText = read(`${CHART}/values.yaml`);
  const defaults = parseDocument(valuesText).toJS() as Tree;
  const dev = parseDocument(read(`${CHART}/values-dev.yaml`)).toJS() as Tree;
  const prod = parseDocument(read(`${CHART}/values-prod.yaml`)).toJS() as Tree;
  const comments = valuesComments(valuesText);
  const rows = valueRows(schema, defaults);
  const envMeanings = new Map<string, string>();
  for (const app of APPS) {
    for (const [name, variable] of Object.entries(
      ENV_SCHEMAS[app].shape as Record<string, z.ZodType>,
    )) {
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
    'The same command writes the rules of `backend.config` and `frontend.config` in',
    '`values.schema.json` from the zod schemas, so the chart refuses what the app would refuse. The',
    'docs test (`npx nx test docs-tests`) fails while either is stale; `--check` only reports whether',
    'they are.',
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

async function main(): Promise<void> {
  const file = path.join(workspaceRoot, OUTPUT);
  if (process.argv.includes('--stdout')) {
    process.stdout.write(renderConfigurationDoc());
    return;
  }
  const schema = JSON.parse(read(SCHEMA)) as JsonSchema;
  const stale = staleConfigRules(schema);
  if (process.argv.includes('--check')) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const problems = [
      ...stale.map(
        (app) => `${SCHEMA}: the rules of ${app}.config differ from libs/config/src/${app}.ts`,
      ),
      ...(current === renderConfigurationDoc() ? [] : [`${OUTPUT} is stale`]),
    ];
    if (problems.length > 0) {
      for (const problem of problems) console.error(problem);
      console.error('run: npx tsx tools/scripts/generate-config-docs.ts');
      process.exit(1);
    }
    console.log(`${OUTPUT} and the config rules of ${SCHEMA} are up to date`);
    return;
  }
  // The schema first: the doc describes the chart values from it.
  if (stale.length > 0) {
    writeFileSync(path.join(workspaceRoot, SCHEMA), await renderSchema(schema));
    console.log(`wrote ${stale.map((app) => `${app}.config`).join(' and ')} rules in ${SCHEMA}`);
  }
  writeFileSync(file, renderConfigurationDoc());
  console.log(`wrote ${OUTPUT}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
