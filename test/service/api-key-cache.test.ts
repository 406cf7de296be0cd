import type { Redis } from 'ioredis';
import { RedisApiKeyStore } from '../../src/clients/api-key.store';
import { connectRedis } from '../../src/clients/redis.client';
import { ApiKeyResolver, UNKNOWN_KEY_CACHE_MS } from '../../src/domain/api-key.resolver';
import { startRedisServer, type PrivateRedis } from '../../sandbox/redis-server';
import { bearer, createTestContext, type TestContext } from '../support/harness';
import { elapse } from '../support/wait';

/** Counts the commands Redis receives that touch the given key (MONITOR sees every client's). */
async function countCommandsOn(redisUrl: string, key: string): Promise<{ count(): number; stop(): void }> {
  const watcher = (await connectRedis(redisUrl)) as Redis;
  const monitor = await watcher.monitor();
  let seen = 0;
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.includes(key)) seen++;
  });
  return {
    count: () => seen,
    stop: () => {
      monitor.disconnect();
      watcher.disconnect();
    },
  };
}

/**
 * A bounded wait, not a condition: MONITOR delivers commands a little later, and the test checks
 * that no more than the allowed number arrive, which no poll can tell.
 */
const settle = () => elapse(100);

describe('API keys: unknown keys are answered from memory, the key cache is bounded and LRU', () => {
  let ctx: TestContext;
  // The file's own redis-server: MONITOR sees every client's commands, and another suite's traffic
  // on the shared server would both blur the count and overrun the monitoring connection.
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
    ctx = await createTestContext({ redisUrl: redis.url, env: { RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await ctx.close();
    await redis.stop();
  });

  test('when 100 requests come with one unknown key, then Redis is asked about it once', async () => {
    const counter = await countCommandsOn(ctx.config.redis.url!, `${ctx.redisPrefix}apikeys`);
    try {
      const started = Date.now();
      const statuses: number[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const responses = await Promise.all(
          Array.from({ length: 10 }, () =>
            ctx.http.post('/v1/sessions').set(bearer('unknown-key-guessed-0000000001')).send({}),
          ),
        );
        statuses.push(...responses.map((r) => r.status));
      }
      const elapsed = Date.now() - started;
      await settle();

      expect(statuses).toEqual(statuses.map(() => 401));
      // Once per UNKNOWN_KEY_CACHE_MS at most (once when the loop is fast, as it is).
      expect(counter.count()).toBeGreaterThanOrEqual(1);
      expect(counter.count()).toBeLessThanOrEqual(Math.ceil(elapsed / UNKNOWN_KEY_CACHE_MS));
    } finally {
      counter.stop();
    }
  });

  describe('the cache of known keys (capacity 3)', () => {
    let clock = 0;
    let lookups: string[];
    let resolver: ApiKeyResolver;
    const secrets: string[] = [];

    beforeAll(async () => {
      const store = new RedisApiKeyStore(ctx.redis, ctx.redisPrefix);
      for (let i = 0; i < 4; i++) secrets.push((await store.create(`lru-${i}`, ['sessions'])).secret);
    });
    beforeEach(() => {
      const store = new RedisApiKeyStore(ctx.redis, ctx.redisPrefix);
      lookups = [];
      // The real store, with each lookup written down.
      const counted = { find: (digest: string) => (lookups.push(digest), store.find(digest)) };
      resolver = new ApiKeyResolver(new Map(), counted, () => clock, { known: 3, unknown: 3 });
    });

    test('when a fourth key comes in, then only the least recently used one is evicted', async () => {
      const [k0, k1, k2, k3] = secrets as [string, string, string, string];
      for (const secret of [k0, k1, k2]) await resolver.resolve(secret);
      await resolver.resolve(k0); // k0 used again: k1 is now the least recently used
      await resolver.resolve(k3);
      const before = lookups.length;

      const callers = await Promise.all([k0, k2, k3].map((secret) => resolver.resolve(secret)));
      const afterKept = lookups.length;
      await resolver.resolve(k1);

      expect(callers.map((caller) => caller?.clientId)).toEqual(['lru-0', 'lru-2', 'lru-3']);
      expect(afterKept - before).toBe(0); // the three kept are answered from memory
      expect(lookups.length - afterKept).toBe(1); // the evicted one is looked up again
    });

    test('when unknown keys flood in, then the known keys stay cached', async () => {
      const [k0] = secrets as [string];
      await resolver.resolve(k0);
      for (let i = 0; i < 50; i++) await resolver.resolve(`guessed-key-${i}-000000000000`);
      const before = lookups.length;

      const caller = await resolver.resolve(k0);

      expect(caller?.clientId).toBe('lru-0');
      expect(lookups.length).toBe(before);
    });

    test('when a cached answer is older than its lifetime, then Redis is asked again', async () => {
      const [k0] = secrets as [string];
      await resolver.resolve(k0);
      await resolver.resolve('guessed-key-x-000000000000');
      const before = lookups.length;
      clock += Math.max(UNKNOWN_KEY_CACHE_MS, 2000) + 1;

      await resolver.resolve(k0);
      await resolver.resolve('guessed-key-x-000000000000');

      expect(lookups.length - before).toBe(2);
    });
  });
});
