import type { CustomerSignInResult } from '@commercetools/platform-sdk';
import {
  anonymousId,
  bodyOf,
  createCart,
  email,
  getCart,
  getOrder,
  orderCart,
  useEmulator,
  type CtErrorBody,
} from './emulator-fixture';

describe('emulator: POST /{projectKey}/customers with an anonymous session', () => {
  const emu = useEmulator('sign-up');

  const signUp = (body: object) => emu.api.post<CustomerSignInResult & CtErrorBody>('/customers', body);

  test('when signing up with an anonymousId, then its carts and orders move to the customer and the answer holds its latest active cart', async () => {
    const aid = anonymousId();
    const ordered = await createCart(emu.api, { anonymousId: aid, lineItems: [{ sku: 'MUG-WHITE', quantity: 1 }] });
    const order = await orderCart(emu.api, ordered);
    const older = await createCart(emu.api, { anonymousId: aid });
    const latest = await createCart(emu.api, { anonymousId: aid, lineItems: [{ sku: 'TOTE-NATURAL', quantity: 1 }] });

    const body = bodyOf(await signUp({ email: email(), password: 'secret-1', anonymousId: aid }), 201);

    const customerId = body.customer.id;
    expect(body.cart).toMatchObject({
      id: latest.id,
      customerId,
      anonymousId: aid,
      cartState: 'Active',
      version: latest.version + 1,
    });
    expect(await getCart(emu.api, older.id)).toMatchObject({ customerId, anonymousId: aid, cartState: 'Active' });
    expect(await getOrder(emu.api, order.id)).toMatchObject({ customerId, anonymousId: aid });
  });

  test('when the anonymousId has no cart, then the answer holds only the customer', async () => {
    const body = bodyOf(await signUp({ email: email(), password: 'secret-1', anonymousId: anonymousId() }), 201);
    expect(body.customer.id).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('cart');
  });

  test('when signing up without anonymousId, then the mock answers {customer} as before', async () => {
    const address = email();
    const body = bodyOf(await signUp({ email: address, password: 'secret-1' }), 201);
    expect(Object.keys(body)).toEqual(['customer']);
    expect(body.customer.email).toBe(address);
  });

  test('when the email is taken, then it answers 400 DuplicateField and the session carts stay anonymous', async () => {
    const address = email();
    bodyOf(await signUp({ email: address, password: 'secret-1' }), 201);
    const aid = anonymousId();
    const cart = await createCart(emu.api, { anonymousId: aid });

    for (const draft of [
      { email: address, password: 'other' },
      { email: address.toUpperCase(), password: 'other', anonymousId: aid },
    ]) {
      const response = await signUp(draft);
      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'email' });
    }
    expect(await getCart(emu.api, cart.id)).toEqual(cart);
  });
});
