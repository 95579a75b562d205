import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The security headers the Next.js app sends on every page and route, read from its real
// next.config.mjs (Next applies `headers()` to every response of `next start` and the standalone
// server). The config is ESM with import.meta, so it is evaluated by node itself.

const run = promisify(execFile);
const configPath = join(__dirname, '../../../apps/frontend/next.config.mjs');

let headers: Map<string, string>;

beforeAll(async () => {
  const { stdout } = await run(process.execPath, [
    '--input-type=module',
    '-e',
    `const { default: config } = await import(${JSON.stringify(configPath)});
     console.log(JSON.stringify({ poweredBy: config.poweredByHeader, rules: await config.headers() }));`,
  ]);
  const { poweredBy, rules } = JSON.parse(stdout) as {
    poweredBy: boolean | undefined;
    rules: { source: string; headers: { key: string; value: string }[] }[];
  };
  expect(poweredBy).toBe(false);
  const everyPath = rules.find((rule) => rule.source === '/:path*');
  headers = new Map((everyPath?.headers ?? []).map(({ key, value }) => [key.toLowerCase(), value]));
});

it('forbids framing, sniffing and leaking the URL to other sites', () => {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy') ?? '(missing)').toMatch(
    /^(same-origin|strict-origin-when-cross-origin|no-referrer)$/,
  );
});

it('sends a Content-Security-Policy that blocks plugins, foreign frames and base-tag hijacks', () => {
  const csp = headers.get('content-security-policy') ?? '(missing)';
  expect(csp).toMatch(/default-src 'self'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).toMatch(/object-src 'none'/);
  expect(csp).toMatch(/base-uri 'self'|base-uri 'none'/);
  expect(csp).toMatch(/form-action 'self'/);
});

it('keeps browsers on HTTPS, isolates the window and turns off powerful features', () => {
  expect(headers.get('strict-transport-security') ?? '(missing)').toMatch(/max-age=\d{7,}/);
  expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(headers.get('permissions-policy') ?? '(missing)').toMatch(/camera=\(\)/);
});
