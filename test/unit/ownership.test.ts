import type { Caller } from '../../src/domain/api-keys';
import { DomainError } from '../../src/domain/errors';
import { toView } from '../../src/domain/session.service';
import { createDomain, POS } from '../support/fakes';

const OTHER: Caller = { clientId: 'other-till', scopes: new Set(['sessions', 'customers']) };

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
  );

/** A customer signed up on POS's session, whose cart was handed over with a grant. */
async function handedOver() {
  const domain = createDomain();
  const session = await domain.sessions.start(POS);
  const cart = await domain.carts.createCart(POS, session.anonymousId, { currency: 'EUR' });
  const result = await domain.customers.signUp(POS, session.anonymousId, { email: 'x@example.com', password: 'p' });
  return { ...domain, session, cart, result };
}

describe('the ownership decision (CartService.access)', () => {
  test('when a sign-up hands a cart over, then the answer carries a grant on it for the caller', async () => {
    const { result, cart, grants } = await handedOver();

    expect(result.grant?.cartId).toBe(cart.id);
    expect((await grants.get(cart.id))?.clientId).toBe(POS.clientId);
  });

  test('when the grant was ordered through, then a change is CartAlreadyOrdered', async () => {
    const { carts, cart, grants } = await handedOver();
    await grants.markOrdered(cart.id);

    expect(await codeOf(carts.updateCart(POS, cart.id, { customerEmail: 'y@example.com' }))).toBe('CartAlreadyOrdered');
  });

  test('when the grant is gone, then the handed-over cart is CartNotFound for its former holder', async () => {
    const { carts, cart, grants } = await handedOver();
    grants.grants.delete(cart.id);

    expect(await codeOf(carts.getCart(POS, cart.id))).toBe('CartNotFound');
  });

  test('when another client holds no grant, then the handed-over cart is CartNotFound', async () => {
    const { carts, cart } = await handedOver();

    expect(await codeOf(carts.getCart(OTHER, cart.id))).toBe('CartNotFound');
  });

  test('when an active session lapses while its record is kept, then it shows as ended at its expiry', () => {
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const view = toView({
      anonymousId: 'a',
      clientId: 'pos',
      status: 'active',
      createdAt: new Date(Date.now() - 5000).toISOString(),
      expiresAt,
      hasOrders: true,
    });

    expect(view).toMatchObject({ status: 'ended', endedAt: expiresAt });
  });
});
