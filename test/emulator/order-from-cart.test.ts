import type { Cart, Order } from '@commercetools/platform-sdk';
import {
  anonymousId,
  bodyOf,
  createCart,
  createCustomer,
  getCart,
  useEmulator,
  type CtErrorBody,
} from './emulator-fixture';

describe('emulator: POST /{projectKey}/orders from a cart', () => {
  const emu = useEmulator('orders');

  const createOrder = (body: object) => emu.api.post<Order & CtErrorBody>('/orders', body);
  const ordersOfCart = async (cartId: string) =>
    (
      await emu.api.get<{ results: Order[] }>(
        `/orders?where=${encodeURIComponent('cart(id = :cartId)')}&var.cartId=${cartId}`,
      )
    ).body.results;

  test('when an anonymous cart is ordered, then the order carries its anonymousId and line items and the cart becomes Ordered', async () => {
    const aid = anonymousId();
    const cart = await createCart(emu.api, { anonymousId: aid, lineItems: [{ sku: 'HOODIE-GREY-L', quantity: 2 }] });

    const order = bodyOf(
      await createOrder({ cart: { typeId: 'cart', id: cart.id }, version: cart.version, orderNumber: `n-${aid}` }),
      201,
    );

    expect(order).toMatchObject({
      anonymousId: aid,
      orderNumber: `n-${aid}`,
      orderState: 'Open',
      cart: { typeId: 'cart', id: cart.id },
      totalPrice: cart.totalPrice,
    });
    expect(order.customerId).toBeUndefined();
    expect(order.lineItems.map((item) => [item.variant.sku, item.quantity])).toEqual([['HOODIE-GREY-L', 2]]);
    expect(await getCart(emu.api, cart.id)).toMatchObject({ cartState: 'Ordered', version: cart.version + 1 });
  });

  test('when the draft has order, payment and shipment states, then the order starts in them', async () => {
    const cart = await createCart(emu.api, {
      anonymousId: anonymousId(),
      lineItems: [{ sku: 'MUG-WHITE', quantity: 1 }],
    });
    const states = { orderState: 'Confirmed', paymentState: 'Paid', shipmentState: 'Ready' };

    const order = bodyOf(
      await createOrder({ cart: { typeId: 'cart', id: cart.id }, version: cart.version, ...states }),
      201,
    );

    expect(order).toMatchObject(states);
    expect(bodyOf(await emu.api.get<Order>(`/orders/${order.id}`), 200)).toMatchObject({ ...states, version: 1 });
  });

  test('when a customer cart is ordered with the deprecated {id, version} draft, then the order carries the customerId', async () => {
    const customer = await createCustomer(emu.api);
    const cart = await createCart(emu.api, { customerId: customer.id, customerEmail: customer.email });

    const order = bodyOf(await createOrder({ id: cart.id, version: cart.version }), 201);

    expect(order).toMatchObject({ customerId: customer.id, customerEmail: customer.email, cart: { id: cart.id } });
    expect((await getCart(emu.api, cart.id)).cartState).toBe('Ordered');
  });

  test('when the cart was already ordered, then a second order answers 400 InvalidOperation', async () => {
    const cart = await createCart(emu.api, { anonymousId: anonymousId() });
    bodyOf(await createOrder({ cart: { typeId: 'cart', id: cart.id }, version: cart.version }), 201);
    const ordered = await getCart(emu.api, cart.id);

    const again = await createOrder({ cart: { typeId: 'cart', id: cart.id }, version: ordered.version });

    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ statusCode: 400, errors: [{ code: 'InvalidOperation' }] });
    expect(await ordersOfCart(cart.id)).toHaveLength(1);
  });

  test('when the version is stale, then it answers 409 ConcurrentModification with currentVersion and orders nothing', async () => {
    const created = await createCart(emu.api, { anonymousId: anonymousId() });
    const cart = bodyOf(
      await emu.api.post<typeof created>(`/carts/${created.id}`, {
        version: created.version,
        actions: [{ action: 'addLineItem', sku: 'MUG-WHITE' }],
      }),
      200,
    );

    const response = await createOrder({ cart: { typeId: 'cart', id: cart.id }, version: created.version });

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      statusCode: 409,
      errors: [{ code: 'ConcurrentModification', currentVersion: cart.version }],
    });
    expect(await getCart(emu.api, cart.id)).toEqual(cart);
    expect(await ordersOfCart(cart.id)).toHaveLength(0);
  });

  test('when the orderNumber is taken, then it answers 400 DuplicateField and the cart stays Active', async () => {
    const orderNumber = `n-${anonymousId()}`;
    const first = await createCart(emu.api, { anonymousId: anonymousId() });
    bodyOf(await createOrder({ cart: { typeId: 'cart', id: first.id }, version: first.version, orderNumber }), 201);
    const second = await createCart(emu.api, { anonymousId: anonymousId() });

    const response = await createOrder({
      cart: { typeId: 'cart', id: second.id },
      version: second.version,
      orderNumber,
    });

    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({
      code: 'DuplicateField',
      field: 'orderNumber',
      duplicateValue: orderNumber,
    });
    expect(await getCart(emu.api, second.id)).toEqual(second);
  });

  test('when the cart does not exist, then it answers 400 ReferencedResourceNotFound', async () => {
    const response = await createOrder({ cart: { typeId: 'cart', id: 'no-such-cart' }, version: 1 });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({
      code: 'ReferencedResourceNotFound',
      typeId: 'cart',
      id: 'no-such-cart',
    });
  });

  test('when the same cart is ordered twice at once, then exactly one order is created', async () => {
    const cart = await createCart(emu.api, { anonymousId: anonymousId() });
    const draft = { cart: { typeId: 'cart', id: cart.id }, version: cart.version };

    const statuses = (await Promise.all([createOrder(draft), createOrder(draft), createOrder(draft)])).map(
      (response) => response.status,
    );

    expect(statuses.sort()).toEqual([201, 409, 409]);
    expect(await ordersOfCart(cart.id)).toHaveLength(1);
  });
});

