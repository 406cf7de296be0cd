import { agent, newEmail, newIdempotencyKey, newSession, upstreamPost } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';
import type { RecordedCall } from '../support/recording-proxy';
import { elapse } from '../support/wait';

/** Small limits, so a test reaches them and outlives a block quickly. */
const MAX_FAILURES = 3;
const BLOCK_SECONDS = 3;
const SIGN_UP_MAX_ATTEMPTS = 3;

describe('password guessing is limited', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({
      record: true,
      env: {
        SIGN_IN_MAX_FAILURES: String(MAX_FAILURES),
        SIGN_IN_BLOCK_SECONDS: String(BLOCK_SECONDS),
        SIGN_UP_MAX_ATTEMPTS: String(SIGN_UP_MAX_ATTEMPTS),
      },
    });
  });
  afterAll(() => ctx.close());

  const isLogin = (call: RecordedCall) => upstreamPost(ctx, '/login')(call);
  const signIn = (anonymousId: string, body: { email: string; password: string }, key: string = KEYS.a) =>
    agent(ctx, key).post(`/v1/sessions/${anonymousId}/sign-in`).send(body);
  const signUp = (anonymousId: string, body: { email: string; password: string }) =>
    agent(ctx).post(`/v1/sessions/${anonymousId}/sign-up`).send(body);

  /** A customer signed up on a session of its own. */
  async function customer(): Promise<{ email: string; password: string }> {
    const credentials = { email: newEmail('Shopper'), password: 'Secret-1' };
    await signUp(await newSession(ctx), credentials).expect(201);
    return credentials;
  }

  /** Wrong passwords for the email, each on a new session, from clients A and B in turn. */
  async function failFor(email: string, times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      const key = i % 2 === 0 ? KEYS.a : KEYS.b;
      expect((await signIn(await newSession(ctx, key), { email, password: `guess-${i}` }, key)).status).toBe(401);
    }
  }

  test('when an email has had the most consecutive failures across sessions and clients, then the next sign-in is 429 TooManySignInAttempts with Retry-After, even with the right password, without asking commercetools', async () => {
    const who = await customer();
    await failFor(who.email, MAX_FAILURES);
    const anonymousId = await newSession(ctx);
    const logins = ctx.upstreamCalls.filter(isLogin).length;

    // Another case of the same email is the same email.
    const response = await signIn(anonymousId, { ...who, email: who.email.toUpperCase() });

    expect(response.status).toBe(429);
    expect(response.body.code).toBe('TooManySignInAttempts');
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(BLOCK_SECONDS);
    expect(ctx.upstreamCalls.filter(isLogin).length).toBe(logins);
    expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
  });

  test('when the block has passed, then the right password signs in', async () => {
    const who = await customer();
    await failFor(who.email, MAX_FAILURES);
    const anonymousId = await newSession(ctx);
    expect((await signIn(anonymousId, who)).status).toBe(429);

    // Lets the block pass.
    await elapse(BLOCK_SECONDS * 1000 + 200);

    expect((await signIn(anonymousId, who)).status).toBe(200);
  });

  test('when a sign-in succeeds, then the email’s failures start over', async () => {
    const who = await customer();
    await failFor(who.email, MAX_FAILURES - 1);
    await signIn(await newSession(ctx), who).expect(200);

    await failFor(who.email, MAX_FAILURES - 1);

    expect((await signIn(await newSession(ctx), who)).status).toBe(200);
  });

  test('when a session has had the most failures on any emails, then its next sign-in is 429 while the emails stay open elsewhere', async () => {
    const who = await customer();
    const anonymousId = await newSession(ctx);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const someone = { email: newEmail('nobody'), password: 'guess' };
      expect((await signIn(anonymousId, someone)).status).toBe(401);
    }

    const blocked = await signIn(anonymousId, who);

    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('TooManySignInAttempts');
    expect((await signIn(await newSession(ctx), who)).status).toBe(200);
  });

  test('when wrong passwords race on one email, then no more than the allowed failures reach commercetools', async () => {
    const who = await customer();
    const sessions = await Promise.all(Array.from({ length: MAX_FAILURES * 3 }, () => newSession(ctx)));
    const logins = ctx.upstreamCalls.filter(isLogin).length;

    const responses = await Promise.all(sessions.map((id) => signIn(id, { email: who.email, password: 'guess' })));

    expect(responses.filter((r) => r.status === 401)).toHaveLength(MAX_FAILURES);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(MAX_FAILURES * 2);
    expect(ctx.upstreamCalls.filter(isLogin).length - logins).toBe(MAX_FAILURES);
  });

  test('when a session has had the most sign-up attempts, then the next sign-up is 429 TooManySignInAttempts', async () => {
    const taken = await customer();
    const anonymousId = await newSession(ctx);
    for (let i = 0; i < SIGN_UP_MAX_ATTEMPTS; i++) {
      const duplicate = await signUp(anonymousId, taken);
      expect(duplicate.body.code).toBe('DuplicateEmail');
    }

    const response = await signUp(anonymousId, { email: newEmail('new'), password: 'Secret-1' });

    expect(response.status).toBe(429);
    expect(response.body.code).toBe('TooManySignInAttempts');
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  test('when a blocked sign-in carried an Idempotency-Key, then the 429 is not kept: the same key signs in once the block has passed', async () => {
    const who = await customer();
    await failFor(who.email, MAX_FAILURES);
    const anonymousId = await newSession(ctx);
    const key = newIdempotencyKey('sign-in');
    const send = () => signIn(anonymousId, who).set('Idempotency-Key', key);
    expect((await send()).status).toBe(429);

    // Lets the block pass.
    await elapse(BLOCK_SECONDS * 1000 + 200);
    const retry = await send();

    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  test('when failures are counted, then Redis holds no email in clear', async () => {
    const who = await customer();
    await failFor(who.email, 1);

    const keys = await ctx.redis.keys(`${ctx.redisPrefix}*`);
    const values = await Promise.all(
      keys.map(async (key) => ((await ctx.redis.type(key)) === 'string' ? ((await ctx.redis.get(key)) ?? '') : '')),
    );

    expect(keys.some((key) => key.includes('sign-in-failures:email'))).toBe(true);
    const local = who.email.split('@')[0]!.toLowerCase();
    expect([...keys, ...values].filter((text) => text.toLowerCase().includes(local))).toEqual([]);
  });
});
