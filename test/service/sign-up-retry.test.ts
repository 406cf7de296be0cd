import { bearer, createTestContext, KEYS, uniqueName, type TestContext } from '../support/harness';
import type { RecordedCall } from '../support/recording-proxy';

describe('a sign-up retried after its answer was lost', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ record: true });
  });
  afterAll(() => ctx.close());
  afterEach(() => {
    ctx.faults.length = 0;
  });

  const auth = () => bearer(KEYS.a);
  const isSignUp = (call: RecordedCall) => call.method === 'POST' && call.path === `/${ctx.projectKey}/customers`;
  const isKeyLookup = (call: RecordedCall) =>
    call.method === 'GET' && call.path.startsWith(`/${ctx.projectKey}/customers/key=`);
  const isLogin = (call: RecordedCall) => call.method === 'POST' && call.path === `/${ctx.projectKey}/login`;
  const customersWith = async (address: string) =>
    (await ctx.ct(`/customers?where=${encodeURIComponent('email = :email')}&var.email=${encodeURIComponent(address)}`))
      .body.results as Array<{ id: string }>;

  /** A session whose sign-up landed at commercetools but whose answer (and the lookup after it) was lost. */
  async function lostSignUp(address: string, password: string): Promise<string> {
    const anonymousId = (await ctx.http.post('/v1/sessions').set(auth()).send({}).expect(201)).body.anonymousId;
    ctx.faults.push({ match: isSignUp, fault: { kind: 'drop-response' }, times: 1 });
    ctx.faults.push({ match: isKeyLookup, fault: { kind: 'status', status: 503 }, times: 3 });
    const failed = await ctx.http
      .post(`/v1/sessions/${anonymousId}/sign-up`)
      .set(auth())
      .send({ email: address, password });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    return anonymousId;
  }

  test('when the retry carries another password, then it is 409 SessionEnded without the customer, and the session ends with it', async () => {
    const address = `${uniqueName('shopper')}@example.com`;
    const anonymousId = await lostSignUp(address, 'Secret-1');

    const retry = await ctx.http
      .post(`/v1/sessions/${anonymousId}/sign-up`)
      .set(auth())
      .send({ email: address, password: 'Another-2' });

    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('SessionEnded');
    expect(retry.body.customer).toBeUndefined();
    const made = await customersWith(address);
    expect(made).toHaveLength(1);
    expect((await ctx.http.get(`/v1/sessions/${anonymousId}`).set(auth())).body).toMatchObject({
      status: 'ended',
      customerId: made[0]!.id,
    });
    // The password was checked by a sign-in without the session (which hands nothing over).
    const login = ctx.upstreamCalls.filter(isLogin).pop();
    expect(login?.body).toEqual({ email: address, password: 'Another-2' });
  });

  test('when the retry carries the same password, then it is 201 with the customer', async () => {
    const address = `${uniqueName('shopper')}@example.com`;
    const anonymousId = await lostSignUp(address, 'Secret-1');

    const retry = await ctx.http
      .post(`/v1/sessions/${anonymousId}/sign-up`)
      .set(auth())
      .send({ email: address, password: 'Secret-1' });

    expect(retry.status).toBe(201);
    expect(retry.body.customer).toMatchObject({ email: address });
    expect(retry.body.customer.password).toBeUndefined();
    expect((await customersWith(address)).map((c) => c.id)).toEqual([retry.body.customer.id]);
  });
});
