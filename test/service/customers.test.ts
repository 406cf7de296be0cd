import { agent, newCart, newEmail, newSession, ORDERABLE_CART, orderCart, upstreamPost } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';
import type { FaultRule, RecordedCall } from '../support/recording-proxy';
import { waitFor } from '../support/wait';

describe('sign-up and sign-in hand the session over', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());

  /** An orderable cart of the session holding `quantity` of the first SKU. */
  const cartWithItems = (anonymousId: string, quantity = 1) =>
    newCart(ctx, anonymousId, { ...ORDERABLE_CART, lineItems: [{ sku: ctx.skus[0], quantity }] });

  /** A guest session with an ordered cart and an open cart. */
  async function guestWithHistory() {
    const anonymousId = await newSession(ctx);
    const ordered = await cartWithItems(anonymousId);
    const order = await orderCart(ctx, ordered.id);
    const open = await cartWithItems(anonymousId, 2);
    return { anonymousId, ordered, order, open };
  }

  async function expectHandedOver(anonymousId: string, customerId: string, cartIds: string[], orderId: string) {
    for (const id of cartIds) {
      const cart = await ctx.ct(`/carts/${id}`);
      expect(cart.body).toMatchObject({ customerId, anonymousId });
    }
    const order = await ctx.ct(`/orders/${orderId}`);
    expect(order.body).toMatchObject({ customerId, anonymousId });
    const session = await agent(ctx).get(`/v1/sessions/${anonymousId}`);
    expect(session.body).toMatchObject({ status: 'ended', customerId, endedAt: expect.any(String) });
    const refused = await agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).send({ currency: 'EUR' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SessionEnded');
  }

  describe('POST /v1/sessions/{anonymousId}/sign-up', () => {
    test('when a guest signs up, then the customer owns the carts and orders, which keep the anonymousId, and the session ends', async () => {
      const { anonymousId, ordered, order, open } = await guestWithHistory();
      const address = newEmail();
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: address, password: 'Secret-123', firstName: 'Ada', lastName: 'Lovelace' });
      expect(response.status).toBe(201);
      expect(response.body.customer).toMatchObject({ email: address, firstName: 'Ada' });
      expect(response.body.customer.password).toBeUndefined();
      expect(response.body.cart).toMatchObject({ id: open.id, customerId: response.body.customer.id });
      // The cart handed over comes with this client's grant on it (docs/ownership.md).
      expect(response.body.grant).toEqual({ cartId: open.id, expiresAt: expect.any(String) });
      const call = ctx.upstreamCalls
        .filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/customers`)
        .pop();
      expect(call?.body).toMatchObject({ email: address, anonymousId });
      await expectHandedOver(anonymousId, response.body.customer.id, [ordered.id, open.id], order.id);
      // The ended session still shows its history to its owner, and to nobody else.
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}/orders`)).body.count).toBe(1);
      for (const path of [
        `/v1/sessions/${anonymousId}`,
        `/v1/sessions/${anonymousId}/carts`,
        `/v1/carts/${open.id}`,
        `/v1/orders/${order.id}`,
      ]) {
        expect((await agent(ctx, KEYS.b).get(path)).status).toBe(404);
      }
    });

    test('when the email is taken, then it is 409 DuplicateEmail and the session stays active', async () => {
      const address = newEmail();
      await agent(ctx)
        .post(`/v1/sessions/${await newSession(ctx)}/sign-up`)
        .send({ email: address, password: 'pw-1' })
        .expect(201);
      const anonymousId = await newSession(ctx);
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: address, password: 'pw-2' });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('DuplicateEmail');
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
    });

    test('when the session has ended, then signing up again is 409 SessionEnded', async () => {
      const anonymousId = await newSession(ctx);
      await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail(), password: 'pw' })
        .expect(201);
      const again = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail(), password: 'pw' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('SessionEnded');
    });

    test('when the body is invalid, then signing up is 400', async () => {
      const anonymousId = await newSession(ctx);
      const signUp = (body: object) => agent(ctx).post(`/v1/sessions/${anonymousId}/sign-up`).send(body);

      expect((await signUp({ email: 'not-an-email', password: 'pw' })).status).toBe(400);
      expect((await signUp({ email: newEmail() })).status).toBe(400);
    });

    test('when the key lacks the customers scope, then signing up is 403 Forbidden', async () => {
      const anonymousId = await newSession(ctx);

      const forbidden = await agent(ctx, KEYS.sessionsOnly)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail(), password: 'pw' });

      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('Forbidden');
    });

    test("when the session is another client's, then signing up is 404", async () => {
      const anonymousId = await newSession(ctx);

      const response = await agent(ctx, KEYS.b)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail(), password: 'pw' });

      expect(response.status).toBe(404);
    });

    test('when a customers-only key of the owning client signs up, then it may hand the session over (201)', async () => {
      const anonymousId = await newSession(ctx);

      const response = await agent(ctx, KEYS.customersOnly)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: newEmail(), password: 'pw' });

      expect(response.status).toBe(201);
    });

    describe('when the answer of a sign-up is lost', () => {
      const isSignUp = (call: RecordedCall) => call.method === 'POST' && call.path === `/${ctx.projectKey}/customers`;
      const isKeyLookup = (call: RecordedCall) =>
        call.method === 'GET' && call.path.startsWith(`/${ctx.projectKey}/customers/key=`);
      const customersWith = async (address: string) =>
        (
          await ctx.ct(
            `/customers?where=${encodeURIComponent('email = :email')}&var.email=${encodeURIComponent(address)}`,
          )
        ).body.results as Array<{ id: string }>;
      afterEach(() => {
        ctx.faults.length = 0;
      });

      test('when commercetools made the customer, then it is found by its key: 201, one customer, the session ends with it', async () => {
        const anonymousId = await newSession(ctx);
        const open = await cartWithItems(anonymousId);
        const address = newEmail();
        ctx.faults.push({ match: isSignUp, fault: { kind: 'drop-response' }, times: 1 });
        const response = await agent(ctx)
          .post(`/v1/sessions/${anonymousId}/sign-up`)
          .send({ email: address, password: 'Secret-1' });
        expect(response.status).toBe(201);
        expect(response.body.customer).toMatchObject({
          email: address,
          key: expect.stringMatching(/^gc-[A-Za-z0-9_-]{40}$/),
        });
        expect(response.body.customer.password).toBeUndefined();
        expect(response.body.cart).toMatchObject({ id: open.id, customerId: response.body.customer.id });
        expect(ctx.upstreamCalls.filter(isKeyLookup).length).toBeGreaterThan(0);
        expect((await customersWith(address)).map((c) => c.id)).toEqual([response.body.customer.id]);
        const session = await agent(ctx).get(`/v1/sessions/${anonymousId}`);
        expect(session.body).toMatchObject({ status: 'ended', customerId: response.body.customer.id });
      });

      test('when the lookup fails too, then it is 5xx, and a retry with the same Idempotency-Key answers that customer and ends the session', async () => {
        const anonymousId = await newSession(ctx);
        const address = newEmail();
        ctx.faults.push({ match: isSignUp, fault: { kind: 'drop-response' }, times: 1 });
        ctx.faults.push({ match: isKeyLookup, fault: { kind: 'status', status: 503 }, times: 3 });
        const key = `sign-up-${anonymousId}`;
        const send = () =>
          agent(ctx)
            .post(`/v1/sessions/${anonymousId}/sign-up`)
            .set('Idempotency-Key', key)
            .send({ email: address, password: 'Secret-1' });
        const failed = await send();
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
        const retry = await send();
        expect(retry.status).toBe(201);
        expect(retry.headers['idempotent-replayed']).toBeUndefined();
        const made = await customersWith(address);
        expect(made.map((c) => c.id)).toEqual([retry.body.customer.id]);
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body).toMatchObject({
          status: 'ended',
          customerId: retry.body.customer.id,
        });
        expect((await send()).headers['idempotent-replayed']).toBe('true');
      });

      test('when another email then signs up on that session, then it is 409 SessionEnded and the session ends with the first customer', async () => {
        const anonymousId = await newSession(ctx);
        const first = newEmail();
        ctx.faults.push({ match: isSignUp, fault: { kind: 'drop-response' }, times: 1 });
        ctx.faults.push({ match: isKeyLookup, fault: { kind: 'status', status: 503 }, times: 3 });
        expect(
          (await agent(ctx).post(`/v1/sessions/${anonymousId}/sign-up`).send({ email: first, password: 'Secret-1' }))
            .status,
        ).toBeGreaterThanOrEqual(500);
        const other = newEmail();
        const response = await agent(ctx)
          .post(`/v1/sessions/${anonymousId}/sign-up`)
          .send({ email: other, password: 'Secret-2' });
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('SessionEnded');
        expect(await customersWith(other)).toEqual([]);
        const [made] = await customersWith(first);
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body).toMatchObject({
          status: 'ended',
          customerId: made!.id,
        });
      });
    });

    describe('when cart creates and a sign-up overlap', () => {
      afterEach(() => {
        ctx.faults.length = 0;
      });

      test('when a cart create is still running as the sign-up starts, then the sign-up waits for it and that cart goes to the customer too', async () => {
        const anonymousId = await newSession(ctx);
        const held: FaultRule = { match: upstreamPost(ctx, '/carts'), fault: { kind: 'delay', ms: 600 }, times: 1 };
        ctx.faults.push(held);
        // supertest starts a request only when it is awaited or then-ed.
        const creating = agent(ctx)
          .post(`/v1/sessions/${anonymousId}/carts`)
          .send({ currency: 'EUR' })
          .then((r) => r);
        await waitFor(() => held.times === 0, { what: 'the cart create to be held upstream' });
        const signUp = await agent(ctx)
          .post(`/v1/sessions/${anonymousId}/sign-up`)
          .send({ email: newEmail(), password: 'Secret-1' });
        const cart = await creating;
        expect(cart.status).toBe(201);
        expect(signUp.status).toBe(201);
        expect(signUp.body.cart).toMatchObject({ id: cart.body.id, customerId: signUp.body.customer.id });
        expect((await ctx.ct(`/carts/${cart.body.id}`)).body.customerId).toBe(signUp.body.customer.id);
        // The count of running creates is gone once they are done.
        expect(await ctx.redis.exists(`${ctx.redisPrefix}{${anonymousId}}:creates`)).toBe(0);
      });

      test('when a count of running creates is left behind (a crashed instance), then the sign-up gives up after 10 s with 409 SessionBusy and leaves the session active', async () => {
        const anonymousId = await newSession(ctx);
        const creates = `${ctx.redisPrefix}{${anonymousId}}:creates`;
        await ctx.redis.set(creates, '1', 'PX', 30_000);
        const started = Date.now();
        const response = await agent(ctx)
          .post(`/v1/sessions/${anonymousId}/sign-up`)
          .send({ email: newEmail(), password: 'Secret-1' });
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('SessionBusy');
        expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
        // Once the count is gone (it expires), the sign-up goes through.
        await ctx.redis.del(creates);
        expect(
          (
            await agent(ctx)
              .post(`/v1/sessions/${anonymousId}/sign-up`)
              .send({ email: newEmail(), password: 'Secret-1' })
          ).status,
        ).toBe(201);
      }, 20_000);

      test('when a cart create starts while the sign-up runs, then it is 409 SessionBusy and makes no cart', async () => {
        const anonymousId = await newSession(ctx);
        const held: FaultRule = { match: upstreamPost(ctx, '/customers'), fault: { kind: 'delay', ms: 400 }, times: 1 };
        ctx.faults.push(held);
        const signingUp = agent(ctx)
          .post(`/v1/sessions/${anonymousId}/sign-up`)
          .send({ email: newEmail(), password: 'Secret-1' })
          .then((r) => r);
        await waitFor(() => held.times === 0, { what: 'the sign-up to be held upstream' });
        const cart = await agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).send({ currency: 'EUR' });
        expect(cart.status).toBe(409);
        expect(cart.body.code).toBe('SessionBusy');
        expect((await signingUp).status).toBe(201);
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`)).body.count).toBe(0);
      });
    });

    test('when two sign-ups race on one session, then exactly one succeeds', async () => {
      const anonymousId = await newSession(ctx);
      const responses = await Promise.all(
        [0, 1, 2].map(() =>
          agent(ctx).post(`/v1/sessions/${anonymousId}/sign-up`).send({ email: newEmail(), password: 'pw' }),
        ),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of responses.filter((r) => r.status !== 201)) {
        expect(r.status).toBe(409);
        expect(['SessionBusy', 'SessionEnded']).toContain(r.body.code);
      }
    });
  });

  describe('POST /v1/sessions/{anonymousId}/sign-in', () => {
    async function existingCustomer(withCart: boolean) {
      const address = newEmail();
      const anonymousId = await newSession(ctx);
      if (withCart) await cartWithItems(anonymousId, 1);
      const signUp = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-up`)
        .send({ email: address, password: 'Secret-1' })
        .expect(201);
      return {
        email: address,
        password: 'Secret-1',
        customerId: signUp.body.customer.id as string,
        customerCart: signUp.body.cart,
      };
    }

    test('when a guest signs in with the default mode, then the guest cart is merged into the customer cart and everything is handed over', async () => {
      const customer = await existingCustomer(true);
      const { anonymousId, ordered, order, open } = await guestWithHistory();
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: customer.email, password: customer.password });
      expect(response.status).toBe(200);
      expect(response.body.customer).toMatchObject({ id: customer.customerId, email: customer.email });
      expect(response.body.customer.password).toBeUndefined();
      expect(response.body.cart).toMatchObject({ id: customer.customerCart.id, customerId: customer.customerId });
      expect(response.body.grant).toEqual({ cartId: customer.customerCart.id, expiresAt: expect.any(String) });
      // commercetools keeps the larger quantity of a variant found in both carts (1 vs 2).
      expect(response.body.cart.lineItems).toHaveLength(1);
      expect(response.body.cart.lineItems[0].quantity).toBe(2);
      const call = ctx.upstreamCalls.filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/login`).pop();
      expect(call?.body).toEqual({
        email: customer.email,
        password: customer.password,
        anonymousId,
        anonymousCartSignInMode: 'MergeWithExistingCustomerCart',
      });
      expect((await ctx.ct(`/carts/${open.id}`)).body.cartState).toBe('Merged');
      await expectHandedOver(anonymousId, customer.customerId, [ordered.id, open.id], order.id);
    });

    test('when a guest signs in with UseAsNewActiveCustomerCart, then the guest cart becomes the customer cart', async () => {
      const customer = await existingCustomer(true);
      const { anonymousId, open } = await guestWithHistory();
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: customer.email, password: customer.password, cartSignInMode: 'UseAsNewActiveCustomerCart' });
      expect(response.status).toBe(200);
      expect(response.body.cart).toMatchObject({
        id: open.id,
        customerId: customer.customerId,
        anonymousId,
        cartState: 'Active',
      });
      const call = ctx.upstreamCalls.filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/login`).pop();
      expect((call?.body as { anonymousCartSignInMode: string }).anonymousCartSignInMode).toBe(
        'UseAsNewActiveCustomerCart',
      );
    });

    test('when the password is wrong, then it is 401 InvalidCredentials and the session stays active', async () => {
      const customer = await existingCustomer(false);
      const anonymousId = await newSession(ctx);
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: customer.email, password: 'wrong' });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('InvalidCredentials');
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
      await agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).send({ currency: 'EUR' }).expect(201);
    });

    test('when the session has ended, then signing in is 409 SessionEnded', async () => {
      const customer = await existingCustomer(false);
      const anonymousId = await newSession(ctx);
      await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: customer.email, password: customer.password })
        .expect(200);
      const again = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: customer.email, password: customer.password });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('SessionEnded');
    });

    test('when the cart sign-in mode is unknown, then signing in is 400', async () => {
      const anonymousId = await newSession(ctx);

      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: newEmail(), password: 'x', cartSignInMode: 'Whatever' });

      expect(response.status).toBe(400);
    });

    test('when the key lacks the customers scope, then signing in is 403', async () => {
      const anonymousId = await newSession(ctx);

      const response = await agent(ctx, KEYS.sessionsOnly)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email: newEmail(), password: 'x' });

      expect(response.status).toBe(403);
    });

    test('when the session is unknown, then signing in is 404', async () => {
      const response = await agent(ctx)
        .post('/v1/sessions/unknown-session/sign-in')
        .send({ email: newEmail(), password: 'x' });

      expect(response.status).toBe(404);
    });

    describe('when the answer of a sign-in is lost', () => {
      const isLogin = (call: RecordedCall) => call.method === 'POST' && call.path === `/${ctx.projectKey}/login`;
      afterEach(() => {
        ctx.faults.length = 0;
      });

      test('when the retry comes with the same credentials, then it is recognised: 200 with the customer and cart, and the session ends with them', async () => {
        const customer = await existingCustomer(true);
        const { anonymousId, ordered, order, open } = await guestWithHistory();
        ctx.faults.push({ match: isLogin, fault: { kind: 'drop-response' }, times: 1 });
        const key = `sign-in-${anonymousId}`;
        const send = () =>
          agent(ctx)
            .post(`/v1/sessions/${anonymousId}/sign-in`)
            .set('Idempotency-Key', key)
            .send({ email: customer.email, password: customer.password });
        const failed = await send();
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body.status).toBe('active');
        const retry = await send();
        expect(retry.status).toBe(200);
        expect(retry.body.customer).toMatchObject({ id: customer.customerId, email: customer.email });
        expect(retry.body.customer.password).toBeUndefined();
        // The merged cart, as the lost answer had it (the larger quantity of the two).
        expect(retry.body.cart).toMatchObject({ id: customer.customerCart.id, customerId: customer.customerId });
        expect(retry.body.cart.lineItems[0].quantity).toBe(2);
        await expectHandedOver(anonymousId, customer.customerId, [ordered.id, open.id], order.id);
        expect((await send()).headers['idempotent-replayed']).toBe('true');
      });

      test("when the retry comes with another customer's credentials, then it is 409 SessionEnded and the session ends with the first customer", async () => {
        const first = await existingCustomer(false);
        const second = await existingCustomer(false);
        const { anonymousId } = await guestWithHistory();
        ctx.faults.push({ match: isLogin, fault: { kind: 'drop-response' }, times: 1 });
        const signIn = (who: { email: string; password: string }) =>
          agent(ctx).post(`/v1/sessions/${anonymousId}/sign-in`).send({ email: who.email, password: who.password });
        expect((await signIn(first)).status).toBeGreaterThanOrEqual(500);
        // commercetools checks the credentials first.
        expect((await signIn({ email: first.email, password: 'wrong' })).status).toBe(401);
        const other = await signIn(second);
        expect(other.status).toBe(409);
        expect(other.body.code).toBe('SessionEnded');
        expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).body).toMatchObject({
          status: 'ended',
          customerId: first.customerId,
        });
        // Once ended, the service refuses before asking commercetools.
        const calls = ctx.upstreamCalls.filter(isLogin).length;
        expect((await signIn(first)).body.code).toBe('SessionEnded');
        expect(ctx.upstreamCalls.filter(isLogin).length).toBe(calls);
      });
    });
  });
});
