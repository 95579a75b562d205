import path from 'node:path';
import {
  chartDir,
  fixturesDir,
  helm,
  HELM_MAJORS,
  type HelmMajor,
  RELEASE,
  TAG_ARGS,
} from './helm';

/**
 * Helm names a value differently per major version: Helm 3 (gojsonschema) as `backend.image.tag`,
 * Helm 4 (santhosh-tekuri/jsonschema) as a JSON pointer `/backend/image/tag`.
 */
function valuePath(major: HelmMajor, dotted: string): string {
  if (dotted === '') return major === 3 ? '(root)' : "at ''";
  return major === 3 ? `- ${dotted}:` : `at '/${dotted.split('.').join('/')}'`;
}

interface BadValues {
  fixture: string;
  /** The value the error must name ('' for the top level). */
  value: string;
  /** What the error must say about it, per Helm major version. */
  message: Record<HelmMajor, RegExp>;
  /** Secret text of the fixture that must never appear in the error. */
  secret?: string;
  /** A rule across values that a template checks (`fail`): the same text on both versions. */
  byTemplate?: true;
}

/** How each Helm major refuses a key the schema does not name. */
function unknownKey(key: string): Record<HelmMajor, RegExp> {
  return {
    3: new RegExp(`Additional property ${key} is not allowed`),
    4: new RegExp(`additional properties '${key}' not allowed`),
  };
}

const BAD_VALUES: BadValues[] = [
  {
    fixture: 'latest-tag.yaml',
    value: 'backend.image.tag',
    message: {
      3: /does not match: "a content tag, not latest \(latest never rolls out a new build\)"/,
      4: /value must be 'a content tag, not latest \(latest never rolls out a new build\)'/,
    },
  },
  {
    fixture: 'empty-tag.yaml',
    value: 'frontend.image.tag',
    message: {
      3: /String length must be greater than or equal to 1/,
      4: /minLength: got 0, want 1/,
    },
  },
  {
    fixture: 'wrong-type.yaml',
    value: 'backend.replicaCount',
    message: { 3: /Invalid type. Expected: integer, given: string/, 4: /got string, want integer/ },
  },
  {
    fixture: 'unknown-top-level-key.yaml',
    value: '',
    message: unknownKey('replicas'),
  },
  {
    fixture: 'unknown-frontend-key.yaml',
    value: 'frontend',
    message: unknownKey('replicas'),
  },
  {
    fixture: 'unknown-probe-setting.yaml',
    value: 'frontend.livenessProbe',
    message: unknownKey('initialDelaySeconds'),
  },
  {
    fixture: 'secret-in-configmap.yaml',
    value: 'backend.config',
    message: unknownKey('JWT_SECRET_KEY'),
    secret: 'this-would-end-up-in-a-configmap-in-clear-text',
  },
  {
    fixture: 'external-database-without-secret.yaml',
    value: 'backend.secret.existingSecret',
    message: {
      3: /String length must be greater than or equal to 1/,
      4: /minLength: got 0, want 1/,
    },
  },
  {
    fixture: 'embedded-database-two-replicas.yaml',
    value: 'backend.replicaCount',
    message: { 3: /Must be less than or equal to 1/, 4: /maximum: got 2, want 1/ },
  },
  {
    fixture: 'embedded-database-autoscaling.yaml',
    value: 'backend.autoscaling.enabled',
    message: { 3: /does not match: false/, 4: /value must be false/ },
  },
  {
    fixture: 'two-databases.yaml',
    value: 'externalDatabase.enabled',
    message: { 3: /does not match: false/, 4: /value must be false/ },
  },
  {
    fixture: 'short-jwt-secret.yaml',
    value: 'backend.secret.jwtSecretKey',
    message: {
      3: /String length must be less than or equal to 0/,
      4: /minLength: got 9, want 32/,
    },
    secret: 'too-short',
  },
  {
    fixture: 'unsafe-postgresql-password.yaml',
    value: 'postgresql.auth.password',
    message: { 3: /Must not validate the schema \(not\)/, 4: /'not' failed/ },
    secret: 'p@ss/w0rd-s3cr3t',
  },
  {
    fixture: 'invalid-database-url.yaml',
    value: 'backend.secret.databaseUrl',
    message: { 3: /Must not validate the schema \(not\)/, 4: /'not' failed/ },
    secret: 's3cr3t-db-password',
  },
  {
    fixture: 'grace-period-shorter-than-drain.yaml',
    value: 'backend.terminationGracePeriodSeconds',
    byTemplate: true,
    message: {
      3: /backend\.terminationGracePeriodSeconds \(12\) must exceed backend\.preStopSleepSeconds \(5\) \+ backend\.config\.SHUTDOWN_TIMEOUT_MS in seconds \(10\)/,
      4: /backend\.terminationGracePeriodSeconds \(12\) must exceed backend\.preStopSleepSeconds \(5\) \+ backend\.config\.SHUTDOWN_TIMEOUT_MS in seconds \(10\)/,
    },
  },
];

describe.each(HELM_MAJORS)(
  'Helm %i refuses bad values with a message naming the value',
  (major) => {
    it.each(BAD_VALUES)('$fixture → $value', ({ fixture, value, message, secret, byTemplate }) => {
      const result = helm(major, [
        'template',
        RELEASE,
        chartDir,
        '-f',
        path.join(fixturesDir, 'bad-values', fixture),
      ]);

      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(byTemplate ? value : valuePath(major, value));
      expect(result.stderr).toMatch(message[major]);
      if (secret) expect(result.stderr).not.toContain(secret);
    });

    it('refuses to render without the content tags, naming backend.image.tag', () => {
      const result = helm(major, ['template', RELEASE, chartDir]);

      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(
        major === 3
          ? /- backend\.image: tag is required/
          : /at '\/backend\/image': missing property 'tag'/,
      );
    });

    it('lint --strict fails on a bad values file too', () => {
      const result = helm(major, [
        'lint',
        '--strict',
        chartDir,
        '-f',
        path.join(fixturesDir, 'bad-values', 'latest-tag.yaml'),
      ]);

      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('a content tag, not latest');
    });

    it('refuses a Kubernetes older than 1.30 (lifecycle.preStop.sleep)', () => {
      const result = helm(major, [
        'template',
        RELEASE,
        chartDir,
        ...TAG_ARGS,
        '--kube-version',
        '1.29.0',
      ]);

      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/kubeVersion: >=1\.30\.0-0/);
    });

    it('accepts the same values with a content tag in place of latest', () => {
      const result = helm(major, [
        'template',
        RELEASE,
        chartDir,
        '-f',
        path.join(fixturesDir, 'bad-values', 'latest-tag.yaml'),
        '--set',
        'backend.image.tag=0f3a9c1',
      ]);

      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('image: "todo-backend:0f3a9c1"');
    });
  },
);
