import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  agent,
  mint,
  newEmail,
  newIdempotencyKey,
  newSession,
  newSessionWithCart,
  ORDERABLE_CART,
  orderCart,
} from '../support/fixtures';
import { createTestContext, KEYS, uniqueName, type TestContext } from '../support/harness';
import { elapse } from '../support/wait';

/**
 * The back-office routes (scope `backoffice`) through the real app, against Redis and the emulator:
 * each route's answer compared with what is in the emulator, and each refusal.
 */
describe('back-office routes', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ deps: { logger: pino({ level: 'info' }, sink) } });
  });
  afterAll(() => ctx.close());

  /** An order of a new session of client-a (or the given key's client), with its number. */
  const newOrder = async (key: string = KEYS.a): Promise<{ id: string; orderNumber: string; version: number }> => {
    const lineItems = [{ sku: ctx.skus[0], quantity: 1 }];
    const { cart } = await newSessionWithCart(ctx, { ...ORDERABLE_CART, lineItems }, key);
    return orderCart(ctx, cart.id, { orderNumber: uniqueName('BO') }, key);
  };

  describe('the backoffice scope', () => {
    test('when the keys CLI creates a key with the backoffice scope, then that key lists its sessions', async () => {
      const created = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(__dirname, '..', '..', 'src', 'cli', 'keys.cli.ts'),
          'create',
          '--client-id',
          'client-a',
          '--scopes',
          'backoffice',
        ],
        {
          env: { PATH: process.env.PATH ?? '', REDIS_URL: ctx.config.redis.url, REDIS_KEY_PREFIX: ctx.redisPrefix },
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(created.status).toBe(0);
      const { secret, scopes } = JSON.parse(created.stdout) as { secret: string; scopes: string[] };
      expect(scopes).toEqual(['backoffice']);

      const listed = await agent(ctx, secret).get('/v1/sessions');
      const minted = await mint(ctx, {}, secret);

      expect(listed.status).toBe(200);
      expect(minted.status).toBe(403);
    });

    test('when an admin key calls a back-office route, then it holds the scope', async () => {
      const response = await agent(ctx, KEYS.admin).get('/v1/customers').query({ email: 'a@example.com' });

      expect(response.status).toBe(200);
    });
  });

  describe('GET /v1/customers', () => {
    test('when a customer is looked up by email in another letter case, then exactly that customer is answered without other personal data', async () => {
      const email = `${uniqueName('Ada')}@Example.com`;
      const signedUp = await agent(ctx)
        .post(`/v1/sessions/${await newSession(ctx)}/sign-up`)
        .send({ email, password: 'S3cret-pass!', firstName: 'Ada', lastName: 'Lovelace' })
        .expect(201);

      const response = await agent(ctx, KEYS.backofficeA).get('/v1/customers').query({ email: email.toUpperCase() });

      expect(response.status).toBe(200);
      const stored = await ctx.ct(`/customers/${signedUp.body.customer.id}`);
      expect(response.body).toEqual({
        results: [
          {
            id: stored.body.id,
            email: stored.body.email,
            firstName: 'Ada',
            lastName: 'Lovelace',
            createdAt: stored.body.createdAt,
          },
        ],
      });
    });

    test('when no customer has the email, then the results are empty', async () => {
      const response = await agent(ctx, KEYS.backofficeA)
        .get('/v1/customers')
        .query({ email: newEmail('nobody') });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ results: [] });
    });

    test('when a customer is looked up, then one log line names the clientId and the count, and no line holds the email', async () => {
      const email = newEmail('logged');
      await agent(ctx)
        .post(`/v1/sessions/${await newSession(ctx)}/sign-up`)
        .send({ email, password: 'S3cret-pass!' })
        .expect(201);

      await agent(ctx, KEYS.backofficeB).get('/v1/customers').query({ email }).expect(200);

      const lookups = lines.filter((line) => line.msg === 'customer lookup by email' && line.clientId === 'client-b');
      expect(lookups).toEqual([expect.objectContaining({ clientId: 'client-b', count: 1 })]);
      expect(JSON.stringify(lines)).not.toContain(email);
      expect(JSON.stringify(lines)).not.toContain(encodeURIComponent(email));
    });

    test('when a key without the backoffice scope looks a customer up, then it is 403', async () => {
      const response = await agent(ctx).get('/v1/customers').query({ email: 'a@example.com' });

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('Forbidden');
    });
  });

  describe('GET /v1/sessions', () => {
    test("when a back-office key lists sessions, then it gets its own client's newest first and none of another client's", async () => {
      const mine = [await newSession(ctx), await newSession(ctx), await newSession(ctx)];
      const theirs = await newSession(ctx, KEYS.b);

      const response = await agent(ctx, KEYS.backofficeA).get('/v1/sessions').query({ limit: 500 });

      expect(response.status).toBe(200);
      const ids = response.body.results.map((s: { anonymousId: string }) => s.anonymousId);
      expect(ids).toEqual(expect.arrayContaining(mine));
      expect(ids).not.toContain(theirs);
      const positions = mine.map((id) => ids.indexOf(id));
      expect(positions).toEqual([...positions].sort((x, y) => y - x));
      const created = response.body.results.map((s: { createdAt: string }) => s.createdAt);
      expect(created).toEqual([...created].sort().reverse());
    });

    test('when a listing is paged with its cursor, then the pages together hold every session once', async () => {
      for (let i = 0; i < 5; i++) await newSession(ctx, KEYS.b);
      const all = (await agent(ctx, KEYS.backofficeB).get('/v1/sessions').query({ limit: 500 })).body;

      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await agent(ctx, KEYS.backofficeB)
          .get('/v1/sessions')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(page.body.results.length).toBeLessThanOrEqual(2);
        paged.push(...page.body.results.map((s: { anonymousId: string }) => s.anonymousId));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(paged).toEqual(all.results.map((s: { anonymousId: string }) => s.anonymousId));
      expect(all.nextCursor).toBeUndefined();
    });

    test('when sessions are filtered by status, then only ended ones are answered with status=ended', async () => {
      const ended = await newSession(ctx);
      await agent(ctx)
        .post(`/v1/sessions/${ended}/sign-up`)
        .send({ email: newEmail('ended'), password: 'S3cret-pass!' })
        .expect(201);
      const active = await newSession(ctx);

      const response = await agent(ctx, KEYS.backofficeA)
        .get('/v1/sessions')
        .query({ status: 'ended', limit: 500 })
        .expect(200);

      const ids = response.body.results.map((s: { anonymousId: string }) => s.anonymousId);
      expect(ids).toContain(ended);
      expect(ids).not.toContain(active);
      expect(response.body.results.every((s: { status: string }) => s.status === 'ended')).toBe(true);
    });

    test('when sessions are filtered by creation time, then only those created in the range are answered', async () => {
      const before = await newSession(ctx);
      const from = new Date(Date.now() + 5).toISOString();
      // Lets time pass, so the next session's createdAt is after `from`.
      await elapse(10);
      const inside = await newSession(ctx);
      const to = new Date().toISOString();

      const response = await agent(ctx, KEYS.backofficeA)
        .get('/v1/sessions')
        .query({ createdFrom: from, createdTo: to })
        .expect(200);

      const ids = response.body.results.map((s: { anonymousId: string }) => s.anonymousId);
      expect(ids).toContain(inside);
      expect(ids).not.toContain(before);
    });

    test('when a key without admin names another clientId, then it is 403', async () => {
      const response = await agent(ctx, KEYS.backofficeA).get('/v1/sessions').query({ clientId: 'client-b' });

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('Forbidden');
    });

    test("when an admin key names a clientId, then it gets that client's sessions", async () => {
      const theirs = await newSession(ctx, KEYS.b);

      const response = await agent(ctx, KEYS.admin)
        .get('/v1/sessions')
        .query({ clientId: 'client-b', limit: 500 })
        .expect(200);

      expect(response.body.results.map((s: { anonymousId: string }) => s.anonymousId)).toContain(theirs);
    });

    test('when the cursor is not one a listing returned, then it is 400', async () => {
      const response = await agent(ctx, KEYS.backofficeA).get('/v1/sessions').query({ cursor: 'bm90LWEtY3Vyc29y' });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ValidationFailed');
    });

    test('when a key without the backoffice scope lists sessions, then it is 403', async () => {
      const response = await agent(ctx, KEYS.sessionsOnly).get('/v1/sessions');

      expect(response.status).toBe(403);
    });
  });

  describe('GET /v1/orders', () => {
    test('when an order of the own client is looked up by number, then it is answered as the emulator holds it', async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeA)
        .get('/v1/orders')
        .query({ orderNumber: order.orderNumber })
        .expect(200);

      const stored = await ctx.ct(`/orders/order-number=${order.orderNumber}`);
      expect(response.body.results).toHaveLength(1);
      expect(response.body.results[0]).toMatchObject({
        id: stored.body.id,
        version: stored.body.version,
        orderNumber: order.orderNumber,
      });
    });

    test("when another client's order is looked up by number, then the results are empty", async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeB)
        .get('/v1/orders')
        .query({ orderNumber: order.orderNumber })
        .expect(200);

      expect(response.body).toEqual({ results: [] });
    });

    test("when an admin looks up another client's order by number, then it is answered", async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.admin)
        .get('/v1/orders')
        .query({ orderNumber: order.orderNumber })
        .expect(200);

      expect(response.body.results.map((o: { id: string }) => o.id)).toEqual([order.id]);
    });

    test('when no orderNumber is given, then it is 400', async () => {
      const response = await agent(ctx, KEYS.backofficeA).get('/v1/orders');

      expect(response.status).toBe(400);
    });
  });

  describe('PATCH /v1/orders/{orderId}', () => {
    test('when payment and shipment states are set, then the emulator holds them', async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeA)
        .patch(`/v1/orders/${order.id}`)
        .send({ paymentState: 'Paid', shipmentState: 'Ready', orderState: 'Confirmed' });

      expect(response.status).toBe(200);
      const stored = await ctx.ct(`/orders/${order.id}`);
      expect(stored.body).toMatchObject({ paymentState: 'Paid', shipmentState: 'Ready', orderState: 'Confirmed' });
      expect(response.body.version).toBe(stored.body.version);
    });

    test('when a stale version is given, then it is 409 with the current version and nothing changes', async () => {
      const order = await newOrder();
      await agent(ctx, KEYS.backofficeA).patch(`/v1/orders/${order.id}`).send({ paymentState: 'Pending' });
      const current = (await ctx.ct(`/orders/${order.id}`)).body;

      const response = await agent(ctx, KEYS.backofficeA)
        .patch(`/v1/orders/${order.id}`)
        .send({ paymentState: 'Paid', version: order.version });

      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: current.version });
      expect((await ctx.ct(`/orders/${order.id}`)).body.paymentState).toBe('Pending');
    });

    test("when another client's back-office key changes an order, then it is 404 and nothing changes", async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeB)
        .patch(`/v1/orders/${order.id}`)
        .send({ paymentState: 'Paid' });

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('OrderNotFound');
      expect((await ctx.ct(`/orders/${order.id}`)).body.paymentState).toBeUndefined();
    });

    test('when the body sets no state, then it is 400', async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeA).patch(`/v1/orders/${order.id}`).send({ version: 1 });

      expect(response.status).toBe(400);
    });

    test('when a key without the backoffice scope changes an order, then it is 403', async () => {
      const order = await newOrder();

      const response = await agent(ctx).patch(`/v1/orders/${order.id}`).send({ paymentState: 'Paid' });

      expect(response.status).toBe(403);
    });
  });

  describe('POST /v1/orders/{orderId}/cancel', () => {
    test('when an open order is cancelled, then the emulator holds it Cancelled', async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeA).post(`/v1/orders/${order.id}/cancel`);

      expect(response.status).toBe(200);
      expect(response.body.orderState).toBe('Cancelled');
      expect((await ctx.ct(`/orders/${order.id}`)).body.orderState).toBe('Cancelled');
    });

    test('when a shipped order is cancelled, then it is 409 OrderNotCancellable and it stays open', async () => {
      const order = await newOrder();
      await agent(ctx, KEYS.backofficeA).patch(`/v1/orders/${order.id}`).send({ shipmentState: 'Shipped' }).expect(200);

      const response = await agent(ctx, KEYS.backofficeA).post(`/v1/orders/${order.id}/cancel`);

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('OrderNotCancellable');
      expect((await ctx.ct(`/orders/${order.id}`)).body.orderState).toBe('Open');
    });

    test('when a delivered order is set Cancelled through PATCH, then it is 409 OrderNotCancellable too', async () => {
      const order = await newOrder();
      await agent(ctx, KEYS.backofficeA)
        .patch(`/v1/orders/${order.id}`)
        .send({ shipmentState: 'Delivered' })
        .expect(200);

      const response = await agent(ctx, KEYS.backofficeA)
        .patch(`/v1/orders/${order.id}`)
        .send({ orderState: 'Cancelled' });

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('OrderNotCancellable');
    });

    test('when a cancel is repeated under the same Idempotency-Key, then the first answer is replayed', async () => {
      const order = await newOrder();
      const key = newIdempotencyKey('cancel');

      const first = await agent(ctx, KEYS.backofficeA)
        .post(`/v1/orders/${order.id}/cancel`)
        .set('Idempotency-Key', key);
      const second = await agent(ctx, KEYS.backofficeA)
        .post(`/v1/orders/${order.id}/cancel`)
        .set('Idempotency-Key', key);

      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect((await ctx.ct(`/orders/${order.id}`)).body.version).toBe(first.body.version);
    });

    test('when an order already cancelled is cancelled again, then it is answered unchanged', async () => {
      const order = await newOrder();
      const first = await agent(ctx, KEYS.backofficeA).post(`/v1/orders/${order.id}/cancel`).expect(200);

      const again = await agent(ctx, KEYS.backofficeA).post(`/v1/orders/${order.id}/cancel`);

      expect(again.status).toBe(200);
      expect(again.body.version).toBe(first.body.version);
    });

    test("when another client's back-office key cancels an order, then it is 404 and the order stays open", async () => {
      const order = await newOrder();

      const response = await agent(ctx, KEYS.backofficeB).post(`/v1/orders/${order.id}/cancel`);

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('OrderNotFound');
      expect((await ctx.ct(`/orders/${order.id}`)).body.orderState).toBe('Open');
    });
  });
});
