import { agent, mint, newCart } from '../support/fixtures';
import { createTestContext, KEYS, type TestContext } from '../support/harness';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INJECTION = 'x" or anonymousId is defined or anonymousId = "y';

describe('sessions', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());

  test('when a client posts an empty body, then it gets a fresh active UUID v4 session', async () => {
    const response = await mint(ctx);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      anonymousId: expect.stringMatching(UUID_V4),
      status: 'active',
      createdAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(response.body.createdAt))).toBe(false);
  });

  test('when a client posts no body at all, then a session is minted too', async () => {
    const response = await agent(ctx).post('/v1/sessions');
    expect(response.status).toBe(201);
    expect(response.body.anonymousId).toMatch(UUID_V4);
  });

  test('when an id is minted, then carts and orders were both checked with an input-variable predicate', async () => {
    const { body } = await mint(ctx);
    const checks = ctx.upstreamCalls.filter(
      (call) => call.method === 'GET' && call.query.get('var.aid') === body.anonymousId,
    );
    expect(checks.map((call) => call.path).sort()).toEqual([`/${ctx.projectKey}/carts`, `/${ctx.projectKey}/orders`]);
    for (const call of checks) {
      expect(call.query.get('where')).toBe('anonymousId = :aid');
      expect(call.query.get('where')).not.toContain(body.anonymousId);
    }
  });

  test('when 50 sessions are minted concurrently, then all 50 ids are distinct', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => mint(ctx)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.body.anonymousId)).size).toBe(50);
  });

  test('when a client claims a valid unused id, then it gets that id', async () => {
    const anonymousId = `pos-7:till@store.${Date.now()}`;
    const response = await mint(ctx, { anonymousId });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ anonymousId, status: 'active' });
  });

  test('when 20 claims of one id run concurrently, then exactly one gets 201 and the rest 409 AnonymousIdInUse', async () => {
    const anonymousId = `race-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => mint(ctx, { anonymousId }, i % 2 ? KEYS.a : KEYS.b)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of responses.filter((r) => r.status === 409)) expect(r.body.code).toBe('AnonymousIdInUse');
  });

  test('when an id is already claimed, then claiming it again is 409 AnonymousIdInUse as problem+json', async () => {
    const anonymousId = `twice-${Date.now()}`;
    expect((await mint(ctx, { anonymousId })).status).toBe(201);
    const again = await mint(ctx, { anonymousId }, KEYS.b);
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({
      status: 409,
      code: 'AnonymousIdInUse',
      title: expect.any(String),
      detail: expect.any(String),
      type: expect.any(String),
    });
    expect(again.body.correlationId).toBe(again.headers['x-correlation-id']);
  });

  test('when a cart created directly in commercetools uses an id, then claiming that id is refused', async () => {
    const anonymousId = `direct-cart-${Date.now()}`;
    const created = await ctx.ct('/carts', { method: 'POST', body: { currency: 'EUR', anonymousId } });
    expect(created.status).toBe(201);
    const response = await mint(ctx, { anonymousId });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('AnonymousIdInUse');
    // The failed claim left no reservation behind: the id is still unknown to the service.
    expect((await agent(ctx).get(`/v1/sessions/${anonymousId}`)).status).toBe(404);
  });

  test('when an order created directly in commercetools carries an id, then claiming that id is refused', async () => {
    const anonymousId = `direct-order-${Date.now()}`;
    const cart = await ctx.ct('/carts', {
      method: 'POST',
      body: { currency: 'EUR', anonymousId, shippingAddress: { country: 'DE' } },
    });
    const order = await ctx.ct('/orders', {
      method: 'POST',
      body: { cart: { typeId: 'cart', id: cart.body.id }, version: cart.body.version },
    });
    expect(order.status).toBe(201);
    // Only the order carries the id now.
    const current = await ctx.ct(`/carts/${cart.body.id}`);
    expect((await ctx.ct(`/carts/${cart.body.id}?version=${current.body.version}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    const response = await mint(ctx, { anonymousId });
    expect(response.status).toBe(409);
  });

  test.each([
    ['an injection attempt', INJECTION],
    ['an empty id', ''],
    ['a space', 'a b'],
    ['a quote', 'a"b'],
    ['a brace', 'a{b}'],
    ['257 characters', 'a'.repeat(257)],
    ['a number', 42],
  ])(
    'when a client claims %s, then it is 400 ValidationFailed and nothing reaches commercetools',
    async (_label, anonymousId) => {
      const before = ctx.upstreamCalls.length;
      const response = await mint(ctx, { anonymousId });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ValidationFailed');
      expect(ctx.upstreamCalls.length).toBe(before);
    },
  );

  test('when a client sends an unknown field, then it is 400 naming the field', async () => {
    const response = await mint(ctx, { anonymousId: 'ok-id-1', colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.colour' })]));
  });

  test("when the injection value is used as a path id, then it is 400 and no other session's carts leak", async () => {
    const victim = (await mint(ctx)).body.anonymousId;
    await newCart(ctx, victim, { currency: 'EUR' });
    const before = ctx.upstreamCalls.length;
    const response = await agent(ctx).get(`/v1/sessions/${encodeURIComponent(INJECTION)}/carts`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toContain(victim);
    expect(ctx.upstreamCalls.length).toBe(before);
  });

  test('when the owner reads its session, then it gets it as minted', async () => {
    const { body: session } = await mint(ctx);

    const own = await agent(ctx).get(`/v1/sessions/${session.anonymousId}`);

    expect(own.status).toBe(200);
    expect(own.body).toEqual(session);
  });

  test('when another client reads a session, then it is 404 SessionNotFound', async () => {
    const { body: session } = await mint(ctx);

    const other = await agent(ctx, KEYS.b).get(`/v1/sessions/${session.anonymousId}`);

    expect(other.status).toBe(404);
    expect(other.body.code).toBe('SessionNotFound');
  });

  test("when an admin key reads another client's session, then it gets it", async () => {
    const { body: session } = await mint(ctx);

    const admin = await agent(ctx, KEYS.admin).get(`/v1/sessions/${session.anonymousId}`);

    expect(admin.status).toBe(200);
  });

  test('when a session id is unknown, then it is 404 SessionNotFound', async () => {
    const response = await agent(ctx).get('/v1/sessions/never-minted-id');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('SessionNotFound');
  });

  test('when a session is stored, then its Redis key expires with the configured lifetime (SESSION_TTL_DAYS=1 here)', async () => {
    const { body } = await mint(ctx);
    const ttl = await ctx.redis.ttl(`${ctx.redisPrefix}{${body.anonymousId}}:session`);
    expect(ttl).toBeGreaterThan(86_300);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });
});
