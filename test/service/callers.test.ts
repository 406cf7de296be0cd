import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { KEY_CACHE_MS } from '../../src/domain/api-key.resolver';
import { createDeps } from '../../src/composition-root';
import { agent } from '../support/fixtures';
import { bearer, createTestContext, KEYS, type TestContext } from '../support/harness';
import { waitFor } from '../support/wait';

describe('callers: keys managed in Redis, rate limits', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(() => ctx.close());

  function keysCli(...args: string[]): { status: number | null; lines: Record<string, string>[]; stderr: string } {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'keys.cli.ts'), ...args],
      {
        env: { PATH: process.env.PATH ?? '', REDIS_URL: ctx.config.redis.url, REDIS_KEY_PREFIX: ctx.redisPrefix },
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

  test('when a key is created, listed, rotated and revoked with the CLI, then every instance follows within seconds', async () => {
    const created = keysCli('create', '--client-id', 'kiosk-9', '--scopes', 'sessions');
    expect(created.status).toBe(0);
    const { id, secret } = created.lines[0] ?? {};
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    // A second instance of the service on the same Redis.
    const other = request(createApp(createDeps(ctx.config, ctx.redis, pino({ level: 'silent' }))));
    const mintWith = (http: typeof other, key: string) => http.post('/v1/sessions').set(bearer(key)).send({});
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

    const listed = keysCli('list');
    expect(listed.lines).toEqual([expect.objectContaining({ id, clientId: 'kiosk-9', scopes: ['sessions'] })]);
    expect(JSON.stringify(listed.lines)).not.toContain(secret);
    // At rest only the digest: the secret appears nowhere in Redis.
    expect(JSON.stringify(await ctx.redis.hgetall(`${ctx.redisPrefix}apikeys`))).not.toContain(secret);

    const rotated = keysCli('rotate', id!);
    expect(rotated.status).toBe(0);
    const next = rotated.lines[0]?.secret;
    // Each instance caches known keys for KEY_CACHE_MS: poll until both have let the old secret go.
    await waitFor(
      async () => (await mintWith(ctx.http, secret!)).status === 401 && (await mintWith(other, secret!)).status === 401,
      { timeoutMs: KEY_CACHE_MS + 5000, intervalMs: 100, what: 'the rotation to reach both instances' },
    );
    expect((await mintWith(ctx.http, secret!)).status).toBe(401);
    expect((await mintWith(other, secret!)).status).toBe(401);
    expect((await mintWith(other, next!)).status).toBe(201);

    expect(keysCli('revoke', rotated.lines[0]!.id!).status).toBe(0);
    await waitFor(
      async () => (await mintWith(ctx.http, next!)).status === 401 && (await mintWith(other, next!)).status === 401,
      { timeoutMs: KEY_CACHE_MS + 5000, intervalMs: 100, what: 'the revocation to reach both instances' },
    );
    expect((await mintWith(ctx.http, next!)).status).toBe(401);
    expect((await mintWith(other, next!)).status).toBe(401);
    expect(keysCli('revoke', 'no-such-id').status).toBe(2);
  }, 60_000);

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
