import { startRedisServer, type PrivateRedis } from '../../sandbox/redis-server';
import { bearer, createTestContext, KEYS, type TestContext } from '../support/harness';

/** The test's own redis-server, stopped and restarted mid-suite. */
describe('when Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let ctx: TestContext;
  beforeAll(async () => {
    redis = await startRedisServer();
    ctx = await createTestContext({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await ctx.close();
    await redis.stop();
  });

  const mint = () => ctx.http.post('/v1/sessions').set(bearer(KEYS.a)).send({});

  test('then minting, claiming, lookups, cart creates and listings of unseen sessions answer 503 with Retry-After quickly, listings of remembered sessions go on, readyz fails, and the service recovers by itself', async () => {
    const before = await mint();
    expect(before.status).toBe(201);
    // A listing remembers the session's owner (30 s), so it keeps working while Redis is away.
    await ctx.http.get(`/v1/sessions/${before.body.anonymousId}/carts`).set(bearer(KEYS.a)).expect(200);

    await redis.stop();
    const listed = await ctx.http.get(`/v1/sessions/${before.body.anonymousId}/carts`).set(bearer(KEYS.a));
    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(0);
    for (const request of [
      mint(),
      ctx.http.post('/v1/sessions').set(bearer(KEYS.a)).send({ anonymousId: 'claimed-while-down' }),
      ctx.http.get(`/v1/sessions/${before.body.anonymousId}`).set(bearer(KEYS.a)),
      // A cart create is counted on its session in Redis (against a concurrent hand-over).
      ctx.http.post(`/v1/sessions/${before.body.anonymousId}/carts`).set(bearer(KEYS.a)).send({ currency: 'EUR' }),
      // A session this instance has not seen cannot be checked: no answer without Redis.
      ctx.http.get('/v1/sessions/never-seen-here/carts').set(bearer(KEYS.a)),
    ]) {
      const started = Date.now();
      const response = await request;
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('StoreUnavailable');
      expect(response.headers['retry-after']).toBeDefined();
      expect(Date.now() - started).toBeLessThan(3000);
    }
    const ready = await ctx.http.get('/readyz');
    expect(ready.status).toBe(503);
    expect((await ctx.http.get('/metrics')).text).toMatch(/redis_errors_total\{kind="command"\} [1-9]/);
    expect(ready.body.checks.redis).toBe('failing');

    redis = await startRedisServer({ port: redis.port });
    const deadline = Date.now() + 15_000;
    let after = await mint();
    while (after.status !== 201 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await mint();
    }
    expect(after.status).toBe(201);
    // The id claimed while Redis was down was never handed out: it can be claimed now.
    expect(
      (await ctx.http.post('/v1/sessions').set(bearer(KEYS.a)).send({ anonymousId: 'claimed-while-down' })).status,
    ).toBe(201);
    // Readiness is cached for a few seconds: it turns green again once the cache expires.
    let readyAgain = await ctx.http.get('/readyz');
    while (readyAgain.status !== 200 && Date.now() < deadline + 5000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      readyAgain = await ctx.http.get('/readyz');
    }
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
    for (let i = 0; i < 5; i++) statuses.push((await ctx.http.get('/v1/sessions/any-id').set(bearer(KEYS.a))).status);
    expect(statuses).toEqual([503, 503, 503, 429, 429]);
  });
});
