import { runKeysCli } from '../../src/cli/keys.cli';
import { RedisApiKeyStore } from '../../src/clients/api-key.store';
import { digestSecret, parseApiKeys } from '../../src/domain/api-keys';
import { startService } from '../../src/server';
import pino from 'pino';
import { agent, newCart, newEmail, newSession, ORDERABLE_CART, orderCart } from '../support/fixtures';
import { createTestContext, KEYS, serviceEnv, type TestContext } from '../support/harness';

describe('store-bound API keys', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  function cliEnv(): Record<string, string> {
    return serviceEnv(ctx.projectKey, process.env.TEST_CT_URL ?? '', {
      REDIS_URL: process.env.TEST_REDIS_URL ?? '',
      REDIS_KEY_PREFIX: ctx.redisPrefix,
    });
  }

  test('when a key is created with a store that does not exist, then the CLI refuses it naming the store', async () => {
    const lines: string[] = [];

    const run = runKeysCli(
      ['create', '--client-id', 'till-x', '--scopes', 'sessions', '--store', 'no-such-store'],
      cliEnv(),
      (line) => lines.push(line),
    );

    await expect(run).rejects.toThrow('"no-such-store" does not exist');
    expect(lines).toEqual([]);
    expect(await new RedisApiKeyStore(ctx.redis, ctx.redisPrefix).list()).toEqual([]);
  });

  test('when a key is created with a seeded store, then it resolves to a caller bound to that store', async () => {
    const lines: string[] = [];

    const code = await runKeysCli(
      ['create', '--client-id', 'till-b', '--scopes', 'sessions+customers', '--store', 'berlin-mitte'],
      cliEnv(),
      (line) => lines.push(line),
    );

    expect(code).toBe(0);
    const created = JSON.parse(lines[0] ?? '{}') as { secret: string; storeKey: string };
    expect(created.storeKey).toBe('berlin-mitte');
    const caller = await new RedisApiKeyStore(ctx.redis, ctx.redisPrefix).find(digestSecret(created.secret));
    expect(caller).toEqual({
      clientId: 'till-b',
      scopes: new Set(['sessions', 'customers']),
      storeKey: 'berlin-mitte',
    });
  });

  test('when API_KEYS binds a key to a store that does not exist, then the service does not start and names it', async () => {
    const config = {
      ...ctx.config,
      port: 0,
      apiKeys: parseApiKeys('till:secret-till-unknown-0001:sessions:atlantis-1'),
    };

    const start = startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });

    await expect(start).rejects.toThrow('"atlantis-1" does not exist');
  });

  test('when API_KEYS binds keys to the seeded stores, then the service starts', async () => {
    const config = {
      ...ctx.config,
      port: 0,
      apiKeys: parseApiKeys(
        'till-b:secret-till-berlin-0001:sessions:berlin-mitte,till-v:secret-till-vienna-0001:sessions:vienna-1',
      ),
    };

    const service = await startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });

    const ready = await fetch(`${service.url}/healthz`);
    await service.stop();
    expect(ready.status).toBe(200);
  });
});

