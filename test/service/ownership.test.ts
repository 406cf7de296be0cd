import { createTestContext, KEYS, type TestContext } from '../support/harness';
import { tills } from '../support/tills';
import { elapse } from '../support/wait';

/**
 * The ownership model (docs/ownership.md) over HTTP with two tills (clients A and B) and admin.
 * Each describe builds its scenario once; each test checks one behaviour of it.
 */
let ctx: TestContext;
let till: ReturnType<typeof tills>;
beforeAll(async () => {
  ctx = await createTestContext();
  till = tills(ctx);
});
afterAll(() => ctx.close());

describe('when B signs customer X up and A then signs X in at another till (merge)', () => {
  let bSession: string;
  let bOrderedCart: { id: string };
  let bOrder: { id: string };
  let handedOver: { id: string };
  let aSession: string;
  let aCart: { id: string };
  let signUp: { status: number; body: any };
  let signIn: { status: number; body: any };

  beforeAll(async () => {
    const x = till.email();
    bSession = await till.session(KEYS.b);
    bOrderedCart = await till.cart(KEYS.b, bSession);
    bOrder = (await till.order(KEYS.b, bOrderedCart.id).expect(201)).body;
    handedOver = await till.cart(KEYS.b, bSession, 2);
    signUp = await till.signUp(KEYS.b, bSession, x);
    aSession = await till.session(KEYS.a);
    aCart = await till.cart(KEYS.a, aSession, 3, ctx.skus[1]);
    signIn = await till.signIn(KEYS.a, aSession, x);
  });

  test('then the sign-up answers B a grant on the cart it handed over', () => {
    expect(signUp.status).toBe(201);
    expect(signUp.body.grant).toEqual({ cartId: handedOver.id, expiresAt: expect.any(String) });
    const lifetime = Date.parse(signUp.body.grant.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(86_400_000 - 60_000);
    expect(lifetime).toBeLessThanOrEqual(86_400_000);
  });

  test("then the sign-in answers A the customer's cart, holding A's items, with a grant on it", () => {
    expect(signIn.status).toBe(200);
    expect(signIn.body.cart.id).toBe(handedOver.id);
    expect(signIn.body.grant).toEqual({ cartId: handedOver.id, expiresAt: expect.any(String) });
    const items = signIn.body.cart.lineItems.map((item: { variant: { sku: string }; quantity: number }) => [
      item.variant.sku,
      item.quantity,
    ]);
    expect(items).toEqual(
      expect.arrayContaining([
        [ctx.skus[0], 2],
        [ctx.skus[1], 3],
      ]),
    );
  });

  test('then A reads the cart through its grant', async () => {
    const response = await till.readCart(KEYS.a, handedOver.id);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(handedOver.id);
  });

  test('then B no longer reads the cart: 404', async () => {
    const response = await till.readCart(KEYS.b, handedOver.id);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('CartNotFound');
  });

  test('then B can neither add to it, change it nor order it: 404 each', async () => {
    expect((await till.addItem(KEYS.b, handedOver.id)).status).toBe(404);
    expect((await till.setEmail(KEYS.b, handedOver.id)).status).toBe(404);
    expect((await till.order(KEYS.b, handedOver.id)).status).toBe(404);
  });

  test("then B still reads its ended session's other cart, read only: changes are 409 SessionEnded", async () => {
    expect((await till.readCart(KEYS.b, bOrderedCart.id)).status).toBe(200);
    const add = await till.addItem(KEYS.b, bOrderedCart.id);
    expect(add.status).toBe(409);
    expect(add.body.code).toBe('SessionEnded');
    expect((await till.setEmail(KEYS.b, bOrderedCart.id)).body.code).toBe('SessionEnded');
  });

  test("then B's listing of its ended session leaves out the handed-over cart", async () => {
    const response = await till.listCarts(KEYS.b, bSession);
    expect(response.status).toBe(200);
    expect(response.body.results.map((c: { id: string }) => c.id)).toEqual([bOrderedCart.id]);
  });

  test("then B's ended session has no active cart: the handed-over one is not its any more", async () => {
    const response = await till.activeCart(KEYS.b, bSession);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NoActiveCart');
  });

  test("then A reads its own ended session's merged cart, read only", async () => {
    expect((await till.readCart(KEYS.a, aCart.id)).status).toBe(200);
    const add = await till.addItem(KEYS.a, aCart.id);
    expect(add.status).toBe(409);
    expect(add.body.code).toBe('SessionEnded');
  });

  test('then A changes the cart through its grant, orders it, and reads the order; B and the listing of its session do not see it', async () => {
    expect((await till.addItem(KEYS.a, handedOver.id)).status).toBe(200);
    expect((await till.setEmail(KEYS.a, handedOver.id)).status).toBe(200);
    const order = await till.order(KEYS.a, handedOver.id);
    expect(order.status).toBe(201);
    expect(order.body.anonymousId).toBe(bSession);
    expect((await till.readOrder(KEYS.a, order.body.id)).status).toBe(200);
    expect((await till.readOrder(KEYS.b, order.body.id)).status).toBe(404);
    const listed = await till.listOrders(KEYS.b, bSession);
    expect(listed.body.results.map((o: { id: string }) => o.id)).toEqual([bOrder.id]);
    expect((await till.readOrder(KEYS.admin, order.body.id)).status).toBe(200);
  });

  test('then, once ordered, the granted cart takes no more changes: 409', async () => {
    const add = await till.addItem(KEYS.a, handedOver.id);
    expect(add.status).toBe(409);
    expect(add.body.code).toBe('CartAlreadyOrdered');
  });

  test('then B still reads the order its session placed before it ended', async () => {
    expect((await till.readOrder(KEYS.b, bOrder.id)).status).toBe(200);
    expect((await till.readOrder(KEYS.a, bOrder.id)).status).toBe(404);
  });
});

describe('every row of the table', () => {
  test('when a session is active, then its client reads and changes its carts, another client gets 404, admin reads', async () => {
    const session = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, session);
    expect((await till.readCart(KEYS.a, cart.id)).status).toBe(200);
    expect((await till.addItem(KEYS.a, cart.id)).status).toBe(200);
    expect((await till.readCart(KEYS.b, cart.id)).status).toBe(404);
    expect((await till.addItem(KEYS.b, cart.id)).status).toBe(404);
    expect((await till.readCart(KEYS.admin, cart.id)).status).toBe(200);
  });

  test("when a session is active, then its client reads its orders and another client's read is 404", async () => {
    const session = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, session);
    const order = (await till.order(KEYS.a, cart.id).expect(201)).body;
    expect((await till.readOrder(KEYS.a, order.id)).status).toBe(200);
    expect((await till.readOrder(KEYS.b, order.id)).status).toBe(404);
    expect((await till.readOrder(KEYS.admin, order.id)).status).toBe(200);
  });

  test('when a session ended by a sign-up without a cart, then its ordered carts stay readable, read only', async () => {
    const session = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, session);
    await till.order(KEYS.a, cart.id).expect(201);
    const signUp = await till.signUp(KEYS.a, session, till.email());
    expect(signUp.body.grant).toBeUndefined();
    expect((await till.readCart(KEYS.a, cart.id)).status).toBe(200);
    expect((await till.setEmail(KEYS.a, cart.id)).body.code).toBe('SessionEnded');
    expect((await till.readCart(KEYS.b, cart.id)).status).toBe(404);
  });

  test('when a session was handed over, then the handed-over cart is 404 through the session, even for its client without the grant', async () => {
    // The grant is the only way: a second hand-over of the customer (same client, another session) ends the first grant.
    const x = till.email();
    const first = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, first);
    await till.signUp(KEYS.a, first, x).expect(201);
    const second = await till.session(KEYS.a);
    const other = await till.cart(KEYS.a, second);
    const signIn = await till.signIn(KEYS.a, second, x, 'UseAsNewActiveCustomerCart');
    expect(signIn.body.grant.cartId).toBe(other.id);
    expect((await till.readCart(KEYS.a, cart.id)).status).toBe(404);
    expect((await till.readCart(KEYS.a, other.id)).status).toBe(200);
  });

  test('when the handed-over cart is read by admin, then admin reads it', async () => {
    const session = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, session);
    await till.signUp(KEYS.a, session, till.email()).expect(201);
    expect((await till.readCart(KEYS.admin, cart.id)).status).toBe(200);
  });

  test('when a customer cart was made outside the service, then no client reaches it and admin does', async () => {
    const session = await till.session(KEYS.a);
    const customerId = (await till.signUp(KEYS.a, session, till.email()).expect(201)).body.customer.id;
    const direct = await ctx.ct('/carts', { method: 'POST', body: { currency: 'EUR', customerId } });
    expect(direct.status).toBe(201);
    expect((await till.readCart(KEYS.a, direct.body.id)).status).toBe(404);
    expect((await till.addItem(KEYS.a, direct.body.id)).status).toBe(404);
    expect((await till.readCart(KEYS.admin, direct.body.id)).status).toBe(200);
  });
});

