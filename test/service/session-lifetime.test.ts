import { loadConfig } from '../../src/config';
import { createTestContext, KEYS, serviceEnv, type TestContext } from '../support/harness';
import { tills } from '../support/tills';
import { elapse } from '../support/wait';

/** Sessions live as long as what they own: SESSION_TTL_SECONDS slides with every cart change. */
const TTL_SECONDS = 3;
let ctx: TestContext;
let till: ReturnType<typeof tills>;
beforeAll(async () => {
  ctx = await createTestContext({ record: true, env: { SESSION_TTL_SECONDS: String(TTL_SECONDS) } });
  till = tills(ctx);
});
afterAll(() => ctx.close());

const sessionKey = (anonymousId: string) => `${ctx.redisPrefix}{${anonymousId}}:session`;

test('when a cart changes late in the session lifetime, then the session and its cart are reachable past the first lifetime', async () => {
  const session = await till.session(KEYS.a);
  const cart = await till.cart(KEYS.a, session);
  await elapse(2_000);
  await till.addItem(KEYS.a, cart.id).expect(200);
  await elapse(2_000);
  const read = await ctx.http.get(`/v1/sessions/${session}`).set({ Authorization: `Bearer ${KEYS.a}` });
  expect(read.status).toBe(200);
  expect(read.body.status).toBe('active');
  expect((await till.addItem(KEYS.a, cart.id)).status).toBe(200);
});

test('when a session sees no cart change for its lifetime, then it is gone', async () => {
  const session = await till.session(KEYS.a);
  await elapse(TTL_SECONDS * 1000 + 500);
  const read = await ctx.http.get(`/v1/sessions/${session}`).set({ Authorization: `Bearer ${KEYS.a}` });
  expect(read.status).toBe(404);
});

test('when a cart changes, then the session record expires a whole lifetime later', async () => {
  const session = await till.session(KEYS.a);
  const cart = await till.cart(KEYS.a, session);
  await elapse(1_000);
  await till.addItem(KEYS.a, cart.id).expect(200);
  expect(await ctx.redis.pttl(sessionKey(session))).toBeGreaterThan(TTL_SECONDS * 1000 - 300);
});

test('when an ended session placed orders, then they stay readable and listed after its lifetime', async () => {
  const session = await till.session(KEYS.a);
  const cart = await till.cart(KEYS.a, session);
  const order = (await till.order(KEYS.a, cart.id).expect(201)).body;
  await till.signUp(KEYS.a, session, till.email()).expect(201);
  await elapse(TTL_SECONDS * 1000 + 500);
  expect((await till.readOrder(KEYS.a, order.id)).status).toBe(200);
  expect((await till.listOrders(KEYS.a, session)).body.results.map((o: { id: string }) => o.id)).toEqual([order.id]);
  expect((await till.readOrder(KEYS.b, order.id)).status).toBe(404);
  expect(await ctx.redis.pttl(sessionKey(session))).toBe(-1);
});

test('when an active session that ordered lapses, then it shows ended, its order stays readable and its carts read only', async () => {
  const session = await till.session(KEYS.a);
  const ordered = await till.cart(KEYS.a, session);
  const order = (await till.order(KEYS.a, ordered.id).expect(201)).body;
  const open = await till.cart(KEYS.a, session);
  await elapse(TTL_SECONDS * 1000 + 500);
  const read = await ctx.http.get(`/v1/sessions/${session}`).set({ Authorization: `Bearer ${KEYS.a}` });
  expect(read.body).toMatchObject({ status: 'ended', endedAt: expect.any(String) });
  expect((await till.readOrder(KEYS.a, order.id)).status).toBe(200);
  const add = await till.addItem(KEYS.a, open.id);
  expect(add.status).toBe(409);
  expect(add.body.code).toBe('SessionEnded');
});

test('when a cart is created, then commercetools is told to keep it as long as the session lives (whole days)', async () => {
  const session = await till.session(KEYS.a);
  const cart = await till.cart(KEYS.a, session);
  const create = ctx.upstreamCalls.find(
    (call) =>
      call.method === 'POST' && call.path === `/${ctx.projectKey}/carts` && (call.body as any).anonymousId === session,
  );
  // The emulator accepts the field (its drafts are strict) but does not echo it back.
  expect(create?.body).toMatchObject({ deleteDaysAfterLastModification: 1 });
  expect(cart.anonymousId).toBe(session);
});

describe('configuration of the lifetime', () => {
  const env = (extra: Record<string, string>) =>
    serviceEnv('p-key', 'http://localhost:1', { REDIS_URL: 'redis://localhost:1', ...extra });

  test('when nothing is set, then a session lives 90 days', () => {
    expect(loadConfig(env({})).sessionTtlSeconds).toBe(7_776_000);
  });

  test('when only SESSION_TTL_DAYS is set, then it still counts', () => {
    expect(loadConfig(env({ SESSION_TTL_DAYS: '2' })).sessionTtlSeconds).toBe(172_800);
  });

  test('when SESSION_TTL_SECONDS is set, then it wins over SESSION_TTL_DAYS', () => {
    expect(loadConfig(env({ SESSION_TTL_DAYS: '2', SESSION_TTL_SECONDS: '600' })).sessionTtlSeconds).toBe(600);
  });
});

describe('memory per kept record (docs/ownership.md quotes these sizes)', () => {
  const usage = async (key: string) => Number(await ctx.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));

  test('when a session ended with orders and its cart was ordered through a grant, then each record stays within its documented size', async () => {
    const session = await till.session(KEYS.a);
    const ordered = await till.cart(KEYS.a, session);
    await till.order(KEYS.a, ordered.id).expect(201);
    const cart = await till.cart(KEYS.a, session);
    const signUp = await till.signUp(KEYS.a, session, till.email()).expect(201);
    const order = (await till.order(KEYS.a, cart.id).expect(201)).body;
    const sizes = {
      session: await usage(sessionKey(session)),
      grant: await usage(`${ctx.redisPrefix}{cart:${cart.id}}:grant`),
      customerGrant: await usage(`${ctx.redisPrefix}{customer:${signUp.body.customer.id}}:grant`),
      orderOwner: await usage(`${ctx.redisPrefix}{order:${order.id}}:owner`),
      activeSet: await usage(`${ctx.redisPrefix}{client:client-a}:active`),
      activeSessions: await ctx.redis.zcard(`${ctx.redisPrefix}{client:client-a}:active`),
    };
    process.stdout.write(`MEMORY USAGE (bytes, prefix ${ctx.redisPrefix.length} chars): ${JSON.stringify(sizes)}\n`);
    expect(sizes.session).toBeLessThanOrEqual(576);
    expect(sizes.grant).toBeLessThanOrEqual(384);
    expect(sizes.customerGrant).toBeLessThanOrEqual(192);
    expect(sizes.orderOwner).toBeLessThanOrEqual(160);
  });
});
