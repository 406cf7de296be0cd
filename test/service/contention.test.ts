import { bearer, createTestContext, KEYS, type TestContext } from '../support/harness';
import type { RecordedCall } from '../support/recording-proxy';

describe('version-less cart changes under contention', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const auth = () => bearer(KEYS.a);
  const QUANTITIES = [1, 2, 3, 4, 5, 6, 7, 8];
  const total = QUANTITIES.reduce((sum, q) => sum + q, 0);

  async function newCart(): Promise<{ id: string }> {
    const session = await ctx.http.post('/v1/sessions').set(auth()).send({}).expect(201);
    return (
      await ctx.http
        .post(`/v1/sessions/${session.body.anonymousId}/carts`)
        .set(auth())
        .send({ currency: 'EUR' })
        .expect(201)
    ).body;
  }

  /** Holds the first eight updates of the cart upstream a moment, so all eight are sent on the same version. */
  function collideUpdatesOf(cartId: string): (call: RecordedCall) => boolean {
    const isUpdate = (call: RecordedCall) =>
      call.method === 'POST' && call.path === `/${ctx.projectKey}/carts/${cartId}`;
    ctx.faults.push({ match: isUpdate, fault: { kind: 'delay', ms: 100 }, times: QUANTITIES.length });
    return isUpdate;
  }

  test('when 8 line-item adds without version race on one cart, then all 8 succeed and the cart holds every quantity', async () => {
    const cart = await newCart();
    const isUpdate = collideUpdatesOf(cart.id);

    const responses = await Promise.all(
      QUANTITIES.map((quantity) =>
        ctx.http.post(`/v1/carts/${cart.id}/line-items`).set(auth()).send({ sku: ctx.skus[0], quantity }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(QUANTITIES.map(() => 200));
    const stored = await ctx.ct(`/carts/${cart.id}`);
    expect(stored.body.lineItems).toHaveLength(1);
    expect(stored.body.lineItems[0].quantity).toBe(total);
    // They did collide: more updates were sent than adds made (the conflicts were re-read and retried).
    expect(ctx.upstreamCalls.filter(isUpdate).length).toBeGreaterThan(QUANTITIES.length);
  });

  test('when 8 line-item adds race under their own Idempotency-Keys, then all 8 succeed once each', async () => {
    const cart = await newCart();
    collideUpdatesOf(cart.id);

    const responses = await Promise.all(
      QUANTITIES.map((quantity) =>
        ctx.http
          .post(`/v1/carts/${cart.id}/line-items`)
          .set(auth())
          .set('Idempotency-Key', `add-${cart.id}-${quantity}`)
          .send({ sku: ctx.skus[0], quantity }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(QUANTITIES.map(() => 200));
    expect((await ctx.ct(`/carts/${cart.id}`)).body.lineItems[0].quantity).toBe(total);
  });
});
