import { z } from 'zod';
import {
  backendEnvSchema,
  bool,
  ConfigError,
  frontendEnvSchema,
  int,
  list,
  loadConfig,
  port,
  REDACTED,
  redactConfig,
  secret,
  str,
} from './index';

const schema = z.object({
  PORT: port(8000),
  WORKERS: int({ default: 2, min: 1, max: 16 }),
  DEBUG: bool(false),
  ORIGINS: list(['http://localhost:3000']),
  NAME: str({ min: 3 }),
  TOKEN: secret(str({ optional: true })),
});

describe('loadConfig', () => {
  it('applies defaults for unset and empty variables', () => {
    const config = loadConfig(schema, { NAME: 'todo', PORT: '' });
    expect(config).toEqual({
      PORT: 8000,
      WORKERS: 2,
      DEBUG: false,
      ORIGINS: ['http://localhost:3000'],
      NAME: 'todo',
      TOKEN: undefined,
    });
  });

  it('coerces numbers, booleans and comma lists', () => {
    const config = loadConfig(schema, {
      NAME: 'todo',
      PORT: '9000',
      WORKERS: ' 4 ',
      DEBUG: 'YES',
      ORIGINS: 'https://a.example, https://b.example,,',
    });
    expect(config.PORT).toBe(9000);
    expect(config.WORKERS).toBe(4);
    expect(config.DEBUG).toBe(true);
    expect(config.ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(loadConfig(schema, { NAME: 'todo', DEBUG: 'off' }).DEBUG).toBe(false);
  });

  it('returns a frozen object', () => {
    const config = loadConfig(schema, { NAME: 'todo' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig(schema, {})).toThrow(
      new ConfigError([{ variable: 'NAME', rule: 'required' }]),
    );
  });

  it('reports every bad variable in one error, each with its rule', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(schema, { PORT: '70000', WORKERS: 'many', DEBUG: 'maybe', NAME: 'ab' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.issues).toEqual([
      { variable: 'PORT', rule: 'must be a whole number from 1 to 65535' },
      { variable: 'WORKERS', rule: 'must be a whole number from 1 to 16' },
      { variable: 'DEBUG', rule: 'must be one of true, 1, yes, on, false, 0, no, off' },
      { variable: 'NAME', rule: 'at least 3 characters' },
    ]);
    expect(error?.message).toContain('  PORT: must be a whole number from 1 to 65535\n');
  });

  it('redacts secrets for logging and keeps the rest', () => {
    const config = loadConfig(schema, { NAME: 'todo', TOKEN: 's3cr3t-value' });
    const view = redactConfig(schema, config);
    expect(view.TOKEN).toBe(REDACTED);
    expect(view.NAME).toBe('todo');
    expect(JSON.stringify(view)).not.toContain('s3cr3t-value');
  });
});

describe('backend schema', () => {
  it('runs in development with no variables at all', () => {
    const config = loadConfig(backendEnvSchema, {});
    expect(config.PORT).toBe(8000);
    expect(config.JWT_ALGORITHM).toBe('HS256');
    expect(config.ACCESS_TOKEN_EXPIRE_DAYS).toBe(7);
    expect(config.MAX_LOGIN_ATTEMPTS).toBe(5);
    expect(config.LOGIN_LOCKOUT_TIME).toBe(300);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('requires a long JWT_SECRET_KEY in production', () => {
    expect(() =>
      loadConfig(backendEnvSchema, { NODE_ENV: 'production', JWT_SECRET_KEY: 'short' }),
    ).toThrow('JWT_SECRET_KEY: required when NODE_ENV=production, at least 32 characters');
    const ok = loadConfig(backendEnvSchema, {
      NODE_ENV: 'production',
      JWT_SECRET_KEY: 'x'.repeat(32),
    });
    expect(ok.NODE_ENV).toBe('production');
  });

  it('refuses a non-PostgreSQL DATABASE_URL and an unpinned algorithm', () => {
    expect(() =>
      loadConfig(backendEnvSchema, { DATABASE_URL: 'mysql://db/x', JWT_ALGORITHM: 'none' }),
    ).toThrow(
      /DATABASE_URL: must be a URL \(postgres:\/\/ or postgresql:\/\/\.\.\.\)\n {2}JWT_ALGORITHM: must be one of HS256/,
    );
  });

  it('takes origins as CORS compares them, and refuses a URL with a path', () => {
    const config = loadConfig(backendEnvSchema, {
      BACKEND_CORS_ORIGINS: 'https://todo.example.com, http://localhost:3000',
      MCP_ALLOWED_ORIGINS: 'http://[::1]:6274',
    });
    expect(config.BACKEND_CORS_ORIGINS).toEqual([
      'https://todo.example.com',
      'http://localhost:3000',
    ]);
    expect(config.MCP_ALLOWED_ORIGINS).toEqual(['http://[::1]:6274']);
    expect(() =>
      loadConfig(backendEnvSchema, { MCP_ALLOWED_ORIGINS: 'https://tools.example.com/mcp' }),
    ).toThrow(
      'MCP_ALLOWED_ORIGINS: must be comma-separated origins, scheme://host[:port] with no path (e.g. http://localhost:3000)',
    );
  });

  it('never shows the database password, the JWT key or model keys in the log view', () => {
    const env = {
      DATABASE_URL: 'postgres://todo:hunter2-password@db:5432/todo',
      JWT_SECRET_KEY: 'k'.repeat(40),
      OPENAI_API_KEY: 'sk-live-abcdef',
    };
    const view = JSON.stringify(redactConfig(backendEnvSchema, loadConfig(backendEnvSchema, env)));
    for (const value of Object.values(env)) expect(view).not.toContain(value);
  });
});

describe('frontend schema', () => {
  it('reads BACKEND_URL at run time with a local default', () => {
    expect(loadConfig(frontendEnvSchema, {}).BACKEND_URL).toBe('http://localhost:8000');
    expect(
      loadConfig(frontendEnvSchema, { BACKEND_URL: 'http://todo-backend:8000' }).BACKEND_URL,
    ).toBe('http://todo-backend:8000');
    expect(() => loadConfig(frontendEnvSchema, { BACKEND_URL: 'todo-backend' })).toThrow(
      'BACKEND_URL: must be a URL',
    );
  });
});
