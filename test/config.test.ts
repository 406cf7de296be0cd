import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, SANDBOX_DEMO_API_KEY, SANDBOX_TILL_API_KEYS } from '../src/config';
import { digestSecret } from '../src/domain/api-keys';

const VALID = {
  CTP_PROJECT_KEY: 'demo-project',
  CTP_CLIENT_ID: 'client',
  CTP_CLIENT_SECRET: 'secret',
  CTP_AUTH_URL: 'https://auth.europe-west1.gcp.commercetools.com',
  CTP_API_URL: 'https://api.europe-west1.gcp.commercetools.com/',
  CTP_SCOPES: 'manage_orders:demo-project  manage_customers:demo-project',
  REDIS_URL: 'redis://127.0.0.1:6379',
  API_KEYS: 'pos:abcdefghijklmnop1234:sessions+customers,backoffice:ZYXWVUTSRQPONMLK_-99:admin',
  IDEMPOTENCY_SECRET: 'a-long-random-idempotency-secret-0123456789',
};

describe('configuration', () => {
  test('when every variable is valid, then defaults apply and keys are kept as digests', () => {
    const config = loadConfig(VALID);
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('info');
    expect(config.sessionTtlSeconds).toBe(90 * 86_400);
    expect(config.commercetools.scopes).toEqual(['manage_orders:demo-project', 'manage_customers:demo-project']);
    expect(config.commercetools.apiUrl).toBe('https://api.europe-west1.gcp.commercetools.com');
    expect(config.apiKeys.get(digestSecret('abcdefghijklmnop1234'))).toEqual({
      clientId: 'pos',
      scopes: new Set(['sessions', 'customers']),
    });
    expect([...config.apiKeys.keys()].join()).not.toContain('abcdefghijklmnop1234');
  });

  test('when an API_KEYS entry has a fourth field, then the key is bound to that store', () => {
    const config = loadConfig({ ...VALID, API_KEYS: 'till:abcdefghijklmnop1234:sessions+customers:berlin-mitte' });

    expect(config.apiKeys.get(digestSecret('abcdefghijklmnop1234'))).toEqual({
      clientId: 'till',
      scopes: new Set(['sessions', 'customers']),
      storeKey: 'berlin-mitte',
    });
  });

  test('when an API_KEYS store key is not a commercetools key, then the error names the entry and the rule', () => {
    const load = () => loadConfig({ ...VALID, API_KEYS: 'till:abcdefghijklmnop1234:sessions:berlin mitte' });

    expect(load).toThrow(/API_KEYS: entry 1: storeKey must match/);
  });

  test.each(Object.keys(VALID))('when %s is missing, then the error names it', (name) => {
    const env: Record<string, string> = { ...VALID };
    delete env[name];
    expect(() => loadConfig(env)).toThrow(name);
  });

  test.each([
    ['CTP_API_URL', 'not a url'],
    ['CTP_AUTH_URL', 'ftp://x'],
    ['REDIS_URL', 'http://localhost'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEYS', 'pos:short:sessions'],
    ['API_KEYS', 'pos:abcdefghijklmnop1234:sessions+root'],
    ['API_KEYS', 'pos:abcdefghijklmnop1234'],
    ['API_KEYS', 'pos:abcdefghijklmnop1234:sessions:berlin:extra'],
    ['API_KEYS', 'a:abcdefghijklmnop1234:sessions,b:abcdefghijklmnop1234:admin'],
    ['SESSION_TTL_DAYS', '0'],
    ['SIGN_IN_MAX_FAILURES', '0'],
    ['SIGN_IN_BLOCK_SECONDS', 'soon'],
    ['SIGN_UP_MAX_ATTEMPTS', '1.5'],
  ])('when %s is %s, then the error names it', (name, value) => {
    expect(() => loadConfig({ ...VALID, [name]: value })).toThrow(name);
  });

  test('when the sign-in limits are not set, then 10 failures, a 15-minute block and 10 sign-ups per session apply', () => {
    expect(loadConfig(VALID).signInLimits).toEqual({ maxFailures: 10, blockSeconds: 900, signUpMaxAttempts: 10 });
  });

  test('when the sign-in limits are set, then they are used', () => {
    const config = loadConfig({
      ...VALID,
      SIGN_IN_MAX_FAILURES: '5',
      SIGN_IN_BLOCK_SECONDS: '60',
      SIGN_UP_MAX_ATTEMPTS: '2',
    });
    expect(config.signInLimits).toEqual({ maxFailures: 5, blockSeconds: 60, signUpMaxAttempts: 2 });
  });

  test('when the connection pool is not set, then 256 connections per origin kept 30 s apply', () => {
    expect(loadConfig(VALID).commercetools.http).toEqual({ connections: 256, keepAliveMs: 30_000 });
  });

  test('when the connection pool is set, then it is used', () => {
    const config = loadConfig({ ...VALID, CTP_HTTP_CONNECTIONS: '32', CTP_HTTP_KEEP_ALIVE_MS: '5000' });
    expect(config.commercetools.http).toEqual({ connections: 32, keepAliveMs: 5000 });
  });

  test('when the pool is given 0 connections, then the configuration is refused naming CTP_HTTP_CONNECTIONS', () => {
    expect(() => loadConfig({ ...VALID, CTP_HTTP_CONNECTIONS: '0' })).toThrow(/CTP_HTTP_CONNECTIONS/);
  });

  test('when an API key is malformed, then the message does not repeat the secret', () => {
    expect(() => loadConfig({ ...VALID, API_KEYS: 'pos:abcdefghijklmnop1234:sessions+root' })).toThrow(
      /^(?!.*abcdefghijklmnop1234)/,
    );
  });

  test('when the service starts with a missing variable, then it exits 1 with one line naming it', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...VALID };
    delete env.REDIS_URL;
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'main.ts')], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('REDIS_URL');
  });

  test('when several variables are bad or missing, then one error names every one of them', () => {
    const env: Record<string, string> = { ...VALID, PORT: 'eighty', LOG_LEVEL: 'loud', CTP_API_URL: 'not a url' };
    delete env.CTP_CLIENT_SECRET;
    delete env.REDIS_URL;

    const error = captureConfigError(env);

    expect(error.problems.map((problem) => problem.variable).sort()).toEqual(
      ['CTP_API_URL', 'CTP_CLIENT_SECRET', 'LOG_LEVEL', 'PORT', 'REDIS_URL'].sort(),
    );
    for (const name of ['CTP_API_URL', 'CTP_CLIENT_SECRET', 'LOG_LEVEL', 'PORT', 'REDIS_URL'])
      expect(error.message).toContain(name);
  });

  test('when the service starts with several bad variables, then it exits 1 listing each on its own line', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...VALID, PORT: 'eighty' };
    delete env.REDIS_URL;

    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'main.ts')], {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration (2 problems):');
    expect(result.stderr).toMatch(/^ {2}- PORT .*$/m);
    expect(result.stderr).toMatch(/^ {2}- REDIS_URL .*$/m);
  });

  describe('placeholders and the demo key', () => {
    test.each([
      ['CTP_CLIENT_ID', { CTP_CLIENT_ID: 'replace-me' }],
      ['CTP_CLIENT_SECRET', { CTP_CLIENT_SECRET: 'replace-me' }],
      ['API_KEYS', { API_KEYS: `sandbox:${SANDBOX_DEMO_API_KEY}:sessions+customers+admin` }],
      ['API_KEYS', { API_KEYS: 'pos-terminals:change-me-0123456789abcdef:sessions+customers' }],
      ['API_KEYS', { API_KEYS: `till:${SANDBOX_TILL_API_KEYS['vienna-1']}:sessions:vienna-1` }],
    ])('when %s is a placeholder of .env.example or the demo key (%j), then the service refuses it', (name, extra) => {
      const error = captureConfigError({ ...VALID, ...extra });

      expect(error.problems.map((problem) => problem.variable)).toEqual([name]);
    });

    test('when the demo key is refused, then the message does not repeat the secret', () => {
      const error = captureConfigError({ ...VALID, API_KEYS: `sandbox:${SANDBOX_DEMO_API_KEY}:sessions` });

      expect(error.message).not.toContain(SANDBOX_DEMO_API_KEY);
    });

    test('when the sandbox builds its configuration, then the demo key and placeholders are allowed', () => {
      const env = { ...VALID, CTP_CLIENT_ID: 'replace-me', API_KEYS: `sandbox:${SANDBOX_DEMO_API_KEY}:sessions` };

      const config = loadConfig(env, { sandbox: true });

      expect(config.commercetools.clientId).toBe('replace-me');
    });

    test('when .env.example is used as it is, then every placeholder and every blank secret is named at once', () => {
      const example = parseEnvFile(readFileSync(join(__dirname, '..', '.env.example'), 'utf8'));

      const error = captureConfigError(example);

      expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
        'API_KEYS',
        'CTP_CLIENT_ID',
        'CTP_CLIENT_SECRET',
        'IDEMPOTENCY_SECRET',
      ]);
    });
  });

  describe('Redis Cluster and Sentinel', () => {
    const withoutUrl = (extra: Record<string, string>) => {
      const env: Record<string, string> = { ...VALID, ...extra };
      delete env.REDIS_URL;
      return env;
    };

    test('when REDIS_CLUSTER_NODES is set, then REDIS_URL is optional and the nodes are parsed', () => {
      const config = loadConfig(withoutUrl({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001,[::1]:7002' }));
      expect(config.redis.clusterNodes).toEqual([
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-2.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ]);
      expect(config.redis.url).toBeUndefined();
    });

    test('when REDIS_SENTINELS is set with REDIS_SENTINEL_NAME, then they are used; REDIS_URL adds credentials only', () => {
      const config = loadConfig({
        ...VALID,
        REDIS_URL: 'redis://:pw@ignored:6379',
        REDIS_SENTINELS: 's1:26379,s2:26379',
        REDIS_SENTINEL_NAME: 'gc-master',
      });
      expect(config.redis).toMatchObject({
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
        sentinelName: 'gc-master',
        url: 'redis://:pw@ignored:6379',
      });
    });

    test.each([
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'host-without-port' }],
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'h:99999' }],
      ['REDIS_SENTINELS', { REDIS_SENTINELS: 'a:1,,b:2' }],
      ['REDIS_SENTINEL_NAME', { REDIS_SENTINELS: 's1:26379' }],
      ['REDIS_SENTINEL_NAME', { REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'bad name' }],
      ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 's:2', REDIS_SENTINEL_NAME: 'm' }],
    ])('when %s is wrong (%j), then the error names it', (name, extra) => {
      expect(() => loadConfig(withoutUrl(extra))).toThrow(name);
    });
  });
});

function captureConfigError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the configuration');
}

/** `NAME=value` lines, as `node --env-file` reads them (comments and blank lines skipped). */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}
