import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  backendEnvSchema,
  ConfigError,
  frontendEnvSchema,
  isSecret,
  loadConfig,
} from '@todo/config';
import { parse } from 'yaml';
import type { z } from 'zod';
import {
  chartDir,
  helm,
  HELM_MAJORS,
  type HelmMajor,
  parseManifests,
  RELEASE,
  TAG_ARGS,
} from './helm';

/**
 * `<app>.config` values become the app's environment through its ConfigMap. A value the chart
 * accepts but the app refuses lets `helm install` succeed and the pods crash at start-up; one the
 * chart refuses but the app accepts blocks a valid setting. Real Helm renders the chart, and the
 * apps' own loader (libs/config) reads the ConfigMap it wrote.
 */
const APPS = { backend: backendEnvSchema, frontend: frontendEnvSchema } as const;
type App = keyof typeof APPS;

/**
 * Variables whose chart rule can only come close to the app's (a URL or a list of origins, which
 * the app checks with `new URL()`): the chart must accept all the app accepts, and may let through
 * a value the app then refuses at start-up.
 */
const APPROXIMATE = new Set([
  'OPENAI_BASE_URL',
  'BACKEND_URL',
  'BACKEND_CORS_ORIGINS',
  'MCP_ALLOWED_ORIGINS',
]);

/**
 * Candidate values of each YAML type, around the bounds and the choices the apps have. Empty
 * text is left out: the ConfigMap drops it and the app takes its default, while the chart refuses
 * it where a choice is required — stricter, never a crash.
 */
const CANDIDATES: Record<'number' | 'string' | 'boolean', unknown[]> = {
  number: [
    -1, 0, 1, 99, 100, 101, 365, 366, 999, 1000, 1001, 65535, 86400, 86401, 100000, 100001, 120000,
    120001, 300000, 300001, 1000000, 2.5,
  ],
  string: [
    'production',
    'development',
    'staging',
    'info',
    'silent',
    'verbose',
    'HS256',
    'RS256',
    'gpt-4o-mini',
    'http://localhost:3000',
    'https://openrouter.ai/api/v1',
    'https://a.example.com,https://b.example.com',
    'http://localhost:3000/path',
    'ftp://example.com',
    'example.com',
    'http://',
    'http://a b',
  ],
  boolean: [true, false],
};
const ROUNDS = Math.max(...Object.values(CANDIDATES).map((list) => list.length));

const schema = JSON.parse(readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'));
const defaults = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));

/** The config keys the chart takes, with the YAML type values.yaml gives each one. */
function configKeys(app: App): Array<[string, keyof typeof CANDIDATES]> {
  return Object.keys(schema.properties[app].properties.config.properties).map((key) => {
    const type = typeof defaults[app].config[key];
    return [key, type === 'number' || type === 'boolean' ? type : 'string'];
  });
}

/** The config values a Helm error names (Helm 3: `- backend.config.X:`, Helm 4: a pointer). */
function refusedKeys(major: HelmMajor, app: App, stderr: string): Set<string> {
  const pattern =
    major === 3
      ? new RegExp(`^- ${app}\\.config\\.([A-Z0-9_]+):`, 'gm')
      : new RegExp(`at '/${app}/config/([A-Z0-9_]+)'`, 'g');
  return new Set([...stderr.matchAll(pattern)].map((match) => match[1]));
}

/** The variables the app refuses in this environment, as its start-up would report them. */
function appRefuses(app: App, env: Record<string, string>): Set<string> {
  try {
    loadConfig(APPS[app], env);
    return new Set();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return new Set(error.issues.map((issue) => issue.variable));
  }
}

// Long enough for every SHUTDOWN_TIMEOUT_MS candidate, so the grace-period rule stays out of it.
const ROOM_TO_DRAIN = ['backend', 'frontend'].flatMap((app) => [
  '--set',
  `${app}.terminationGracePeriodSeconds=600`,
  '--set',
  `${app}.preStopSleepSeconds=1`,
]);

function render(major: HelmMajor, values: Map<string, unknown>) {
  const args = [...values].flatMap(([key, value]) => [
    '--set-json',
    `${key}=${JSON.stringify(value)}`,
  ]);
  return helm(major, ['template', RELEASE, chartDir, ...TAG_ARGS, ...ROOM_TO_DRAIN, ...args]);
}

interface Verdict {
  app: App;
  key: string;
  value: unknown;
  chartAccepts: boolean;
  appAccepts: boolean;
}

