import { createHash, randomBytes } from 'node:crypto';

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}

/**
 * The cart `key` of a create made under an Idempotency-Key: the same client, session and key
 * always give the same cart key, so a create whose response was lost is found, not made twice.
 * Cart keys match ^[A-Za-z0-9_-]{2,256}$.
 */
export function cartKeyFor(clientId: string, anonymousId: string, idempotencyKey: string): string {
  return `gc-${digest('cart', clientId, anonymousId, idempotencyKey).slice(0, 40)}`;
}

/**
 * The `key` of the customer a session's sign-up creates. A session is signed up at most once, so
 * the key comes from the session alone: a sign-up whose answer was lost is found by it on any
 * retry, whatever Idempotency-Key the retry carries. Customer keys match ^[A-Za-z0-9_-]{2,256}$.
 */
export function customerKeyFor(clientId: string, anonymousId: string): string {
  return `gc-${digest('customer', clientId, anonymousId).slice(0, 40)}`;
}

/**
 * The orderNumber the service gives an order when the caller gives none: derived from the
 * Idempotency-Key when there is one (a retry finds the same order), random otherwise. Either way
 * a lost response is resolved by looking the order up by its number.
 */
export function orderNumberFor(clientId: string, cartId: string, idempotencyKey?: string): string {
  const suffix = idempotencyKey
    ? digest('order', clientId, cartId, idempotencyKey).slice(0, 20)
    : randomBytes(12).toString('base64url');
  return `GC-${suffix}`;
}

/**
 * The `key` of a payment the service creates for a cart: derived from the Idempotency-Key when
 * there is one (a retry finds the payment its lost answer made instead of making another), random
 * otherwise (the same request still finds it after a lost answer). Payment keys match
 * ^[A-Za-z0-9_-]{2,256}$.
 */
export function paymentKeyFor(clientId: string, cartId: string, idempotencyKey?: string): string {
  const suffix = idempotencyKey
    ? digest('payment', clientId, cartId, idempotencyKey).slice(0, 40)
    : randomBytes(20).toString('base64url');
  return `gp-${suffix}`;
}
