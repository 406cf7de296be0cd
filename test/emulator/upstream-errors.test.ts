import { buildCtpClient, CommercetoolsGateway } from '../../src/clients/commercetools.client';
import {
  AnonymousIdUsedUp,
  DuplicateValue,
  InvalidCredentials,
  InvalidOperation,
  VersionConflict,
} from '../../src/domain/ports';
import { anonymousId, createCart, createCustomer, email, useEmulator } from './emulator-fixture';

/**
 * The gateway's translation of commercetools' error answers (translateUpstreamError) against the
 * answers the emulator gives, the fidelity layer's copies included.
 */
describe('emulator: the gateway turns commercetools errors into typed failures', () => {
  const emu = useEmulator('upstream-errors');
  let gateway: CommercetoolsGateway;
  beforeAll(() => {
    const client = buildCtpClient({
      projectKey: emu.projectKey,
      clientId: 'gateway',
      clientSecret: 'gateway-secret',
      authUrl: emu.url,
      apiUrl: emu.url,
      scopes: [`manage_project:${emu.projectKey}`],
      timeoutMs: 5000,
      correlationId: () => 'upstream-errors-test',
    });
    gateway = new CommercetoolsGateway(client, emu.projectKey);
  });

  test('when an anonymousId was used to sign in, then signing in with it again fails with AnonymousIdUsedUp', async () => {
    const customer = await createCustomer(emu.api);
    const aid = anonymousId();
    await createCart(emu.api, { anonymousId: aid });
    await gateway.signIn({ email: customer.email, password: customer.password, anonymousId: aid });

    const again = gateway.signIn({ email: customer.email, password: customer.password, anonymousId: aid });

    await expect(again).rejects.toBeInstanceOf(AnonymousIdUsedUp);
    await expect(again).rejects.toMatchObject({
      code: 'InvalidOperation',
      reasons: [{ code: 'InvalidOperation', message: expect.stringContaining(aid) }],
    });
  });

  test('when an anonymousId was used to sign up, then a sign-up and a cart create with it fail with AnonymousIdUsedUp', async () => {
    const aid = anonymousId();
    await gateway.signUp({ email: email(), password: 'secret-1', anonymousId: aid, key: `key-${Date.now()}` });

    const signUp = gateway.signUp({
      email: email(),
      password: 'secret-1',
      anonymousId: aid,
      key: `key2-${Date.now()}`,
    });
    const cart = gateway.createCart({ currency: 'EUR', anonymousId: aid });

    await expect(signUp).rejects.toBeInstanceOf(AnonymousIdUsedUp);
    await expect(cart).rejects.toBeInstanceOf(AnonymousIdUsedUp);
  });

  test('when the password is wrong, then the sign-in fails with InvalidCredentials, not AnonymousIdUsedUp', async () => {
    const customer = await createCustomer(emu.api);

    const signIn = gateway.signIn({ email: customer.email, password: 'wrong', anonymousId: anonymousId() });

    await expect(signIn).rejects.toBeInstanceOf(InvalidCredentials);
    await expect(signIn).rejects.not.toBeInstanceOf(AnonymousIdUsedUp);
  });

  test('when a cart is ordered twice, then the refusal is InvalidOperation, not AnonymousIdUsedUp', async () => {
    const cart = await createCart(emu.api, {
      anonymousId: anonymousId(),
      shippingAddress: { country: 'DE' },
    });
    await gateway.createOrder({ cartId: cart.id, version: cart.version });
    const ordered = await gateway.getCart(cart.id);

    const again = gateway.createOrder({ cartId: cart.id, version: ordered!.version });

    await expect(again).rejects.toBeInstanceOf(InvalidOperation);
    await expect(again).rejects.not.toBeInstanceOf(AnonymousIdUsedUp);
  });

  test('when the email is taken, then the sign-up fails with DuplicateValue', async () => {
    const customer = await createCustomer(emu.api);

    const signUp = gateway.signUp({
      email: customer.email,
      password: 'x',
      anonymousId: anonymousId(),
      key: `k-${Date.now()}`,
    });

    await expect(signUp).rejects.toBeInstanceOf(DuplicateValue);
    await expect(signUp).rejects.toMatchObject({ field: 'email', duplicateValue: customer.email });
  });

  test('when a cart update sends a stale version, then it fails with VersionConflict carrying the current version', async () => {
    const cart = await createCart(emu.api, { anonymousId: anonymousId() });
    const changed = await gateway.updateCart(cart.id, cart.version, [{ action: 'setCustomerEmail', email: email() }]);

    const stale = gateway.updateCart(cart.id, cart.version, [{ action: 'setCustomerEmail', email: email() }]);

    await expect(stale).rejects.toBeInstanceOf(VersionConflict);
    await expect(stale).rejects.toMatchObject({ currentVersion: changed.version });
  });

  test('when a cart does not exist, then reading it answers null', async () => {
    const missing = await gateway.getCart('00000000-0000-4000-8000-000000000000');

    expect(missing).toBeNull();
  });
});
