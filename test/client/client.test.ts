import type { AddressInfo } from 'node:net';
import { createClient, ok, ProblemError, type GuestCheckoutClient } from '@ct-guest-checkout/client';
import { createTestContext, KEYS, type TestContext } from '../support/harness';

let ctx: TestContext;
let api: GuestCheckoutClient;
/** What the service received, header by header, for the last request the client sent. */
let sent: Headers[];

beforeAll(async () => {
  ctx = await createTestContext();
  const { port } = ctx.server.address() as AddressInfo;
  sent = [];
  api = createClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: KEYS.a,
    fetch: (input, init) => {
      sent.push(new Headers((input as Request).headers));
      return fetch(input, init);
    },
  });
});
afterAll(() => ctx.close());

describe('the typed client against the service', () => {
  test('when a session and a cart are created, then the answers are the typed session and cart', async () => {
    const session = await ok(api.POST('/v1/sessions', { body: {} }));

    const cart = await ok(
      api.POST('/v1/sessions/{anonymousId}/carts', {
        params: { path: { anonymousId: session.anonymousId } },
        body: { currency: 'EUR', lineItems: [{ sku: ctx.skus[0]!, quantity: 1 }] },
      }),
    );

    expect(session.status).toBe('active');
    expect(cart.anonymousId).toBe(session.anonymousId);
    expect(cart.lineItems).toHaveLength(1);
  });

  test('when a cart does not exist, then the call throws a ProblemError with the problem', async () => {
    const cartId = '00000000-0000-4000-8000-000000000000';

    const error = await api.GET('/v1/carts/{cartId}', { params: { path: { cartId } } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProblemError);
    const problem = error as ProblemError;
    expect(problem.status).toBe(404);
    expect(problem.code).toBe('CartNotFound');
    expect(problem.correlationId).toBe(sent.at(-1)!.get('x-correlation-id'));
    expect(problem.problem).toMatchObject({ status: 404, code: 'CartNotFound', detail: problem.detail });
  });

  test('when two POSTs are sent, then each carries the key and its own Idempotency-Key', async () => {
    sent.length = 0;

    await api.POST('/v1/sessions', { body: {} });
    await api.POST('/v1/sessions', { body: {} });

    const [first, second] = sent;
    expect(first!.get('authorization')).toBe(`Bearer ${KEYS.a}`);
    expect(first!.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.get('idempotency-key')).not.toBe(first!.get('idempotency-key'));
  });

  test('when a POST is retried with the same Idempotency-Key, then the first answer is replayed', async () => {
    const headers = { 'Idempotency-Key': `retry-${Date.now()}`, 'X-Correlation-ID': 'client-test-retry' };

    const first = await api.POST('/v1/sessions', { body: {}, headers });
    const retry = await api.POST('/v1/sessions', { body: {}, headers });

    expect(retry.data!.anonymousId).toBe(first.data!.anonymousId);
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.response.headers.get('x-correlation-id')).toBe('client-test-retry');
  });
});