/** Each candidate of each config key, as the chart and then the app judge it. */
function verdicts(major: HelmMajor): Verdict[] {
  const results: Verdict[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const values = new Map<string, unknown>();
    for (const app of Object.keys(APPS) as App[]) {
      for (const [key, type] of configKeys(app)) {
        values.set(`${app}.config.${key}`, CANDIDATES[type][round % CANDIDATES[type].length]);
      }
    }
    const first = render(major, values);
    const refused = new Map(
      (Object.keys(APPS) as App[]).map((app) => [app, refusedKeys(major, app, first.stderr)]),
    );
    if (first.status !== 0 && [...refused.values()].every((keys) => keys.size === 0)) {
      throw new Error(`helm ${major} refused values other than config ones:\n${first.stderr}`);
    }
    // Render again without the refused values, to read what the ConfigMaps write for the others.
    const accepted = new Map(
      [...values].filter(([dotted]) => {
        const [app, , key] = dotted.split('.');
        return !refused.get(app as App)?.has(key);
      }),
    );
    const second = first.status === 0 ? first : render(major, accepted);
    if (second.status !== 0) {
      throw new Error(`helm ${major} refused values it had not named:\n${second.stderr}`);
    }
    const objects = parseManifests(second.stdout);
    for (const app of Object.keys(APPS) as App[]) {
      const configMap = objects.find(
        (object) => object.kind === 'ConfigMap' && object.metadata.name === `${RELEASE}-${app}`,
      );
      const env = { ...(configMap?.data as Record<string, string>) };
      // What the ConfigMap would have written for a refused value (`toString | quote`).
      for (const key of refused.get(app) ?? [])
        env[key] = String(values.get(`${app}.config.${key}`));
      const byApp = appRefuses(app, env);
      for (const [key] of configKeys(app)) {
        results.push({
          app,
          key,
          value: values.get(`${app}.config.${key}`),
          chartAccepts: !refused.get(app)?.has(key),
          appAccepts: !byApp.has(key),
        });
      }
    }
  }
  return results;
}

describe.each(HELM_MAJORS)('Helm %i and the apps agree on config values', (major) => {
  let all: Verdict[] = [];
  beforeAll(() => {
    all = verdicts(major);
  }, 120000);

  it.each(['backend', 'frontend'] as const)(
    '%s.config: the chart refuses what the app would refuse at start-up, and only that',
    (app) => {
      const own = all.filter((verdict) => verdict.app === app);
      const disagreements = own
        .filter(({ key, chartAccepts, appAccepts }) =>
          APPROXIMATE.has(key) ? appAccepts && !chartAccepts : chartAccepts !== appAccepts,
        )
        .map(
          ({ key, value, chartAccepts, appAccepts }) =>
            `${key}=${JSON.stringify(value)}: chart ${chartAccepts ? 'accepts' : 'refuses'}, app ${appAccepts ? 'accepts' : 'refuses'}`,
        );

      expect([...new Set(disagreements)]).toEqual([]);
      // Not vacuous: every rule saw a value the app accepts and one it refuses (OPENAI_MODEL takes
      // any text, and a boolean has no wrong value of its type).
      const oneSided = configKeys(app)
        .filter(([key, type]) => type !== 'boolean' && key !== 'OPENAI_MODEL')
        .map(([key]) => key)
        .filter((key) => {
          const seen = new Set(own.filter((v) => v.key === key).map((v) => v.appAccepts));
          return seen.size < 2;
        });
      expect(oneSided).toEqual([]);
    },
  );

  it('refuses every secret variable under backend.config, naming it without printing its value', () => {
    const secrets = Object.entries(backendEnvSchema.shape as Record<string, z.ZodType>)
      .filter(([, variable]) => isSecret(variable))
      .map(([name]) => name);
    const values = new Map(secrets.map((name) => [`backend.config.${name}`, `${name}-s3cr3t`]));

    const result = render(major, values);

    expect(secrets.length).toBeGreaterThan(0);
    expect(result.status).not.toBe(0);
    for (const name of secrets) {
      expect(result.stderr).toMatch(
        major === 3
          ? new RegExp(`- backend\\.config: Additional property ${name} is not allowed`)
          : new RegExp(`at '/backend/config': additional properties .*'${name}'`),
      );
      expect(result.stderr).not.toContain(`${name}-s3cr3t`);
    }
  });
});
