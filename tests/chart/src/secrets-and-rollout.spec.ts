import {
  HELM_MAJORS,
  type K8sObject,
  RELEASE,
  renderNotes,
  TAG_ARGS,
  template,
  valuesArgs,
} from './helm';
import { decodeSecret, find, findAll, podTemplate } from './k8s';

// Recognisable secret values: each must reach its Secret and nothing else.
const SECRETS = {
  jwt: 'jwt-sentinel-0123456789abcdefghijklmnopqrstuvwxyz',
  openai: 'sk-openai-sentinel-4f9c2e',
  openrouter: 'sk-or-sentinel-7d1b3a',
  postgres: 'pg-sentinel-9e8d7c',
};
const SECRET_ARGS = [
  '--set',
  `backend.secret.jwtSecretKey=${SECRETS.jwt}`,
  '--set',
  `backend.secret.openaiApiKey=${SECRETS.openai}`,
  '--set',
  `backend.secret.openrouterApiKey=${SECRETS.openrouter}`,
  '--set',
  `postgresql.auth.password=${SECRETS.postgres}`,
];
const DEV = [...valuesArgs('values-dev.yaml'), ...TAG_ARGS, ...SECRET_ARGS];

function annotations(objects: K8sObject[], component: string): Record<string, string> {
  return (
    podTemplate(find(objects, 'Deployment', `${RELEASE}-${component}`)).metadata?.annotations ?? {}
  );
}

describe.each(HELM_MAJORS)('Helm %i', (major) => {
  let base: K8sObject[];
  beforeAll(() => {
    base = template(major, DEV);
  });

  describe('secrets', () => {
    it('renders the secret values into the Secrets', () => {
      expect(decodeSecret(find(base, 'Secret', `${RELEASE}-backend`))).toEqual({
        JWT_SECRET_KEY: SECRETS.jwt,
        OPENAI_API_KEY: SECRETS.openai,
        OPENROUTER_API_KEY: SECRETS.openrouter,
      });
      expect(decodeSecret(find(base, 'Secret', `${RELEASE}-postgresql`))).toEqual({
        password: SECRETS.postgres,
      });
    });

    it('never puts a secret value in a ConfigMap or any object but its Secret', () => {
      const elsewhere = JSON.stringify(base.filter((object) => object.kind !== 'Secret'));
      for (const value of Object.values(SECRETS)) {
        expect(elsewhere).not.toContain(value);
        expect(elsewhere).not.toContain(Buffer.from(value).toString('base64'));
      }
      for (const configMap of findAll(base, 'ConfigMap')) {
        expect(JSON.stringify(configMap)).not.toMatch(/sentinel/);
      }
    });

    it('never echoes a secret value in NOTES, which tell how to open the app', () => {
      const notes = renderNotes(major, DEV);

      expect(notes).toContain(`minikube service --namespace default ${RELEASE}-frontend --url`);
      expect(notes).toContain(`helm test --namespace default ${RELEASE}`);
      for (const value of Object.values(SECRETS)) {
        expect(notes).not.toContain(value);
        expect(notes).not.toContain(Buffer.from(value).toString('base64'));
      }
    });

    it('tells how to port-forward when the frontend Service is a ClusterIP', () => {
      const notes = renderNotes(major, [...valuesArgs('values-prod.yaml'), ...TAG_ARGS]);

      expect(notes).toContain(
        `kubectl --namespace default port-forward service/${RELEASE}-frontend 3000:3000`,
      );
      expect(notes).not.toContain('minikube');
    });

    it('keeps a generated JWT key out of everything but the Secret, and long enough for production', () => {
      const objects = template(major, [...valuesArgs('values-dev.yaml'), ...TAG_ARGS]);
      const { JWT_SECRET_KEY: generated } = decodeSecret(
        find(objects, 'Secret', `${RELEASE}-backend`),
      );

      expect(generated.length).toBeGreaterThanOrEqual(32);
      expect(JSON.stringify(objects.filter((object) => object.kind !== 'Secret'))).not.toContain(
        generated,
      );
    });
  });

  describe('checksum annotations', () => {
    it('stay the same when nothing changes', () => {
      const again = template(major, DEV);
      for (const component of ['backend', 'frontend']) {
        expect(annotations(again, component)).toEqual(annotations(base, component));
      }
    });

    it('roll only the backend when a backend setting changes', () => {
      const changed = template(major, [...DEV, '--set', 'backend.config.LOG_LEVEL=warn']);

      expect(annotations(changed, 'backend')['checksum/config']).not.toBe(
        annotations(base, 'backend')['checksum/config'],
      );
      expect(annotations(changed, 'backend')['checksum/secret']).toBe(
        annotations(base, 'backend')['checksum/secret'],
      );
      expect(annotations(changed, 'frontend')['checksum/config']).toBe(
        annotations(base, 'frontend')['checksum/config'],
      );
    });

    it('roll the frontend when a frontend setting changes', () => {
      const changed = template(major, [
        ...DEV,
        '--set',
        'frontend.config.BACKEND_TIMEOUT_MS=20000',
      ]);

      expect(annotations(changed, 'frontend')['checksum/config']).not.toBe(
        annotations(base, 'frontend')['checksum/config'],
      );
      expect(annotations(changed, 'backend')).toEqual(annotations(base, 'backend'));
    });

    it('roll the backend when a secret value changes, without printing it', () => {
      const changed = template(major, [
        ...DEV,
        '--set',
        'backend.secret.openaiApiKey=sk-openai-rotated-1b2c',
      ]);
      const digest = annotations(changed, 'backend')['checksum/secret'];

      expect(digest).not.toBe(annotations(base, 'backend')['checksum/secret']);
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(annotations(changed, 'backend')['checksum/config']).toBe(
        annotations(base, 'backend')['checksum/config'],
      );
    });

    it('roll the backend when the PostgreSQL password changes', () => {
      const changed = template(major, [
        ...DEV,
        '--set',
        'postgresql.auth.password=pg-rotated-5a6b',
      ]);

      expect(annotations(changed, 'backend')['checksum/secret']).not.toBe(
        annotations(base, 'backend')['checksum/secret'],
      );
    });
  });
});
