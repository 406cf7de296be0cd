import { agent, mint, newSession } from '../support/fixtures';
import { createTestContext, type TestContext } from '../support/harness';
import { waitFor } from '../support/wait';
import type { RecordedCall } from '../support/recording-proxy';

describe('when commercetools fails', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({
      record: true,
      env: {
        CTP_TIMEOUT_MS: '300',
        CTP_READ_ATTEMPTS: '2',
        CTP_BREAKER_THRESHOLD: '6',
        CTP_BREAKER_HALF_OPEN_MS: '700',
      },
    });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const queries = (call: RecordedCall) => call.method === 'GET' && /\/(carts|orders)$/.test(call.path);
  const callsSince = (mark: number, match: (call: RecordedCall) => boolean) =>
    ctx.upstreamCalls.slice(mark).filter(match);
  /** Until the breaker lets calls through again (half-open after 700 ms, closed by a successful probe). */
  const waitForBreaker = () =>
    waitFor(async () => (await mint(ctx)).status === 201, {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'the breaker to let calls through again',
    });

  test('when a read fails once with 503, then it is retried and the request succeeds', async () => {
    ctx.faults.push({ match: queries, fault: { kind: 'status', status: 503 }, times: 1 });
    const mark = ctx.upstreamCalls.length;
    const response = await mint(ctx);
    expect(response.status).toBe(201);
    expect(callsSince(mark, queries)).toHaveLength(3);
  });

  test('when a create fails with 503, then it is not retried: 502 and one upstream POST', async () => {
    const session = await newSession(ctx);
    const creates = (call: RecordedCall) => call.method === 'POST' && call.path.endsWith('/carts');
    ctx.faults.push({ match: creates, fault: { kind: 'status', status: 503 }, times: 1 });
    const mark = ctx.upstreamCalls.length;
    const response = await agent(ctx).post(`/v1/sessions/${session}/carts`).send({ currency: 'EUR' });
    expect(response.status).toBe(502);
    expect(response.body.code).toBe('UpstreamError');
    expect(callsSince(mark, creates)).toHaveLength(1);
    await waitForBreaker();
  });

  test('when commercetools is slow, then the call times out with 504 and the reserved id is released', async () => {
    ctx.faults.push({ match: queries, fault: { kind: 'delay', ms: 1500 } });
    const started = Date.now();
    const response = await mint(ctx, { anonymousId: 'slow-upstream-id' });
    expect(response.status).toBe(504);
    expect(response.body.code).toBe('UpstreamTimeout');
    expect(Date.now() - started).toBeLessThan(1500);
    ctx.faults.length = 0;
    await waitForBreaker();
    expect((await mint(ctx, { anonymousId: 'slow-upstream-id' })).status).toBe(201);
  });

  /** Six failures in a row (three reads of two attempts each) open the breaker. */
  const openTheBreaker = async () => {
    ctx.faults.push({ match: () => true, fault: { kind: 'status', status: 500 } });
    for (let i = 0; i < 3; i++) expect((await mint(ctx)).status).toBe(502);
  };

  test('when commercetools answers 500 repeatedly (6 failures in a row), then the breaker opens and answers 503 fast without calling it', async () => {
    // Arrange
    await openTheBreaker();
    const mark = ctx.upstreamCalls.length;
    const started = Date.now();

    // Act
    const open = await mint(ctx);

    // Assert
    expect(open.status).toBe(503);
    expect(open.body.code).toBe('UpstreamUnavailable');
    expect(open.headers['retry-after']).toBe('1');
    expect(Date.now() - started).toBeLessThan(200);
    expect(ctx.upstreamCalls.length).toBe(mark);
    expect((await ctx.http.get('/readyz')).body.checks.commercetools).toBe('failing');
    ctx.faults.length = 0;
    await waitForBreaker();
  });

  test('when the breaker is open and commercetools recovers, then it probes commercetools back and calls succeed', async () => {
    await openTheBreaker();
    expect((await mint(ctx)).status).toBe(503);

    ctx.faults.length = 0;
    await waitForBreaker();

    expect((await mint(ctx)).status).toBe(201);
  });

  test('when commercetools is unreachable, then requests answer 502 and nothing is handed out', async () => {
    ctx.faults.push({ match: () => true, fault: { kind: 'reset' } });
    const response = await mint(ctx, { anonymousId: 'unreachable-id' });
    expect(response.status).toBe(502);
    expect(JSON.stringify(response.body)).not.toMatch(/Bearer|access_token|stack/);
    ctx.faults.length = 0;
    await waitForBreaker();
    expect((await mint(ctx, { anonymousId: 'unreachable-id' })).status).toBe(201);
  });
});
