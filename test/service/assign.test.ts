import { randomUUID } from 'node:crypto';
import {
  agent,
  newCart,
  newEmail,
  newSession,
  ORDERABLE_CART,
  orderCart,
  upstreamGet,
  upstreamPost,
} from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';
import type { RecordedCall } from '../support/recording-proxy';

describe('POST /v1/sessions/{anonymousId}/assign hands a session over to a known customer', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const charge = {
    method: 'card',
    paymentInterface: 'pos-terminal',
    interfaceId: 'T-01-000042',
    transaction: { type: 'Charge', state: 'Success', interactionId: 'T-01-000042' },
  };

  const assign = (anonymousId: string, body: object, key: string = KEYS.backofficeA) =>
    agent(ctx, key).post(`/v1/sessions/${anonymousId}/assign`).send(body);

  /** A customer made in commercetools directly (signed in elsewhere: SSO), with an active cart of one item or none. */
  async function knownCustomer(withCart: boolean) {
    const created = await ctx.ct('/customers', {
      method: 'POST',
      body: { email: newEmail(), password: 'irrelevant-1', firstName: 'Ada' },
    });
    const customer = created.body.customer as { id: string; email: string };
    if (!withCart) return { customer, cartId: undefined };
    const cart = await ctx.ct('/carts', {
      method: 'POST',
      body: { currency: 'EUR', customerId: customer.id, lineItems: [{ sku: ctx.skus[0], quantity: 1 }] },
    });
    return { customer, cartId: cart.body.id as string };
  }

  /** A guest session with an ordered and paid cart, and an open cart holding two of the first SKU. */
  async function guestWithHistory() {
    const anonymousId = await newSession(ctx);
    const ordered = await newCart(ctx, anonymousId, {
      ...ORDERABLE_CART,
      lineItems: [{ sku: ctx.skus[0], quantity: 1 }],
    });
    await agent(ctx).post(`/v1/carts/${ordered.id}/payments`).send(charge).expect(201);
    const order = await orderCart(ctx, ordered.id);
    const open = await newCart(ctx, anonymousId, { ...ORDERABLE_CART, lineItems: [{ sku: ctx.skus[0], quantity: 2 }] });
    return { anonymousId, order, open };
  }

  /** Orders (`customerId = :c`) or payments (`customer(id = :c)`) of the customer, read in commercetools. */
  const byCustomer = async (resource: 'orders' | 'payments', predicate: string, customerId: string) =>
    (await ctx.ct(`/${resource}?where=${encodeURIComponent(predicate)}&var.c=${customerId}&limit=50`)).body
      .results as Array<{ id: string }>;

  const isMerge = (customerId: string) => upstreamPost(ctx, `/carts/customer-id=${customerId}/merge`);

  test.each([
    ['MergeWithExistingCustomerCart', true, 'customer'],
    ['MergeWithExistingCustomerCart', false, 'guest'],
    ['UseAsNewActiveCustomerCart', true, 'guest'],
    ['UseAsNewActiveCustomerCart', false, 'guest'],
  ] as const)(
    'when assigning with %s and a customer cart present: %s, then the answer is the %s cart with a grant',
    async (mergeMode, withCart, expected) => {
      const { customer, cartId } = await knownCustomer(withCart);
      const { anonymousId, open } = await guestWithHistory();

      const response = await assign(anonymousId, { customerId: customer.id, mergeMode });

      expect(response.status).toBe(200);
      expect(response.body.customer).toEqual({ id: customer.id, email: customer.email, firstName: 'Ada' });
      const resultId = expected === 'customer' ? cartId : open.id;
      expect(response.body.cart).toMatchObject({ id: resultId, customerId: customer.id, cartState: 'Active' });
      expect(response.body.grant).toEqual({ cartId: resultId, expiresAt: expect.any(String) });
      const guestCart = (await ctx.ct(`/carts/${open.id}`)).body;
      expect(guestCart.cartState).toBe(expected === 'customer' ? 'Merged' : 'Active');
      expect(ctx.upstreamCalls.filter(isMerge(customer.id)).at(-1)?.body).toEqual({
        anonymousCart: { typeId: 'cart', id: open.id },
        anonymousId,
        mergeMode,
      });
    },
  );

  test('when the default mode merges into the customer cart, then it holds the larger quantity of each variant', async () => {
    const { customer } = await knownCustomer(true);
    const { anonymousId } = await guestWithHistory();

    const response = await assign(anonymousId, { customerId: customer.id });

    expect(response.status).toBe(200);
    expect(response.body.cart.lineItems).toHaveLength(1);
    expect(response.body.cart.lineItems[0].quantity).toBe(2);
  });

  test("when assigning, then the session's orders and payments carry the customer and the session ends with it", async () => {
    const { customer } = await knownCustomer(false);
    const { anonymousId, order } = await guestWithHistory();

    await assign(anonymousId, { customerId: customer.id }).expect(200);

    expect((await byCustomer('orders', 'customerId = :c', customer.id)).map((o) => o.id)).toEqual([order.id]);
    expect(await byCustomer('payments', 'customer(id = :c)', customer.id)).toHaveLength(1);
    const session = await agent(ctx).get(`/v1/sessions/${anonymousId}`);
    expect(session.body).toMatchObject({ status: 'ended', customerId: customer.id });
  });

  test('when the session has no active cart, then its orders move, it ends, and the answer has no cart', async () => {
    const { customer } = await knownCustomer(true);
    const anonymousId = await newSession(ctx);
    const order = await orderCart(ctx, (await newCart(ctx, anonymousId)).id);

    const response = await assign(anonymousId, { customerId: customer.id });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ customer: { id: customer.id, email: customer.email, firstName: 'Ada' } });
    expect((await byCustomer('orders', 'customerId = :c', customer.id)).map((o) => o.id)).toEqual([order.id]);
    expect(ctx.upstreamCalls.filter(isMerge(customer.id))).toHaveLength(0);
    expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('ended');
  });

  test('when the session is assigned a second time, then it is 409 SessionEnded', async () => {
    const { customer } = await knownCustomer(false);
    const anonymousId = await newSession(ctx);
    await assign(anonymousId, { customerId: customer.id }).expect(200);

    const again = await assign(anonymousId, { customerId: customer.id });

    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SessionEnded');
  });

  test('when the customer is unknown, then it is 404 CustomerNotFound and the session stays active', async () => {
    const anonymousId = await newSession(ctx);

    const response = await assign(anonymousId, { customerId: randomUUID() });

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('CustomerNotFound');
    expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
  });

  test('when the key lacks the backoffice scope, then it is 403', async () => {
    const { customer } = await knownCustomer(false);
    const anonymousId = await newSession(ctx);

    const response = await assign(anonymousId, { customerId: customer.id }, KEYS.a);

    expect(response.status).toBe(403);
  });

  test("when another client's back office assigns the session, then it is 404 SessionNotFound", async () => {
    const { customer } = await knownCustomer(false);
    const anonymousId = await newSession(ctx);

    const response = await assign(anonymousId, { customerId: customer.id }, KEYS.backofficeB);

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('SessionNotFound');
  });

  describe('when the answer of the merge is lost', () => {
    test('when commercetools merged, then it is recognised at once: 200 with the merged cart, merged once', async () => {
      const { customer, cartId } = await knownCustomer(true);
      const { anonymousId, order } = await guestWithHistory();
      ctx.faults.push({ match: isMerge(customer.id), fault: { kind: 'drop-response' }, times: 1 });

      const response = await assign(anonymousId, { customerId: customer.id });

      expect(response.status).toBe(200);
      expect(response.body.cart).toMatchObject({ id: cartId, customerId: customer.id });
      expect(response.body.cart.lineItems[0].quantity).toBe(2);
      expect(ctx.upstreamCalls.filter(isMerge(customer.id))).toHaveLength(1);
      expect((await byCustomer('orders', 'customerId = :c', customer.id)).map((o) => o.id)).toEqual([order.id]);
    });

    test('when the look after it fails too, then the request fails and the retry recognises the merge', async () => {
      const { customer, cartId } = await knownCustomer(true);
      const { anonymousId } = await guestWithHistory();
      let merged = false;
      const isCartRead = upstreamGet(ctx, '/carts');
      ctx.faults.push({
        match: (call: RecordedCall) => {
          if (isMerge(customer.id)(call)) merged = true;
          return isMerge(customer.id)(call);
        },
        fault: { kind: 'drop-response' },
        times: 1,
      });
      ctx.faults.push({ match: (call) => merged && isCartRead(call), fault: { kind: 'status', status: 503 } });

      const key = `assign-${anonymousId}`;
      const send = () =>
        agent(ctx, KEYS.backofficeA)
          .post(`/v1/sessions/${anonymousId}/assign`)
          .set('Idempotency-Key', key)
          .send({ customerId: customer.id });
      const failed = await send();
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
      ctx.faults.length = 0;

      const retry = await send();

      expect(retry.status).toBe(200);
      expect(retry.body.cart).toMatchObject({ id: cartId, customerId: customer.id });
      expect(retry.body.grant).toEqual({ cartId, expiresAt: expect.any(String) });
      expect(ctx.upstreamCalls.filter(isMerge(customer.id))).toHaveLength(1);
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body).toMatchObject({
        status: 'ended',
        customerId: customer.id,
      });
      expect((await send()).headers['idempotent-replayed']).toBe('true');
    });
  });
});
