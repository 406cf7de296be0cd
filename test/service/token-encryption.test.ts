import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/clients/redis.client';
import { RedisTokenCache } from '../../src/clients/token-cache';
import { loadConfig, type Config } from '../../src/config';
import { serviceEnv, uniqueName } from '../support/harness';
import { startRecordingProxy, type RecordedCall, type RecordingProxy } from '../support/recording-proxy';

const isTokenRequest = (call: RecordedCall) => call.method === 'POST' && call.path === '/oauth/token';

describe('the shared commercetools token in Redis is encrypted (TOKEN_CACHE_KEY) or not shared', () => {
  let proxy: RecordingProxy;
  let redis: Redis;
  let config: Config;
  let prefix: string;

  beforeAll(async () => {
    const ctUrl = process.env.TEST_CT_URL;
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!ctUrl || !redisUrl) throw new Error('global setup did not start the emulator and Redis');
    proxy = await startRecordingProxy(ctUrl);
    redis = await connectRedis(redisUrl);
    config = loadConfig(serviceEnv(uniqueName('test'), proxy.url, { REDIS_URL: redisUrl }));
  });
  beforeEach(() => {
    prefix = `${uniqueName('test')}:`; // each test starts with no shared token
  });
  afterAll(async () => {
    const keys = await redis.keys('*ctp-token*');
    const ours = keys.filter((key) => key.startsWith('test-'));
    if (ours.length) await redis.del(...ours);
    redis.disconnect();
    await proxy.close();
  });

  const tokenRequests = () => proxy.calls.filter(isTokenRequest).length;
  const instance = (keys: Buffer[]) => new RedisTokenCache(redis, prefix, config.commercetools, { keys });
  const rawValue = async () => {
    const keys = (await redis.keys(`${prefix}ctp-token:*`)).filter((key) => !key.endsWith(':lock'));
    return keys.length === 1 ? redis.get(keys[0]!) : null;
  };
  const newKey = () => randomBytes(32);

  test('when an instance shares its token, then Redis holds it only encrypted', async () => {
    const { token } = await instance([newKey()]).get();
    const raw = await rawValue();
    expect(raw).toMatch(/^gcm1\./);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(Buffer.from(token).toString('base64'));
  });

  test('when a second instance has the same key, then it reuses the shared token without requesting one', async () => {
    const key = newKey();
    const first = await instance([key]).get();
    const before = tokenRequests();
    const second = await instance([key]).get();
    expect(second.token).toBe(first.token);
    expect(tokenRequests()).toBe(before);
  });

  test('when the key is rotated (new key first, old one kept), then the token written with the old key is still read', async () => {
    const oldKey = newKey();
    const first = await instance([oldKey]).get();
    const before = tokenRequests();
    const rotated = await instance([newKey(), oldKey]).get();
    expect(rotated.token).toBe(first.token);
    expect(tokenRequests()).toBe(before);
  });

  test('when an instance has another key, then it cannot read the shared token and requests its own', async () => {
    await instance([newKey()]).get();
    const before = tokenRequests();
    await instance([newKey()]).get();
    expect(tokenRequests()).toBe(before + 1);
  });

  test('when no key is configured, then nothing is written to Redis and each instance requests its own token', async () => {
    const before = tokenRequests();
    const a = await instance([]).get();
    const b = await instance([]).get();
    expect(tokenRequests()).toBe(before + 2);
    expect(a.token).not.toBe(b.token);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });
});

describe('TOKEN_CACHE_KEY', () => {
  const env = (value: string) =>
    serviceEnv('demo', 'http://127.0.0.1:1', { REDIS_URL: 'redis://127.0.0.1:6379', TOKEN_CACHE_KEY: value });

  test('when it lists a base64 and a hex key, then both are 32-byte keys, the first one first', () => {
    const first = randomBytes(32);
    const second = randomBytes(32);
    const config = loadConfig(env(`${first.toString('base64')}, ${second.toString('hex')}`));
    expect(config.tokenCacheKeys).toEqual([first, second]);
  });

  test('when a key is not 32 bytes, then the error names the variable and the entry, not the value', () => {
    const short = randomBytes(16).toString('hex');
    expect(() => loadConfig(env(`${randomBytes(32).toString('hex')},${short}`))).toThrow(
      /^TOKEN_CACHE_KEY: entry 2 must be 32 bytes/,
    );
    expect(() => loadConfig(env(short))).not.toThrow(short);
  });

  test('when it is unset, then no token is shared', () => {
    expect(loadConfig({ ...env(''), TOKEN_CACHE_KEY: '' }).tokenCacheKeys).toEqual([]);
  });
});

describe('IDEMPOTENCY_SECRET', () => {
  const env = (value: string) =>
    serviceEnv('demo', 'http://127.0.0.1:1', { REDIS_URL: 'redis://127.0.0.1:6379', IDEMPOTENCY_SECRET: value });

  test('when it is shorter than 32 characters, then the configuration is refused naming it', () => {
    expect(() => loadConfig(env('too-short-secret'))).toThrow(/^IDEMPOTENCY_SECRET must be at least 32 characters/);
  });

  test('when it is 32 characters or more, then it is kept as given', () => {
    expect(loadConfig(env('s'.repeat(32))).idempotencySecret).toBe('s'.repeat(32));
  });
});
