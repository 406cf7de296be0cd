import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { KEY_CACHE_MS } from '../../src/domain/api-key.resolver';
import { createDeps } from '../../src/composition-root';
import { agent } from '../support/fixtures';
import { bearer, createTestContext, deleteKeys, KEYS, uniqueName, type TestContext } from '../support/harness';
import { waitFor } from '../support/wait';

describe('callers: keys managed in Redis, rate limits', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(() => ctx.close());

  /** Runs the keys CLI on the service's Redis, under its key prefix (or `prefix`). */
  function keysCliIn(
    prefix: string,
    ...args: string[]
  ): { status: number | null; lines: Record<string, string>[]; stderr: string } {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'keys.cli.ts'), ...args],
      {
        env: { PATH: process.env.PATH ?? '', REDIS_URL: ctx.config.redis.url, REDIS_KEY_PREFIX: prefix },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    const lines = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, string>);
    return { status: result.status, lines, stderr: result.stderr };
  }

  const keysCli = (...args: string[]) => keysCliIn(ctx.redisPrefix, ...args);
  /** A key made with the CLI: its id and secret. */
  const createKey = (clientId: string) => {
    const created = keysCli('create', '--client-id', clientId, '--scopes', 'sessions');
    expect(created.status).toBe(0);
    const { id, secret } = created.lines[0] ?? {};
    return { id: id!, secret: secret! };
  };
  /** A second instance of the service on the same Redis. */
  const otherInstance = () => request(createApp(createDeps(ctx.config, ctx.redis, pino({ level: 'silent' }))));
  const mintWith = (http: ReturnType<typeof request>, key: string) =>
    http.post('/v1/sessions').set(bearer(key)).send({});
  /** Each instance caches known keys for KEY_CACHE_MS: polls until both instances refuse `secret`. */
  const untilBothRefuse = (other: ReturnType<typeof request>, secret: string, what: string) =>
    waitFor(
      async () => (await mintWith(ctx.http, secret)).status === 401 && (await mintWith(other, secret)).status === 401,
      { timeoutMs: KEY_CACHE_MS + 5000, intervalMs: 100, what },
    );

  test('when a key is created with the CLI, then every instance accepts it within its scopes', async () => {
    const created = keysCli('create', '--client-id', 'kiosk-9', '--scopes', 'sessions');
    expect(created.status).toBe(0);
    const { secret } = created.lines[0] ?? {};
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const other = otherInstance();

    expect((await mintWith(ctx.http, secret!)).status).toBe(201);
    expect((await mintWith(other, secret!)).status).toBe(201);
    expect(
      (
        await ctx.http
          .post(`/v1/sessions/x/sign-up`)
          .set(bearer(secret!))
          .send({ email: 'a@example.com', password: 'x' })
      ).status,
    ).toBe(403);
  }, 30_000);

  test('when keys are listed, then the listing and Redis hold no secret', async () => {
    // A prefix of its own, so the listing holds this key only.
    const prefix = `${uniqueName('keys')}:`;
    try {
      const created = keysCliIn(prefix, 'create', '--client-id', 'kiosk-9', '--scopes', 'sessions');
      const { id, secret } = created.lines[0] ?? {};

      const listed = keysCliIn(prefix, 'list');

      expect(listed.lines).toEqual([expect.objectContaining({ id, clientId: 'kiosk-9', scopes: ['sessions'] })]);
      expect(JSON.stringify(listed.lines)).not.toContain(secret);
      // At rest only the digest: the secret appears nowhere in Redis.
      expect(JSON.stringify(await ctx.redis.hgetall(`${prefix}apikeys`))).not.toContain(secret);
    } finally {
      await deleteKeys(ctx.redis, `${prefix}*`);
    }
  }, 30_000);

  test('when a key is rotated, then every instance refuses the old secret and accepts the new one within seconds', async () => {
    // Arrange: the key is known (cached) on both instances.
    const { id, secret } = createKey('kiosk-rotate');
    const other = otherInstance();
    expect((await mintWith(ctx.http, secret)).status).toBe(201);
    expect((await mintWith(other, secret)).status).toBe(201);

    // Act
    const rotated = keysCli('rotate', id);
    await untilBothRefuse(other, secret, 'the rotation to reach both instances');

    // Assert
    expect(rotated.status).toBe(0);
    expect((await mintWith(ctx.http, secret)).status).toBe(401);
    expect((await mintWith(other, secret)).status).toBe(401);
    expect((await mintWith(other, rotated.lines[0]!.secret!)).status).toBe(201);
  }, 30_000);

  test('when a key is revoked, then every instance refuses it within seconds', async () => {
    const { id, secret } = createKey('kiosk-revoke');
    const other = otherInstance();
    expect((await mintWith(ctx.http, secret)).status).toBe(201);
    expect((await mintWith(other, secret)).status).toBe(201);

    expect(keysCli('revoke', id).status).toBe(0);
    await untilBothRefuse(other, secret, 'the revocation to reach both instances');

    expect((await mintWith(ctx.http, secret)).status).toBe(401);
    expect((await mintWith(other, secret)).status).toBe(401);
  }, 30_000);

  test('when an unknown key id is revoked, then the CLI exits 2', () => {
    expect(keysCli('revoke', 'no-such-id').status).toBe(2);
  });

  test('when the CLI gets bad arguments, then it says how to use it', () => {
    const bad = keysCli('create', '--client-id', 'x', '--scopes', 'root');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--scopes');
  });

  test('when a client exceeds RATE_LIMIT_PER_MINUTE, then it gets 429 with Retry-After and others are unaffected', async () => {
    const limited = await createTestContext({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await agent(limited).get('/v1/sessions/some-id')).status);
      expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
      const rejected = await agent(limited).get('/v1/sessions/some-id');
      expect(rejected.status).toBe(429);
      expect(rejected.body.code).toBe('RateLimited');
      expect(Number(rejected.headers['retry-after'])).toBeGreaterThan(0);
      expect((await agent(limited, KEYS.b).get('/v1/sessions/some-id')).status).toBe(404);
      // The operations routes are not limited.
      expect((await limited.http.get('/healthz')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