describe('emulator: POST /{projectKey}/in-store/key={storeKey}/orders from a cart', () => {
  const emu = useEmulator('orders-in-store');
  const berlin = '/in-store/key=berlin-mitte';

  const berlinCart = async (draft: object = {}) =>
    bodyOf(
      await emu.api.post<Cart>(`${berlin}/carts`, {
        currency: 'EUR',
        anonymousId: anonymousId(),
        lineItems: [{ sku: 'MUG-WHITE', quantity: 1 }],
        ...draft,
      }),
      201,
    );

  test('when a cart of the store is ordered in the store, then the order is created and the cart becomes Ordered', async () => {
    const cart = await berlinCart({ shippingAddress: { country: 'DE' } });

    const order = bodyOf(
      await emu.api.post<Order>(`${berlin}/orders`, { cart: { typeId: 'cart', id: cart.id }, version: cart.version }),
      201,
    );

    expect(order).toMatchObject({ cart: { id: cart.id }, orderState: 'Open' });
    expect((await getCart(emu.api, cart.id)).cartState).toBe('Ordered');
  });

  test('when the in-store cart has no shipping address, then it answers 400 InvalidOperation and the cart stays Active', async () => {
    const cart = await berlinCart();

    const response = await emu.api.post<CtErrorBody>(`${berlin}/orders`, {
      cart: { typeId: 'cart', id: cart.id },
      version: cart.version,
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.code).toBe('InvalidOperation');
    expect((await getCart(emu.api, cart.id)).cartState).toBe('Active');
  });

  test('when a cart of another store is ordered in the store, then it answers 400 ReferencedResourceNotFound', async () => {
    const cart = await berlinCart({ shippingAddress: { country: 'DE' } });

    const response = await emu.api.post<CtErrorBody>('/in-store/key=vienna-1/orders', {
      cart: { typeId: 'cart', id: cart.id },
      version: cart.version,
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ code: 'ReferencedResourceNotFound', id: cart.id });
    expect((await getCart(emu.api, cart.id)).cartState).toBe('Active');
  });
});
