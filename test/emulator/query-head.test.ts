import { anonymousId, createCart, orderCart, useEmulator } from './emulator-fixture';

describe('emulator: HEAD on cart and order queries', () => {
  const emu = useEmulator('head');
  const session = anonymousId();

  const head = (resource: 'carts' | 'orders', aid: string) =>
    emu.api.request('HEAD', `/${resource}?${new URLSearchParams({ where: 'anonymousId = :aid', 'var.aid': aid })}`);

  beforeAll(async () => {
    await orderCart(emu.api, await createCart(emu.api, { anonymousId: session }));
  });

  test('when a cart or order matches the predicate, then HEAD answers 200 without a body', async () => {
    expect(await head('carts', session)).toEqual({ status: 200, body: undefined });
    expect(await head('orders', session)).toEqual({ status: 200, body: undefined });
  });

  test('when nothing matches the predicate, then HEAD answers 404', async () => {
    const unknown = anonymousId();
    expect((await head('carts', unknown)).status).toBe(404);
    expect((await head('orders', unknown)).status).toBe(404);
  });
});
