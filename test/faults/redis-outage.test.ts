import { startRedisServer, type PrivateRedis } from '../../sandbox/redis-server';
import { agent, mint, newSession } from '../support/fixtures';
import { createTestContext, uniqueName, type TestContext } from '../support/harness';
import { waitFor } from '../support/wait';

/** The file's own redis-server, stopped by each test and restarted after it. */
describe('when Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let ctx: TestContext;
  let down = false;
  beforeAll(async () => {
    redis = await startRedisServer();
    ctx = await createTestContext({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await ctx.close();
    await redis.stop();
  });

  const stopRedis = async () => {
    down = true;
    await redis.stop();
  };
  /** Restarts Redis on its port; the service reconnects by itself: until minting works again. */
  const bringRedisBack = async () => {
    redis = await startRedisServer({ port: redis.port });
    down = false;
    return waitFor(
      async () => {
        const response = await mint(ctx);
        return response.status === 201 && response;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'minting to work again' },
    );
  };
  afterEach(async () => {
    if (down) await bringRedisBack();
  });

  test('when Redis stops, then listings of a session whose owner is remembered go on', async () => {
    const anonymousId = await newSession(ctx);
    // A listing remembers the session's owner (30 s), so it keeps working while Redis is away.
    await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`).expect(200);
    await stopRedis();

    const listed = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`);

    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(0);
  });

  test('when Redis is down, then minting, claiming, lookups, cart creates and listings of unseen sessions answer 503 with Retry-After quickly', async () => {
    const anonymousId = await newSession(ctx);
    await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`).expect(200);
    await stopRedis();

    for (const request of [
      mint(ctx),
      mint(ctx, { anonymousId: uniqueName('claimed-while-down') }),
      agent(ctx).get(`/v1/sessions/${anonymousId}`),
      // A cart create is counted on its session in Redis (against a concurrent hand-over).
      agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).send({ currency: 'EUR' }),
      // A session this instance has not seen cannot be checked: no answer without Redis.
      agent(ctx).get('/v1/sessions/never-seen-here/carts'),
    ]) {
      const started = Date.now();
      const response = await request;
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('StoreUnavailable');
      expect(response.headers['retry-after']).toBeDefined();
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });

  test('when Redis is down, then readyz fails and the metrics count Redis errors', async () => {
    await stopRedis();
    expect((await mint(ctx)).status).toBe(503);

    const ready = await ctx.http.get('/readyz');

    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis).toBe('failing');
    expect((await ctx.http.get('/metrics')).text).toMatch(/redis_errors_total\{kind="command"\} [1-9]/);
  });

  test('when Redis comes back, then the service recovers by itself: minting, the id claimed while it was down, readyz', async () => {
    // Arrange: an id claimed while Redis is down.
    const claimedWhileDown = uniqueName('claimed-while-down');
    await stopRedis();
    expect((await mint(ctx, { anonymousId: claimedWhileDown })).status).toBe(503);

    // Act
    const after = await bringRedisBack();

    // Assert
    expect(after.status).toBe(201);
    // The id claimed while Redis was down was never handed out: it can be claimed now.
    expect((await mint(ctx, { anonymousId: claimedWhileDown })).status).toBe(201);
    // Readiness is cached for a few seconds: it turns green again once the cache expires.
    const readyAgain = await waitFor(
      async () => {
        const response = await ctx.http.get('/readyz');
        return response.status === 200 && response;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'readyz to turn green again' },
    );
    expect(readyAgain.status).toBe(200);
  });
});

describe('when Redis is down and a client keeps calling', () => {
  let redis: PrivateRedis;
  let ctx: TestContext;
  beforeAll(async () => {
    redis = await startRedisServer();
    ctx = await createTestContext({ redisUrl: redis.url, env: { RATE_LIMIT_PER_MINUTE: '3' } });
    await redis.stop();
  });
  afterAll(() => ctx.close());

  test('then the in-memory fallback still enforces the per-client limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await agent(ctx).get('/v1/sessions/any-id')).status);
    expect(statuses).toEqual([503, 503, 503, 429, 429]);
  });
});
