import { bearer, createTestContext, KEYS, type TestContext } from '../support/harness';
import { tills } from '../support/tills';

/** SESSION_QUOTA_PER_CLIENT: one looping client cannot fill Redis for all. */
let ctx: TestContext;
let till: ReturnType<typeof tills>;
beforeAll(async () => {
  ctx = await createTestContext({ env: { SESSION_QUOTA_PER_CLIENT: '2' } });
  till = tills(ctx);
});
afterAll(() => ctx.close());

test('when a client holds its quota of active sessions, then the next start is 429 SessionQuotaExceeded; another client still starts', async () => {
  const fullKey = KEYS.admin;
  await till.session(fullKey);
  await till.session(fullKey);
  const refused = await ctx.http.post('/v1/sessions').set(bearer(fullKey)).send({});
  expect(refused.status).toBe(429);
  expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(refused.body.code).toBe('SessionQuotaExceeded');
  expect(refused.headers['retry-after']).toBeDefined();
  expect((await ctx.http.post('/v1/sessions').set(bearer(KEYS.a)).send({})).status).toBe(201);
});

test('when a claim is refused for the quota, then its id is not held: another client claims it at once', async () => {
  const fullKey = KEYS.tillBerlin;
  await till.session(fullKey);
  await till.session(fullKey);
  const anonymousId = `quota-${Date.now()}`;

  const refused = await ctx.http.post('/v1/sessions').set(bearer(fullKey)).send({ anonymousId });

  expect(refused.status).toBe(429);
  expect((await ctx.http.post('/v1/sessions').set(bearer(KEYS.a)).send({ anonymousId })).status).toBe(201);
});

test('when one of the sessions at the quota ends, then the client may start another', async () => {
  const first = await till.session(KEYS.b);
  await till.session(KEYS.b);
  expect((await ctx.http.post('/v1/sessions').set(bearer(KEYS.b)).send({})).status).toBe(429);
  await till.signUp(KEYS.b, first, till.email()).expect(201);
  expect((await ctx.http.post('/v1/sessions').set(bearer(KEYS.b)).send({})).status).toBe(201);
});

test('when /metrics is scraped, then Redis memory use and maxmemory are there for an alert', async () => {
  const metrics = await ctx.http.get('/metrics');
  expect(metrics.text).toMatch(/^redis_used_memory_bytes \d+/m);
  expect(metrics.text).toMatch(/^redis_maxmemory_bytes \d+/m);
});

describe('when sessions lapse', () => {
  let short: TestContext;
  beforeAll(async () => {
    short = await createTestContext({ env: { SESSION_QUOTA_PER_CLIENT: '1', SESSION_TTL_SECONDS: '2' } });
  });
  afterAll(() => short.close());

  test('then they no longer count against the quota', async () => {
    await short.http.post('/v1/sessions').set(bearer(KEYS.a)).send({}).expect(201);
    expect((await short.http.post('/v1/sessions').set(bearer(KEYS.a)).send({})).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await short.http.post('/v1/sessions').set(bearer(KEYS.a)).send({})).status).toBe(201);
  });
});
