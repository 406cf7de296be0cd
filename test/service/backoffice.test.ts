import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { bearer, createTestContext, KEYS, uniqueName, type TestContext } from '../support/harness';

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

  const newSession = async (key: string = KEYS.a): Promise<string> =>
    (await ctx.http.post('/v1/sessions').set(bearer(key)).send({}).expect(201)).body.anonymousId;
  /** An order of a new session of client-a (or the given key's client), with its number. */
  const newOrder = async (key: string = KEYS.a): Promise<{ id: string; orderNumber: string; version: number }> => {
    const anonymousId = await newSession(key);
    const cart = await ctx.http
      .post(`/v1/sessions/${anonymousId}/carts`)
      .set(bearer(key))
      .send({ currency: 'EUR', shippingAddress: { country: 'DE' }, lineItems: [{ sku: ctx.skus[0], quantity: 1 }] })
      .expect(201);
    const orderNumber = uniqueName('BO');
    const order = await ctx.http
      .post(`/v1/carts/${cart.body.id}/order`)
      .set(bearer(key))
      .send({ orderNumber })
      .expect(201);
    return order.body;
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

      const listed = await ctx.http.get('/v1/sessions').set(bearer(secret));
      const minted = await ctx.http.post('/v1/sessions').set(bearer(secret)).send({});

      expect(listed.status).toBe(200);
      expect(minted.status).toBe(403);
    });

    test('when an admin key calls a back-office route, then it holds the scope', async () => {
      const response = await ctx.http.get('/v1/customers').query({ email: 'a@example.com' }).set(bearer(KEYS.admin));

      expect(response.status).toBe(200);
    });
  });

  describe('GET /v1/customers', () => {
    test('when a customer is looked up by email in another letter case, then exactly that customer is answered without other personal data', async () => {
      const email = `${uniqueName('Ada')}@Example.com`;
      const signedUp = await ctx.http
        .post(`/v1/sessions/${await newSession()}/sign-up`)
        .set(bearer(KEYS.a))
        .send({ email, password: 'S3cret-pass!', firstName: 'Ada', lastName: 'Lovelace' })
        .expect(201);

      const response = await ctx.http
        .get('/v1/customers')
        .query({ email: email.toUpperCase() })
        .set(bearer(KEYS.backofficeA));

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
      const response = await ctx.http
        .get('/v1/customers')
        .query({ email: `${uniqueName('nobody')}@example.com` })
        .set(bearer(KEYS.backofficeA));

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ results: [] });
    });

    test('when a customer is looked up, then one log line names the clientId and the count, and no line holds the email', async () => {
      const email = `${uniqueName('logged')}@example.com`;
      await ctx.http
        .post(`/v1/sessions/${await newSession()}/sign-up`)
        .set(bearer(KEYS.a))
        .send({ email, password: 'S3cret-pass!' })
        .expect(201);

      await ctx.http.get('/v1/customers').query({ email }).set(bearer(KEYS.backofficeB)).expect(200);

      const lookups = lines.filter((line) => line.msg === 'customer lookup by email' && line.clientId === 'client-b');
      expect(lookups).toEqual([expect.objectContaining({ clientId: 'client-b', count: 1 })]);
      expect(JSON.stringify(lines)).not.toContain(email);
      expect(JSON.stringify(lines)).not.toContain(encodeURIComponent(email));
    });

    test('when a key without the backoffice scope looks a customer up, then it is 403', async () => {
      const response = await ctx.http.get('/v1/customers').query({ email: 'a@example.com' }).set(bearer(KEYS.a));

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('Forbidden');
    });
  });

  describe('GET /v1/sessions', () => {
    test("when a back-office key lists sessions, then it gets its own client's newest first and none of another client's", async () => {
      const mine = [await newSession(), await newSession(), await newSession()];
      const theirs = await newSession(KEYS.b);

      const response = await ctx.http.get('/v1/sessions').query({ limit: 500 }).set(bearer(KEYS.backofficeA));

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
      for (let i = 0; i < 5; i++) await newSession(KEYS.b);
      const all = (await ctx.http.get('/v1/sessions').query({ limit: 500 }).set(bearer(KEYS.backofficeB))).body;

      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.http
          .get('/v1/sessions')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(bearer(KEYS.backofficeB))
          .expect(200);
        expect(page.body.results.length).toBeLessThanOrEqual(2);
        paged.push(...page.body.results.map((s: { anonymousId: string }) => s.anonymousId));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(paged).toEqual(all.results.map((s: { anonymousId: string }) => s.anonymousId));
      expect(all.nextCursor).toBeUndefined();
    });

    test('when sessions are filtered by status, then only ended ones are answered with status=ended', async () => {
      const ended = await newSession();
      await ctx.http
        .post(`/v1/sessions/${ended}/sign-up`)
        .set(bearer(KEYS.a))
        .send({ email: `${uniqueName('ended')}@example.com`, password: 'S3cret-pass!' })
        .expect(201);
      const active = await newSession();

      const response = await ctx.http
        .get('/v1/sessions')
        .query({ status: 'ended', limit: 500 })
        .set(bearer(KEYS.backofficeA))
        .expect(200);

      const ids = response.body.results.map((s: { anonymousId: string }) => s.anonymousId);
      expect(ids).toContain(ended);
      expect(ids).not.toContain(active);
      expect(response.body.results.every((s: { status: string }) => s.status === 'ended')).toBe(true);
    });

    test('when sessions are filtered by creation time, then only those created in the range are answered', async () => {
      const before = await newSession();
      const from = new Date(Date.now() + 5).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const inside = await newSession();
      const to = new Date().toISOString();

      const response = await ctx.http
        .get('/v1/sessions')
        .query({ createdFrom: from, createdTo: to })
        .set(bearer(KEYS.backofficeA))
        .expect(200);

      const ids = response.body.results.map((s: { anonymousId: string }) => s.anonymousId);
      expect(ids).toContain(inside);
      expect(ids).not.toContain(before);
    });

    test('when a key without admin names another clientId, then it is 403', async () => {
      const response = await ctx.http.get('/v1/sessions').query({ clientId: 'client-b' }).set(bearer(KEYS.backofficeA));

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('Forbidden');
    });

    test("when an admin key names a clientId, then it gets that client's sessions", async () => {
      const theirs = await newSession(KEYS.b);

      const response = await ctx.http
        .get('/v1/sessions')
        .query({ clientId: 'client-b', limit: 500 })
        .set(bearer(KEYS.admin))
        .expect(200);

      expect(response.body.results.map((s: { anonymousId: string }) => s.anonymousId)).toContain(theirs);
    });

    test('when the cursor is not one a listing returned, then it is 400', async () => {
      const response = await ctx.http
        .get('/v1/sessions')
        .query({ cursor: 'bm90LWEtY3Vyc29y' })
        .set(bearer(KEYS.backofficeA));

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ValidationFailed');
    });

    test('when a key without the backoffice scope lists sessions, then it is 403', async () => {
      const response = await ctx.http.get('/v1/sessions').set(bearer(KEYS.sessionsOnly));

      expect(response.status).toBe(403);
    });
  });

  describe('GET /v1/orders', () => {
    test('when an order of the own client is looked up by number, then it is answered as the emulator holds it', async () => {
      const order = await newOrder();

      const response = await ctx.http
        .get('/v1/orders')
        .query({ orderNumber: order.orderNumber })
        .set(bearer(KEYS.backofficeA))
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

      const response = await ctx.http
        .get('/v1/orders')
        .query({ orderNumber: order.orderNumber })
        .set(bearer(KEYS.backofficeB))
        .expect(200);

      expect(response.body).toEqual({ results: [] });
    });

    test("when an admin looks up another client's order by number, then it is answered", async () => {
      const order = await newOrder();

      const response = await ctx.http
        .get('/v1/orders')
        .query({ orderNumber: order.orderNumber })
        .set(bearer(KEYS.admin))
        .expect(200);

      expect(response.body.results.map((o: { id: string }) => o.id)).toEqual([order.id]);
    });

    test('when no orderNumber is given, then it is 400', async () => {
      const response = await ctx.http.get('/v1/orders').set(bearer(KEYS.backofficeA));

      expect(response.status).toBe(400);
    });
  });

  describe('PATCH /v1/orders/{orderId}', () => {
    test('when payment and shipment states are set, then the emulator holds them', async () => {
      const order = await newOrder();

      const response = await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeA))
        .send({ paymentState: 'Paid', shipmentState: 'Ready', orderState: 'Confirmed' });

      expect(response.status).toBe(200);
      const stored = await ctx.ct(`/orders/${order.id}`);
      expect(stored.body).toMatchObject({ paymentState: 'Paid', shipmentState: 'Ready', orderState: 'Confirmed' });
      expect(response.body.version).toBe(stored.body.version);
    });

    test('when a stale version is given, then it is 409 with the current version and nothing changes', async () => {
      const order = await newOrder();
      await ctx.http.patch(`/v1/orders/${order.id}`).set(bearer(KEYS.backofficeA)).send({ paymentState: 'Pending' });
      const current = (await ctx.ct(`/orders/${order.id}`)).body;

      const response = await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeA))
        .send({ paymentState: 'Paid', version: order.version });

      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'ConcurrentModification', currentVersion: current.version });
      expect((await ctx.ct(`/orders/${order.id}`)).body.paymentState).toBe('Pending');
    });

    test("when another client's back-office key changes an order, then it is 404 and nothing changes", async () => {
      const order = await newOrder();

      const response = await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeB))
        .send({ paymentState: 'Paid' });

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('OrderNotFound');
      expect((await ctx.ct(`/orders/${order.id}`)).body.paymentState).toBeUndefined();
    });

    test('when the body sets no state, then it is 400', async () => {
      const order = await newOrder();

      const response = await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeA))
        .send({ version: 1 });

      expect(response.status).toBe(400);
    });

    test('when a key without the backoffice scope changes an order, then it is 403', async () => {
      const order = await newOrder();

      const response = await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.a))
        .send({ paymentState: 'Paid' });

      expect(response.status).toBe(403);
    });
  });

  describe('POST /v1/orders/{orderId}/cancel', () => {
    test('when an open order is cancelled, then the emulator holds it Cancelled', async () => {
      const order = await newOrder();

      const response = await ctx.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(KEYS.backofficeA));

      expect(response.status).toBe(200);
      expect(response.body.orderState).toBe('Cancelled');
      expect((await ctx.ct(`/orders/${order.id}`)).body.orderState).toBe('Cancelled');
    });

    test('when a shipped order is cancelled, then it is 409 OrderNotCancellable and it stays open', async () => {
      const order = await newOrder();
      await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeA))
        .send({ shipmentState: 'Shipped' })
        .expect(200);

      const response = await ctx.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(KEYS.backofficeA));

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('OrderNotCancellable');
      expect((await ctx.ct(`/orders/${order.id}`)).body.orderState).toBe('Open');
    });

    test('when a delivered order is set Cancelled through PATCH, then it is 409 OrderNotCancellable too', async () => {
      const order = await newOrder();
      await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeA))
        .send({ shipmentState: 'Delivered' })
        .expect(200);

      const response = await ctx.http
        .patch(`/v1/orders/${order.id}`)
        .set(bearer(KEYS.backofficeA))
        .send({ orderState: 'Cancelled' });

      expect(response.status).toBe(409);
      expect(response.body.code).toBe('OrderNotCancellable');
    });

    test('when a cancel is repeated under the same Idempotency-Key, then the first answer is replayed', async () => {
      const order = await newOrder();
      const key = uniqueName('cancel');

      const first = await ctx.http
        .post(`/v1/orders/${order.id}/cancel`)
        .set(bearer(KEYS.backofficeA))
        .set('Idempotency-Key', key);
      const second = await ctx.http
        .post(`/v1/orders/${order.id}/cancel`)
        .set(bearer(KEYS.backofficeA))
        .set('Idempotency-Key', key);

      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect((await ctx.ct(`/orders/${order.id}`)).body.version).toBe(first.body.version);
    });

    test('when an order already cancelled is cancelled again, then it is answered unchanged', async () => {
      const order = await newOrder();
      const first = await ctx.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(KEYS.backofficeA)).expect(200);

      const again = await ctx.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(KEYS.backofficeA));

      expect(again.status).toBe(200);
      expect(again.body.version).toBe(first.body.version);
    });

    test("when another client's back-office key cancels an order, then it is 404 and the order stays open", async () => {
      const order = await newOrder();

      const response = await ctx.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(KEYS.backofficeB));

      expect(response.status).toBe(404);
      expect(response.body.code).toBe('OrderNotFound');
      expect((await ctx.ct(`/orders/${order.id}`)).body.orderState).toBe('Open');
    });
  });
});
