import type { Cart } from '@commercetools/platform-sdk';
import { DEMO_SKUS } from '../../sandbox/catalogue';
import { anonymousId, bodyOf, email, useEmulator, type CtErrorBody } from './emulator-fixture';

interface Page {
  results: Cart[];
  count: number;
}

describe('emulator: in-store carts are fenced by their Store', () => {
  const emu = useEmulator('in-store-fencing');
  const berlin = '/in-store/key=berlin-mitte';
  const vienna = '/in-store/key=vienna-1';

  async function berlinCart(session = anonymousId()): Promise<Cart> {
    const draft = { currency: 'EUR', anonymousId: session, lineItems: [{ sku: DEMO_SKUS[0], quantity: 1 }] };
    return bodyOf(await emu.api.post<Cart>(`${berlin}/carts`, draft), 201);
  }

  test('when a cart is created in a store, then it carries that store', async () => {
    const cart = await berlinCart();

    expect(cart.store).toMatchObject({ key: 'berlin-mitte' });
  });

  test('when a cart of one store is read by id in another store, then the answer is 404 ResourceNotFound', async () => {
    const cart = await berlinCart();

    const response = await emu.api.get<CtErrorBody>(`${vienna}/carts/${cart.id}`);

    expect(response.status).toBe(404);
    expect(response.body.errors?.[0]?.code).toBe('ResourceNotFound');
  });

  test('when a cart is read by id in its own store, then it is answered', async () => {
    const cart = await berlinCart();

    const read = bodyOf(await emu.api.get<Cart>(`${berlin}/carts/${cart.id}`), 200);

    expect(read.id).toBe(cart.id);
  });

  test('when a cart of one store is updated in another store, then the answer is 404 and the cart is unchanged', async () => {
    const cart = await berlinCart();

    const response = await emu.api.post<CtErrorBody>(`${vienna}/carts/${cart.id}`, {
      version: cart.version,
      actions: [{ action: 'setCountry', country: 'AT' }],
    });

    expect(response.status).toBe(404);
    expect(bodyOf(await emu.api.get<Cart>(`/carts/${cart.id}`), 200).version).toBe(cart.version);
  });

  test('when carts are queried in a store, then only that store carts are answered', async () => {
    const session = anonymousId();
    const cart = await berlinCart(session);
    const query = `/carts?where=${encodeURIComponent(`anonymousId="${session}"`)}`;

    const inVienna = bodyOf(await emu.api.get<Page>(`${vienna}${query}`), 200);
    const inBerlin = bodyOf(await emu.api.get<Page>(`${berlin}${query}`), 200);

    expect(inVienna.results).toEqual([]);
    expect(inBerlin.results.map((each) => each.id)).toEqual([cart.id]);
  });
});

describe('emulator: in-store sign-up and sign-in hand the anonymous session over', () => {
  const emu = useEmulator('in-store-customers');
  const berlin = '/in-store/key=berlin-mitte';

  async function berlinCart(session: string): Promise<Cart> {
    const draft = { currency: 'EUR', anonymousId: session, lineItems: [{ sku: DEMO_SKUS[0], quantity: 1 }] };
    return bodyOf(await emu.api.post<Cart>(`${berlin}/carts`, draft), 201);
  }

  test('when a customer signs up in a store with an anonymousId, then the session cart becomes theirs', async () => {
    const session = anonymousId();
    const cart = await berlinCart(session);

    const response = await emu.api.post<{ customer: { id: string }; cart?: Cart }>(`${berlin}/customers`, {
      email: email(),
      password: 'secret-1',
      anonymousId: session,
    });

    const result = bodyOf(response, 201);
    expect(result.cart).toMatchObject({ id: cart.id, customerId: result.customer.id });
  });

  test('when a customer signs in in a store with an anonymousId, then the session cart becomes theirs', async () => {
    const address = email();
    bodyOf(await emu.api.post(`${berlin}/customers`, { email: address, password: 'secret-1' }), 201);
    const session = anonymousId();
    const cart = await berlinCart(session);

    const response = await emu.api.post<{ customer: { id: string }; cart?: Cart }>(`${berlin}/login`, {
      email: address,
      password: 'secret-1',
      anonymousId: session,
    });

    const result = bodyOf(response, 200);
    expect(result.cart).toMatchObject({ id: cart.id, customerId: result.customer.id });
  });

  test('when the in-store sign-in has wrong credentials, then the answer is 400 InvalidCredentials', async () => {
    const response = await emu.api.post<CtErrorBody>(`${berlin}/login`, { email: email(), password: 'nope-1' });

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.code).toBe('InvalidCredentials');
  });
});
