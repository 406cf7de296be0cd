import type {
  Cart,
  CustomerSignInResult,
  DiscountCode,
  Order,
  Payment,
  ShippingMethod,
  ShippingMethodPagedQueryResponse,
  Store,
  Type,
} from '@commercetools/platform-sdk';
import { CHECKOUT_SEED } from '../../sandbox/catalogue';
import {
  anonymousId,
  bodyOf,
  createCart,
  createCustomer,
  email,
  getCart,
  useEmulator,
  type CtErrorBody,
} from './emulator-fixture';

describe('emulator: checkout fidelity and seed', () => {
  const emu = useEmulator('checkout');

  const update = (cart: Cart, ...actions: object[]) =>
    emu.api.post<Cart & CtErrorBody>(`/carts/${cart.id}`, { version: cart.version, actions });
  const createOrder = (cart: Cart) =>
    emu.api.post<Order & CtErrorBody>('/orders', { cart: { typeId: 'cart', id: cart.id }, version: cart.version });
  const createPayment = (draft: object) =>
    emu.api.post<Payment & CtErrorBody>('/payments', {
      amountPlanned: { currencyCode: 'EUR', centAmount: 1199 },
      paymentMethodInfo: { method: 'card', paymentInterface: 'terminal' },
      ...draft,
    });
  const getPayment = async (id: string) => bodyOf(await emu.api.get<Payment>(`/payments/${id}`), 200);
  const mug = { sku: 'MUG-WHITE', quantity: 1 };
  const hoodie = { sku: 'HOODIE-GREY-M', quantity: 1 };

  describe('ordering', () => {
    test('when the cart has no shipping address, then Create Order answers 400 InvalidOperation and the cart stays Active', async () => {
      const cart = await createCart(emu.api, { shippingAddress: undefined, lineItems: [mug] });

      const response = await createOrder(cart);

      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidOperation');
      expect(await getCart(emu.api, cart.id)).toEqual(cart);
    });

    test('when the cart is Frozen, then it can be ordered', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const frozen = bodyOf(await update(cart, { action: 'freezeCart' }), 200);

      const order = bodyOf(await createOrder(frozen), 201);

      expect(frozen.cartState).toBe('Frozen');
      expect(order.cart?.id).toBe(cart.id);
      expect((await getCart(emu.api, cart.id)).cartState).toBe('Ordered');
    });

    test('when a discount code does not match the cart, then Create Order answers 400 DiscountCodeNonApplicable', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const withCode = bodyOf(await update(cart, { action: 'addDiscountCode', code: 'WELCOME10' }), 200);

      const response = await createOrder(withCode);

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        code: 'DiscountCodeNonApplicable',
        discountCodeId: withCode.discountCodes[0]?.discountCode.id,
      });
    });
  });

  describe('discount codes', () => {
    test('when the code does not exist, then addDiscountCode answers 400 DiscountCodeNonApplicable with reason DoesNotExist', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });

      const response = await update(cart, { action: 'addDiscountCode', code: 'NO-SUCH-CODE' });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        code: 'DiscountCodeNonApplicable',
        reason: 'DoesNotExist',
        discountCode: 'NO-SUCH-CODE',
      });
    });

    test('when the code is inactive, then addDiscountCode answers 400 DiscountCodeNonApplicable and the cart is unchanged', async () => {
      const cart = await createCart(emu.api, { lineItems: [hoodie, mug] });

      const response = await update(cart, { action: 'addDiscountCode', code: CHECKOUT_SEED.inactiveDiscountCode });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        code: 'DiscountCodeNonApplicable',
        discountCode: 'EXPIRED5',
        discountCodeId: expect.any(String),
      });
      expect(await getCart(emu.api, cart.id)).toEqual(cart);
    });

    test('when a discount code is created with isActive false, then it is stored inactive', async () => {
      const discount = bodyOf(await emu.api.get<{ id: string }>('/cart-discounts/key=welcome-10'), 200);
      const code = `OFF-${Date.now()}`;

      const created = bodyOf(
        await emu.api.post<DiscountCode>('/discount-codes', {
          code,
          cartDiscounts: [{ typeId: 'cart-discount', id: discount.id }],
          isActive: false,
        }),
        201,
      );

      expect(created.isActive).toBe(false);
      expect(bodyOf(await emu.api.get<DiscountCode>(`/discount-codes/${created.id}`), 200).isActive).toBe(false);
    });

    test('when a discount code is created with a key, then GET /discount-codes/key= finds it', async () => {
      const seeded = bodyOf(await emu.api.get<DiscountCode>('/discount-codes/key=welcome10'), 200);

      expect(seeded).toMatchObject({ key: 'welcome10', code: 'WELCOME10', isActive: true });
    });

    test('when the code has expired, then addDiscountCode answers 400 DiscountCodeNonApplicable with reason TimeRangeNonApplicable', async () => {
      const discount = bodyOf(await emu.api.get<{ id: string }>('/cart-discounts/key=welcome-10'), 200);
      const code = `PAST-${Date.now()}`;
      const validUntil = '2020-01-01T00:00:00.000Z';
      bodyOf(
        await emu.api.post('/discount-codes', {
          code,
          cartDiscounts: [{ typeId: 'cart-discount', id: discount.id }],
          validUntil,
        }),
        201,
      );
      const cart = await createCart(emu.api, { lineItems: [hoodie, mug] });

      const response = await update(cart, { action: 'addDiscountCode', code });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        code: 'DiscountCodeNonApplicable',
        reason: 'TimeRangeNonApplicable',
        discountCode: code,
        validUntil,
        validityCheckTime: expect.any(String),
      });
    });

    test('when the cart total meets the predicate, then the active code shows MatchesCart', async () => {
      const cart = await createCart(emu.api, { lineItems: [hoodie, mug] }); // 45.99 + 11.99 EUR

      const updated = bodyOf(await update(cart, { action: 'addDiscountCode', code: 'WELCOME10' }), 200);

      expect(updated.discountCodes).toEqual([{ discountCode: expect.any(Object), state: 'MatchesCart' }]);
    });

    test('when the cart total is below the predicate, then the code is added with state DoesNotMatchCart', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });

      const updated = bodyOf(await update(cart, { action: 'addDiscountCode', code: 'WELCOME10' }), 200);

      expect(updated.discountCodes.map((info) => info.state)).toEqual(['DoesNotMatchCart']);
      expect(updated.version).toBe(cart.version + 1);
    });

    test('when a line item change takes the cart below the predicate, then the code shows DoesNotMatchCart', async () => {
      const cart = await createCart(emu.api, { lineItems: [hoodie, mug] });
      const matching = bodyOf(await update(cart, { action: 'addDiscountCode', code: 'WELCOME10' }), 200);
      const hoodieItem = matching.lineItems.find((item) => item.variant.sku === hoodie.sku)!;

      const updated = bodyOf(await update(matching, { action: 'removeLineItem', lineItemId: hoodieItem.id }), 200);

      expect(matching.discountCodes[0]?.state).toBe('MatchesCart');
      expect(updated.discountCodes.map((info) => info.state)).toEqual(['DoesNotMatchCart']);
      expect(await getCart(emu.api, cart.id)).toEqual(updated);
    });

    test('when a USD cart meets the USD threshold, then the code shows MatchesCart', async () => {
      const cart = await createCart(emu.api, { currency: 'USD', lineItems: [{ sku: 'HOODIE-GREY-L', quantity: 1 }] });

      const updated = bodyOf(await update(cart, { action: 'addDiscountCode', code: 'WELCOME10' }), 200);

      expect(updated.discountCodes[0]?.state).toBe('MatchesCart');
    });
  });

  describe('frozen carts', () => {
    test('when a Frozen cart gets addLineItem, then it answers 400 InvalidOperation and the cart is unchanged', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const frozen = bodyOf(await update(cart, { action: 'freezeCart' }), 200);

      const response = await update(frozen, { action: 'addLineItem', sku: 'TOTE-NATURAL' });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidOperation');
      expect(await getCart(emu.api, cart.id)).toEqual(frozen);
    });

    test('when a Frozen cart gets changeLineItemQuantity, then it answers 400 InvalidOperation', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const frozen = bodyOf(await update(cart, { action: 'freezeCart' }), 200);

      const response = await update(frozen, {
        action: 'changeLineItemQuantity',
        lineItemId: frozen.lineItems[0]!.id,
        quantity: 3,
      });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidOperation');
    });

    test('when an empty cart is frozen, then it answers 400 InvalidOperation and the cart stays Active', async () => {
      const cart = await createCart(emu.api);

      const response = await update(cart, { action: 'freezeCart' });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidOperation');
      expect((await getCart(emu.api, cart.id)).cartState).toBe('Active');
    });

    test('when a Frozen cart is unfrozen, then it is Active and takes line items again', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const frozen = bodyOf(await update(cart, { action: 'freezeCart' }), 200);
      const active = bodyOf(await update(frozen, { action: 'unfreezeCart' }), 200);

      const updated = bodyOf(await update(active, { action: 'addLineItem', sku: 'TOTE-NATURAL' }), 200);

      expect(active.cartState).toBe('Active');
      expect(updated.lineItems).toHaveLength(2);
    });
  });

  describe('payments', () => {
    test('when a payment is created with an anonymousId, then it keeps it', async () => {
      const aid = anonymousId();

      const payment = bodyOf(await createPayment({ anonymousId: aid, key: `pay-${aid}` }), 201);

      expect(payment).toMatchObject({ anonymousId: aid, key: `pay-${aid}` });
      expect(await getPayment(payment.id)).toMatchObject({ anonymousId: aid });
    });

    test('when a payment key is taken, then creating another payment with it answers 400 DuplicateField', async () => {
      const key = `pay-${anonymousId()}`;
      bodyOf(await createPayment({ key }), 201);

      const response = await createPayment({ key, anonymousId: anonymousId() });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: key });
      expect(
        (await emu.api.get<{ total: number }>(`/payments?where=${encodeURIComponent(`key="${key}"`)}`)).body.total,
      ).toBe(1);
    });

    test('when a payment names an unknown customer, then it answers 400 ReferencedResourceNotFound', async () => {
      const response = await createPayment({ customer: { typeId: 'customer', id: 'no-such-customer' } });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ code: 'ReferencedResourceNotFound', typeId: 'customer' });
    });

    test('when a payment is created for a customer, then it carries the customer reference', async () => {
      const customer = await createCustomer(emu.api);

      const payment = bodyOf(await createPayment({ customer: { typeId: 'customer', id: customer.id } }), 201);

      expect((await getPayment(payment.id)).customer).toEqual({ typeId: 'customer', id: customer.id });
    });

    test('when signing up with the anonymousId, then its payments get the customer and keep the anonymousId', async () => {
      const aid = anonymousId();
      const payment = bodyOf(await createPayment({ anonymousId: aid }), 201);
      const other = bodyOf(await createPayment({ anonymousId: anonymousId() }), 201);

      const body = bodyOf(
        await emu.api.post<CustomerSignInResult>('/customers', {
          email: email(),
          password: 'secret-1',
          anonymousId: aid,
        }),
        201,
      );

      expect(await getPayment(payment.id)).toMatchObject({
        customer: { typeId: 'customer', id: body.customer.id },
        anonymousId: aid,
        version: payment.version + 1,
      });
      expect((await getPayment(other.id)).customer).toBeUndefined();
    });

    test('when signing in with the anonymousId, then its payments get the customer', async () => {
      const customer = await createCustomer(emu.api);
      const aid = anonymousId();
      const payment = bodyOf(await createPayment({ anonymousId: aid }), 201);

      bodyOf(
        await emu.api.post('/login', { email: customer.email, password: customer.password, anonymousId: aid }),
        200,
      );

      expect(await getPayment(payment.id)).toMatchObject({
        customer: { typeId: 'customer', id: customer.id },
        anonymousId: aid,
      });
    });
  });

  describe('queries', () => {
    test('when limit is over 500, then a query answers 400 InvalidInput', async () => {
      const response = await emu.api.get<CtErrorBody>('/carts?limit=501');
      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidInput');
    });

    test('when offset is over 10000, then a query answers 400 InvalidInput', async () => {
      const response = await emu.api.get<CtErrorBody>('/orders?offset=10001');
      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidInput');
    });

    test('when limit is 500 and offset 10000, then the query answers 200', async () => {
      expect((await emu.api.get('/payments?limit=500&offset=10000')).status).toBe(200);
    });
  });

  describe('strict drafts', () => {
    test('when a cart draft has an unknown field, then it answers 400 InvalidJsonInput and creates nothing', async () => {
      const aid = anonymousId();

      const response = await emu.api.post<CtErrorBody>('/carts', { currency: 'EUR', anonymousId: aid, colour: 'red' });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        code: 'InvalidJsonInput',
        detailedErrorMessage: expect.stringContaining('colour'),
      });
      const carts = await emu.api.get<{ count: number }>(`/carts?where=${encodeURIComponent(`anonymousId="${aid}"`)}`);
      expect(carts.body.count).toBe(0);
    });

    test('when a keyed cart draft lacks the currency, then it answers 400 InvalidJsonInput', async () => {
      const response = await emu.api.post<CtErrorBody>('/carts', { key: `k-${anonymousId()}` });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        code: 'InvalidJsonInput',
        detailedErrorMessage: 'currency: Missing required value',
      });
    });

    test('when an order draft has an unknown field, then it answers 400 InvalidJsonInput and the cart stays Active', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });

      const response = await emu.api.post<CtErrorBody>('/orders', {
        cart: { typeId: 'cart', id: cart.id },
        version: cart.version,
        paid: true,
      });

      expect(response.status).toBe(400);
      expect(response.body.errors[0]?.code).toBe('InvalidJsonInput');
      expect((await getCart(emu.api, cart.id)).cartState).toBe('Active');
    });
  });

  describe('seed', () => {
    test('when a EUR cart has a DE shipping address, then matching-cart answers standard and express priced in EUR', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });

      const page = bodyOf(
        await emu.api.get<ShippingMethodPagedQueryResponse>(`/shipping-methods/matching-cart?cartId=${cart.id}`),
        200,
      );

      const byKey: Record<string, ShippingMethod | undefined> = Object.fromEntries(
        page.results.map((method) => [method.key, method]),
      );
      expect(Object.keys(byKey).sort()).toEqual(['express', 'standard']);
      expect(byKey.standard?.isDefault).toBe(true);
      const matchingRate = (key: string) =>
        byKey[key]?.zoneRates.flatMap((zone) => zone.shippingRates).find((rate) => rate.isMatching);
      expect(matchingRate('standard')).toMatchObject({
        price: { currencyCode: 'EUR', centAmount: 490 },
        freeAbove: { currencyCode: 'EUR', centAmount: 5000 },
      });
      expect(matchingRate('express')?.price).toMatchObject({ currencyCode: 'EUR', centAmount: 990 });
    });

    test('when a shipping method is set on a DE cart, then the cart carries its shippingInfo', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const method = bodyOf(await emu.api.get<{ id: string }>('/shipping-methods/key=express'), 200);

      const updated = bodyOf(
        await update(cart, {
          action: 'setShippingMethod',
          shippingMethod: { typeId: 'shipping-method', id: method.id },
        }),
        200,
      );

      expect(updated.shippingInfo).toMatchObject({
        shippingMethodName: 'Express delivery',
        price: { currencyCode: 'EUR', centAmount: 990 },
      });
    });

    test('when the custom type pos-cart-fields is set on a cart, then its fields are stored', async () => {
      const cart = await createCart(emu.api, { lineItems: [mug] });
      const fields = { terminalId: 'T-1', cashierId: 'C-7', receiptNumber: 'R-42' };

      const updated = bodyOf(
        await update(cart, { action: 'setCustomType', type: { typeId: 'type', key: 'pos-cart-fields' }, fields }),
        200,
      );

      expect(updated.custom?.fields).toEqual(fields);
      const type = bodyOf(await emu.api.get<Type>('/types/key=pos-cart-fields'), 200);
      expect(type.resourceTypeIds.sort()).toEqual(['line-item', 'order']);
    });

    test('when the stores are read, then each has its supply channel with role InventorySupply', async () => {
      for (const key of CHECKOUT_SEED.storeKeys) {
        const store = bodyOf(await emu.api.get<Store>(`/stores/key=${key}?expand=supplyChannels[*]`), 200);
        expect(store.supplyChannels[0]?.obj).toMatchObject({ key: `${key}-supply`, roles: ['InventorySupply'] });
        expect(store.distributionChannels).toHaveLength(1);
      }
    });
  });
});
