import { CHECKOUT_SEED } from '../../sandbox/catalogue';
import { agent, newIdempotencyKey, newSessionWithCart, ORDERABLE_CART } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';
import type { RecordedCall } from '../support/recording-proxy';

describe('checkout: shipping methods, discount codes, custom fields, freezing, ordering with state', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const MUG = 'MUG-WHITE'; // 11.99 EUR
  const HOODIE = 'HOODIE-GREY-M'; // 45.99 EUR
  /** The draft of the carts here: one mug, to an address in Berlin. */
  const MUG_CART = {
    ...ORDERABLE_CART,
    shippingAddress: { country: 'DE', city: 'Berlin' },
    lineItems: [{ sku: MUG, quantity: 1 }],
  };
  const upstream = (predicate: (call: RecordedCall) => boolean) => ctx.upstreamCalls.filter(predicate);
  const isCartUpdate = (cartId: string) => (call: RecordedCall) =>
    call.method === 'POST' && call.path === `/${ctx.projectKey}/carts/${cartId}`;
  const actionsSent = (cartId: string) =>
    upstream(isCartUpdate(cartId)).flatMap((call) => (call.body as { actions: Array<{ action: string }> }).actions);

  describe('GET /v1/carts/{cartId}/shipping-methods', () => {
    test('when the cart has a DE shipping address, then the matching methods come priced in EUR', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).get(`/v1/carts/${cart.id}/shipping-methods`);

      expect(response.status).toBe(200);
      const byKey = Object.fromEntries(response.body.results.map((m: { key: string }) => [m.key, m]));
      expect(Object.keys(byKey).sort()).toEqual([...CHECKOUT_SEED.shippingMethodKeys].sort());
      expect(byKey.standard).toMatchObject({
        id: expect.any(String),
        name: 'Standard delivery',
        localizedName: { en: 'Standard delivery' },
        isDefault: true,
        price: { currencyCode: 'EUR', centAmount: 490 },
        freeAbove: { currencyCode: 'EUR', centAmount: 5000 },
      });
      expect(byKey.express).toMatchObject({ isDefault: false, price: { currencyCode: 'EUR', centAmount: 990 } });
      expect(byKey.express.freeAbove).toBeUndefined();
      const query = upstream(
        (call) => call.method === 'GET' && call.path === `/${ctx.projectKey}/shipping-methods/matching-cart`,
      ).at(-1);
      expect(query?.query.get('cartId')).toBe(cart.id);
    });

    test('when the cart has no shipping address, then it is 409 ShippingAddressMissing', async () => {
      const { cart } = await newSessionWithCart(ctx, { ...MUG_CART, shippingAddress: undefined });

      const response = await agent(ctx).get(`/v1/carts/${cart.id}/shipping-methods`);

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('ShippingAddressMissing');
    });

    test("when the cart is another client's, then it is 404 CartNotFound", async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART, KEYS.b);

      const response = await agent(ctx).get(`/v1/carts/${cart.id}/shipping-methods`);

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('CartNotFound');
    });
  });

  describe('PUT and DELETE /v1/carts/{cartId}/shipping-method', () => {
    test('when a matching method is set by key, then the cart carries its shippingInfo', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .put(`/v1/carts/${cart.id}/shipping-method`)
        .send({ shippingMethodKey: 'express' });

      expect(response.status).toBe(200);
      expect(response.body.shippingInfo).toMatchObject({
        shippingMethodName: 'Express delivery',
        price: { currencyCode: 'EUR', centAmount: 990 },
      });
      expect(actionsSent(cart.id)).toContainEqual(expect.objectContaining({ action: 'setShippingMethod' }));
    });

    test('when a method is set by id with the current version, then it is set', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      const methods = (await agent(ctx).get(`/v1/carts/${cart.id}/shipping-methods`).expect(200)).body;
      const standard = methods.results.find((m: { key: string }) => m.key === 'standard');

      const response = await agent(ctx)
        .put(`/v1/carts/${cart.id}/shipping-method`)
        .send({ shippingMethodId: standard.id, version: cart.version });

      expect(response.status).toBe(200);
      expect(response.body.shippingInfo.shippingMethod.id).toBe(standard.id);
    });

    test('when the method is unknown, then it is 400 ShippingMethodNotApplicable and nothing is sent', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .put(`/v1/carts/${cart.id}/shipping-method`)
        .send({ shippingMethodKey: 'teleport' });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ShippingMethodNotApplicable');
      expect(actionsSent(cart.id)).toEqual([]);
    });

    test('when both id and key are given, then it is 400 ValidationFailed', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .put(`/v1/carts/${cart.id}/shipping-method`)
        .send({ shippingMethodKey: 'express', shippingMethodId: 'abc' });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ValidationFailed');
    });

    test('when the method is removed, then the cart has no shippingInfo', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).put(`/v1/carts/${cart.id}/shipping-method`).send({ shippingMethodKey: 'express' });

      const response = await agent(ctx).delete(`/v1/carts/${cart.id}/shipping-method`);

      expect(response.status).toBe(200);
      expect(response.body.shippingInfo).toBeUndefined();
    });
  });

  describe('POST and DELETE /v1/carts/{cartId}/discount-codes', () => {
    test('when an active code is added to a cart it matches, then the cart shows it with state MatchesCart', async () => {
      const { cart } = await newSessionWithCart(ctx, {
        ...MUG_CART,
        lineItems: [
          { sku: HOODIE, quantity: 1 },
          { sku: MUG, quantity: 1 },
        ],
      });

      const response = await agent(ctx)
        .post(`/v1/carts/${cart.id}/discount-codes`)
        .send({ code: CHECKOUT_SEED.activeDiscountCode });

      expect(response.status).toBe(200);
      expect(response.body.discountCodes).toEqual([
        { discountCode: { typeId: 'discount-code', id: expect.any(String) }, state: 'MatchesCart' },
      ]);
      expect(actionsSent(cart.id)).toContainEqual({ action: 'addDiscountCode', code: 'WELCOME10' });
    });

    test('when a line item change takes the cart below the predicate, then the code shows DoesNotMatchCart', async () => {
      const { cart } = await newSessionWithCart(ctx, {
        ...MUG_CART,
        lineItems: [
          { sku: HOODIE, quantity: 1 },
          { sku: MUG, quantity: 1 },
        ],
      });
      await agent(ctx).post(`/v1/carts/${cart.id}/discount-codes`).send({ code: 'WELCOME10' }).expect(200);
      const hoodie = cart.lineItems.find((item: { variant: { sku: string } }) => item.variant.sku === HOODIE);

      const response = await agent(ctx).delete(`/v1/carts/${cart.id}/line-items/${hoodie.id}`);

      expect(response.status).toBe(200);
      expect(response.body.discountCodes.map((info: { state: string }) => info.state)).toEqual(['DoesNotMatchCart']);
    });

    test('when the code does not exist, then it is 400 DiscountCodeNotFound', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/discount-codes`).send({ code: 'NOPE' });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'DiscountCodeNotFound', discountCode: 'NOPE' });
    });

    test('when the code is inactive, then it is 400 DiscountCodeNotApplicable naming it', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .post(`/v1/carts/${cart.id}/discount-codes`)
        .send({ code: CHECKOUT_SEED.inactiveDiscountCode });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'DiscountCodeNotApplicable',
        discountCode: 'EXPIRED5',
        discountCodeId: expect.any(String),
      });
    });

    test('when the answer to an add is lost, then the retry with the same key adds the code once', async () => {
      const { cart } = await newSessionWithCart(ctx, { ...MUG_CART, lineItems: [{ sku: HOODIE, quantity: 2 }] });
      ctx.faults.push({ match: isCartUpdate(cart.id), fault: { kind: 'drop-response' }, times: 1 });
      const key = newIdempotencyKey('checkout');
      const send = () =>
        agent(ctx).post(`/v1/carts/${cart.id}/discount-codes`).set('Idempotency-Key', key).send({
          code: 'WELCOME10',
        });
      expect((await send()).status).toBeGreaterThanOrEqual(500);

      const retry = await send();

      expect(retry.status).toBe(200);
      expect(retry.body.discountCodes).toHaveLength(1);
      expect((await ctx.ct(`/carts/${cart.id}`)).body.discountCodes).toHaveLength(1);
      expect((await send()).headers['idempotent-replayed']).toBe('true');
    });

    test('when a carried code is removed, then the cart no longer has it', async () => {
      const { cart } = await newSessionWithCart(ctx, { ...MUG_CART, lineItems: [{ sku: HOODIE, quantity: 2 }] });
      const withCode = (
        await agent(ctx).post(`/v1/carts/${cart.id}/discount-codes`).send({ code: 'WELCOME10' }).expect(200)
      ).body;
      const codeId = withCode.discountCodes[0].discountCode.id;

      const response = await agent(ctx).delete(`/v1/carts/${cart.id}/discount-codes/${codeId}`);

      expect(response.status).toBe(200);
      expect(response.body.discountCodes).toEqual([]);
    });

    test('when the cart does not carry the code, then removing it is 404 DiscountCodeNotFound', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).delete(`/v1/carts/${cart.id}/discount-codes/no-such-code`);

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('DiscountCodeNotFound');
    });
  });

  describe('custom fields', () => {
    const fields = { terminalId: 'T-01', cashierId: 'C-7' };

    test('when a cart is created with custom fields, then it carries the type and fields', async () => {
      const { cart } = await newSessionWithCart(ctx, {
        ...MUG_CART,
        custom: { typeKey: CHECKOUT_SEED.customTypeKey, fields },
        inventoryMode: 'None',
      });

      expect(cart.custom).toMatchObject({ type: { typeId: 'type', id: expect.any(String) }, fields });
      const create = upstream((call) => call.method === 'POST' && call.path === `/${ctx.projectKey}/carts`).at(-1);
      expect(create?.body).toMatchObject({
        custom: { type: { typeId: 'type', key: 'pos-cart-fields' }, fields },
        inventoryMode: 'None',
      });
    });

    test('when a cart without type gets custom fields, then the type is set with them', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .patch(`/v1/carts/${cart.id}`)
        .send({ custom: { typeKey: 'pos-cart-fields', fields }, locale: 'de' });

      expect(response.status).toBe(200);
      expect(response.body.custom.fields).toEqual(fields);
      expect(response.body.locale).toBe('de');
    });

    test('when a cart with the type gets a field, then only that field changes', async () => {
      const { cart } = await newSessionWithCart(ctx, { ...MUG_CART, custom: { typeKey: 'pos-cart-fields', fields } });

      const response = await agent(ctx)
        .patch(`/v1/carts/${cart.id}`)
        .send({ custom: { typeKey: 'pos-cart-fields', fields: { receiptNumber: 'R-42' } } });

      expect(response.status).toBe(200);
      expect(response.body.custom.fields).toEqual({ ...fields, receiptNumber: 'R-42' });
      expect(actionsSent(cart.id)).toContainEqual({ action: 'setCustomField', name: 'receiptNumber', value: 'R-42' });
    });

    test('when a line item is added with custom fields, then it carries them', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .post(`/v1/carts/${cart.id}/line-items`)
        .send({ sku: HOODIE, quantity: 1, custom: { typeKey: 'pos-cart-fields', fields: { cashierId: 'C-9' } } });

      expect(response.status).toBe(200);
      const added = response.body.lineItems.find((item: { variant: { sku: string } }) => item.variant.sku === HOODIE);
      expect(added.custom.fields).toEqual({ cashierId: 'C-9' });
    });

    test("when a line item's custom fields are patched, then they are set", async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      const lineItemId = cart.lineItems[0].id;

      const response = await agent(ctx)
        .patch(`/v1/carts/${cart.id}/line-items/${lineItemId}`)
        .send({ custom: { typeKey: 'pos-cart-fields', fields: { terminalId: 'T-02' } } });

      expect(response.status).toBe(200);
      expect(response.body.lineItems[0]).toMatchObject({ quantity: 1, custom: { fields: { terminalId: 'T-02' } } });
    });
  });

  describe('freeze, unfreeze, recalculate', () => {
    test('when an Active cart is frozen, then it is Frozen', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({});

      expect(response.status).toBe(200);
      expect(response.body.cartState).toBe('Frozen');
      expect(actionsSent(cart.id)).toEqual([{ action: 'freezeCart' }]);
    });

    test('when a Frozen cart gets a line item, then it is 409 CartFrozen and nothing is sent', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({}).expect(200);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku: HOODIE });

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CartFrozen');
      expect(actionsSent(cart.id)).toEqual([{ action: 'freezeCart' }]);
    });

    test('when a Frozen cart is frozen again, then it is 409 CartNotActive', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({}).expect(200);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({});

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CartNotActive');
    });

    test('when a Frozen cart is unfrozen, then it is Active, recalculated, and takes items again', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({}).expect(200);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/unfreeze`).send({});

      expect(response.status).toBe(200);
      expect(response.body.cartState).toBe('Active');
      expect(actionsSent(cart.id)).toEqual([
        { action: 'freezeCart' },
        { action: 'unfreezeCart' },
        { action: 'recalculate' },
      ]);
      await agent(ctx).post(`/v1/carts/${cart.id}/line-items`).send({ sku: HOODIE }).expect(200);
    });

    test('when an Active cart is unfrozen, then it is 409 CartNotFrozen', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/unfreeze`).send({});

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CartNotFrozen');
    });

    test('when freezing with a stale version, then it is 409 ConcurrentModification', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).patch(`/v1/carts/${cart.id}`).send({ locale: 'en' }).expect(200);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({ version: cart.version });

      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: cart.version + 1 });
    });

    test('when a cart is recalculated with updateProductData, then the action is sent and the cart answered', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/recalculate`).send({ updateProductData: true });

      expect(response.status).toBe(200);
      expect(response.body.id).toBe(cart.id);
      expect(actionsSent(cart.id)).toEqual([{ action: 'recalculate', updateProductData: true }]);
    });
  });

  describe('ordering', () => {
    test('when a Frozen cart is ordered with states, then the order has them', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      await agent(ctx).post(`/v1/carts/${cart.id}/freeze`).send({}).expect(200);

      const response = await agent(ctx)
        .post(`/v1/carts/${cart.id}/order`)
        .send({ orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Ready' });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Ready' });
      const create = upstream((call) => call.method === 'POST' && call.path === `/${ctx.projectKey}/orders`).at(-1);
      expect(create?.body).toMatchObject({ orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Ready' });
    });

    test('when the cart has no shipping address, then ordering is 409 ShippingAddressMissing', async () => {
      const { cart } = await newSessionWithCart(ctx, { ...MUG_CART, shippingAddress: undefined });

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({});

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('ShippingAddressMissing');
    });

    test('when a discount code no longer matches, then ordering is 400 DiscountCodeNotApplicable naming it', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      const withCode = (
        await agent(ctx).post(`/v1/carts/${cart.id}/discount-codes`).send({ code: 'WELCOME10' }).expect(200)
      ).body;

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({});

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'DiscountCodeNotApplicable',
        discountCodeId: withCode.discountCodes[0].discountCode.id,
      });
    });

    test('when the order state is not one of commercetools, then it is 400 ValidationFailed', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx).post(`/v1/carts/${cart.id}/order`).send({ orderState: 'Paid' });

      expect(response.status).toBe(400);
      expect(response.body.errors[0].path).toBe('body.orderState');
    });
  });

  describe('Idempotency-Key on every write', () => {
    test('when a PATCH is repeated with the same key, then the first answer is replayed', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);
      const key = newIdempotencyKey('checkout');
      const send = () => agent(ctx).patch(`/v1/carts/${cart.id}`).set('Idempotency-Key', key).send({ locale: 'de' });
      const first = await send();

      const again = await send();

      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(actionsSent(cart.id)).toHaveLength(1);
    });

    test('when a DELETE comes with an invalid key, then it is 400 ValidationFailed', async () => {
      const { cart } = await newSessionWithCart(ctx, MUG_CART);

      const response = await agent(ctx)
        .delete(`/v1/carts/${cart.id}/shipping-method`)
        .set('Idempotency-Key', 'k'.repeat(256));

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ValidationFailed');
    });
  });
});