describe('when a second client signs the same customer in', () => {
  test("then the first client's grant ends: the cart it could reach through the grant is 404", async () => {
    const x = till.email();
    const bSession = await till.session(KEYS.b);
    const bCart = await till.cart(KEYS.b, bSession);
    await till.signUp(KEYS.b, bSession, x).expect(201);
    expect((await till.readCart(KEYS.b, bCart.id)).status).toBe(200);
    const aSession = await till.session(KEYS.a);
    const aCart = await till.cart(KEYS.a, aSession);
    const signIn = await till.signIn(KEYS.a, aSession, x, 'UseAsNewActiveCustomerCart');
    expect(signIn.body.grant.cartId).toBe(aCart.id);
    expect((await till.readCart(KEYS.b, bCart.id)).status).toBe(404);
    expect((await till.addItem(KEYS.b, bCart.id)).status).toBe(404);
    expect((await till.readCart(KEYS.a, aCart.id)).status).toBe(200);
  });
});

describe('when the grant expires', () => {
  let short: TestContext;
  let shortTill: ReturnType<typeof tills>;
  beforeAll(async () => {
    short = await createTestContext({ env: { CUSTOMER_GRANT_TTL_SECONDS: '2' } });
    shortTill = tills(short);
  });
  afterAll(() => short.close());

  test('then the handed-over cart is 404 for reads and changes; the ended session and its orders stay readable', async () => {
    const session = await shortTill.session(KEYS.a);
    const ordered = await shortTill.cart(KEYS.a, session);
    const order = (await shortTill.order(KEYS.a, ordered.id).expect(201)).body;
    const cart = await shortTill.cart(KEYS.a, session);
    const signUp = await shortTill.signUp(KEYS.a, session, shortTill.email()).expect(201);
    expect(signUp.body.grant.cartId).toBe(cart.id);
    expect((await shortTill.readCart(KEYS.a, cart.id)).status).toBe(200);
    await elapse(2_500);
    expect((await shortTill.readCart(KEYS.a, cart.id)).status).toBe(404);
    expect((await shortTill.addItem(KEYS.a, cart.id)).status).toBe(404);
    expect((await shortTill.readCart(KEYS.a, ordered.id)).status).toBe(200);
    expect((await shortTill.readOrder(KEYS.a, order.id)).status).toBe(200);
  });
});

describe('order what the caller saw', () => {
  test('when the order names a stale version, then it is 409 ConcurrentModification with currentVersion and nothing is ordered', async () => {
    const session = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, session);
    await till.addItem(KEYS.a, cart.id).expect(200);
    const response = await till.order(KEYS.a, cart.id, { version: cart.version });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: cart.version + 1 });
    expect((await till.readCart(KEYS.a, cart.id)).body.cartState).toBe('Active');
  });

  test('when the order names the current version, then it is ordered', async () => {
    const session = await till.session(KEYS.a);
    const cart = await till.cart(KEYS.a, session);
    const response = await till.order(KEYS.a, cart.id, { version: cart.version, orderNumber: `V-${cart.id}` });
    expect(response.status).toBe(201);
    expect(response.body.orderNumber).toBe(`V-${cart.id}`);
  });
});
