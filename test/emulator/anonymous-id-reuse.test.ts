import {
  anonymousId,
  bodyOf,
  createCart,
  createCustomer,
  email,
  useEmulator,
  type CtErrorBody,
} from './emulator-fixture';

describe('emulator: an anonymousId cannot be reused after sign-in or sign-up', () => {
  const emu = useEmulator('anon-reuse');

  const refusal = (aid: string) => ({
    statusCode: 400,
    message: `The anonymousId '${aid}' was already used for sign-in or sign-up.`,
    errors: [
      { code: 'InvalidOperation', message: `The anonymousId '${aid}' was already used for sign-in or sign-up.` },
    ],
  });

  test('when an anonymousId was used to sign in, then signing in, signing up or creating a cart with it is refused', async () => {
    const customer = await createCustomer(emu.api);
    const aid = anonymousId();
    await createCart(emu.api, { anonymousId: aid });
    bodyOf(await emu.api.post('/login', { email: customer.email, password: customer.password, anonymousId: aid }), 200);

    const again = await emu.api.post<CtErrorBody>('/login', {
      email: customer.email,
      password: customer.password,
      anonymousId: aid,
    });
    expect(again).toEqual({ status: 400, body: refusal(aid) });
    const signUp = await emu.api.post<CtErrorBody>('/customers', {
      email: email(),
      password: 'secret-1',
      anonymousId: aid,
    });
    expect(signUp).toEqual({ status: 400, body: refusal(aid) });
    const cart = await emu.api.post<CtErrorBody>('/carts', { currency: 'EUR', anonymousId: aid });
    expect(cart).toEqual({ status: 400, body: refusal(aid) });
  });

  test('when an anonymousId was used to sign up, then signing in with it is refused and no customer was created by the refused sign-up', async () => {
    const aid = anonymousId();
    const { customer } = bodyOf(
      await emu.api.post<{ customer: { email: string } }>('/customers', {
        email: email(),
        password: 'secret-1',
        anonymousId: aid,
      }),
      201,
    );

    const login = await emu.api.post<CtErrorBody>('/login', {
      email: customer.email,
      password: 'secret-1',
      anonymousId: aid,
    });
    expect(login).toEqual({ status: 400, body: refusal(aid) });

    const refusedEmail = email();
    expect(
      (await emu.api.post('/customers', { email: refusedEmail, password: 'secret-1', anonymousId: aid })).status,
    ).toBe(400);
    const created = await emu.api.get<{ count: number }>(
      `/customers?where=${encodeURIComponent('email = :email')}&var.email=${encodeURIComponent(refusedEmail)}`,
    );
    expect(created.body.count).toBe(0);
  });

  test('when a sign-in failed, then its anonymousId stays usable', async () => {
    const customer = await createCustomer(emu.api);
    const aid = anonymousId();
    expect((await emu.api.post('/login', { email: customer.email, password: 'wrong', anonymousId: aid })).status).toBe(
      400,
    );

    expect((await emu.api.post('/carts', { currency: 'EUR', anonymousId: aid })).status).toBe(201);
    expect(
      (await emu.api.post('/login', { email: customer.email, password: customer.password, anonymousId: aid })).status,
    ).toBe(200);
  });

  test('when a sign-in or sign-up used no anonymousId, then carts with fresh anonymousIds are still created', async () => {
    const customer = await createCustomer(emu.api);
    bodyOf(await emu.api.post('/login', { email: customer.email, password: customer.password }), 200);
    expect((await emu.api.post('/carts', { currency: 'EUR', anonymousId: anonymousId() })).status).toBe(201);
  });
});