describe('store-bound clients (tills)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());

  const inStore = (storeKey: string, rest: string) => `/${ctx.projectKey}/in-store/key=${storeKey}/${rest}`;

  test('when a till starts a session, then the session view shows its store', async () => {
    const anonymousId = await newSession(ctx, KEYS.tillBerlin);

    const view = await agent(ctx, KEYS.tillBerlin).get(`/v1/sessions/${anonymousId}`).expect(200);

    expect(view.body.storeKey).toBe('berlin-mitte');
  });

  test('when a till creates a cart, then it is created in its store through the in-store endpoint', async () => {
    const anonymousId = await newSession(ctx, KEYS.tillBerlin);

    const cart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillBerlin);

    expect(cart.store).toMatchObject({ key: 'berlin-mitte' });
    const creates = ctx.upstreamCalls.filter(
      (call) => call.method === 'POST' && (call.body as { anonymousId?: string } | null)?.anonymousId === anonymousId,
    );
    expect(creates.map((call) => call.path)).toEqual([inStore('berlin-mitte', 'carts')]);
  });

  test('when a till reads, updates and orders its cart, then every call goes through its store', async () => {
    const anonymousId = await newSession(ctx, KEYS.tillBerlin);
    const cart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillBerlin);
    const till = agent(ctx, KEYS.tillBerlin);

    await till.get(`/v1/carts/${cart.id}`).expect(200);
    await till.patch(`/v1/carts/${cart.id}`).send({ customerEmail: 'till@example.com' }).expect(200);
    const order = await orderCart(ctx, cart.id, {}, KEYS.tillBerlin);

    const paths = ctx.upstreamCalls.map((call) => call.path);
    expect(paths).toContain(inStore('berlin-mitte', `carts/${cart.id}`));
    expect(paths).toContain(inStore('berlin-mitte', 'orders'));
    expect(paths).not.toContain(`/${ctx.projectKey}/carts/${cart.id}`);
    expect(order.cart).toMatchObject({ id: cart.id });
  });

  test("when a Berlin till's session is assigned by a back-office key, then the merge and the session's lookups go through its store", async () => {
    const anonymousId = await newSession(ctx, KEYS.tillBerlin);
    const cart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillBerlin);
    const created = await ctx.ct('/customers', {
      method: 'POST',
      body: { email: newEmail(), password: 'irrelevant-1' },
    });
    const customerId = (created.body.customer as { id: string }).id;

    const before = ctx.upstreamCalls.length;
    // The admin key holds `backoffice` and reaches the tills' sessions.
    const response = await agent(ctx, KEYS.admin).post(`/v1/sessions/${anonymousId}/assign`).send({ customerId });

    expect(response.status).toBe(200);
    expect(response.body.cart).toMatchObject({ id: cart.id, customerId, store: { key: 'berlin-mitte' } });
    const paths = ctx.upstreamCalls.map((call) => call.path);
    expect(paths).toContain(inStore('berlin-mitte', `carts/customer-id=${customerId}/merge`));
    expect(paths).not.toContain(`/${ctx.projectKey}/carts/customer-id=${customerId}/merge`);
    const lookups = ctx.upstreamCalls
      .slice(before)
      .filter((call) => call.method === 'GET' && /\/(carts|orders)$/.test(call.path) && call.query.get('var.aid'));
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((call) => call.path.startsWith(inStore('berlin-mitte', '')))).toBe(true);
  });

  test('when a Berlin till reads a Vienna cart of the same client by id, then the answer is 404 CartNotFound', async () => {
    const anonymousId = await newSession(ctx, KEYS.tillVienna);
    const viennaCart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillVienna);

    const response = await agent(ctx, KEYS.tillBerlin).get(`/v1/carts/${viennaCart.id}`);

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('CartNotFound');
  });

  test('when a Berlin till changes a Vienna cart by a guessed id, then the answer is 404 and the cart is unchanged', async () => {
    const anonymousId = await newSession(ctx, KEYS.tillVienna);
    const viennaCart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillVienna);

    const response = await agent(ctx, KEYS.tillBerlin)
      .patch(`/v1/carts/${viennaCart.id}`)
      .send({ customerEmail: 'intruder@example.com' });

    expect(response.status).toBe(404);
    expect((await ctx.ct(`/carts/${viennaCart.id}`)).body.version).toBe(viennaCart.version);
  });

  test('when a Berlin till lists the carts of a Vienna session of the same client, then it sees none and no active cart', async () => {
    const anonymousId = await newSession(ctx, KEYS.tillVienna);
    await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillVienna);
    const berlinTill = agent(ctx, KEYS.tillBerlin);

    const listing = await berlinTill.get(`/v1/sessions/${anonymousId}/carts`);
    const active = await berlinTill.get(`/v1/sessions/${anonymousId}/active-cart`);

    expect(listing.status).toBe(200);
    expect(listing.body.results).toEqual([]);
    expect(active.status).toBe(404);
    expect(active.body.code).toBe('NoActiveCart');
  });

  test('when a till signs a customer up and in, then both go through its store and the session cart is handed over', async () => {
    const email = newEmail('till');
    const first = await newSession(ctx, KEYS.tillBerlin);
    await agent(ctx, KEYS.tillBerlin)
      .post(`/v1/sessions/${first}/sign-up`)
      .send({ email, password: 'Secret-123' })
      .expect(201);
    const second = await newSession(ctx, KEYS.tillBerlin);
    const cart = await newCart(ctx, second, ORDERABLE_CART, KEYS.tillBerlin);

    const signedIn = await agent(ctx, KEYS.tillBerlin)
      .post(`/v1/sessions/${second}/sign-in`)
      .send({ email, password: 'Secret-123' });

    expect(signedIn.status).toBe(200);
    expect(signedIn.body.cart).toMatchObject({ id: cart.id });
    const paths = ctx.upstreamCalls.filter((call) => call.method === 'POST').map((call) => call.path);
    expect(paths).toContain(inStore('berlin-mitte', 'customers'));
    expect(paths).toContain(inStore('berlin-mitte', 'login'));
  });

  describe('line item channels', () => {
    const createBody = (anonymousId: string) =>
      ctx.upstreamCalls.find(
        (call) => call.method === 'POST' && (call.body as { anonymousId?: string } | null)?.anonymousId === anonymousId,
      )?.body as { lineItems: Array<Record<string, unknown>> };

    test('when a till adds an item naming no channel, then its store supply and distribution channels are sent', async () => {
      const anonymousId = await newSession(ctx, KEYS.tillBerlin);
      const [supply, distribution] = await Promise.all([
        ctx.ct('/channels/key=berlin-mitte-supply'),
        ctx.ct('/channels/key=berlin-mitte-distribution'),
      ]);

      await newCart(ctx, anonymousId, { ...ORDERABLE_CART, lineItems: [{ sku: ctx.skus[0] }] }, KEYS.tillBerlin);

      expect(createBody(anonymousId).lineItems[0]).toMatchObject({
        supplyChannel: { typeId: 'channel', id: supply.body.id },
        distributionChannel: { typeId: 'channel', id: distribution.body.id },
      });
    });

    test('when an item names a channel by key, then that channel is sent', async () => {
      const anonymousId = await newSession(ctx, KEYS.tillBerlin);
      const lineItems = [{ sku: ctx.skus[0], supplyChannel: { key: 'vienna-1-supply' } }];

      await newCart(ctx, anonymousId, { ...ORDERABLE_CART, lineItems }, KEYS.tillBerlin);

      expect(createBody(anonymousId).lineItems[0]).toMatchObject({
        supplyChannel: { typeId: 'channel', key: 'vienna-1-supply' },
      });
    });

    test('when an item names a channel key that does not exist, then the answer is 400 ChannelNotFound', async () => {
      const anonymousId = await newSession(ctx, KEYS.tillBerlin);
      const cart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.tillBerlin);

      const response = await agent(ctx, KEYS.tillBerlin)
        .post(`/v1/carts/${cart.id}/line-items`)
        .send({ sku: ctx.skus[0], distributionChannel: { key: 'no-such-channel' } });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ChannelNotFound');
    });

    test('when an unbound client adds an item naming no channel, then none is sent', async () => {
      const anonymousId = await newSession(ctx, KEYS.a);

      await newCart(ctx, anonymousId, { ...ORDERABLE_CART, lineItems: [{ sku: ctx.skus[0] }] }, KEYS.a);

      const sent = createBody(anonymousId).lineItems[0];
      expect(sent).not.toHaveProperty('supplyChannel');
      expect(sent).not.toHaveProperty('distributionChannel');
    });
  });

  test('when an unbound client creates a cart, then it goes through the project endpoint without a store', async () => {
    const anonymousId = await newSession(ctx, KEYS.a);

    const cart = await newCart(ctx, anonymousId, ORDERABLE_CART, KEYS.a);

    expect(cart.store).toBeUndefined();
    const view = await agent(ctx, KEYS.a).get(`/v1/sessions/${anonymousId}`).expect(200);
    expect(view.body.storeKey).toBeUndefined();
    const creates = ctx.upstreamCalls.filter(
      (call) => call.method === 'POST' && (call.body as { anonymousId?: string } | null)?.anonymousId === anonymousId,
    );
    expect(creates.map((call) => call.path)).toEqual([`/${ctx.projectKey}/carts`]);
  });
});
