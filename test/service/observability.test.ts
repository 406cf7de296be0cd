import { agent } from '../support/fixtures';
import { createTestContext, type TestContext } from '../support/harness';

describe('correlation and metrics', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());

  test('when a request carries X-Correlation-ID, then every commercetools call it makes carries the same id', async () => {
    const mark = ctx.upstreamCalls.length;
    const session = await agent(ctx).post('/v1/sessions').set('X-Correlation-ID', 'pos-17:req-0001').send({});
    expect(session.status).toBe(201);
    const made = ctx.upstreamCalls.slice(mark).filter((call) => call.path !== '/oauth/token');
    expect(made.length).toBeGreaterThanOrEqual(2);
    for (const call of made) expect(call.headers['x-correlation-id']).toBe('pos-17:req-0001');
    // Upstream tokens travel only to commercetools, never back to the caller.
    expect(JSON.stringify(session.body)).not.toMatch(/access_token|Bearer/);
  });

  test('when requests run, then metrics count upstream calls by operation and outcome, replays and sessions', async () => {
    const key = `metrics-${Date.now()}`;
    await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({}).expect(201);
    await agent(ctx).post('/v1/sessions').set('Idempotency-Key', key).send({}).expect(201);
    const text = (await ctx.http.get('/metrics')).text;
    expect(text).toMatch(/idempotent_replays_total 1\b/);
    expect(text).toMatch(/commercetools_request_duration_seconds_count\{operation="carts\.check",outcome="ok"\} [1-9]/);
    expect(text).toMatch(
      /commercetools_request_duration_seconds_count\{operation="orders\.check",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="[0-9.]+",method="POST",route="\/v1\/sessions",status="201"\}/,
    );
    expect(text).toContain('redis_errors_total');
    expect(text).toContain('anonymous_id_collisions_total');
  });
});
