import { agent, newCart, newEmail, newSession, ORDERABLE_CART } from './fixtures';
import type { TestContext } from './harness';

/**
 * Steps of a till (one API client) over HTTP, for the ownership tests: each answers the response
 * (status and body), so a test asserts what it expects.
 */
export function tills(ctx: TestContext) {
  return {
    email: () => newEmail(),
    session: (key: string): Promise<string> => newSession(ctx, key),
    cart: (key: string, anonymousId: string, quantity = 1, sku = ctx.skus[0]) =>
      newCart(ctx, anonymousId, { ...ORDERABLE_CART, lineItems: [{ sku, quantity }] }, key),
    signUp: (key: string, anonymousId: string, email: string) =>
      agent(ctx, key).post(`/v1/sessions/${anonymousId}/sign-up`).send({ email, password: 'Secret-123' }),
    signIn: (key: string, anonymousId: string, email: string, cartSignInMode = 'MergeWithExistingCustomerCart') =>
      agent(ctx, key)
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .send({ email, password: 'Secret-123', cartSignInMode }),
    readCart: (key: string, cartId: string) => agent(ctx, key).get(`/v1/carts/${cartId}`),
    addItem: (key: string, cartId: string, quantity = 1) =>
      agent(ctx, key).post(`/v1/carts/${cartId}/line-items`).send({ sku: ctx.skus[0], quantity }),
    setEmail: (key: string, cartId: string, customerEmail = 'till@example.com') =>
      agent(ctx, key).patch(`/v1/carts/${cartId}`).send({ customerEmail }),
    order: (key: string, cartId: string, body: Record<string, unknown> = {}) =>
      agent(ctx, key).post(`/v1/carts/${cartId}/order`).send(body),
    readOrder: (key: string, orderId: string) => agent(ctx, key).get(`/v1/orders/${orderId}`),
    listCarts: (key: string, anonymousId: string) => agent(ctx, key).get(`/v1/sessions/${anonymousId}/carts`),
    listOrders: (key: string, anonymousId: string) => agent(ctx, key).get(`/v1/sessions/${anonymousId}/orders`),
    activeCart: (key: string, anonymousId: string) => agent(ctx, key).get(`/v1/sessions/${anonymousId}/active-cart`),
  };
}
