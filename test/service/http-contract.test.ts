import helmet from 'helmet';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { compose } from '../../src/composition-root';
import { ApiKeyResolver } from '../../src/domain/api-key.resolver';
import { parseApiKeys } from '../../src/domain/api-keys';
import {
  StoreError,
  Unavailable,
  type AttemptLog,
  type CommerceGateway,
  type IdempotencyStore,
  type GrantStore,
  type SessionStore,
  type SignInGuard,
} from '../../src/domain/ports';
import { agent } from '../support/fixtures';
import { API_KEYS, bearer, createTestContext, KEYS, type TestContext } from '../support/harness';

describe('HTTP contract: auth, problems, operations', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  test('when no or an unknown key is sent, then it is 401 problem+json with WWW-Authenticate', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer not-a-known-secret-000000' },
      { Authorization: `Basic ${KEYS.a}` },
      { Authorization: 'Bearer' },
    ]) {
      const response = await ctx.http.post('/v1/sessions').set(headers).send({});
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body).toMatchObject({
        status: 401,
        code: 'Unauthorized',
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
        correlationId: expect.any(String),
      });
    }
  });

  test('when the key lacks the sessions scope, then every session route is 403', async () => {
    for (const [method, path] of [
      ['post', '/v1/sessions'],
      ['get', '/v1/sessions/abc'],
      ['get', '/v1/carts/abc'],
      ['get', '/v1/orders/abc'],
    ] as const) {
      const response = await agent(ctx, KEYS.customersOnly)[method](path);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('Forbidden');
    }
  });

  test('when a correlation id is sent, then it is echoed in the header and in problems', async () => {
    const response = await agent(ctx).get('/v1/sessions/nope').set('X-Correlation-ID', 'pos-till-7:42');

    expect(response.headers['x-correlation-id']).toBe('pos-till-7:42');
    expect(response.body.correlationId).toBe('pos-till-7:42');
  });

  test('when no correlation id is sent, then one is made', async () => {
    const made = await ctx.http.get('/healthz');

    expect(made.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when a route does not exist, then it is 404 NotFound problem+json', async () => {
    const missing = await agent(ctx).get('/v1/nothing-here');

    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NotFound');
  });

  test('when the method is wrong, then it is 405 MethodNotAllowed problem+json naming the allowed one', async () => {
    const wrong = await agent(ctx).put('/v1/sessions').send({});

    expect(wrong.status).toBe(405);
    // POST mints a session, GET lists them (back office).
    expect(wrong.headers.allow).toBe('POST, GET');
    expect(wrong.body.code).toBe('MethodNotAllowed');
  });

  test('when the body is not JSON, then it is 400 ValidationFailed', async () => {
    const broken = await agent(ctx)
      .post('/v1/sessions')
      .set('Content-Type', 'application/json')
      .send('{"anonymousId":');

    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('ValidationFailed');
  });

  test('when the body is too large, then it is 413 PayloadTooLarge', async () => {
    const large = await agent(ctx)
      .post('/v1/sessions')
      .send({ anonymousId: 'x'.repeat(200_000) });

    expect(large.status).toBe(413);
    expect(large.body.code).toBe('PayloadTooLarge');
  });

  test('when the body is of another type than JSON, then it is 415', async () => {
    const text = await agent(ctx).post('/v1/sessions').set('Content-Type', 'text/plain').send('hello');

    expect(text.status).toBe(415);
  });

  test('when healthz, readyz, metrics and openapi.json are called without a key, then they answer', async () => {
    expect((await ctx.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await ctx.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ redis: 'ok', commercetools: 'ok' });
    await agent(ctx).post('/v1/sessions').send({}).expect(201);
    const metrics = await ctx.http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/http_requests_total\{method="POST",route="\/v1\/sessions",status="201"\} \d+/);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/sessions_events_total\{event="minted"\} \d+/);
    expect(metrics.text).toContain('process_cpu_seconds_total');
  });

  test('when an operations route answers, then its metrics carry its template as the route label', async () => {
    await ctx.http.get('/healthz').expect(200);
    await ctx.http.get('/readyz').expect(200);

    const metrics = (await ctx.http.get('/metrics')).text;

    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/readyz",status="200"\} \d+/);
  });

  test('when an operations route is called with another method, then it is 405 problem+json naming GET', async () => {
    const response = await ctx.http.post('/healthz').send({});

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('MethodNotAllowed');
  });

  test('when /docs is read, then it is the Swagger UI page under its own CSP, with its assets served from this service', async () => {
    const page = await ctx.http.get('/docs');
    const asset = await ctx.http.get('/docs/assets/swagger-ui-bundle.js');
    const init = await ctx.http.get('/docs/assets/docs-init.js');
    const other = await ctx.http.get('/docs/assets/package.json');

    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    // Plain HTTP on a non-loopback host: no upgrade to https, or the page stays blank.
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect((await ctx.http.get('/healthz')).headers['content-security-policy']).toContain('upgrade-insecure-requests');
    expect([asset.status, asset.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(init.text).toContain("url: '/openapi.json'");
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('NotFound');
  });

  test('when the OpenAPI document is read, then it is 3.1 and describes every route the app serves', async () => {
    const { body } = await ctx.http.get('/openapi.json');
    expect(body.openapi).toMatch(/^3\.1/);
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      [
        'POST /v1/sessions',
        'GET /v1/sessions/{anonymousId}',
        'POST /v1/sessions/{anonymousId}/carts',
        'GET /v1/sessions/{anonymousId}/carts',
        'GET /v1/sessions/{anonymousId}/active-cart',
        'GET /v1/sessions/{anonymousId}/orders',
        'POST /v1/sessions/{anonymousId}/sign-up',
        'POST /v1/sessions/{anonymousId}/sign-in',
        'GET /v1/carts/{cartId}',
        'POST /v1/carts/{cartId}/line-items',
        'PATCH /v1/carts/{cartId}/line-items/{lineItemId}',
        'DELETE /v1/carts/{cartId}/line-items/{lineItemId}',
        'PATCH /v1/carts/{cartId}',
        'POST /v1/carts/{cartId}/order',
        'GET /v1/orders/{orderId}',
        'GET /v1/carts/{cartId}/shipping-methods',
        'PUT /v1/carts/{cartId}/shipping-method',
        'DELETE /v1/carts/{cartId}/shipping-method',
        'POST /v1/carts/{cartId}/discount-codes',
        'DELETE /v1/carts/{cartId}/discount-codes/{discountCodeId}',
        'POST /v1/carts/{cartId}/payments',
        'GET /v1/carts/{cartId}/payments',
        'PATCH /v1/payments/{paymentId}',
        'POST /v1/carts/{cartId}/freeze',
        'POST /v1/carts/{cartId}/unfreeze',
        'POST /v1/carts/{cartId}/recalculate',
        'GET /v1/customers',
        'GET /v1/sessions',
        'GET /v1/orders',
        'PATCH /v1/orders/{orderId}',
        'POST /v1/orders/{orderId}/cancel',
        'POST /v1/sessions/{anonymousId}/assign',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /docs',
      ].sort(),
    );
    expect(body.components.schemas.Problem).toBeDefined();
    expect(body.paths['/v1/sessions'].post.responses['409'].content['application/problem+json']).toBeDefined();
  });

  test("when any response goes out, then it carries helmet's security headers (computed once) and JSON with its length", async () => {
    const fromHelmet: Record<string, string> = {};
    helmet()(
      {} as never,
      {
        setHeader: (name: string, value: string) => (fromHelmet[name.toLowerCase()] = value),
        removeHeader: () => undefined,
      } as never,
      () => undefined,
    );
    expect(Object.keys(fromHelmet).length).toBeGreaterThan(8);
    const minted = await agent(ctx).post('/v1/sessions').send({}).expect(201);
    for (const response of [minted, await ctx.http.get('/healthz'), await ctx.http.get('/v1/nothing-here')]) {
      expect(response.headers).toMatchObject(fromHelmet);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
    expect(minted.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(minted.headers['content-length'])).toBe(Buffer.byteLength(minted.text));
  });
});

