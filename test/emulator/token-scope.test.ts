import { grants, serviceScopes } from '../../src/clients/ctp-scopes';
import { requiredScopes } from '../../sandbox/fidelity/token-scope.fidelity';
import { useEmulator } from './emulator-fixture';

/** A token requested as the service does: client credentials, `scope` in the form body. */
async function tokenWith(url: string, scopes: string[]): Promise<{ token: string; scope: string }> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('scoped-client:secret').toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' ') }),
  });
  const body = (await response.json()) as { access_token: string; scope: string };
  return { token: body.access_token, scope: body.scope };
}

describe('emulator: OAuth scopes per endpoint', () => {
  const emu = useEmulator('scopes');
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emu.url}/${emu.projectKey}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const scope = (name: string) => `${name}:${emu.projectKey}`;

  test('when a token is requested with scope in the form body, then it is granted that scope', async () => {
    const requested = [scope('manage_orders'), scope('view_project_settings')];

    const { scope: granted } = await tokenWith(emu.url, requested);

    expect(granted.split(' ')).toEqual(requested);
  });

  test('when the token lacks manage_orders, then creating a cart is 403 insufficient_scope naming it', async () => {
    const { token } = await tokenWith(emu.url, [scope('manage_customers'), scope('view_orders')]);

    const created = await call(token, 'POST', '/carts', { currency: 'EUR' });

    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({
      statusCode: 403,
      errors: [{ code: 'insufficient_scope' }],
      error: 'insufficient_scope',
    });
    expect(created.body.message).toContain(scope('manage_orders'));
  });

  test('when the token has view_orders only, then carts are readable but not changeable', async () => {
    const cart = (await emu.api.post<{ id: string; version: number }>('/carts', { currency: 'EUR' })).body;
    const { token } = await tokenWith(emu.url, [scope('view_orders')]);

    const read = await call(token, 'GET', `/carts/${cart.id}`);
    const update = await call(token, 'POST', `/carts/${cart.id}`, { version: cart.version, actions: [] });

    expect(read.status).toBe(200);
    expect(update.status).toBe(403);
  });

  test('when the token has manage_orders, then it reads too (manage implies view), but not customers', async () => {
    const { token } = await tokenWith(emu.url, [scope('manage_orders')]);

    const created = await call(token, 'POST', '/carts', { currency: 'EUR' });
    const queried = await call(token, 'GET', '/carts?limit=1');
    const customers = await call(token, 'GET', '/customers?limit=1');
    const signIn = await call(token, 'POST', '/login', { email: 'nobody@example.com', password: 'x' });

    expect(created.status).toBe(201);
    expect(queried.status).toBe(200);
    expect(customers.status).toBe(403);
    expect(signIn.status).toBe(403);
  });

  test('when the token lacks view_project_settings, then reading the project is 403; with it, 200', async () => {
    const { token: without } = await tokenWith(emu.url, [scope('manage_orders')]);
    const { token: withIt } = await tokenWith(emu.url, [scope('view_project_settings')]);

    expect((await call(without, 'GET', '')).status).toBe(403);
    expect((await call(withIt, 'GET', '')).status).toBe(200);
  });

  test('when the token has manage_project, then every endpoint is open to it', async () => {
    const { token } = await tokenWith(emu.url, [scope('manage_project')]);

    expect((await call(token, 'POST', '/carts', { currency: 'EUR' })).status).toBe(201);
    expect((await call(token, 'GET', '/customers?limit=1')).status).toBe(200);
    expect((await call(token, 'GET', '')).status).toBe(200);
  });

  test("when the token has a Store's scope, then that Store's in-store carts are open but project-wide ones not", async () => {
    const { token } = await tokenWith(emu.url, [`${scope('manage_orders')}:berlin`]);

    const inStore = await call(token, 'GET', '/in-store/key=berlin/carts?limit=1');
    const otherStore = await call(token, 'GET', '/in-store/key=vienna/carts?limit=1');
    const projectWide = await call(token, 'GET', '/carts?limit=1');

    expect(inStore.status).toBe(200);
    expect(otherStore.status).toBe(403);
    expect(projectWide.status).toBe(403);
  });

  test("when the service's scope set is granted, then each endpoint family it calls is allowed", async () => {
    const granted = serviceScopes('p');

    const needs = [
      requiredScopes('POST', '/p/carts'),
      requiredScopes('GET', '/p/carts/key=k'),
      requiredScopes('POST', '/p/orders'),
      requiredScopes('GET', '/p/orders/order-number=n'),
      requiredScopes('POST', '/p/customers'),
      requiredScopes('POST', '/p/login'),
      requiredScopes('POST', '/p/payments'),
      requiredScopes('GET', '/p/shipping-methods/matching-cart?cartId=c'),
      requiredScopes('GET', '/p/stores/key=s'),
      requiredScopes('GET', '/p/channels/key=c'),
      requiredScopes('POST', '/p/carts/customer-id=c/merge'),
      requiredScopes('GET', '/p'),
    ];

    const set = new Set(granted);
    expect(needs.map((anyOf) => anyOf !== undefined && anyOf.some((each) => grants(set, each)))).not.toContain(false);
  });
});
