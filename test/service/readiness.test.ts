import type { RecordedCall } from '../support/recording-proxy';
import { createTestContext, type TestContext } from '../support/harness';
import { elapse } from '../support/wait';

const CACHE_MS = 500;
/**
 * Lets the cached readiness result expire. A bounded wait, not a poll: probing to see whether it
 * expired would itself ping commercetools and change the counts under test.
 */
const letTheCacheExpire = () => elapse(CACHE_MS + 100);

describe('readiness and liveness probes', () => {
  let ctx: TestContext;
  const isPing = (call: RecordedCall) => call.method === 'GET' && call.path === `/${ctx.projectKey}`;
  const pings = () => ctx.upstreamCalls.filter(isPing).length;

  beforeAll(async () => {
    // One attempt per read, so each probe that reaches commercetools is exactly one recorded call.
    ctx = await createTestContext({
      record: true,
      env: { CTP_READ_ATTEMPTS: '1' },
      deps: { readinessCacheMs: CACHE_MS },
    });
  });
  afterEach(async () => {
    ctx.faults.length = 0;
    await letTheCacheExpire();
  });
  afterAll(() => ctx.close());

  test('when probes come within the cache time, then commercetools is pinged once for all of them', async () => {
    const before = pings();
    const first = await ctx.http.get('/readyz');
    const second = await ctx.http.get('/readyz');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual({ status: 'ready', checks: { redis: 'ok', commercetools: 'ok' } });
    expect(pings() - before).toBe(1);

    // Probes arriving together after expiry share one check.
    await letTheCacheExpire();
    const together = await Promise.all([1, 2, 3].map(() => ctx.http.get('/readyz')));
    expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(pings() - before).toBe(2);
  });

  test('when commercetools starts failing, then readyz reports it once the cached result expires, and keeps reporting it', async () => {
    await ctx.http.get('/readyz').expect(200);
    const before = pings();
    ctx.faults.push({ match: isPing, fault: { kind: 'status', status: 503 } });

    await letTheCacheExpire();
    const failing = await ctx.http.get('/readyz');
    expect(failing.status).toBe(503);
    expect(failing.body).toEqual({ status: 'not ready', checks: { redis: 'ok', commercetools: 'failing' } });
    // The failure is cached too: a failing commercetools is not probed harder.
    await ctx.http.get('/readyz').expect(503);
    expect(pings() - before).toBe(1);

    await letTheCacheExpire();
    await ctx.http.get('/readyz').expect(503);
    expect(pings() - before).toBe(2);
  });

  test('when commercetools fails, then healthz still answers ok without calling it', async () => {
    ctx.faults.push({ match: () => true, fault: { kind: 'status', status: 503 } });
    const calls = ctx.upstreamCalls.length;
    const response = await ctx.http.get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(ctx.upstreamCalls.length).toBe(calls);
  });
});
