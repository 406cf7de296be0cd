import type { Server } from 'node:http';
import request from 'supertest';
import { bearer, KEYS } from './harness';

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

/** Orders the cart through the service (201 expected): the order as answered. */
export async function orderCart(ctx: ServiceUnderTest, cartId: string, body: object = {}, key: string = KEYS.a) {
  return (await agent(ctx, key).post(`/v1/carts/${cartId}/order`).send(body).expect(201)).body;
}
