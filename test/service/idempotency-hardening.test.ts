import { createHash } from 'node:crypto';
import {
  agent,
  newCartWithOneItem,
  newIdempotencyKey,
  newSession,
  quantityIn,
  upstreamPost,
} from '../support/fixtures';
import { createTestContext, uniqueName, type TestContext } from '../support/harness';
import type { FaultRule } from '../support/recording-proxy';
import { waitFor } from '../support/wait';

/** Every value under the context's prefix, whatever its type, as one text to search. */
async function redisDump(ctx: TestContext): Promise<string> {
  const keys = await ctx.redis.keys(`${ctx.redisPrefix}*`);
  const values = await Promise.all(
    keys.map(async (key) => {
      const type = await ctx.redis.type(key);
      if (type === 'string') return ctx.redis.get(key);
      if (type === 'hash') return JSON.stringify(await ctx.redis.hgetall(key));
      if (type === 'set') return JSON.stringify(await ctx.redis.smembers(key));
      if (type === 'zset') return JSON.stringify(await ctx.redis.zrange(key, '0', '-1'));
      if (type === 'list') return JSON.stringify(await ctx.redis.lrange(key, '0', '-1'));
      return '';
    }),
  );
  return [...keys, ...values].join('\n');
}

describe('Idempotency-Key records keep no secrets and no transient answers', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  test('when a customer signs up and signs in under Idempotency-Keys, then Redis holds no password, hash or token', async () => {
    const email = `${uniqueName('shopper')}@example.com`;
    const password = `Pw-${uniqueName('secret')}`;
    const signUp = { email, password, firstName: 'Ada' };
    const up = await agent(ctx)
      .post(`/v1/sessions/${await newSession(ctx)}/sign-up`)
      .set('Idempotency-Key', newIdempotencyKey('hardening'))
      .send(signUp);
    const signIn = { email, password, cartSignInMode: 'MergeWithExistingCustomerCart' };
    const inKey = newIdempotencyKey('hardening');
    const inSession = await newSession(ctx);
    const signedIn = await agent(ctx)
      .post(`/v1/sessions/${inSession}/sign-in`)
      .set('Idempotency-Key', inKey)
      .send(signIn);
    const replayed = await agent(ctx)
      .post(`/v1/sessions/${inSession}/sign-in`)
      .set('Idempotency-Key', inKey)
      .send(signIn);

    expect(up.status).toBe(201);
    expect(signedIn.status).toBe(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const stored = (await ctx.ct(`/customers/${up.body.customer.id}`)).body as { password?: string };
    const hashes = [stored.password, Buffer.from(password).toString('base64')].filter(Boolean) as string[];
    const tokens = ctx.upstreamCalls
      .map((call) => String(call.headers.authorization ?? ''))
      .filter((header) => header.startsWith('Bearer '))
      .map((header) => header.slice('Bearer '.length));
    expect(tokens.length).toBeGreaterThan(0);
    const dump = await redisDump(ctx);
    expect(dump).toContain(up.body.customer.id); // the replayable response is there...
    const plainDigests = [password, JSON.stringify(signUp), JSON.stringify(signIn)].map((text) =>
      createHash('sha256').update(text).digest('hex'),
    );
    for (const secret of [password, ...hashes, ...plainDigests, ...new Set(tokens)]) {
      expect(dump).not.toContain(secret); // ...but nothing a password or the token can be read from
    }
  });

  test('when the same key is sent to the route in other case or with a trailing slash, then it is the same request', async () => {
    const key = newIdempotencyKey('hardening');
    const first = await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({});
    const again = await agent(ctx).post('/V1/Sessions/').set('Idempotency-Key', key).send({});
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  test('when the first answer was SessionBusy, then it is not replayed: the retry with the same key runs', async () => {
    const anonymousId = await newSession(ctx);
    // A sign-in (wrong credentials, held upstream) keeps the session busy meanwhile.
    const held: FaultRule = { match: upstreamPost(ctx, '/login'), fault: { kind: 'delay', ms: 800 }, times: 1 };
    ctx.faults.push(held);
    const signIn = agent(ctx)
      .post(`/v1/sessions/${anonymousId}/sign-in`)
      .send({ email: `${uniqueName('nobody')}@example.com`, password: 'wrong' })
      .then((response) => response);
    await waitFor(() => held.times === 0, { what: 'the sign-in to be held upstream' });
    const key = newIdempotencyKey('hardening');
    const send = () =>
      agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });

    const busy = await send();
    expect((await signIn).status).toBe(401);
    const retry = await send();

    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('SessionBusy');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  test('when a version-less add lost every race (409 ConcurrentModification), then the retry with the same key adds', async () => {
    const cart = await newCartWithOneItem(ctx);
    // Every update is refused as a conflict, as on a cart others keep changing.
    ctx.faults.push({
      match: upstreamPost(ctx, `/carts/${cart.id}`),
      fault: { kind: 'status', status: 409 },
      times: 10_000,
    });
    const key = newIdempotencyKey('hardening');
    const send = () =>
      agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .set('Idempotency-Key', key)
        .send({ sku: ctx.skus[0], quantity: 2 });

    const lost = await send();
    ctx.faults.length = 0;
    const retry = await send();

    expect(lost.status).toBe(409);
    expect(lost.body.code).toBe('ConcurrentModification');
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await quantityIn(ctx, cart.id)).toBe(3);
  }, 60_000);

  test('when an add with a stale version is 409, then that answer is final and replayed', async () => {
    const cart = await newCartWithOneItem(ctx);
    await agent(ctx).patch(`/v1/carts/${cart.id}`).send({ customerEmail: 'someone@example.com' }).expect(200);
    const key = newIdempotencyKey('hardening');
    const send = () =>
      agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .set('Idempotency-Key', key)
        .send({ sku: ctx.skus[0], quantity: 2, version: cart.version });

    const stale = await send();
    const again = await send();

    expect(stale.status).toBe(409);
    expect(again.status).toBe(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  test('when commercetools is down (503, circuit open), then the retry with the same key runs and succeeds', async () => {
    // Its own instance, whose circuit opens at the first failure and probes again after 100 ms.
    const down = await createTestContext({
      record: true,
      env: { CTP_BREAKER_THRESHOLD: '1', CTP_BREAKER_HALF_OPEN_MS: '100' },
    });
    try {
      down.faults.push({ match: (call) => call.method === 'GET', fault: { kind: 'reset' }, times: 100 });
      const key = newIdempotencyKey('hardening');
      const send = () => agent(down).post('/v1/sessions').set('Idempotency-Key', key).send({});

      const unavailable = await send();
      down.faults.length = 0;
      // Retried until the circuit lets a call through again (half-open after 100 ms): 5xx are not kept.
      const retry = await waitFor(
        async () => {
          const response = await send();
          return response.status !== 503 && response;
        },
        { what: 'the circuit to let a call through' },
      );

      expect(unavailable.status).toBe(503);
      expect(unavailable.body.code).toBe('UpstreamUnavailable');
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    } finally {
      await down.close();
    }
  });

  test('when a key whose add failed is reused for another cart, then the note of the first cart is not used', async () => {
    const first = await newCartWithOneItem(ctx);
    const other = await newCartWithOneItem(ctx);
    // The other cart now looks exactly like what the first add would leave: next version, three items.
    await agent(ctx).post(`/v1/carts/${other.id}/line-items`).send({ sku: ctx.skus[0], quantity: 2 }).expect(200);
    ctx.faults.push({ match: upstreamPost(ctx, `/carts/${first.id}`), fault: { kind: 'drop-response' }, times: 1 });
    const key = newIdempotencyKey('hardening');
    const add = (cartId: string) =>
      agent(ctx)
        .post(`/v1/carts/${cartId}/line-items`)
        .set('Idempotency-Key', key)
        .send({ sku: ctx.skus[0], quantity: 2 });
    expect((await add(first.id)).status).toBeGreaterThanOrEqual(500);

    const response = await add(other.id);

    expect(response.status).toBe(200);
    expect(await quantityIn(ctx, other.id)).toBe(5);
  });

  test('when a key whose add landed unanswered is reused with another body, then that body is added, not mistaken for the first', async () => {
    const cart = await newCartWithOneItem(ctx);
    ctx.faults.push({ match: upstreamPost(ctx, `/carts/${cart.id}`), fault: { kind: 'drop-response' }, times: 1 });
    const key = newIdempotencyKey('hardening');
    const add = (quantity: number) =>
      agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .set('Idempotency-Key', key)
        .send({ sku: ctx.skus[0], quantity });
    expect((await add(2)).status).toBeGreaterThanOrEqual(500);
    expect(await quantityIn(ctx, cart.id)).toBe(3);

    // The first add's note says "version v+1 holding 3": the cart is exactly that, yet this is another request.
    const response = await add(3);

    expect(response.status).toBe(200);
    expect(await quantityIn(ctx, cart.id)).toBe(6);
  });
});
