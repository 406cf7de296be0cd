import { bearer, createTestContext, KEYS, uniqueName, type TestContext } from '../support/harness';

describe('sign-up and sign-in hand the session over', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());

  const auth = (key: string = KEYS.a) => bearer(key);
  const email = () => `${uniqueName('shopper')}@example.com`;
  const newSession = async (): Promise<string> => (await ctx.http.post('/v1/sessions').set(auth()).send({}).expect(201)).body.anonymousId;
  const newCart = async (anonymousId: string, quantity = 1) =>
    (await ctx.http.post(`/v1/sessions/${anonymousId}/carts`).set(auth()).send({ currency: 'EUR', lineItems: [{ sku: ctx.skus[0], quantity }] }).expect(201)).body;

  /** A guest session with an ordered cart and an open cart. */
  async function guestWithHistory() {
    const anonymousId = await newSession();
    const ordered = await newCart(anonymousId);
    const order = (await ctx.http.post(`/v1/carts/${ordered.id}/order`).set(auth()).send({}).expect(201)).body;
    const open = await newCart(anonymousId, 2);
    return { anonymousId, ordered, order, open };
  }

  async function expectHandedOver(anonymousId: string, customerId: string, cartIds: string[], orderId: string) {
    for (const id of cartIds) {
      const cart = await ctx.ct(`/carts/${id}`);
      expect(cart.body).toMatchObject({ customerId, anonymousId });
    }
    const order = await ctx.ct(`/orders/${orderId}`);
    expect(order.body).toMatchObject({ customerId, anonymousId });
    const session = await ctx.http.get(`/v1/sessions/${anonymousId}`).set(auth());
    expect(session.body).toMatchObject({ status: 'ended', customerId, endedAt: expect.any(String) });
    const refused = await ctx.http.post(`/v1/sessions/${anonymousId}/carts`).set(auth()).send({ currency: 'EUR' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SessionEnded');
  }

  describe('POST /v1/sessions/{anonymousId}/sign-up', () => {
    test('when a guest signs up, then the customer owns the carts and orders, which keep the anonymousId, and the session ends', async () => {
      const { anonymousId, ordered, order, open } = await guestWithHistory();
      const address = email();
      const response = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: address, password: 'Secret-123', firstName: 'Ada', lastName: 'Lovelace' });
      expect(response.status).toBe(201);
      expect(response.body.customer).toMatchObject({ email: address, firstName: 'Ada' });
      expect(response.body.customer.password).toBeUndefined();
      expect(response.body.cart).toMatchObject({ id: open.id, customerId: response.body.customer.id });
      const call = ctx.upstreamCalls.filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/customers`).pop();
      expect(call?.body).toMatchObject({ email: address, anonymousId });
      await expectHandedOver(anonymousId, response.body.customer.id, [ordered.id, open.id], order.id);
      // The ended session still shows its history to its owner, and to nobody else.
      expect((await ctx.http.get(`/v1/sessions/${anonymousId}/orders`).set(auth())).body.count).toBe(1);
      for (const path of [`/v1/sessions/${anonymousId}`, `/v1/sessions/${anonymousId}/carts`, `/v1/carts/${open.id}`, `/v1/orders/${order.id}`]) {
        expect((await ctx.http.get(path).set(auth(KEYS.b))).status).toBe(404);
      }
    });

    test('when the email is taken, then it is 409 DuplicateEmail and the session stays active', async () => {
      const address = email();
      await ctx.http.post(`/v1/sessions/${await newSession()}/sign-up`).set(auth()).send({ email: address, password: 'pw-1' }).expect(201);
      const anonymousId = await newSession();
      const response = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: address, password: 'pw-2' });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('DuplicateEmail');
      expect((await ctx.http.get(`/v1/sessions/${anonymousId}`).set(auth())).body.status).toBe('active');
    });

    test('when the session has ended, then signing up again is 409 SessionEnded', async () => {
      const anonymousId = await newSession();
      await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: email(), password: 'pw' }).expect(201);
      const again = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: email(), password: 'pw' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('SessionEnded');
    });

    test('when the body is invalid, the key lacks the customers scope, or the session is another client\'s, then it is 400, 403 or 404', async () => {
      const anonymousId = await newSession();
      expect((await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: 'not-an-email', password: 'pw' })).status).toBe(400);
      expect((await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: email() })).status).toBe(400);
      const forbidden = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth(KEYS.sessionsOnly)).send({ email: email(), password: 'pw' });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('Forbidden');
      expect((await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth(KEYS.b)).send({ email: email(), password: 'pw' })).status).toBe(404);
      // A customers-only key of the owning client may hand the session over.
      expect((await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth(KEYS.customersOnly)).send({ email: email(), password: 'pw' })).status).toBe(201);
    });

    test('when two sign-ups race on one session, then exactly one succeeds', async () => {
      const anonymousId = await newSession();
      const responses = await Promise.all([0, 1, 2].map(() => ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: email(), password: 'pw' })));
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of responses.filter((r) => r.status !== 201)) {
        expect(r.status).toBe(409);
        expect(['SessionBusy', 'SessionEnded']).toContain(r.body.code);
      }
    });
  });

  describe('POST /v1/sessions/{anonymousId}/sign-in', () => {
    async function existingCustomer(withCart: boolean) {
      const address = email();
      const anonymousId = await newSession();
      if (withCart) await newCart(anonymousId, 1);
      const signUp = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(auth()).send({ email: address, password: 'Secret-1' }).expect(201);
      return { email: address, password: 'Secret-1', customerId: signUp.body.customer.id as string, customerCart: signUp.body.cart };
    }

    test('when a guest signs in with the default mode, then the guest cart is merged into the customer cart and everything is handed over', async () => {
      const customer = await existingCustomer(true);
      const { anonymousId, ordered, order, open } = await guestWithHistory();
      const response = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth()).send({ email: customer.email, password: customer.password });
      expect(response.status).toBe(200);
      expect(response.body.customer).toMatchObject({ id: customer.customerId, email: customer.email });
      expect(response.body.customer.password).toBeUndefined();
      expect(response.body.cart).toMatchObject({ id: customer.customerCart.id, customerId: customer.customerId });
      // commercetools keeps the larger quantity of a variant found in both carts (1 vs 2).
      expect(response.body.cart.lineItems).toHaveLength(1);
      expect(response.body.cart.lineItems[0].quantity).toBe(2);
      const call = ctx.upstreamCalls.filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/login`).pop();
      expect(call?.body).toEqual({ email: customer.email, password: customer.password, anonymousId, anonymousCartSignInMode: 'MergeWithExistingCustomerCart' });
      expect((await ctx.ct(`/carts/${open.id}`)).body.cartState).toBe('Merged');
      await expectHandedOver(anonymousId, customer.customerId, [ordered.id, open.id], order.id);
    });

    test('when a guest signs in with UseAsNewActiveCustomerCart, then the guest cart becomes the customer cart', async () => {
      const customer = await existingCustomer(true);
      const { anonymousId, open } = await guestWithHistory();
      const response = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth()).send({ email: customer.email, password: customer.password, cartSignInMode: 'UseAsNewActiveCustomerCart' });
      expect(response.status).toBe(200);
      expect(response.body.cart).toMatchObject({ id: open.id, customerId: customer.customerId, anonymousId, cartState: 'Active' });
      const call = ctx.upstreamCalls.filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/login`).pop();
      expect((call?.body as { anonymousCartSignInMode: string }).anonymousCartSignInMode).toBe('UseAsNewActiveCustomerCart');
    });

    test('when the password is wrong, then it is 401 InvalidCredentials and the session stays active', async () => {
      const customer = await existingCustomer(false);
      const anonymousId = await newSession();
      const response = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth()).send({ email: customer.email, password: 'wrong' });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('InvalidCredentials');
      expect((await ctx.http.get(`/v1/sessions/${anonymousId}`).set(auth())).body.status).toBe('active');
      await ctx.http.post(`/v1/sessions/${anonymousId}/carts`).set(auth()).send({ currency: 'EUR' }).expect(201);
    });

    test('when the session has ended, then signing in is 409 SessionEnded', async () => {
      const customer = await existingCustomer(false);
      const anonymousId = await newSession();
      await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth()).send({ email: customer.email, password: customer.password }).expect(200);
      const again = await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth()).send({ email: customer.email, password: customer.password });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('SessionEnded');
    });

    test('when the mode is unknown or the key lacks the customers scope, then it is 400 or 403', async () => {
      const anonymousId = await newSession();
      expect((await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth()).send({ email: email(), password: 'x', cartSignInMode: 'Whatever' })).status).toBe(400);
      expect((await ctx.http.post(`/v1/sessions/${anonymousId}/sign-in`).set(auth(KEYS.sessionsOnly)).send({ email: email(), password: 'x' })).status).toBe(403);
      expect((await ctx.http.post('/v1/sessions/unknown-session/sign-in').set(auth()).send({ email: email(), password: 'x' })).status).toBe(404);
    });
  });
});
