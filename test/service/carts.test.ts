import { agent, newCart, newSession, orderCart } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';

describe('carts and orders', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());

  describe('POST /v1/sessions/{anonymousId}/carts', () => {
    test('when a cart is created with line items by SKU, then it carries the anonymousId and priced items', async () => {
      const anonymousId = await newSession(ctx);
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/carts`)
        .send({
          currency: 'EUR',
          country: 'DE',
          locale: 'en',
          customerEmail: 'guest@example.com',
          shippingAddress: { country: 'DE', city: 'Berlin' },
          lineItems: [{ sku: ctx.skus[0], quantity: 2 }],
        });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        anonymousId,
        cartState: 'Active',
        customerEmail: 'guest@example.com',
        shippingAddress: { country: 'DE', city: 'Berlin' },
      });
      expect(response.body.lineItems).toHaveLength(1);
      expect(response.body.lineItems[0]).toMatchObject({ quantity: 2, variant: { sku: ctx.skus[0] } });
      expect(response.body.totalPrice.currencyCode).toBe('EUR');
      expect(response.body.totalPrice.centAmount).toBeGreaterThan(0);
      const create = ctx.upstreamCalls.find(
        (c) =>
          c.method === 'POST' &&
          c.path === `/${ctx.projectKey}/carts` &&
          (c.body as { anonymousId?: string }).anonymousId === anonymousId,
      );
      expect(create).toBeDefined();
    });

    test('when a line item is given by productId and variantId, then it is added', async () => {
      const anonymousId = await newSession(ctx);
      const first = await newCart(ctx, anonymousId, {
        currency: 'USD',
        lineItems: [{ sku: ctx.skus[1], quantity: 1 }],
      });
      const { productId, variant } = first.lineItems[0];
      const cart = await newCart(ctx, anonymousId, {
        currency: 'USD',
        lineItems: [{ productId, variantId: variant.id, quantity: 3 }],
      });
      expect(cart.lineItems[0]).toMatchObject({ productId, quantity: 3 });
      expect(cart.totalPrice.currencyCode).toBe('USD');
    });

    test("when the session is unknown or another client's, then it is 404", async () => {
      const foreign = await newSession(ctx, KEYS.b);
      for (const id of ['no-such-session', foreign]) {
        const response = await agent(ctx).post(`/v1/sessions/${id}/carts`).send({ currency: 'EUR' });
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('SessionNotFound');
      }
    });

    test.each([
      [{}, 'body.currency'],
      [{ currency: 'euro' }, 'body.currency'],
      [{ currency: 'EUR', country: 'Germany' }, 'body.country'],
      [{ currency: 'EUR', lineItems: [{ quantity: 1 }] }, 'body.lineItems.0'],
      [{ currency: 'EUR', lineItems: [{ sku: 'X', quantity: 0 }] }, 'body.lineItems.0'],
      [{ currency: 'EUR', anonymousId: 'other' }, 'body.anonymousId'],
    ])('when the body is %j, then it is 400 pointing at %s', async (body, path) => {
      const anonymousId = await newSession(ctx);
      const response = await agent(ctx).post(`/v1/sessions/${anonymousId}/carts`).send(body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ValidationFailed');
      expect(response.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain(path);
    });

    test("when the SKU does not exist, then commercetools' refusal is a 400", async () => {
      const anonymousId = await newSession(ctx);
      const response = await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/carts`)
        .send({ currency: 'EUR', lineItems: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('InvalidUpstreamRequest');
    });
  });

  describe('listing', () => {
    test('when a session has carts, then they are listed newest first with count, offset and limit, filtered by cartState', async () => {
      const anonymousId = await newSession(ctx);
      const older = await newCart(ctx, anonymousId);
      const newer = await newCart(ctx, anonymousId);
      await orderCart(ctx, older.id);
      const all = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ count: 2, offset: 0, limit: 20 });
      expect(all.body.results.map((c: { id: string }) => c.id)).toEqual([older.id, newer.id]);
      const active = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts?cartState=Active`);
      expect(active.body.results.map((c: { id: string }) => c.id)).toEqual([newer.id]);
      const paged = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts?limit=1&offset=1`);
      expect(paged.body).toMatchObject({ count: 1, offset: 1, limit: 1 });
      expect(paged.body.results[0].id).toBe(newer.id);
      const query = ctx.upstreamCalls
        .filter((c) => c.method === 'GET' && c.path.endsWith('/carts') && c.query.get('var.state') === 'Active')
        .pop();
      expect(query?.query.get('where')).toBe('anonymousId = :aid and cartState = :state');
      expect(query?.query.get('var.aid')).toBe(anonymousId);
    });

    test('when the query is invalid, then it is 400', async () => {
      const anonymousId = await newSession(ctx);
      for (const qs of ['cartState=Open', 'limit=0', 'limit=501', 'offset=-1', 'limit=abc', 'sort=id']) {
        const response = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts?${qs}`);
        expect(response.status).toBe(400);
      }
    });

    test("when another client lists a session's carts or orders, then it is 404", async () => {
      const anonymousId = await newSession(ctx);
      await newCart(ctx, anonymousId);
      for (const path of ['carts', 'orders', 'active-cart']) {
        const response = await agent(ctx, KEYS.b).get(`/v1/sessions/${anonymousId}/${path}`);
        expect(response.status).toBe(404);
      }
      expect((await agent(ctx, KEYS.admin).get(`/v1/sessions/${anonymousId}/carts`)).body.count).toBe(1);
    });

    test('when a session has several active carts, then active-cart is the most recently modified one', async () => {
      const anonymousId = await newSession(ctx);
      const first = await newCart(ctx, anonymousId);
      const second = await newCart(ctx, anonymousId);
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}/active-cart`)).body.id).toBe(second.id);
      await agent(ctx).patch(`/v1/carts/${first.id}`).send({ customerEmail: 'touch@example.com' }).expect(200);
      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}/active-cart`)).body.id).toBe(first.id);
    });

    test('when a session has no active cart, then active-cart is 404 NoActiveCart', async () => {
      const anonymousId = await newSession(ctx);
      const response = await agent(ctx).get(`/v1/sessions/${anonymousId}/active-cart`);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NoActiveCart');
    });

    test('when a session has orders, then they are listed', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId, {
        currency: 'EUR',
        lineItems: [{ sku: ctx.skus[0], quantity: 1 }],
        shippingAddress: { country: 'DE' },
      });
      const order = await orderCart(ctx, cart.id);
      const response = await agent(ctx).get(`/v1/sessions/${anonymousId}/orders`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ count: 1, offset: 0, limit: 20 });
      expect(response.body.results[0]).toMatchObject({ id: order.id, anonymousId });
    });

    test('when the orders of an unknown session are listed, then it is 404', async () => {
      expect((await agent(ctx).get('/v1/sessions/nobody/orders')).status).toBe(404);
    });

    test('when orders are listed with a limit above 500, then it is 400', async () => {
      const anonymousId = await newSession(ctx);

      expect((await agent(ctx).get(`/v1/sessions/${anonymousId}/orders?limit=600`)).status).toBe(400);
    });
  });

  describe('cart by id', () => {
    test('when the owner reads a cart, then it gets it', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);

      expect((await agent(ctx).get(`/v1/carts/${cart.id}`)).body.id).toBe(cart.id);
    });

    test('when another client reads a cart, then it is 404 CartNotFound', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);

      const other = await agent(ctx, KEYS.b).get(`/v1/carts/${cart.id}`);

      expect(other.status).toBe(404);
      expect(other.body.code).toBe('CartNotFound');
    });

    test('when a cart id is guessed, then it is 404; when it is malformed, then it is 400', async () => {
      expect((await agent(ctx).get('/v1/carts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await agent(ctx).get('/v1/carts/not%20an%20id')).status).toBe(400);
    });

    test('when a cart was created outside the service, then it is not reachable', async () => {
      const direct = await ctx.ct('/carts', { method: 'POST', body: { currency: 'EUR' } });
      expect((await agent(ctx, KEYS.admin).get(`/v1/carts/${direct.body.id}`)).status).toBe(404);
    });
  });

  describe('line items', () => {
    test('when items are added, changed and removed without a version, then each applies to the current cart', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      const added = await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku: ctx.skus[0], quantity: 2 });
      expect(added.status).toBe(200);
      expect(added.body.lineItems).toHaveLength(1);
      const lineItemId = added.body.lineItems[0].id;
      const changed = await agent(ctx).patch(`/v1/carts/${cart.id}/line-items/${lineItemId}`).send({ quantity: 5 });
      expect(changed.status).toBe(200);
      expect(changed.body.lineItems[0].quantity).toBe(5);
      const removed = await agent(ctx).delete(`/v1/carts/${cart.id}/line-items/${lineItemId}`);
      expect(removed.status).toBe(200);
      expect(removed.body.lineItems).toHaveLength(0);
      expect(removed.body.version).toBeGreaterThan(changed.body.version);
    });

    test('when quantity 0 is set, then the line item is removed', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId, { currency: 'EUR', lineItems: [{ sku: ctx.skus[0], quantity: 1 }] });
      const response = await agent(ctx)
        .patch(`/v1/carts/${cart.id}/line-items/${cart.lineItems[0].id}`)
        .send({ quantity: 0 });
      expect(response.status).toBe(200);
      expect(response.body.lineItems).toHaveLength(0);
    });

    test('when the current version is given, then the change applies', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);

      const ok = await agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .send({ sku: ctx.skus[0], quantity: 1, version: cart.version });

      expect(ok.status).toBe(200);
    });

    test('when a stale version is given, then the change is 409 with currentVersion and nothing changes', async () => {
      // Arrange: one change at the cart's version, which makes that version stale.
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      const ok = await agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .send({ sku: ctx.skus[0], quantity: 1, version: cart.version })
        .expect(200);

      // Act
      const stale = await agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .send({ sku: ctx.skus[0], quantity: 1, version: cart.version });
      const stalePatch = await agent(ctx)
        .patch(`/v1/carts/${cart.id}/line-items/${ok.body.lineItems[0].id}`)
        .send({ quantity: 2, version: cart.version });

      // Assert
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: ok.body.version });
      expect(stalePatch.status).toBe(409);
      expect((await agent(ctx).get(`/v1/carts/${cart.id}`)).body.lineItems[0].quantity).toBe(1);
    });

    test('when concurrent adds run without a version, then none is lost', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      const responses = await Promise.all(
        ctx.skus
          .slice(0, 3)
          .map((sku) => agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku, quantity: 1 })),
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      const final = await agent(ctx).get(`/v1/carts/${cart.id}`);
      expect(final.body.lineItems).toHaveLength(3);
    });

    test('when the line item or cart does not exist, then it is 404', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      const missing = await agent(ctx).patch(`/v1/carts/${cart.id}/line-items/no-such-item`).send({ quantity: 1 });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('LineItemNotFound');
      expect((await agent(ctx).delete(`/v1/carts/${cart.id}/line-items/no-such-item`)).body.code).toBe(
        'LineItemNotFound',
      );
      expect(
        (await agent(ctx).post('/v1/carts/no-such-cart/line-items').send({ sku: ctx.skus[0], quantity: 1 })).status,
      ).toBe(404);
      expect(
        (await agent(ctx, KEYS.b).post(`/v1/carts/${cart.id}/line-items`).send({ sku: ctx.skus[0], quantity: 1 }))
          .status,
      ).toBe(404);
    });

    test('when the add body is invalid, then it is 400', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      for (const body of [
        {},
        { sku: ctx.skus[0], quantity: -1 },
        { sku: ctx.skus[0], productId: 'x', variantId: 1 },
        { sku: ctx.skus[0], version: 0 },
      ]) {
        expect((await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send(body)).status).toBe(400);
      }
    });
  });

  describe('PATCH /v1/carts/{cartId}', () => {
    test('when email and addresses are set, then the cart carries them', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      const response = await agent(ctx)
        .patch(`/v1/carts/${cart.id}`)
        .send({
          customerEmail: 'ada@example.com',
          shippingAddress: { country: 'DE', city: 'Berlin', streetName: 'Main' },
          billingAddress: { country: 'FR', city: 'Paris' },
          version: cart.version,
        });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        customerEmail: 'ada@example.com',
        shippingAddress: { country: 'DE', city: 'Berlin' },
        billingAddress: { country: 'FR' },
      });
    });

    test('when nothing to change or an address without country is sent, then it is 400', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);

      expect((await agent(ctx).patch(`/v1/carts/${cart.id}`).send({})).status).toBe(400);
      expect(
        (
          await agent(ctx)
            .patch(`/v1/carts/${cart.id}`)
            .send({ shippingAddress: { city: 'Berlin' } })
        ).status,
      ).toBe(400);
    });

    test('when a stale version is sent, then it is 409 with the current version', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      await agent(ctx).patch(`/v1/carts/${cart.id}`).send({ customerEmail: 'a@example.com' }).expect(200);

      const stale = await agent(ctx)
        .patch(`/v1/carts/${cart.id}`)
        .send({ customerEmail: 'b@example.com', version: cart.version });
      expect(stale.status).toBe(409);
      expect(stale.body.currentVersion).toBe(cart.version + 1);
    });
  });

  describe('ordering', () => {
    test('when a cart is ordered, then the order carries the anonymousId and was created with the cart reference', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId, {
        currency: 'EUR',
        lineItems: [{ sku: ctx.skus[0], quantity: 1 }],
        shippingAddress: { country: 'DE' },
      });
      const response = await agent(ctx)
        .post(`/v1/carts/${cart.id}/order`)
        .send({ orderNumber: `N-${Date.now()}` });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ anonymousId, orderNumber: expect.stringMatching(/^N-/) });
      const call = ctx.upstreamCalls.filter((c) => c.method === 'POST' && c.path === `/${ctx.projectKey}/orders`).pop();
      expect(call?.body).toEqual({
        cart: { typeId: 'cart', id: cart.id },
        version: cart.version,
        orderNumber: response.body.orderNumber,
      });
      expect((await agent(ctx).get(`/v1/carts/${cart.id}`)).body.cartState).toBe('Ordered');
    });

    test('when a cart is ordered twice, then the second is 409 CartAlreadyOrdered', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      await orderCart(ctx, cart.id);
      const again = await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({});
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('CartAlreadyOrdered');
      const orders = await agent(ctx).get(`/v1/sessions/${anonymousId}/orders`);
      expect(orders.body.count).toBe(1);
    });

    test('when an ordered cart is changed, then it is 409 CartNotActive', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      await orderCart(ctx, cart.id);
      const response = await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku: ctx.skus[0], quantity: 1 });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CartNotActive');
    });

    test('when an orderNumber is reused, then it is 409 DuplicateOrderNumber', async () => {
      const anonymousId = await newSession(ctx);
      const orderNumber = `DUP-${Date.now()}`;
      const first = await newCart(ctx, anonymousId);
      const second = await newCart(ctx, anonymousId);
      await orderCart(ctx, first.id, { orderNumber });

      const dup = await agent(ctx).post(`/v1/carts/${second.id}/order`).send({ orderNumber });

      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('DuplicateOrderNumber');
    });

    test('when an orderNumber is invalid, then it is 400', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({ orderNumber: 'bad number!' });

      expect(response.status).toBe(400);
    });

    test('when another client orders a cart, then it is 404 and nothing is ordered', async () => {
      const anonymousId = await newSession(ctx);
      const cart = await newCart(ctx, anonymousId);
      expect((await agent(ctx, KEYS.b).post(`/v1/carts/${cart.id}/order`).send({})).status).toBe(404);
      expect((await agent(ctx).get(`/v1/carts/${cart.id}`)).body.cartState).toBe('Active');
    });

    test('when the owner reads an order, then it gets it', async () => {
      const anonymousId = await newSession(ctx);
      const order = await orderCart(ctx, (await newCart(ctx, anonymousId)).id);

      expect((await agent(ctx).get(`/v1/orders/${order.id}`)).body).toMatchObject({ id: order.id, anonymousId });
    });

    test('when another client reads an order, then it is OrderNotFound; an admin key gets it', async () => {
      const anonymousId = await newSession(ctx);
      const order = await orderCart(ctx, (await newCart(ctx, anonymousId)).id);

      expect((await agent(ctx, KEYS.b).get(`/v1/orders/${order.id}`)).body.code).toBe('OrderNotFound');
      expect((await agent(ctx, KEYS.admin).get(`/v1/orders/${order.id}`)).status).toBe(200);
    });

    test('when an order id is unknown, then it is 404', async () => {
      expect((await agent(ctx).get('/v1/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });
  });
});
