import { bearer, uniqueName, type TestContext } from './harness';

/**
 * Steps of a till (one API client) over HTTP, for the ownership tests: each answers the response
 * (status and body), so a test asserts what it expects.
 */
export function tills(ctx: TestContext) {
  const as = (key: string) => bearer(key);
  return {
    email: () => `${uniqueName('shopper')}@example.com`,
    async session(key: string): Promise<string> {
      return (await ctx.http.post('/v1/sessions').set(as(key)).send({}).expect(201)).body.anonymousId;
    },
    async cart(key: string, anonymousId: string, quantity = 1, sku = ctx.skus[0]) {
      return (
        await ctx.http
          .post(`/v1/sessions/${anonymousId}/carts`)
          .set(as(key))
          .send({ currency: 'EUR', lineItems: [{ sku, quantity }], shippingAddress: { country: 'DE' } })
          .expect(201)
      ).body;
    },
    signUp: (key: string, anonymousId: string, email: string) =>
      ctx.http.post(`/v1/sessions/${anonymousId}/sign-up`).set(as(key)).send({ email, password: 'Secret-123' }),
    signIn: (key: string, anonymousId: string, email: string, cartSignInMode = 'MergeWithExistingCustomerCart') =>
      ctx.http
        .post(`/v1/sessions/${anonymousId}/sign-in`)
        .set(as(key))
        .send({ email, password: 'Secret-123', cartSignInMode }),
    readCart: (key: string, cartId: string) => ctx.http.get(`/v1/carts/${cartId}`).set(as(key)),
    addItem: (key: string, cartId: string, quantity = 1) =>
      ctx.http.post(`/v1/carts/${cartId}/line-items`).set(as(key)).send({ sku: ctx.skus[0], quantity }),
    setEmail: (key: string, cartId: string, customerEmail = 'till@example.com') =>
      ctx.http.patch(`/v1/carts/${cartId}`).set(as(key)).send({ customerEmail }),
    order: (key: string, cartId: string, body: Record<string, unknown> = {}) =>
      ctx.http.post(`/v1/carts/${cartId}/order`).set(as(key)).send(body),
    readOrder: (key: string, orderId: string) => ctx.http.get(`/v1/orders/${orderId}`).set(as(key)),
    listCarts: (key: string, anonymousId: string) => ctx.http.get(`/v1/sessions/${anonymousId}/carts`).set(as(key)),
    listOrders: (key: string, anonymousId: string) => ctx.http.get(`/v1/sessions/${anonymousId}/orders`).set(as(key)),
    activeCart: (key: string, anonymousId: string) =>
      ctx.http.get(`/v1/sessions/${anonymousId}/active-cart`).set(as(key)),
  };
}
