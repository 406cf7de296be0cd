import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { connectRedis } from '../../src/clients/redis.client';
import { RedisTokenCache } from '../../src/clients/token-cache';
import { loadConfig } from '../../src/config';
import { createDeps } from '../../src/composition-root';
import { serviceEnv, bearer, KEYS, uniqueName } from '../support/harness';
import { startRecordingProxy, type RecordedCall, type RecordingProxy } from '../support/recording-proxy';
import { waitFor } from '../support/wait';

/** The emulator's token lifetime (172800 s), as commercetools' own. */
const LIFETIME_MS = 172_800_000;

/** 200 s before the first token expires: inside the renewal window (its last 5 minutes), still usable. */
const NEAR_EXPIRY_MS = LIFETIME_MS - 200_000;
const realNow = Date.now.bind(Date);

const isTokenRequest = (call: RecordedCall) => call.method === 'POST' && call.path === '/oauth/token';

describe('one client-credentials token shared by all instances', () => {
  let proxy: RecordingProxy;
  const connections: Redis[] = [];
  const instances: ReturnType<typeof request>[] = [];
  let prefix: string;
  let config: ReturnType<typeof loadConfig>;
  const logText: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText.push(chunk.toString());
      done();
    },
  });

  const tokenRequests = () => proxy.calls.filter(isTokenRequest).length;
  /** The bearer tokens the instances sent to commercetools since the given call index. */
  const bearersSince = (index: number) =>
    new Set(
      proxy.calls
        .slice(index)
        .filter((c) => !isTokenRequest(c))
        .map((c) => String(c.headers.authorization)),
    );
  const tokenKey = async () =>
    (await connections[0]!.keys(`${prefix}ctp-token:*`)).filter((key) => !key.endsWith(':lock'));
  /** The token in Redis, as a new instance with the configured key reads it (it requests none when there is one). */
  const sharedToken = async () =>
    (await new RedisTokenCache(connections[0]!, prefix, config.commercetools, { keys: config.tokenCacheKeys }).get())
      .token;
  /** Every instance takes `perInstance` session requests at once. */
  const burst = async (perInstance: number) => {
    const responses = await Promise.all(
      instances.flatMap((http) =>
        Array.from({ length: perInstance }, () => http.post('/v1/sessions').set(bearer(KEYS.a)).send({})),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
  };

  beforeAll(async () => {
    const ctUrl = process.env.TEST_CT_URL;
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!ctUrl || !redisUrl) throw new Error('global setup did not start the emulator and Redis');
    // Auth and API both through the proxy, so every POST /oauth/token is counted.
    proxy = await startRecordingProxy(ctUrl);
    prefix = `${uniqueName('test')}:`;
    const projectKey = uniqueName('test');
    config = loadConfig(serviceEnv(projectKey, proxy.url, { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }));
    // Three instances as three processes would be: own Redis connection, own ts-client, one prefix.
    for (let i = 0; i < 3; i++) {
      const redis = await connectRedis(redisUrl);
      connections.push(redis);
      instances.push(request(createApp(createDeps(config, redis, pino({ level: 'debug' }, sink)))));
    }
  });

  afterAll(async () => {
    const keys = await connections[0]?.keys(`${prefix}*`);
    if (keys?.length) await connections[0]!.del(...keys);
    for (const redis of connections) redis.disconnect();
    await proxy?.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    proxy.faults.length = 0;
  });

  test('when three instances start cold and take requests at once, then one token request serves them all', async () => {
    await burst(4);
    expect(tokenRequests()).toBe(1);
    const bearers = bearersSince(0);
    expect(bearers.size).toBe(1);

    // Kept in Redis, expiring a little before the token does.
    const keys = await tokenKey();
    expect(keys).toHaveLength(1);
    const ttl = await connections[0]!.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(LIFETIME_MS - 10 * 60_000);
    expect(ttl).toBeLessThan(LIFETIME_MS);
    // Encrypted there: the token is not in the raw value, yet another instance with the key reads it.
    const token = [...bearers][0]!.replace(/^Bearer /, '');
    expect(await connections[0]!.get(keys[0]!)).not.toContain(token);
    expect(await sharedToken()).toBe(token);
    expect(tokenRequests()).toBe(1);

    // Measured where it happened, on one instance.
    const metrics = await Promise.all(instances.map((http) => http.get('/metrics')));
    const counted = metrics.filter((m) =>
      /commercetools_request_duration_seconds_count\{operation="oauth.token",outcome="ok"\} 1\n/.test(m.text),
    );
    expect(counted).toHaveLength(1);

    // Never logged, though the instances log at debug level.
    expect(logText.join('')).not.toContain([...bearers][0]!.replace(/^Bearer /, ''));
  });

  test('when renewing the token fails before it expires, then calls go on with the current one', async () => {
    const start = proxy.calls.length;
    await burst(1);
    const current = bearersSince(start);
    const before = tokenRequests();
    proxy.faults.push({ match: isTokenRequest, fault: { kind: 'status', status: 503 } });
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + NEAR_EXPIRY_MS);
    const index = proxy.calls.length;
    await burst(2);
    // Until a renewal was tried and failed: it asked for a token and released its lock.
    await waitFor(
      async () =>
        tokenRequests() - before >= 1 && (await connections[0]!.keys(`${prefix}ctp-token:*:lock`)).length === 0,
      { what: 'the background renewal to fail' },
    );
    expect(tokenRequests() - before).toBeGreaterThanOrEqual(1);
    expect(bearersSince(index)).toEqual(current);
  });

  test('when the shared token nears its expiry, then exactly one instance renews it while the others go on', async () => {
    const start = proxy.calls.length;
    await burst(1);
    const before = tokenRequests();
    const current = bearersSince(start);
    expect(current.size).toBe(1);

    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + NEAR_EXPIRY_MS);
    await burst(4);
    // The renewal runs in the background: calls go on with the current token until the new one is everywhere.
    const latest = await waitFor(
      async () => {
        const index = proxy.calls.length;
        await burst(1);
        const bearers = bearersSince(index);
        return ![...bearers].some((b) => current.has(b)) && bearers;
      },
      { timeoutMs: 3000, what: 'the renewed token to reach every instance' },
    );
    expect(tokenRequests() - before).toBe(1);
    expect(latest.size).toBe(1);
    expect(current.has([...latest][0]!)).toBe(false);
  });

  test('when commercetools refuses the shared token, then the ts-client fetches a new one and shares it through Redis', async () => {
    await burst(1);
    const before = tokenRequests();
    // One API call answered 401, as for a revoked token; the ts-client then requests a token and retries.
    proxy.faults.push({ match: (call) => !isTokenRequest(call), fault: { kind: 'status', status: 401 }, times: 1 });
    const index = proxy.calls.length;
    await instances[0]!.post('/v1/sessions').set(bearer(KEYS.a)).send({}).expect(201);
    expect(tokenRequests() - before).toBe(1);
    const fetched = proxy.calls.findIndex((call, i) => i >= index && isTokenRequest(call));
    const retried = bearersSince(fetched + 1);
    expect(retried.size).toBe(1);
    expect(await sharedToken()).toBe([...retried][0]!.replace(/^Bearer /, ''));
  });

  test('when Redis is unreachable, then an instance requests a token of its own, once for concurrent calls', async () => {
    // Nothing listens on port 1 and there is no offline queue: every command fails at once, as during an outage.
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    const cache = new RedisTokenCache(down, prefix, config.commercetools);
    const before = tokenRequests();
    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(tokenRequests() - before).toBe(1);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokens[0]!.expirationTime).toBeGreaterThan(Date.now() + LIFETIME_MS - 10 * 60_000);
    down.disconnect();
  });
});
