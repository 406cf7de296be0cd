import { runKeysCli } from '../../src/cli/keys.cli';
import { RedisApiKeyStore } from '../../src/clients/api-key.store';
import { digestSecret, parseApiKeys } from '../../src/domain/api-keys';
import { startService } from '../../src/server';
import pino from 'pino';
import { createTestContext, serviceEnv, type TestContext } from '../support/harness';

describe('store-bound API keys', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  function cliEnv(): Record<string, string> {
    return serviceEnv(ctx.projectKey, process.env.TEST_CT_URL ?? '', {
      REDIS_URL: process.env.TEST_REDIS_URL ?? '',
      REDIS_KEY_PREFIX: ctx.redisPrefix,
    });
  }

  test('when a key is created with a store that does not exist, then the CLI refuses it naming the store', async () => {
    const lines: string[] = [];

    const run = runKeysCli(
      ['create', '--client-id', 'till-x', '--scopes', 'sessions', '--store', 'no-such-store'],
      cliEnv(),
      (line) => lines.push(line),
    );

    await expect(run).rejects.toThrow('"no-such-store" does not exist');
    expect(lines).toEqual([]);
    expect(await new RedisApiKeyStore(ctx.redis, ctx.redisPrefix).list()).toEqual([]);
  });

  test('when a key is created with a seeded store, then it resolves to a caller bound to that store', async () => {
    const lines: string[] = [];

    const code = await runKeysCli(
      ['create', '--client-id', 'till-b', '--scopes', 'sessions+customers', '--store', 'berlin-mitte'],
      cliEnv(),
      (line) => lines.push(line),
    );

    expect(code).toBe(0);
    const created = JSON.parse(lines[0] ?? '{}') as { secret: string; storeKey: string };
    expect(created.storeKey).toBe('berlin-mitte');
    const caller = await new RedisApiKeyStore(ctx.redis, ctx.redisPrefix).find(digestSecret(created.secret));
    expect(caller).toEqual({
      clientId: 'till-b',
      scopes: new Set(['sessions', 'customers']),
      storeKey: 'berlin-mitte',
    });
  });

  test('when API_KEYS binds a key to a store that does not exist, then the service does not start and names it', async () => {
    const config = {
      ...ctx.config,
      port: 0,
      apiKeys: parseApiKeys('till:secret-till-unknown-0001:sessions:atlantis-1'),
    };

    const start = startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });

    await expect(start).rejects.toThrow('"atlantis-1" does not exist');
  });

  test('when API_KEYS binds keys to the seeded stores, then the service starts', async () => {
    const config = {
      ...ctx.config,
      port: 0,
      apiKeys: parseApiKeys(
        'till-b:secret-till-berlin-0001:sessions:berlin-mitte,till-v:secret-till-vienna-0001:sessions:vienna-1',
      ),
    };

    const service = await startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });

    const ready = await fetch(`${service.url}/healthz`);
    await service.stop();
    expect(ready.status).toBe(200);
  });
});
