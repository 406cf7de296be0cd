import { agent, newEmail, newSession, upstreamPost } from '../support/fixtures';
import { createTestContext, type TestContext } from '../support/harness';
import type { FaultRule, RecordedCall } from '../support/recording-proxy';
import { elapse, waitFor } from '../support/wait';

/** The hand-over lock's first lifetime (src/clients/session.store.ts LOCK_TTL_MS). */
const LOCK_TTL_MS = 30_000;

describe('the hand-over lock', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    // Upstream writes may take up to 40 s: longer than the lock's first lifetime.
    ctx = await createTestContext({ record: true, env: { CTP_TIMEOUT_MS: '40000' } });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const isSignUp = (call: RecordedCall) => upstreamPost(ctx, '/customers')(call);
  const lockKey = (anonymousId: string) => `${ctx.redisPrefix}{${anonymousId}}:lock`;
  const customersWith = async (address: string) =>
    (await ctx.ct(`/customers?where=${encodeURIComponent('email = :email')}&var.email=${encodeURIComponent(address)}`))
      .body.results as Array<{ id: string }>;
  const sessionOf = async (anonymousId: string) =>
    (await agent(ctx).get(`/v1/sessions/${anonymousId}`).expect(200)).body;

  test('when a sign-up is held upstream past the lock’s first lifetime and the client times out and retries, then the retry and another sign-up are 409 SessionBusy and only one customer is made', async () => {
    const anonymousId = await newSession(ctx);
    const first = newEmail();
    const other = newEmail();
    ctx.faults.push({ match: isSignUp, fault: { kind: 'delay', ms: LOCK_TTL_MS + 3000 }, times: 1 });
    const signUp = (address: string) =>
      agent(ctx).post(`/v1/sessions/${anonymousId}/sign-up`).send({ email: address, password: 'Secret-1' });
    const started = Date.now();

    // The client gives up after a second; the service carries on.
    await expect(signUp(first).timeout(1000)).rejects.toThrow(/timeout/i);
    // Lets the lock's first lifetime pass while the sign-up is still held upstream.
    await elapse(LOCK_TTL_MS + 1000 - (Date.now() - started));
    const retry = await signUp(first);
    const another = await signUp(other);

    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('SessionBusy');
    expect(another.status).toBe(409);
    expect(another.body.code).toBe('SessionBusy');
    // The first sign-up finishes once commercetools answers (held 33 s).
    const session = await waitFor(
      async () => {
        const read = await sessionOf(anonymousId);
        return read.status !== 'active' && read;
      },
      { timeoutMs: LOCK_TTL_MS + 10_000 - (Date.now() - started), intervalMs: 200, what: 'the held sign-up to end' },
    );
    const made = await customersWith(first);
    expect(made).toHaveLength(1);
    expect(session).toMatchObject({ status: 'ended', customerId: made[0]!.id });
    expect(await customersWith(other)).toEqual([]);
    expect(ctx.upstreamCalls.filter(isSignUp)).toHaveLength(1);
    expect(await ctx.redis.exists(lockKey(anonymousId))).toBe(0);
  }, 60_000);

  test('when the lock lapsed and another holder took it while a sign-up ran, then that sign-up ends nothing: 503, and the session stays active', async () => {
    const anonymousId = await newSession(ctx);
    const held: FaultRule = { match: isSignUp, fault: { kind: 'delay', ms: 500 }, times: 1 };
    ctx.faults.push(held);
    const signingUp = agent(ctx)
      .post(`/v1/sessions/${anonymousId}/sign-up`)
      .send({ email: newEmail(), password: 'Secret-1' })
      .then((r) => r);
    await waitFor(() => held.times === 0, { what: 'the sign-up to be held upstream' });
    // As if the lock had lapsed and a second hand-over had taken it.
    await ctx.redis.set(lockKey(anonymousId), 'another-holder', 'PX', 10_000);

    const response = await signingUp;

    expect(response.status).toBe(503);
    expect(response.body.code).toBe('StoreUnavailable');
    expect(response.headers['retry-after']).toBeDefined();
    expect((await sessionOf(anonymousId)).status).toBe('active');
    // The other holder's lock is left alone.
    expect(await ctx.redis.get(lockKey(anonymousId))).toBe('another-holder');
  });
});
