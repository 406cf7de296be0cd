import type { Cart } from '@commercetools/platform-sdk';
import { anonymousId, bodyOf, createCart, useEmulator, type CtErrorBody } from './emulator-fixture';

describe('emulator: POST /{projectKey}/carts with a key', () => {
  const emu = useEmulator('cart-key');

  test('when a cart is created with a key, then it keeps the key and GET /carts/key= finds it', async () => {
    const key = `k-${Date.now()}`;
    const cart = await createCart(emu.api, { anonymousId: anonymousId(), key });
    expect(cart.key).toBe(key);
    expect(bodyOf(await emu.api.get<Cart>(`/carts/key=${key}`), 200)).toMatchObject({ id: cart.id, key, version: 1 });
  });

  test('when the key is taken, then a second create answers 400 DuplicateField and makes no cart', async () => {
    const key = `dup-${Date.now()}`;
    const aid = anonymousId();
    await createCart(emu.api, { anonymousId: aid, key });
    const again = await emu.api.post<CtErrorBody>('/carts', { currency: 'EUR', anonymousId: aid, key });
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: key });
    const carts = await emu.api.get<{ results: Cart[] }>(
      `/carts?where=${encodeURIComponent('anonymousId = :aid')}&var.aid=${aid}`,
    );
    expect(carts.body.results).toHaveLength(1);
  });

  test('when no key is given, then carts are created as before', async () => {
    const cart = await createCart(emu.api, { anonymousId: anonymousId() });
    expect(cart.key).toBeUndefined();
  });
});
