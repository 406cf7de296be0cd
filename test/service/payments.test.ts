import {
  agent,
  newCart,
  newEmail,
  newIdempotencyKey,
  newSession,
  newSessionWithCart,
  ORDERABLE_CART,
  orderCart,
  upstreamPost,
} from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';

describe('payments of a cart', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  /** The draft of the carts here: one mug, orderable. */
  const MUG_CART = { ...ORDERABLE_CART, lineItems: [{ sku: 'MUG-WHITE' }] };
  const charge = {
    method: 'card',
    paymentInterface: 'pos-terminal',
    interfaceId: 'T-01-000042',
    transaction: { type: 'Charge', state: 'Success', interactionId: 'T-01-000042' },
  };
  const pay = (cartId: string, body: object = charge, key: string = KEYS.a) =>
    agent(ctx, key).post(`/v1/carts/${cartId}/payments`).send(body);
  const paymentsOf = async (anonymousId: string) =>
    (await ctx.ct(`/payments?where=${encodeURIComponent('anonymousId = :aid')}&var.aid=${anonymousId}&limit=50`)).body
      .results as Array<{ id: string; key: string; customer?: { id: string } }>;

  describe('POST /v1/carts/{cartId}/payments', () => {
    test("when a payment is recorded, then it carries the session's anonymousId and the cart total and is added to the cart", async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await pay(cart.id);

      expect(response.status).toBe(201);
      const { payment, cart: updated } = response.body;
      expect(payment).toMatchObject({
        anonymousId,
        key: expect.stringMatching(/^gp-/),
        amountPlanned: { currencyCode: 'EUR', centAmount: cart.totalPrice.centAmount },
        paymentMethodInfo: { method: 'card', paymentInterface: 'pos-terminal' },
        transactions: [{ type: 'Charge', state: 'Success', interactionId: 'T-01-000042', amount: expect.any(Object) }],
      });
      expect(updated.paymentInfo.payments).toEqual([{ typeId: 'payment', id: payment.id }]);
      const addPayment = ctx.upstreamCalls.filter(upstreamPost(ctx, `/carts/${cart.id}`)).at(-1)?.body;
      expect(addPayment).toMatchObject({
        actions: [{ action: 'addPayment', payment: { typeId: 'payment', id: payment.id } }],
      });
      expect((await ctx.ct(`/payments/${payment.id}`)).body.anonymousId).toBe(anonymousId);
      // The emulator keeps no interfaceId; what was sent has it.
      const draft = ctx.upstreamCalls.filter(upstreamPost(ctx, '/payments')).at(-1)?.body;
      expect(draft).toMatchObject({ anonymousId, interfaceId: 'T-01-000042' });
    });

    test('when an amount in the cart currency is given, then the payment is for that amount', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await pay(cart.id, { ...charge, amount: { centAmount: 500, currencyCode: 'EUR' } });

      expect(response.status).toBe(201);
      expect(response.body.payment.amountPlanned).toMatchObject({ centAmount: 500, currencyCode: 'EUR' });
    });

    test("when the amount's currency differs from the cart's, then it is 400 CurrencyMismatch and nothing is created", async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await pay(cart.id, { ...charge, amount: { centAmount: 500, currencyCode: 'USD' } });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('CurrencyMismatch');
      expect(await paymentsOf(anonymousId)).toEqual([]);
    });

    test('when the cart is Frozen, then it takes the payment', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({}).expect(200);

      const response = await pay(cart.id);

      expect(response.status).toBe(201);
      expect(response.body.cart).toMatchObject({
        cartState: 'Frozen',
        paymentInfo: { payments: [expect.any(Object)] },
      });
    });

    test('when the cart is ordered, then it is 409 CartNotActive', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await orderCart(ctx, cart.id);

      const response = await pay(cart.id);

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CartNotActive');
    });

    test("when the cart is another client's, then it is 404 CartNotFound and nothing is created", async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART, KEYS.b);

      const response = await pay(cart.id);

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('CartNotFound');
      expect(await paymentsOf(anonymousId)).toEqual([]);
    });

    test('when the transaction type is not Authorization or Charge, then it is 400 ValidationFailed', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await pay(cart.id, { ...charge, transaction: { type: 'Refund', state: 'Success' } });

      expect(response.status).toBe(400);
      expect(response.body.errors[0].path).toMatch(/^body\.transaction/);
    });

    test('when the answer to the payment create is lost, then the payment is found by its key: one payment, and the retry replays', async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART);
      ctx.faults.push({ match: upstreamPost(ctx, '/payments'), fault: { kind: 'drop-response' }, times: 1 });
      const key = newIdempotencyKey('payments');
      const send = () => agent(ctx).post(`/v1/carts/${cart.id}/payments`).set('Idempotency-Key', key).send(charge);

      const first = await send();

      expect(first.status).toBe(201);
      expect(first.body.cart.paymentInfo.payments).toEqual([{ typeId: 'payment', id: first.body.payment.id }]);
      const retry = await send();
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect((await paymentsOf(anonymousId)).map((p) => p.id)).toEqual([first.body.payment.id]);
    });

    test('when the answer to addPayment is lost, then the cart read shows it landed: 201 with one payment held once', async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART);
      ctx.faults.push({ match: upstreamPost(ctx, `/carts/${cart.id}`), fault: { kind: 'drop-response' }, times: 1 });

      const response = await pay(cart.id);

      expect(response.status).toBe(201);
      expect(response.body.cart.paymentInfo.payments).toEqual([{ typeId: 'payment', id: response.body.payment.id }]);
      expect((await paymentsOf(anonymousId)).map((p) => p.id)).toEqual([response.body.payment.id]);
    });

    test('when addPayment never reaches commercetools, then the retry with the same key adds the payment made first, once', async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART);
      ctx.faults.push({ match: upstreamPost(ctx, `/carts/${cart.id}`), fault: { kind: 'reset' }, times: 1 });
      const key = newIdempotencyKey('payments');
      const send = () => agent(ctx).post(`/v1/carts/${cart.id}/payments`).set('Idempotency-Key', key).send(charge);
      expect((await send()).status).toBeGreaterThanOrEqual(500);

      const retry = await send();

      expect(retry.status).toBe(201);
      const payments = await paymentsOf(anonymousId);
      expect(payments.map((p) => p.id)).toEqual([retry.body.payment.id]);
      expect((await ctx.ct(`/carts/${cart.id}`)).body.paymentInfo.payments).toEqual([
        { typeId: 'payment', id: retry.body.payment.id },
      ]);
    });
  });

  describe('GET /v1/carts/{cartId}/payments', () => {
    test('when the cart has payments, then they are listed', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      const first = (await pay(cart.id).expect(201)).body.payment;
      const second = (
        await pay(cart.id, { ...charge, transaction: { type: 'Authorization', state: 'Pending' } }).expect(201)
      ).body.payment;

      const response = await agent(ctx).get(`/v1/carts/${cart.id}/payments`);

      expect(response.status).toBe(200);
      expect(response.body.results.map((p: { id: string }) => p.id)).toEqual([first.id, second.id]);
    });

    test("when the cart is another client's, then it is 404 CartNotFound", async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART, KEYS.b);

      const response = await agent(ctx).get(`/v1/carts/${cart.id}/payments`);

      expect(response.status).toBe(404);
    });
  });

  describe('PATCH /v1/payments/{paymentId}', () => {
    const authorized = async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      return (
        await pay(cart.id, {
          ...charge,
          transaction: { type: 'Authorization', state: 'Pending', interactionId: 'A-1' },
        }).expect(201)
      ).body.payment;
    };

    test('when a transaction is added, then the payment has it for the amount planned', async () => {
      const payment = await authorized();

      const response = await agent(ctx)
        .patch(`/v1/payments/${payment.id}`)
        .send({ transaction: { type: 'Charge', state: 'Success', interactionId: 'C-1' } });

      expect(response.status).toBe(200);
      expect(response.body.transactions).toHaveLength(2);
      expect(response.body.transactions[1]).toMatchObject({
        type: 'Charge',
        state: 'Success',
        interactionId: 'C-1',
        amount: { centAmount: payment.amountPlanned.centAmount },
      });
    });

    test('when a transaction with a known interactionId and type is added again, then it is not added twice', async () => {
      const payment = await authorized();
      const body = { transaction: { type: 'Charge', state: 'Success', interactionId: 'C-2' } };
      await agent(ctx).patch(`/v1/payments/${payment.id}`).send(body).expect(200);

      const again = await agent(ctx).patch(`/v1/payments/${payment.id}`).send(body);

      expect(again.status).toBe(200);
      expect(again.body.transactions).toHaveLength(2);
    });

    test("when a transaction's state is changed, then it has the new state", async () => {
      const payment = await authorized();

      const response = await agent(ctx)
        .patch(`/v1/payments/${payment.id}`)
        .send({ transactionId: payment.transactions[0].id, state: 'Success' });

      expect(response.status).toBe(200);
      expect(response.body.transactions[0]).toMatchObject({ id: payment.transactions[0].id, state: 'Success' });
    });

    test('when the transaction does not exist, then it is 404 TransactionNotFound', async () => {
      const payment = await authorized();

      const response = await agent(ctx)
        .patch(`/v1/payments/${payment.id}`)
        .send({ transactionId: 'no-such-transaction', state: 'Success' });

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('TransactionNotFound');
    });

    test('when the version is stale, then it is 409 ConcurrentModification', async () => {
      const payment = await authorized();
      await agent(ctx)
        .patch(`/v1/payments/${payment.id}`)
        .send({ transactionId: payment.transactions[0].id, state: 'Success' })
        .expect(200);

      const response = await agent(ctx)
        .patch(`/v1/payments/${payment.id}`)
        .send({ transaction: { type: 'Charge', state: 'Success' }, version: payment.version });

      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: payment.version + 1 });
    });

    test("when the payment is of another client's cart, then it is 404 PaymentNotFound and unchanged", async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART, KEYS.b);
      const foreign = (await pay(cart.id, charge, KEYS.b).expect(201)).body.payment;

      const response = await agent(ctx)
        .patch(`/v1/payments/${foreign.id}`)
        .send({ transaction: { type: 'Refund', state: 'Initial' } });

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('PaymentNotFound');
      expect((await ctx.ct(`/payments/${foreign.id}`)).body.transactions).toHaveLength(1);
    });

    test('when the payment does not exist, then it is 404 PaymentNotFound', async () => {
      const response = await agent(ctx)
        .patch('/v1/payments/no-such-payment')
        .send({ transaction: { type: 'Charge', state: 'Success' } });

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('PaymentNotFound');
    });
  });

  describe('hand-over', () => {
    test('when the session signs up, then its payments get the customer', async () => {
      const { anonymousId, cart } = await newSessionWithCart(ctx, MUG_CART);
      const payment = (await pay(cart.id).expect(201)).body.payment;

      const signUp = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail('pay'), password: 'secret-Passw0rd' });

      expect(signUp.status).toBe(201);
      const listed = (await agent(ctx).get(`/v1/carts/${cart.id}/payments`).expect(200)).body.results;
      expect(listed).toEqual([
        expect.objectContaining({
          id: payment.id,
          anonymousId,
          customer: { typeId: 'customer', id: signUp.body.customer.id },
        }),
      ]);
    });
    test("when a cart of the session's is read-only after the hand-over, then a payment is 409 SessionEnded and none is made", async () => {
      const { anonymousId, cart: older } = await newSessionWithCart(ctx, MUG_CART);
      await newCart(ctx, anonymousId);
      await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail('pay'), password: 'secret-Passw0rd' })
        .expect(201);

      const response = await pay(older.id);

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('SessionEnded');
      expect(await paymentsOf(anonymousId)).toEqual([]);
    });
  });

  describe('a whole POS checkout', () => {
    test('when items, address, shipping, voucher, freeze, payment and order run in turn, then the order is Confirmed and Paid', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId, {
        currency: 'EUR',
        custom: { typeKey: 'pos-cart-fields', fields: { terminalId: 'T-01' } },
      });
      const path = `/v1/carts/${cart.id}`;
      const write = (method: 'post' | 'put' | 'patch', suffix: string, body: object) =>
        agent(ctx)[method](`${path}${suffix}`).set('Idempotency-Key', newIdempotencyKey('payments')).send(body);

      await write('post', '/line-items', { sku: 'HOODIE-GREY-M', quantity: 1 }).expect(200);
      await write('post', '/line-items', { sku: 'MUG-WHITE', quantity: 1 }).expect(200);
      await write('patch', '', { shippingAddress: { country: 'DE', city: 'Berlin' } }).expect(200);
      const methods = (await agent(ctx).get(`${path}/shipping-methods`).expect(200)).body.results;
      const standard = methods.find((m: { isDefault: boolean }) => m.isDefault);
      await write('put', '/shipping-method', { shippingMethodId: standard.id }).expect(200);
      const withCode = (await write('post', '/discount-codes', { code: 'WELCOME10' }).expect(200)).body;
      const frozen = (await write('post', '/freeze', {}).expect(200)).body;
      const paid = (await write('post', '/payments', charge).expect(201)).body;
      const order = await write('post', '/order', { orderState: 'Confirmed', paymentState: 'Paid' });

      expect(withCode.discountCodes[0].state).toBe('MatchesCart');
      expect(frozen.cartState).toBe('Frozen');
      expect(paid.payment.amountPlanned.centAmount).toBe(frozen.totalPrice.centAmount);
      expect(order.status).toBe(201);
      expect(order.body).toMatchObject({
        anonymousId,
        orderState: 'Confirmed',
        paymentState: 'Paid',
        shippingInfo: { shippingMethodName: 'Standard delivery' },
        paymentInfo: { payments: [{ typeId: 'payment', id: paid.payment.id }] },
        custom: { fields: { terminalId: 'T-01' } },
      });
      expect(order.body.lineItems).toHaveLength(2);
      expect((await ctx.ct(`/carts/${cart.id}`)).body.cartState).toBe('Ordered');
    });
  });
});
