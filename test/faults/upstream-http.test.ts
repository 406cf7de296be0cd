import { agent, newSessionWithCart, upstreamGet } from '../support/fixtures';
import { createTestContext, type TestContext } from '../support/harness';

/**
 * The HTTP client under the ts-client (src/clients/upstream-http.client.ts, an undici pool) keeps
 * what fetch gives against the real API: compressed answers, error bodies, a body timeout, and
 * adds a bounded pool. Through the service over HTTP, with a fault-injecting proxy before the emulator.
 */
describe('when the service talks to commercetools through its connection pool', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({
      record: true,
      env: {
        CTP_TIMEOUT_MS: '400',
        CTP_READ_ATTEMPTS: '1',
        CTP_BREAKER_THRESHOLD: '100',
        CTP_HTTP_CONNECTIONS: '2',
      },
    });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const cartQueries = () => upstreamGet(ctx, '/carts');

  test('when it calls commercetools, then it asks for gzip, deflate and br answers', async () => {
    const { anonymousId } = await newSessionWithCart(ctx);
    const mark = ctx.upstreamCalls.length;

    await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`).expect(200);

    const query = ctx.upstreamCalls.slice(mark).find(cartQueries());
    expect(query?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  test('when a listing comes back gzip-compressed, then it is decoded and passed on', async () => {
    const { anonymousId, cart } = await newSessionWithCart(ctx);
    ctx.faults.push({ match: cartQueries(), fault: { kind: 'compress', encoding: 'gzip' }, times: 1 });

    const response = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`);

    expect(response.status).toBe(200);
    expect(response.body.results.map((c: { id: string }) => c.id)).toEqual([cart.id]);
  });

  test('when a listing is passed on, then it is the page commercetools sent for the query', async () => {
    const { anonymousId } = await newSessionWithCart(ctx);
    const mark = ctx.upstreamCalls.length;

    const response = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`);

    const query = ctx.upstreamCalls.slice(mark).find(cartQueries())!;
    const direct = await ctx.ct(`/carts?${query.query.toString()}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual(direct.body);
  });

  test('when a cart comes back brotli-compressed, then the service reads it', async () => {
    const { cart } = await newSessionWithCart(ctx);
    ctx.faults.push({ match: upstreamGet(ctx, `/carts/${cart.id}`), fault: { kind: 'compress', encoding: 'br' } });

    const response = await agent(ctx).get(`/v1/carts/${cart.id}`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: cart.id, version: cart.version });
  });

  test('when an error answer comes back deflate-compressed, then it is read as the same refusal', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    ctx.faults.push({ match: upstreamGet(ctx, `/carts/${missing}`), fault: { kind: 'compress', encoding: 'deflate' } });

    const response = await agent(ctx).get(`/v1/carts/${missing}`);

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('CartNotFound');
  });

  test('when a load balancer answers 502 with an HTML page, then the answer is 502 UpstreamError', async () => {
    const { cart } = await newSessionWithCart(ctx);
    ctx.faults.push({ match: upstreamGet(ctx, `/carts/${cart.id}`), fault: { kind: 'html', status: 502 }, times: 1 });

    const response = await agent(ctx).get(`/v1/carts/${cart.id}`);

    expect(response.status).toBe(502);
    expect(response.body.code).toBe('UpstreamError');
  });

  test('when the body of a listing stalls past CTP_TIMEOUT_MS, then the answer is 504 UpstreamTimeout', async () => {
    const { anonymousId } = await newSessionWithCart(ctx);
    ctx.faults.push({ match: cartQueries(), fault: { kind: 'stall-body', ms: 1500 }, times: 1 });
    const started = Date.now();

    const response = await agent(ctx).get(`/v1/sessions/${anonymousId}/carts`);

    expect(response.status).toBe(504);
    expect(response.body.code).toBe('UpstreamTimeout');
    expect(Date.now() - started).toBeLessThan(1400);
  });

  test('when the body of a cart stalls past CTP_TIMEOUT_MS, then the answer is 504 UpstreamTimeout', async () => {
    const { cart } = await newSessionWithCart(ctx);
    ctx.faults.push({ match: upstreamGet(ctx, `/carts/${cart.id}`), fault: { kind: 'stall-body', ms: 1500 } });
    const started = Date.now();

    const response = await agent(ctx).get(`/v1/carts/${cart.id}`);

    expect(response.status).toBe(504);
    expect(response.body.code).toBe('UpstreamTimeout');
    expect(Date.now() - started).toBeLessThan(1400);
  });

  test('when six listings run at once, then they share at most CTP_HTTP_CONNECTIONS connections', async () => {
    const { anonymousId } = await newSessionWithCart(ctx);
    // Slow enough that, without a bound, every listing would open a connection of its own.
    ctx.faults.push({ match: cartQueries(), fault: { kind: 'delay', ms: 60 } });
    const mark = ctx.upstreamCalls.length;

    const answers = await Promise.all(
      Array.from({ length: 6 }, () => agent(ctx).get(`/v1/sessions/${anonymousId}/carts`)),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    const connections = new Set(ctx.upstreamCalls.slice(mark).map((call) => call.connection));
    expect(connections.size).toBeLessThanOrEqual(2);
  });

  test('when a call waits for a free connection past CTP_TIMEOUT_MS, then the wait counts: 504', async () => {
    const { anonymousId } = await newSessionWithCart(ctx);
    // Two at a time, 250 ms each: the second pair would end after 500 ms, past the 400 ms timeout.
    ctx.faults.push({ match: cartQueries(), fault: { kind: 'delay', ms: 250 } });
    const started = Date.now();

    const answers = await Promise.all(
      Array.from({ length: 6 }, () => agent(ctx).get(`/v1/sessions/${anonymousId}/carts`)),
    );

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 504, 504, 504, 504]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
