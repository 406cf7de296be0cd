import { Cluster } from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { connectRedis, type RedisClient } from '../../src/clients/redis.client';
import { loadConfig } from '../../src/config';
import { createDeps } from '../../src/composition-root';
import {
  startRedisCluster,
  startRedisSentinel,
  type PrivateRedisCluster,
  type PrivateRedisSentinel,
} from '../../sandbox/redis-cluster';
import { startRedisServer, type PrivateRedis } from '../../sandbox/redis-server';
import {
  serviceEnv,
  bearer,
  createTestContext,
  deleteKeys,
  KEYS,
  uniqueName,
  type TestContext,
} from '../support/harness';
import { agent, mint, newCart, newSession } from '../support/fixtures';
import {
  startRecordingProxy,
  type FaultRule,
  type RecordedCall,
  type RecordingProxy,
} from '../support/recording-proxy';
import { waitFor } from '../support/wait';

/**
 * The service on a three-master Redis Cluster (REDIS_CLUSTER_NODES, ioredis' Cluster client),
 * through the real app against the emulator: uniqueness, sessions and their locks, idempotency,
 * the shared token and the rate limiter, with keys spread over the masters.
 */
describe('on a Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let ctx: TestContext;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    ctx = await createTestContext({ record: true, redisClusterNodes: cluster.nodes });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await cluster?.stop();
  });
  afterEach(() => {
    ctx.faults.length = 0;
  });

  /** Which master holds each of the given keys. */
  const mastersOf = async (keys: string[]) => {
    const masters = (ctx.redis as Cluster).nodes('master');
    const owners = new Set<number>();
    for (const key of keys)
      owners.add((await Promise.all(masters.map((node) => node.exists(key).catch(() => 0)))).indexOf(1));
    return owners;
  };

  test('when REDIS_CLUSTER_NODES is set, then the app talks to the cluster through the Cluster client', () => {
    expect(ctx.redis).toBeInstanceOf(Cluster);
    expect(ctx.config.redis.clusterNodes).toHaveLength(3);
  });

  describe('uniqueness', () => {
    test('when 60 mints run concurrently, then all get distinct ids, stored across the masters', async () => {
      const responses = await Promise.all(Array.from({ length: 60 }, () => mint(ctx)));
      expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
      const ids = responses.map((r) => r.body.anonymousId as string);
      expect(new Set(ids).size).toBe(60);
      // The keys really are spread over the cluster, not all in one slot.
      expect((await mastersOf(ids.map((id) => `${ctx.redisPrefix}{${id}}:session`))).size).toBeGreaterThan(1);
    });

    test('when 20 claims of one id run concurrently, then exactly one wins', async () => {
      const anonymousId = uniqueName('claimed');
      const responses = await Promise.all(Array.from({ length: 20 }, () => mint(ctx, { anonymousId })));
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of responses.filter((r) => r.status !== 201)) {
        expect(r.status).toBe(409);
        expect(r.body.code).toBe('AnonymousIdInUse');
      }
    });

    test('when a cart in commercetools uses an id, then claiming it is refused and nothing stays reserved', async () => {
      const anonymousId = uniqueName('direct-cart');
      expect((await ctx.ct('/carts', { method: 'POST', body: { currency: 'EUR', anonymousId } })).status).toBe(201);
      const response = await mint(ctx, { anonymousId });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('AnonymousIdInUse');
      expect(await ctx.redis.exists(`${ctx.redisPrefix}{${anonymousId}}:session`)).toBe(0);
    });
  });

  describe('sessions', () => {
    test('when a guest shops and signs up, then the session and its lock (one slot) carry it to the hand-over', async () => {
      const anonymousId = await newSession(ctx);
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body).toMatchObject({
        anonymousId,
        status: 'active',
      });
      const cart = await newCart(ctx, anonymousId, { currency: 'EUR', lineItems: [{ sku: ctx.skus[0], quantity: 1 }] });
      const listed = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`).expect(200);
      expect(listed.body.results.map((c: { id: string }) => c.id)).toEqual([cart.id]);
      // The hand-over holds the session's lock; MGET reads session and lock together: one slot.
      const signUp = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: `${uniqueName('c')}@example.com`, password: 'Secret-123' });
      expect(signUp.status).toBe(201);
      const ended = await agent(ctx).get(`/v1/sessions/${anonymousId}`);
      expect(ended.body).toMatchObject({ status: 'ended', customerId: signUp.body.customer.id });
      const refused = await agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).send({ currency: 'EUR' });
      expect(refused.body.code).toBe('SessionEnded');
      // Another client does not see it.
      expect((await agent(ctx, KEYS.b).get(`/v1/sessions/${anonymousId}`)).status).toBe(404);
    });

    test('when two hand-overs race, then one gets 409 SessionBusy or SessionEnded and one customer takes it', async () => {
      const anonymousId = await newSession(ctx);
      const signUp = (n: number) =>
        agent(ctx)
          .post(`/v1/sessions/${anonymousId}/sign-up`)
          .send({ email: `${uniqueName(`race${n}`)}@example.com`, password: 'Secret-123' });
      const [a, b] = await Promise.all([signUp(1), signUp(2)]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      expect(['SessionBusy', 'SessionEnded']).toContain((a.status === 409 ? a : b).body.code);
    });
  });

  describe('idempotency', () => {
    const isCartCreate = (call: RecordedCall) => call.method === 'POST' && call.path === `/${ctx.projectKey}/carts`;

    test('when a POST is repeated with the same key, then the first response is replayed', async () => {
      const anonymousId = await newSession(ctx);
      const key = uniqueName('idem');
      const send = () =>
        agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });
      const first = await send();
      const again = await send();
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(
        ctx.upstreamCalls.filter(
          (call) => isCartCreate(call) && (call.body as { anonymousId?: string }).anonymousId === anonymousId,
        ),
      ).toHaveLength(1);
    });

    test('when the same key arrives while the first request runs, then it is 409 IdempotencyKeyInProgress', async () => {
      const anonymousId = await newSession(ctx);
      const held: FaultRule = { match: isCartCreate, fault: { kind: 'delay', ms: 500 }, times: 1 };
      ctx.faults.push(held);
      const key = uniqueName('idem');
      const send = () =>
        agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });
      const first = send().then((response) => response);
      await waitFor(() => held.times === 0, { what: 'the first create to be held upstream' });
      const second = await send();
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('IdempotencyKeyInProgress');
      expect((await first).status).toBe(201);
    });
  });

  describe('shared token and rate limit', () => {
    let proxy: RecordingProxy;
    const connections: RedisClient[] = [];
    let prefix: string;
    beforeAll(async () => {
      proxy = await startRecordingProxy(process.env.TEST_CT_URL ?? '');
      prefix = `${uniqueName('token')}:`;
    });
    afterAll(async () => {
      if (connections[0]) await deleteKeys(connections[0], `${prefix}*`);
      for (const redis of connections) redis.disconnect();
      await proxy?.close();
    });

    test('when three instances start cold and take requests at once, then one token request serves them all', async () => {
      const projectKey = ctx.projectKey;
      const config = loadConfig(
        serviceEnv(projectKey, proxy.url, { REDIS_CLUSTER_NODES: cluster.nodes, REDIS_KEY_PREFIX: prefix }),
      );
      const instances = [];
      for (let i = 0; i < 3; i++) {
        const redis = await connectRedis(config.redis);
        connections.push(redis);
        instances.push(request(createApp(createDeps(config, redis, pino({ level: 'silent' })))));
      }
      const responses = await Promise.all(
        instances.flatMap((http) =>
          Array.from({ length: 4 }, () => http.post('/v1/sessions').set(bearer(KEYS.a)).send({})),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
      expect(proxy.calls.filter((call) => call.method === 'POST' && call.path === '/oauth/token')).toHaveLength(1);
      const bearers = new Set(
        proxy.calls.filter((call) => call.path !== '/oauth/token').map((call) => String(call.headers.authorization)),
      );
      expect(bearers.size).toBe(1);
      // Kept in the cluster, under the digest's hash tag.
      const masters = (connections[0] as Cluster).nodes('master');
      const tokenKeys = (await Promise.all(masters.map((node) => node.keys(`${prefix}ctp-token:*`)))).flat();
      expect(tokenKeys).toEqual([expect.stringMatching(/ctp-token:\{[0-9a-f]{32}\}$/)]);
    });

    test('when a client exceeds RATE_LIMIT_PER_MINUTE, then the limit kept in the cluster answers 429', async () => {
      const limited = await createTestContext({
        redisClusterNodes: cluster.nodes,
        env: { RATE_LIMIT_PER_MINUTE: '3' },
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await agent(limited).get('/v1/sessions/nobody')).status);
        expect(statuses).toEqual([404, 404, 404, 429]);
        expect((await agent(limited, KEYS.b).get('/v1/sessions/nobody')).status).toBe(404);
      } finally {
        await limited.close();
      }
    });
  });
});

describe('behind Redis Sentinel', () => {
  let master: PrivateRedis;
  let sentinel: PrivateRedisSentinel;
  let ctx: TestContext;
  beforeAll(async () => {
    master = await startRedisServer();
    sentinel = await startRedisSentinel(master.port);
    // REDIS_SENTINELS wins over REDIS_URL, which would only contribute credentials.
    ctx = await createTestContext({
      redisUrl: 'redis://127.0.0.1:1',
      env: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name },
    });
  }, 30_000);
  afterAll(async () => {
    await ctx?.close();
    await sentinel?.stop();
    await master?.stop();
  });

  test('when the service finds its master through the Sentinel, then sessions are minted and read there', async () => {
    expect(ctx.config.redis.sentinels).toEqual([{ host: '127.0.0.1', port: Number(sentinel.sentinels.split(':')[1]) }]);
    const anonymousId = await newSession(ctx);
    expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body).toMatchObject({
      anonymousId,
      status: 'active',
    });
    expect((await ctx.http.get('/readyz')).body.checks.redis).toBe('ok');
  });
});
