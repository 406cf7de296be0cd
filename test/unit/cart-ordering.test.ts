import type { Cart } from '@commercetools/platform-sdk';
import { VERSIONLESS_RETRY } from '../../src/domain/versionless-retry';
import { DomainError } from '../../src/domain/errors';
import { Unavailable, VersionConflict } from '../../src/domain/ports';
import { createDomain, failBeforeSending, loseTheAnswer, POS } from '../support/fakes';

/** Ordering needs a shipping address (Create Order). */
const ORDERABLE = { currency: 'EUR', shippingAddress: { country: 'DE' } };

/** A domain with a session holding one Active cart that can be ordered. */
async function withCart() {
  const domain = createDomain();
  const session = await domain.sessions.start(POS);
  const cart = await domain.carts.createCart(POS, session.anonymousId, ORDERABLE);
  return { ...domain, session, cart };
}

const ordersOf = (commerce: { orders: Map<string, { cart?: { id: string } }> }, cart: Cart) =>
  [...commerce.orders.values()].filter((o) => o.cart?.id === cart.id);

describe('ordering a cart (CartService.order)', () => {
  test('when the order was made but its answer was lost, then the order found by its number is the answer', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('createOrder', loseTheAnswer);

    const order = await carts.order(POS, cart.id, { idempotencyKey: 'order-1' });

    expect(order.cart?.id).toBe(cart.id);
    expect(ordersOf(commerce, cart)).toEqual([order]);
    expect(commerce.calls).toContain('getOrderByNumber');
  });

  test('when nothing was made and commercetools is unreachable, then the failure reaches the caller', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('createOrder', failBeforeSending);

    const ordering = carts.order(POS, cart.id, { idempotencyKey: 'order-1' });

    await expect(ordering).rejects.toBeInstanceOf(Unavailable);
    expect(ordersOf(commerce, cart)).toEqual([]);
  });

  test('when a retry under the same Idempotency-Key finds the order it made, then that order is answered again', async () => {
    const { carts, commerce, cart } = await withCart();
    const first = await carts.order(POS, cart.id, { idempotencyKey: 'order-1' });

    const again = await carts.order(POS, cart.id, { idempotencyKey: 'order-1' });

    expect(again).toEqual(first);
    expect(ordersOf(commerce, cart)).toHaveLength(1);
  });

  test('when the cart already has an order under another number, then it is CartAlreadyOrdered', async () => {
    const { carts, commerce, cart } = await withCart();
    await carts.order(POS, cart.id, { idempotencyKey: 'order-1' });

    const again = carts.order(POS, cart.id, { idempotencyKey: 'order-2' });

    await expect(again).rejects.toMatchObject({ code: 'CartAlreadyOrdered' });
    expect(ordersOf(commerce, cart)).toHaveLength(1);
  });

  test('when the cart changes between the read and the order, then the order is retried with the current version', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('createOrder', async (proceed) => {
      commerce.changeCartElsewhere(cart.id);
      return proceed();
    });

    const order = await carts.order(POS, cart.id);

    expect(order.cart?.id).toBe(cart.id);
    expect(commerce.calls.filter((c) => c === 'createOrder')).toHaveLength(2);
    expect(commerce.carts.get(cart.id)).toMatchObject({ cartState: 'Ordered', version: cart.version + 2 });
  });

  test('when every attempt meets a conflict until the retry deadline, then it is ConcurrentModification with the current version', async () => {
    const { carts, commerce, cart } = await withCart();
    for (let i = 0; i < 200; i++) {
      commerce.interceptNext('createOrder', async () => {
        throw new VersionConflict(commerce.changeCartElsewhere(cart.id).version);
      });
    }
    jest.useFakeTimers();

    try {
      const ordering = carts.order(POS, cart.id);
      ordering.catch(() => undefined);
      await jest.advanceTimersByTimeAsync(VERSIONLESS_RETRY.deadlineMs + 1000);

      await expect(ordering).rejects.toEqual(expect.any(DomainError));
      await expect(ordering).rejects.toMatchObject({
        code: 'ConcurrentModification',
        extensions: { currentVersion: commerce.carts.get(cart.id)!.version },
      });
      // Far more than the fixed 4 attempts of old: the deadline, not a count, ends the retries.
      expect(commerce.calls.filter((c) => c === 'createOrder').length).toBeGreaterThan(4);
    } finally {
      jest.useRealTimers();
    }
  });

  test('when the orderNumber is taken by another cart’s order, then it is DuplicateOrderNumber', async () => {
    const { carts, sessions, cart } = await withCart();
    const other = await carts.createCart(POS, (await sessions.start(POS)).anonymousId, ORDERABLE);
    await carts.order(POS, other.id, { orderNumber: 'POS-1' });

    const ordering = carts.order(POS, cart.id, { orderNumber: 'POS-1' });

    await expect(ordering).rejects.toMatchObject({ code: 'DuplicateOrderNumber' });
  });

  test('when the cart was ordered by someone else meanwhile, then it is CartAlreadyOrdered', async () => {
    const { carts, commerce, cart } = await withCart();
    commerce.interceptNext('createOrder', async (proceed) => {
      await commerce.createOrder({ cartId: cart.id, version: cart.version, orderNumber: 'ELSEWHERE-1' });
      return proceed();
    });

    const ordering = carts.order(POS, cart.id);

    await expect(ordering).rejects.toMatchObject({ code: 'CartAlreadyOrdered' });
    expect(ordersOf(commerce, cart)).toHaveLength(1);
  });
});
