import type { Cart, CustomerSignInResult } from '@commercetools/platform-sdk';
import { DEMO_PRICES } from '../../sandbox/catalogue';
import {
  anonymousId,
  bodyOf,
  createCart,
  createCustomer,
  getCart,
  getOrder,
  orderCart,
  quantities,
  tick,
  useEmulator,
  type CtErrorBody,
} from './emulator-fixture';

describe('emulator: POST /{projectKey}/login', () => {
  const emu = useEmulator('login');

  const login = (body: object) => emu.api.post<CustomerSignInResult & CtErrorBody>('/login', body);
  const line = (sku: string, quantity: number) => ({ sku, quantity });

  test('when the password is wrong, then it answers 400 InvalidCredentials in the commercetools error shape', async () => {
    const customer = await createCustomer(emu.api);
    const response = await login({ email: customer.email, password: 'wrong' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      message: 'Account with the given credentials not found.',
      errors: [{ code: 'InvalidCredentials', message: 'Account with the given credentials not found.' }],
    });
  });

  test('when the email is unknown, then it answers 400 InvalidCredentials', async () => {
    const response = await login({ email: 'nobody@example.com', password: 'secret-1' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.code).toBe('InvalidCredentials');
  });

  test('when the password is missing, then it answers 400 InvalidJsonInput', async () => {
    const response = await login({ email: 'nobody@example.com' });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({
      code: 'InvalidJsonInput',
      detailedErrorMessage: 'password: Missing required value',
    });
  });

  test('when the credentials are right with the email in other case, then it answers the customer and no cart', async () => {
    const customer = await createCustomer(emu.api);
    const body = bodyOf(await login({ email: customer.email.toUpperCase(), password: customer.password }), 200);
    expect(body.customer.id).toBe(customer.id);
    expect(body).not.toHaveProperty('cart');
  });

  test('when signing in without anonymousId, then the cart is the most recently modified active cart of the customer', async () => {
    const customer = await createCustomer(emu.api);
    const older = await createCart(emu.api, { customerId: customer.id });
    const newer = await createCart(emu.api, { customerId: customer.id });
    const modified = bodyOf(
      await emu.api.post<Cart>(`/carts/${older.id}`, {
        version: older.version,
        actions: [{ action: 'addLineItem', sku: 'MUG-WHITE' }],
      }),
      200,
    );
    await tick();
    expect(modified.lastModifiedAt > newer.lastModifiedAt).toBe(true);

    const body = bodyOf(await login({ email: customer.email, password: customer.password }), 200);
    expect(body.cart?.id).toBe(older.id);
  });

  test('when signing in with an anonymousId, then its carts and orders get the customerId, keep the anonymousId and gain a version', async () => {
    const customer = await createCustomer(emu.api);
    const aid = anonymousId();
    const ordered = await createCart(emu.api, { anonymousId: aid, lineItems: [line('MUG-WHITE', 1)] });
    const order = await orderCart(emu.api, ordered);
    const active = await createCart(emu.api, { anonymousId: aid, lineItems: [line('TOTE-NATURAL', 1)] });
    const orderBefore = await getOrder(emu.api, order.id);
    const orderedBefore = await getCart(emu.api, ordered.id);

    const body = bodyOf(await login({ email: customer.email, password: customer.password, anonymousId: aid }), 200);

    expect(body.cart).toMatchObject({
      id: active.id,
      customerId: customer.id,
      anonymousId: aid,
      cartState: 'Active',
      version: active.version + 1,
    });
    expect(body.cart?.lastModifiedBy?.clientId).toBe('sandbox'); // the API client of the token that signed in
    expect(await getCart(emu.api, ordered.id)).toMatchObject({
      customerId: customer.id,
      anonymousId: aid,
      version: orderedBefore.version + 1,
    });
    const orderAfter = await getOrder(emu.api, order.id);
    expect(orderAfter).toMatchObject({ customerId: customer.id, anonymousId: aid, version: orderBefore.version + 1 });
    expect(orderAfter.lastModifiedAt > orderBefore.lastModifiedAt).toBe(true);
  });

  test('when the customer has an active cart, then by default the anonymous line items merge into it and the anonymous cart becomes Merged', async () => {
    const customer = await createCustomer(emu.api);
    const customerCart = await createCart(emu.api, {
      customerId: customer.id,
      lineItems: [line('TSHIRT-BLUE-M', 1), line('MUG-WHITE', 2)],
    });
    const aid = anonymousId();
    const anonymousCart = await createCart(emu.api, {
      anonymousId: aid,
      lineItems: [line('TSHIRT-BLUE-M', 3), line('MUG-WHITE', 1), line('HOODIE-GREY-M', 1)],
    });

    const body = bodyOf(await login({ email: customer.email, password: customer.password, anonymousId: aid }), 200);

    // A variant in both carts takes the larger quantity (commercetools' rule), other items are added.
    const merged = body.cart as Cart;
    expect(merged.id).toBe(customerCart.id);
    expect(quantities(merged)).toEqual({ 'TSHIRT-BLUE-M': 3, 'MUG-WHITE': 2, 'HOODIE-GREY-M': 1 });
    const eur = (sku: string) => DEMO_PRICES[sku]!.EUR;
    expect(merged.totalPrice.centAmount).toBe(3 * eur('TSHIRT-BLUE-M') + 2 * eur('MUG-WHITE') + eur('HOODIE-GREY-M'));
    expect(merged).toMatchObject({ cartState: 'Active', customerId: customer.id });
    expect(await getCart(emu.api, anonymousCart.id)).toMatchObject({
      cartState: 'Merged',
      customerId: customer.id,
      anonymousId: aid,
    });
  });

  test('when the mode is UseAsNewActiveCustomerCart, then the anonymous cart is the answer and the older customer cart stays as it was', async () => {
    const customer = await createCustomer(emu.api);
    const customerCart = await createCart(emu.api, { customerId: customer.id, lineItems: [line('MUG-WHITE', 2)] });
    const aid = anonymousId();
    const anonymousCart = await createCart(emu.api, { anonymousId: aid, lineItems: [line('TSHIRT-BLUE-L', 1)] });

    const body = bodyOf(
      await login({
        email: customer.email,
        password: customer.password,
        anonymousId: aid,
        anonymousCartSignInMode: 'UseAsNewActiveCustomerCart',
      }),
      200,
    );

    expect(body.cart).toMatchObject({ id: anonymousCart.id, customerId: customer.id, cartState: 'Active' });
    expect(quantities(body.cart as Cart)).toEqual({ 'TSHIRT-BLUE-L': 1 });
    expect(await getCart(emu.api, customerCart.id)).toEqual(customerCart);
  });

  test('when the customer has no active cart, then the anonymous cart becomes the customer cart', async () => {
    const customer = await createCustomer(emu.api);
    const aid = anonymousId();
    const anonymousCart = await createCart(emu.api, { anonymousId: aid, lineItems: [line('MUG-WHITE', 1)] });

    const body = bodyOf(await login({ email: customer.email, password: customer.password, anonymousId: aid }), 200);

    expect(body.cart).toMatchObject({ id: anonymousCart.id, customerId: customer.id, cartState: 'Active' });
    expect(quantities(body.cart as Cart)).toEqual({ 'MUG-WHITE': 1 });
  });

  test('when anonymousCart names an older cart of the session, then that cart is the one merged', async () => {
    const customer = await createCustomer(emu.api);
    const customerCart = await createCart(emu.api, { customerId: customer.id });
    const aid = anonymousId();
    const named = await createCart(emu.api, { anonymousId: aid, lineItems: [line('TOTE-NATURAL', 2)] });
    const latest = await createCart(emu.api, { anonymousId: aid, lineItems: [line('MUG-WHITE', 1)] });

    const body = bodyOf(
      await login({
        email: customer.email,
        password: customer.password,
        anonymousId: aid,
        anonymousCart: { typeId: 'cart', id: named.id },
      }),
      200,
    );

    expect(body.cart?.id).toBe(customerCart.id);
    expect(quantities(body.cart as Cart)).toEqual({ 'TOTE-NATURAL': 2 });
    expect((await getCart(emu.api, named.id)).cartState).toBe('Merged');
    expect(await getCart(emu.api, latest.id)).toMatchObject({ cartState: 'Active', customerId: customer.id });
  });

  test('when anonymousCart belongs to another anonymousId, then it answers 400 InvalidOperation and assigns nothing', async () => {
    const customer = await createCustomer(emu.api);
    const aid = anonymousId();
    const sessionCart = await createCart(emu.api, { anonymousId: aid });
    const foreign = await createCart(emu.api, { anonymousId: anonymousId() });

    const response = await login({
      email: customer.email,
      password: customer.password,
      anonymousId: aid,
      anonymousCart: { typeId: 'cart', id: foreign.id },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.code).toBe('InvalidOperation');
    expect((await getCart(emu.api, sessionCart.id)).customerId).toBeUndefined();
  });
});
