import { VERSIONLESS_RETRY } from '../../src/domain/versionless-retry';
import { Unavailable } from '../../src/domain/ports';
import { createDomain, failBeforeSending, loseTheAnswer, POS } from '../support/fakes';

async function withCart() {
  const domain = createDomain();
  const session = await domain.sessions.start(POS);
  const cart = await domain.carts.createCart(POS, session.anonymousId, { currency: 'EUR' });
  return { ...domain, cart };
}

const MUG = { sku: 'MUG-WHITE', quantity: 1 };
const quantityOfMugs = (cart: { lineItems: Array<{ variant: { sku?: string }; quantity: number }> } | undefined) =>
  cart?.lineItems.find((item) => item.variant.sku === MUG.sku)?.quantity ?? 0;

describe('adding a line item under an Idempotency-Key (CartService.addLineItem)', () => {
  test('when the add landed but its answer was lost, then the retry answers that cart without adding again', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('updateCart', loseTheAnswer);
    await expect(carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' })).rejects.toBeInstanceOf(Unavailable);

    const retried = await carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' });

    expect(quantityOfMugs(retried)).toBe(1);
    expect(retried.version).toBe(cart.version + 1);
    expect(commerce.calls.filter((c) => c === 'updateCart')).toHaveLength(1);
  });

  test('when the add never reached commercetools, then the retry adds once', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('updateCart', failBeforeSending);
    await expect(carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' })).rejects.toBeInstanceOf(Unavailable);

    const retried = await carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' });

    expect(quantityOfMugs(retried)).toBe(1);
    expect(quantityOfMugs(commerce.carts.get(cart.id))).toBe(1);
  });

  test('when the cart moved on in another way after a lost answer, then the retry is ConcurrentModification with the current version', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('updateCart', loseTheAnswer);
    await expect(carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' })).rejects.toBeInstanceOf(Unavailable);
    const moved = commerce.changeCartElsewhere(cart.id);

    const retrying = carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' });

    await expect(retrying).rejects.toMatchObject({
      code: 'ConcurrentModification',
      extensions: { currentVersion: moved.version },
    });
    expect(quantityOfMugs(commerce.carts.get(cart.id))).toBe(1);
  });

  test('when another change lands between the read and the add, then the add is made on the current cart once', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('updateCart', async (proceed) => {
      commerce.changeCartElsewhere(cart.id);
      return proceed();
    });

    const added = await carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' });

    expect(quantityOfMugs(added)).toBe(1);
    expect(added.version).toBe(cart.version + 2);
  });

  test('when a completed add is repeated under the same key, then the cart is answered without adding again', async () => {
    const { carts, commerce, cart } = await withCart();
    const first = await carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' });

    const again = await carts.addLineItem(POS, cart.id, MUG, { idempotencyKey: 'add-1' });

    expect(again).toEqual(first);
    expect(quantityOfMugs(commerce.carts.get(cart.id))).toBe(1);
  });

  test('when the caller sends a stale version, then it is ConcurrentModification with the current version and nothing is added', async () => {
    const { carts, commerce, cart } = await withCart();
    const moved = commerce.changeCartElsewhere(cart.id);

    const adding = carts.addLineItem(POS, cart.id, MUG, { version: cart.version });

    await expect(adding).rejects.toMatchObject({
      code: 'ConcurrentModification',
      extensions: { currentVersion: moved.version },
    });
    expect(quantityOfMugs(commerce.carts.get(cart.id))).toBe(0);
  });
});

describe('version-less updates under contention (CartService, re-reads with backoff)', () => {
  test('when the cart changes before each of six attempts, then the seventh lands the add once', async () => {
    const { carts, commerce, cart } = await withCart();
    for (let i = 0; i < 6; i++) {
      commerce.interceptNext('updateCart', async (proceed) => {
        commerce.changeCartElsewhere(cart.id);
        return proceed();
      });
    }

    const added = await carts.addLineItem(POS, cart.id, MUG);

    expect(quantityOfMugs(added)).toBe(1);
    expect(commerce.calls.filter((c) => c === 'updateCart')).toHaveLength(7);
  });

  test('when every attempt meets a conflict until the deadline, then it is ConcurrentModification with the current version', async () => {
    const { carts, commerce, cart } = await withCart();
    for (let i = 0; i < 200; i++) {
      commerce.interceptNext('updateCart', async (proceed) => {
        commerce.changeCartElsewhere(cart.id);
        return proceed();
      });
    }
    jest.useFakeTimers();

    try {
      const adding = carts.addLineItem(POS, cart.id, MUG);
      adding.catch(() => undefined);
      await jest.advanceTimersByTimeAsync(VERSIONLESS_RETRY.deadlineMs + 1000);

      await expect(adding).rejects.toMatchObject({
        code: 'ConcurrentModification',
        extensions: { currentVersion: commerce.carts.get(cart.id)!.version },
      });
      expect(quantityOfMugs(commerce.carts.get(cart.id))).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
