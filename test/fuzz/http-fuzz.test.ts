import fc from 'fast-check';
import { ANONYMOUS_ID_PATTERN } from '../../src/http/schemas';
import { agent } from '../support/fixtures';
import { bearer, createTestContext, KEYS, type TestContext } from '../support/harness';

/**
 * Property-based tests over the HTTP API: whatever arrives, the service answers with a problem
 * document or a success, never a 5xx it caused itself, never crashes, and never sends
 * commercetools an id it did not validate.
 */
describe('fuzzing the HTTP API', () => {
  let ctx: TestContext;
  let anonymousId: string;
  let cartId: string;
  let lineItemId: string;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true, env: { RATE_LIMIT_PER_MINUTE: '0' } });
    anonymousId = (await agent(ctx).post('/v1/sessions').send({})).body.anonymousId;
    const cart = (
      await agent(ctx)
        .post(`/v1/sessions/${anonymousId}/carts`)
        .send({ currency: 'EUR', lineItems: [{ sku: ctx.skus[0], quantity: 1 }] })
    ).body;
    cartId = cart.id;
    lineItemId = cart.lineItems[0].id;
  });
  afterAll(() => ctx.close());

  const segment = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom(
      'x" or anonymousId is defined or anonymousId = "y',
      '..',
      '%2F',
      '*',
      '{id}',
      'a'.repeat(300),
      '',
      ' ',
      'key=abc',
      '%',
      '%zz',
      '%00',
      '00000000-0000-4000-8000-000000000000',
    ),
    fc.constant('__session__'),
    fc.constant('__cart__'),
  );
  const fill = (value: string) => (value === '__session__' ? anonymousId : value === '__cart__' ? cartId : value);
  const templates = [
    (a: string) => `/v1/sessions/${a}`,
    (a: string) => `/v1/sessions/${a}/carts`,
    (a: string) => `/v1/sessions/${a}/active-cart`,
    (a: string) => `/v1/sessions/${a}/orders`,
    (a: string) => `/v1/sessions/${a}/sign-up`,
    (a: string) => `/v1/sessions/${a}/sign-in`,
    (a: string) => `/v1/carts/${a}`,
    (a: string) => `/v1/carts/${a}/line-items`,
    (a: string, b: string) => `/v1/carts/${a}/line-items/${b === '__cart__' ? lineItemId : b}`,
    (a: string) => `/v1/carts/${a}/order`,
    (a: string) => `/v1/orders/${a}`,
    () => '/v1/sessions',
  ];
  const request = fc.record({
    method: fc.constantFrom('get', 'post', 'patch', 'delete', 'put'),
    template: fc.integer({ min: 0, max: templates.length - 1 }),
    a: segment,
    b: segment,
    raw: fc.boolean(),
    query: fc.dictionary(
      fc.constantFrom('limit', 'offset', 'cartState', 'where', 'sort', 'var.aid', 'expand', 'x'),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)),
      { maxKeys: 3 },
    ),
    contentType: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
      'multipart/form-data',
      'application/json; charset=latin1',
    ),
    body: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ maxLength: 200 }),
      fc.record({
        currency: fc.string({ maxLength: 5 }),
        lineItems: fc.array(fc.record({ sku: fc.string(), quantity: fc.integer() }), { maxLength: 3 }),
      }),
      fc.record(
        {
          anonymousId: fc.string(),
          email: fc.string(),
          password: fc.string(),
          quantity: fc.oneof(fc.integer(), fc.double()),
          version: fc.integer(),
        },
        { requiredKeys: [] },
      ),
    ),
    auth: fc.constantFrom(KEYS.a, KEYS.b, KEYS.admin, KEYS.customersOnly, 'garbage', ''),
    idempotencyKey: fc.option(fc.string({ unit: 'binary-ascii', maxLength: 300 }), { nil: undefined }),
    correlationId: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
  });

  test('when random requests arrive, then no 5xx, always JSON, and the process keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Lone surrogates cannot be percent-encoded; a client would send U+FFFD instead.
        const wellFormed = (value: string) =>
          value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
        // raw: only what cannot appear in a URL is escaped, so quotes, braces and the like arrive as they are.
        const encode = (value: string) =>
          r.raw
            ? wellFormed(value).replace(/[^\x21-\x7e]/gu, encodeURIComponent)
            : encodeURIComponent(wellFormed(value));
        const path = templates[r.template]!(encode(fill(r.a)), encode(fill(r.b)));
        let call = ctx.http[r.method](path).query(r.query).set('Content-Type', r.contentType);
        if (r.auth) call = call.set(bearer(r.auth));
        // Node's HTTP client refuses control characters in headers: send what a wire could carry.
        const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]/g, '');
        if (r.idempotencyKey !== undefined) call = call.set('Idempotency-Key', headerSafe(r.idempotencyKey));
        if (r.correlationId !== undefined) call = call.set('X-Correlation-ID', headerSafe(r.correlationId));
        const response = await call
          .send(typeof r.body === 'string' ? r.body : JSON.stringify(r.body))
          .catch((error: Error) => {
            throw new Error(`${r.method.toUpperCase()} ${path} failed at the transport: ${error.message}`);
          });
        if (response.status >= 500)
          throw new Error(`${r.method.toUpperCase()} ${path} -> ${response.status} ${response.text}`);
        expect(response.headers['content-type']).toMatch(/^application\/(problem\+)?json/);
        if (response.status >= 400)
          expect(response.body).toMatchObject({
            status: response.status,
            code: expect.any(String),
            correlationId: expect.any(String),
          });
      }),
      { numRuns: 1000 },
    );
    expect((await ctx.http.get('/healthz')).status).toBe(200);
  }, 120_000);

  test('when the fuzzing is over, then every id that reached commercetools had passed validation', () => {
    const project = `/${ctx.projectKey}`;
    const allowedPath = new RegExp(
      `^${project}(/(carts|orders|customers|login)(/[A-Za-z0-9_-]{1,256}|/key=[A-Za-z0-9_-]{2,256}|/order-number=[A-Za-z0-9_.:-]{1,100})?)?$`,
    );
    expect(ctx.upstreamCalls.length).toBeGreaterThan(0);
    for (const call of ctx.upstreamCalls) {
      if (call.path === '/oauth/token') continue;
      expect(call.path).toMatch(allowedPath);
      const aid = call.query.get('var.aid');
      if (aid !== null) expect(aid).toMatch(ANONYMOUS_ID_PATTERN);
      for (const where of call.query.getAll('where'))
        expect(['anonymousId = :aid', 'anonymousId = :aid and cartState = :state', 'cart(id = :cid)']).toContain(where);
      const body = call.body as { anonymousId?: string } | undefined;
      if (body?.anonymousId !== undefined) expect(body.anonymousId).toMatch(ANONYMOUS_ID_PATTERN);
    }
  });
});