describe('when the backends fail', () => {
  const failingStore: SessionStore = new Proxy({} as SessionStore, {
    get: () => () => Promise.reject(new StoreError('redis down')),
  });
  const failingCommerce: CommerceGateway = new Proxy({} as CommerceGateway, {
    get: () => () => Promise.reject(new Unavailable('commercetools is not reachable', { retryable: true })),
  });
  const failingIdempotency = new Proxy({} as IdempotencyStore & AttemptLog, {
    get: () => () => Promise.reject(new StoreError('redis down')),
  });
  const failingGuard = new Proxy({} as SignInGuard, {
    get: () => () => Promise.reject(new StoreError('redis down')),
  });
  const failingGrants = new Proxy({} as GrantStore, {
    get: () => () => Promise.reject(new StoreError('redis down')),
  });
  const app = (store: SessionStore, commerce: CommerceGateway) =>
    request(
      createApp(
        compose({
          keys: new ApiKeyResolver(parseApiKeys(API_KEYS)),
          store,
          idempotency: failingIdempotency,
          grants: failingGrants,
          idempotencySecret: 'test-idempotency-secret-0123456789abcdef',
          signInGuard: failingGuard,
          commerce,
          logger: pino({ level: 'silent' }),
        }),
      ),
    );

  test('when Redis is unreachable, then minting is 503 StoreUnavailable with Retry-After and readyz fails', async () => {
    const http = app(failingStore, failingCommerce);
    const response = await http.post('/v1/sessions').set(bearer(KEYS.a)).send({});
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.body.code).toBe('StoreUnavailable');
    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ redis: 'failing', commercetools: 'failing' });
  });

  test('when commercetools is unreachable, then a mint is 502 and its reservation is released', async () => {
    const released: string[] = [];
    const store: SessionStore = {
      ttlSeconds: 3600,
      endedTtlSeconds: 0,
      reserve: async (anonymousId) => ({ anonymousId, token: 't' }),
      release: async (r) => {
        released.push(r.anonymousId);
      },
      activate: async () => true,
      get: async () => ({ session: null, busy: false }),
      enterCreate: async () => ({ session: null, busy: false }),
      leaveCreate: async () => undefined,
      createsRunning: async () => 0,
      extend: async () => null,
      markHasOrders: async () => undefined,
      end: async () => true,
      countActive: async () => 0,
      trackActive: async () => undefined,
      untrackActive: async () => undefined,
      lock: async () => 't',
      unlock: async () => undefined,
      ping: async () => undefined,
    };
    const response = await app(store, failingCommerce)
      .post('/v1/sessions')
      .set(bearer(KEYS.a))
      .send({ anonymousId: 'will-not-stick' });
    expect(response.status).toBe(502);
    expect(response.body.code).toBe('UpstreamError');
    expect(JSON.stringify(response.body)).not.toMatch(/stack|Bearer|access_token/);
    expect(released).toEqual(['will-not-stick']);
  });
});
