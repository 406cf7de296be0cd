import {
  agent,
  newCart,
  newCartWithOneItem,
  newIdempotencyKey,
  newSession,
  quantityIn,
  upstreamGet,
  upstreamPost,
} from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';
import type { FaultRule } from '../support/recording-proxy';
import { waitFor } from '../support/wait';

describe('exactly-once writes with Idempotency-Key', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const cartsOf = async (anonymousId: string) =>
    (
      await ctx.ct(
        `/carts?where=${encodeURIComponent('anonymousId = :aid')}&var.aid=${encodeURIComponent(anonymousId)}`,
      )
    ).body.results as Array<{ id: string; key?: string }>;
  const ordersOfCart = async (cartId: string) =>
    (await ctx.ct(`/orders?where=${encodeURIComponent('cart(id = :cid)')}&var.cid=${cartId}`)).body.results as Array<{
      id: string;
      orderNumber: string;
    }>;

  test('when a POST is repeated with the same key and payload, then the first response is replayed and nothing runs twice', async () => {
    const key = newIdempotencyKey();
    const first = await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({});
    const again = await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({});
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  test('when the same key comes with another payload, then it is 422 IdempotencyKeyReused', async () => {
    const key = newIdempotencyKey();
    await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({}).expect(201);
    const other = await agent(ctx)
      .post('/v1/sessions')
      .set('Idempotency-Key', key)
      .send({ anonymousId: `other-${key}` });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IdempotencyKeyReused');
  });

  test('when the same key arrives while the first request runs, then it is 409 and one cart is made', async () => {
    const anonymousId = await newSession(ctx);
    const held: FaultRule = { match: upstreamPost(ctx, '/carts'), fault: { kind: 'delay', ms: 400 }, times: 1 };
    ctx.faults.push(held);
    const key = newIdempotencyKey();
    const send = () =>
      agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });
    // supertest starts a request only when it is awaited or then-ed.
    const first = send().then((response) => response);
    await waitFor(() => held.times === 0, { what: 'the first create to be held upstream' });
    const second = await send();
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('IdempotencyKeyInProgress');
    expect(second.headers['retry-after']).toBe('1');
    expect((await first).status).toBe(201);
    const replay = await send();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await cartsOf(anonymousId)).toHaveLength(1);
  });

  test('when two clients use the same key, then each gets its own result', async () => {
    const key = newIdempotencyKey();
    const a = await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({});
    const b = await agent(ctx, KEYS.b).post('/v1/sessions').set('Idempotency-Key', key).send({});
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.anonymousId).not.toBe(a.body.anonymousId);
  });

  test('when the key is empty or longer than 255 characters, then it is 400; 255 is fine', async () => {
    expect((await agent(ctx).post('/v1/sessions').set('Idempotency-Key', 'k'.repeat(256)).send({})).status).toBe(400);
    expect((await agent(ctx).post('/v1/sessions').set('Idempotency-Key', ' ').send({})).status).toBe(400);
    expect(
      (
        await agent(ctx)
          .post('/v1/sessions')
          .set('Idempotency-Key', `${newIdempotencyKey()}${'k'.repeat(230)}`.slice(0, 255))
          .send({})
      ).status,
    ).toBe(201);
  });

  test('when the first answer was a 4xx, then it is replayed too', async () => {
    const key = newIdempotencyKey();
    const first = await agent(ctx)
      .post('/v1/sessions/unknown-session/carts')
      .set('Idempotency-Key', key)
      .send({ currency: 'EUR' });
    expect(first.status).toBe(404);
    const again = await agent(ctx)
      .post('/v1/sessions/unknown-session/carts')
      .set('Idempotency-Key', key)
      .send({ currency: 'EUR' });
    expect(again.status).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('when commercetools fails a create with 503, then the 5xx is not kept and a retry with the same key runs again', async () => {
    const anonymousId = await newSession(ctx);
    ctx.faults.push({ match: upstreamPost(ctx, '/carts'), fault: { kind: 'status', status: 503 }, times: 1 });
    const key = newIdempotencyKey();
    const send = () =>
      agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });
    const failed = await send();
    expect(failed.status).toBe(502);
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await cartsOf(anonymousId)).toHaveLength(1);
  });

  test('when the answer to a cart create is lost, then the cart is found by its key: one cart, and the retry replays', async () => {
    const anonymousId = await newSession(ctx);
    ctx.faults.push({ match: upstreamPost(ctx, '/carts'), fault: { kind: 'drop-response' }, times: 1 });
    const key = newIdempotencyKey();
    const send = () =>
      agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^gc-/);
    const retry = await send();
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    const carts = await cartsOf(anonymousId);
    expect(carts.map((c) => c.id)).toEqual([first.body.id]);
  });

  test('when a create answer and the lookup both fail, then the retry with the same key finds the cart instead of making another', async () => {
    const anonymousId = await newSession(ctx);
    ctx.faults.push({ match: upstreamPost(ctx, '/carts'), fault: { kind: 'drop-response' }, times: 1 });
    ctx.faults.push({ match: upstreamGet(ctx, '/carts/key='), fault: { kind: 'status', status: 503 }, times: 3 });
    const key = newIdempotencyKey();
    const send = () =>
      agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).set('Idempotency-Key', key).send({ currency: 'EUR' });
    const failed = await send();
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(await cartsOf(anonymousId)).toEqual([expect.objectContaining({ id: retry.body.id })]);
  });

  test('when the answer to an order create is lost, then the order is found by its number: one order, and the retry replays', async () => {
    const anonymousId = await newSession(ctx);
    const cart = await newCart(ctx, anonymousId, {
      currency: 'EUR',
      lineItems: [{ sku: ctx.skus[0], quantity: 1 }],
      shippingAddress: { country: 'DE' },
    });
    ctx.faults.push({ match: upstreamPost(ctx, '/orders'), fault: { kind: 'drop-response' }, times: 1 });
    const key = newIdempotencyKey();
    const send = () => agent(ctx).post(`/v1/carts/${cart.id}/order`).set('Idempotency-Key', key).send({});
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.body.orderNumber).toMatch(/^GC-/);
    const retry = await send();
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect(await ordersOfCart(cart.id)).toHaveLength(1);
  });

  test('when an order answer and its lookup both fail, then the retry with the same key returns that order instead of 409', async () => {
    const anonymousId = await newSession(ctx);
    const cart = await newCart(ctx, anonymousId);
    ctx.faults.push({ match: upstreamPost(ctx, '/orders'), fault: { kind: 'drop-response' }, times: 1 });
    ctx.faults.push({
      match: upstreamGet(ctx, '/orders/order-number='),
      fault: { kind: 'status', status: 503 },
      times: 3,
    });
    const key = newIdempotencyKey();
    const send = () => agent(ctx).post(`/v1/carts/${cart.id}/order`).set('Idempotency-Key', key).send({});
    expect((await send()).status).toBeGreaterThanOrEqual(500);
    const retry = await send();
    expect(retry.status).toBe(201);
    const orders = await ordersOfCart(cart.id);
    expect(orders).toEqual([expect.objectContaining({ id: retry.body.id })]);
    // Without the key, ordering that cart again is the ordinary 409.
    expect((await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({})).body.code).toBe('CartAlreadyOrdered');
  });

  describe('when the answer to a line-item add is lost', () => {
    /** A cart with one item, and an add of two more under a key whose first attempt failed with `fault`. */
    const failedAdd = async (fault: 'drop-response' | 'reset') => {
      const cart = await newCartWithOneItem(ctx);
      ctx.faults.push({ match: upstreamPost(ctx, `/carts/${cart.id}`), fault: { kind: fault }, times: 1 });
      const key = newIdempotencyKey();
      const send = () =>
        agent(ctx)
          .post(`/v1/carts/${cart.id}/line-items`)
          .set('Idempotency-Key', key)
          .send({ sku: ctx.skus[0], quantity: 2 });
      expect((await send()).status).toBeGreaterThanOrEqual(500);
      return { cart, send };
    };

    test('when the add landed, then the retry with the same key answers that cart and adds nothing more', async () => {
      const { cart, send } = await failedAdd('drop-response');
      expect(await quantityIn(ctx, cart.id)).toBe(3);
      const retry = await send();
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ id: cart.id, version: cart.version + 1 });
      expect(retry.body.lineItems[0].quantity).toBe(3);
      expect(await quantityIn(ctx, cart.id)).toBe(3);
      expect((await send()).headers['idempotent-replayed']).toBe('true');
    });

    test('when the add never reached commercetools, then the retry adds it once', async () => {
      const { cart, send } = await failedAdd('reset');
      expect(await quantityIn(ctx, cart.id)).toBe(1);
      const retry = await send();
      expect(retry.status).toBe(200);
      expect(await quantityIn(ctx, cart.id)).toBe(3);
    });

    test('when the cart was changed otherwise since, then the retry is 409 with currentVersion and adds nothing', async () => {
      const { cart, send } = await failedAdd('drop-response');
      const changed = await agent(ctx)
        .patch(`/v1/carts/${cart.id}`)
        .send({ customerEmail: 'someone@example.com' })
        .expect(200);
      const retry = await send();
      expect(retry.status).toBe(409);
      expect(retry.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: changed.body.version });
      expect(await quantityIn(ctx, cart.id)).toBe(3);
    });

    test('when no Idempotency-Key is sent, then adds apply to the current cart as before', async () => {
      const cart = await newCartWithOneItem(ctx);
      await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku: ctx.skus[0], quantity: 2 }).expect(200);
      await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku: ctx.skus[0], quantity: 2 }).expect(200);
      expect(await quantityIn(ctx, cart.id)).toBe(5);
    });
  });

  test('when an order is created without orderNumber, then the service gives it one', async () => {
    const anonymousId = await newSession(ctx);
    const cart = await newCart(ctx, anonymousId);
    const order = await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({});
    expect(order.body.orderNumber).toMatch(/^GC-[A-Za-z0-9_-]{16,}$/);
  });
});
