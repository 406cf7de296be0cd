import type { Cart } from '@commercetools/platform-sdk';
import { DEMO_SKUS } from '../../sandbox/catalogue';
import {
  anonymousId,
  bodyOf,
  createCart,
  createCustomer,
  getCart,
  getOrder,
  orderCart,
  quantities,
  useEmulator,
  type CtErrorBody,
} from './emulator-fixture';

describe('emulator: POST /{projectKey}/carts/customer-id={customerId}/merge', () => {
  const emu = useEmulator('cart-merge');

  const merge = (customerId: string, body: object) =>
    emu.api.post<Cart & CtErrorBody>(`/carts/customer-id=${customerId}/merge`, body);
  const line = (sku: string, quantity: number) => ({ sku, quantity });

  test('when the customer has an active cart and the mode is the default, then the anonymous cart is merged into it and becomes Merged', async () => {
    const [first, second] = DEMO_SKUS;
    const customer = await createCustomer(emu.api);
    const customerCart = await createCart(emu.api, { customerId: customer.id, lineItems: [line(first!, 1)] });
    const session = anonymousId();
    const guestCart = await createCart(emu.api, {
      anonymousId: session,
      lineItems: [line(first!, 3), line(second!, 1)],
    });

    const merged = bodyOf(await merge(customer.id, { anonymousId: session }), 200);

    expect(merged.id).toBe(customerCart.id);
    expect(quantities(merged)).toEqual({ [first!]: 3, [second!]: 1 });
    expect(await getCart(emu.api, guestCart.id)).toMatchObject({ cartState: 'Merged', customerId: customer.id });
  });

  test('when the mode is UseAsNewActiveCustomerCart, then the anonymous cart becomes the customer cart unchanged', async () => {
    const [first] = DEMO_SKUS;
    const customer = await createCustomer(emu.api);
    const customerCart = await createCart(emu.api, { customerId: customer.id, lineItems: [line(first!, 1)] });
    const session = anonymousId();
    const guestCart = await createCart(emu.api, { anonymousId: session, lineItems: [line(first!, 2)] });

    const result = bodyOf(
      await merge(customer.id, {
        anonymousCart: { typeId: 'cart', id: guestCart.id },
        anonymousId: session,
        mergeMode: 'UseAsNewActiveCustomerCart',
      }),
      200,
    );

    expect(result).toMatchObject({
      id: guestCart.id,
      customerId: customer.id,
      anonymousId: session,
      cartState: 'Active',
    });
    expect(quantities(result)).toEqual({ [first!]: 2 });
    expect((await getCart(emu.api, customerCart.id)).cartState).toBe('Active');
  });

  test.each(['MergeWithExistingCustomerCart', 'UseAsNewActiveCustomerCart'])(
    'when the customer has no active cart (mode %s), then the anonymous cart becomes it (2025-10-23)',
    async (mergeMode) => {
      const customer = await createCustomer(emu.api);
      const session = anonymousId();
      const guestCart = await createCart(emu.api, { anonymousId: session, lineItems: [line(DEMO_SKUS[0]!, 1)] });

      const result = bodyOf(await merge(customer.id, { anonymousId: session, mergeMode }), 200);

      expect(result).toMatchObject({ id: guestCart.id, customerId: customer.id, cartState: 'Active' });
    },
  );

  test("when merging, then the session's orders keep no customer (the merge assigns carts only)", async () => {
    const customer = await createCustomer(emu.api);
    const session = anonymousId();
    const order = await orderCart(emu.api, await createCart(emu.api, { anonymousId: session }));
    await createCart(emu.api, { anonymousId: session });

    bodyOf(await merge(customer.id, { anonymousId: session }), 200);

    expect((await getOrder(emu.api, order.id)).customerId).toBeUndefined();
  });

  test('when the customer is unknown, then it answers 400 ReferencedResourceNotFound', async () => {
    const session = anonymousId();
    await createCart(emu.api, { anonymousId: session });

    const response = await merge('no-such-customer', { anonymousId: session });

    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ code: 'ReferencedResourceNotFound', typeId: 'customer' });
  });

  test('when the anonymous cart belongs to another anonymousId, then it answers 400 InvalidOperation', async () => {
    const customer = await createCustomer(emu.api);
    const guestCart = await createCart(emu.api, { anonymousId: anonymousId() });

    const response = await merge(customer.id, {
      anonymousCart: { typeId: 'cart', id: guestCart.id },
      anonymousId: anonymousId(),
    });

    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.code).toBe('InvalidOperation');
  });

  test('when neither anonymousCart nor anonymousId is given, then it answers 400 InvalidJsonInput', async () => {
    const customer = await createCustomer(emu.api);

    const response = await merge(customer.id, { mergeMode: 'MergeWithExistingCustomerCart' });

    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.code).toBe('InvalidJsonInput');
  });
});

describe('emulator: POST /{projectKey}/in-store/key={storeKey}/carts/customer-id={customerId}/merge', () => {
  const emu = useEmulator('cart-merge-in-store');

  const storeCart = async (storeKey: string, session: string) =>
    bodyOf(
      await emu.api.post<Cart>(`/in-store/key=${storeKey}/carts`, {
        currency: 'EUR',
        anonymousId: session,
        lineItems: [{ sku: DEMO_SKUS[0], quantity: 2 }],
      }),
      201,
    );

  test('when the anonymous cart is in the store, then it is merged in the store and becomes the customer cart', async () => {
    const customer = await createCustomer(emu.api);
    const session = anonymousId();
    const cart = await storeCart('berlin-mitte', session);

    const merged = bodyOf(
      await emu.api.post<Cart>(`/in-store/key=berlin-mitte/carts/customer-id=${customer.id}/merge`, {
        anonymousId: session,
      }),
      200,
    );

    expect(merged).toMatchObject({ id: cart.id, customerId: customer.id, store: { key: 'berlin-mitte' } });
  });

  test('when the anonymous cart is of another store, then it answers 404 ResourceNotFound and the cart stays anonymous', async () => {
    const customer = await createCustomer(emu.api);
    const session = anonymousId();
    const cart = await storeCart('vienna-1', session);

    const response = await emu.api.post<CtErrorBody>(
      `/in-store/key=berlin-mitte/carts/customer-id=${customer.id}/merge`,
      { anonymousCart: { typeId: 'cart', id: cart.id }, anonymousId: session },
    );

    expect(response.status).toBe(404);
    expect(response.body.errors?.[0]?.code).toBe('ResourceNotFound');
    expect((await getCart(emu.api, cart.id)).customerId).toBeUndefined();
  });
});
