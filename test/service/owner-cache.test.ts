import { connectRedis } from '../../src/clients/redis.client';
import { RedisSessionStore } from '../../src/clients/session.store';
import type { SessionStore } from '../../src/domain/ports';
import { agent, newCart, newSession } from '../support/fixtures';
import { createTestContext, deleteKeys, KEYS, uniqueName, type TestContext } from '../support/harness';

/**
 * Cart and order reads check the session's owner; the owner is remembered for a while, so those
 * reads skip Redis. These tests count the session reads that reach Redis.
 */
describe('when cart and order reads check the session owner', () => {
  const prefix = `${uniqueName('owners')}:`;
  const ttlSeconds = 3600;
  const reads: string[] = [];
  let redis: Awaited<ReturnType<typeof connectRedis>>;
  let ctx: TestContext;

  beforeAll(async () => {
    redis = await connectRedis(process.env.TEST_REDIS_URL ?? '');
    const inner = new RedisSessionStore(redis, prefix, ttlSeconds);
    const counting: SessionStore = Object.assign(Object.create(inner) as RedisSessionStore, {
      get: (anonymousId: string) => {
        reads.push(anonymousId);
        return inner.get(anonymousId);
      },
    });
    ctx = await createTestContext({ deps: { store: counting } });
  });
  afterAll(async () => {
    await ctx.close();
    await deleteKeys(redis, `${prefix}*`);
    redis.disconnect();
  });

  const readsOf = (anonymousId: string) => reads.filter((id) => id === anonymousId).length;

  test('when the owner lists carts and orders again, then only the first listing reads the session from Redis', async () => {
    const anonymousId = await newSession(ctx);
    await newCart(ctx, anonymousId, { currency: 'EUR' });
    const before = readsOf(anonymousId);
    for (const path of ['carts', 'orders', 'active-cart', 'carts']) {
      await agent(ctx).get(`/v1/sessions/${anonymousId}/${path}`).expect(200);
    }
    expect(readsOf(anonymousId) - before).toBe(1);
    // The session itself is always read fresh: its status changes on sign-in and sign-up.
    await agent(ctx).get(`/v1/sessions/${anonymousId}`).expect(200);
    expect(readsOf(anonymousId) - before).toBe(2);
  });

  test('when another client asks after the owner is remembered, then it is still 404, and admin still sees it', async () => {
    const anonymousId = await newSession(ctx);
    const cart = await newCart(ctx, anonymousId, { currency: 'EUR' });
    await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`).expect(200);
    const before = readsOf(anonymousId);
    expect((await agent(ctx, KEYS.b).get(`/v1/sessions/${anonymousId}/carts`)).status).toBe(404);
    expect((await agent(ctx, KEYS.b).get(`/v1/carts/${cart.id}`)).status).toBe(404);
    expect((await agent(ctx, KEYS.admin).get(`/v1/sessions/${anonymousId}/carts`)).body.count).toBe(1);
    expect(readsOf(anonymousId)).toBe(before);
  });

  test('when a session is unknown, then nothing is remembered and every read asks Redis', async () => {
    const anonymousId = uniqueName('unknown');
    for (let i = 0; i < 3; i++) expect((await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`)).status).toBe(404);
    expect(readsOf(anonymousId)).toBe(3);
  });

  test('when a session is near its expiry, then its owner is not remembered past it', async () => {
    const anonymousId = uniqueName('expiring');
    // Created just over its lifetime ago (the key itself still there): the owner may not be reused.
    const createdAt = new Date(Date.now() - ttlSeconds * 1000 - 1000).toISOString();
    await redis.set(
      `${prefix}{${anonymousId}}:session`,
      JSON.stringify({ anonymousId, clientId: 'client-a', status: 'active', createdAt }),
      'EX',
      60,
    );
    for (let i = 0; i < 3; i++) await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`).expect(200);
    expect(readsOf(anonymousId)).toBe(3);
  });
});
