import type { Server } from 'node:http';
import request from 'supertest';
import { bearer, KEYS, uniqueName, type TestContext } from './harness';
import type { RecordedCall } from './recording-proxy';

/**
 * Shared fixtures of the HTTP-level tests, on a `TestContext` (or anything with its `server`).
 * Each one expects success (201) so a broken arrange step fails where it broke; a test that
 * checks the answer itself sends the request through `agent(ctx, key)` instead.
 */

/** What the fixtures need of a test context: the service's HTTP server. */
export interface ServiceUnderTest {
  server: Server;
}

/** A supertest agent whose every request carries `key` as bearer: `agent(ctx).get('/v1/...')`. */
export function agent(ctx: ServiceUnderTest, key: string = KEYS.a) {
  return request.agent(ctx.server).set(bearer(key));
}

/** POST /v1/sessions with `body`, answer unchecked (for tests of the minting itself). */
export function mint(ctx: ServiceUnderTest, body: object = {}, key: string = KEYS.a) {
  return agent(ctx, key).post('/v1/sessions').send(body);
}

/** A fresh anonymous session of `key`'s client: its anonymousId. */
export async function newSession(ctx: ServiceUnderTest, key: string = KEYS.a): Promise<string> {
  return (await mint(ctx, {}, key).expect(201)).body.anonymousId;
}

/** The body `newCart` sends by default: a EUR cart that can be ordered (ordering needs a shipping address). */
export const ORDERABLE_CART = { currency: 'EUR', shippingAddress: { country: 'DE' } } as const;

/** A cart of the session, created through the service (201 expected): the cart as answered. */
export async function newCart(
  ctx: ServiceUnderTest,
  anonymousId: string,
  body: object = ORDERABLE_CART,
  key: string = KEYS.a,
) {
  return (await agent(ctx, key).post(`/v1/sessions/${anonymousId}/carts`).send(body).expect(201)).body;
}

/** A new session of `key`'s client with a cart of `body` (201s expected): its anonymousId and the cart as answered. */
export async function newSessionWithCart(ctx: ServiceUnderTest, body: object = ORDERABLE_CART, key: string = KEYS.a) {
  const anonymousId = await newSession(ctx, key);
  return { anonymousId, cart: await newCart(ctx, anonymousId, body, key) };
}

/** Orders the cart through the service (201 expected): the order as answered. */
export async function orderCart(ctx: ServiceUnderTest, cartId: string, body: object = {}, key: string = KEYS.a) {
  return (await agent(ctx, key).post(`/v1/carts/${cartId}/order`).send(body).expect(201)).body;
}

/** A session with a cart holding one of the first SKU (no shipping address), created through the service. */
export async function newCartWithOneItem(
  ctx: ServiceUnderTest & Pick<TestContext, 'skus'>,
): Promise<{ id: string; version: number; lineItems: Array<{ id: string; quantity: number }> }> {
  return newCart(ctx, await newSession(ctx), { currency: 'EUR', lineItems: [{ sku: ctx.skus[0], quantity: 1 }] });
}

/** The cart's total quantity, read from commercetools directly (not through the service). */
export async function quantityIn(ctx: Pick<TestContext, 'ct'>, cartId: string): Promise<number> {
  const lineItems = (await ctx.ct(`/carts/${cartId}`)).body.lineItems as Array<{ quantity: number }>;
  return lineItems.reduce((sum, item) => sum + item.quantity, 0);
}

/** Matches the service's POST to `/{projectKey}{suffix}` among the recorded upstream calls (`ctx.faults`, `ctx.upstreamCalls`). */
export const upstreamPost =
  (ctx: Pick<TestContext, 'projectKey'>, suffix: string) =>
  (call: RecordedCall): boolean =>
    call.method === 'POST' && call.path === `/${ctx.projectKey}${suffix}`;

/** Matches the service's GETs under `/{projectKey}{prefix}` among the recorded upstream calls. */
export const upstreamGet =
  (ctx: Pick<TestContext, 'projectKey'>, prefix: string) =>
  (call: RecordedCall): boolean =>
    call.method === 'GET' && call.path.startsWith(`/${ctx.projectKey}${prefix}`);

/** A fresh Idempotency-Key. */
export const newIdempotencyKey = (prefix = 'key'): string => uniqueName(prefix);

/** A fresh customer email, so sign-ups never collide. */
export const newEmail = (prefix = 'shopper'): string => `${uniqueName(prefix)}@example.com`;
