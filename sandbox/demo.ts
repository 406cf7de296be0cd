import { SandboxError, startSandbox, type Sandbox } from './sandbox';

/**
 * `npm run demo`: the guest-checkout walkthrough over HTTP, step by step. Runs against
 * DEMO_URL + DEMO_API_KEY when given (e.g. a running `npm run dev`), else starts its own sandbox.
 */
interface Step {
  status: number;
  body: any;
}

function makeClient(url: string, apiKey: string) {
  return async function call(method: string, path: string, body?: unknown): Promise<Step> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

let stepNo = 0;
function show(title: string, request: string, step: Step, summary: string): void {
  stepNo += 1;
  process.stdout.write(`\n${stepNo}. ${title}\n   ${request} -> ${step.status}\n   ${summary}\n`);
}

function expectStatus(step: Step, status: number, what: string): void {
  if (step.status !== status)
    throw new Error(`${what}: expected ${status}, got ${step.status} ${JSON.stringify(step.body)}`);
}

async function walkthrough(url: string, apiKey: string, sku: string): Promise<void> {
  const call = makeClient(url, apiKey);
  const session = await call('POST', '/v1/sessions', {});
  expectStatus(session, 201, 'mint a session');
  const aid = session.body.anonymousId as string;
  show(
    'Mint an anonymous session',
    'POST /v1/sessions {}',
    session,
    `anonymousId=${aid} status=${session.body.status}`,
  );

  const cart = await call('POST', `/v1/sessions/${aid}/carts`, { currency: 'EUR', country: 'DE' });
  expectStatus(cart, 201, 'create a cart');
  show(
    'Create a cart for the session',
    `POST /v1/sessions/${aid}/carts {"currency":"EUR"}`,
    cart,
    `cart ${cart.body.id} anonymousId=${cart.body.anonymousId} state=${cart.body.cartState}`,
  );

  const item = await call('POST', `/v1/carts/${cart.body.id}/line-items`, { sku, quantity: 2 });
  expectStatus(item, 200, 'add a line item');
  show(
    'Add a line item',
    `POST /v1/carts/${cart.body.id}/line-items {"sku":"${sku}","quantity":2}`,
    item,
    `${item.body.lineItems.length} line item(s), total ${item.body.totalPrice.centAmount / 100} ${item.body.totalPrice.currencyCode}`,
  );

  const address = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    streetName: 'Unter den Linden',
    streetNumber: '1',
    postalCode: '10117',
    city: 'Berlin',
    country: 'DE',
  };
  const shipping = await call('PATCH', `/v1/carts/${cart.body.id}`, {
    customerEmail: 'ada@example.com',
    shippingAddress: address,
  });
  expectStatus(shipping, 200, 'set the shipping address');
  show(
    'Set email and shipping address',
    `PATCH /v1/carts/${cart.body.id}`,
    shipping,
    `ships to ${shipping.body.shippingAddress.city}, ${shipping.body.shippingAddress.country}`,
  );

  const order = await call('POST', `/v1/carts/${cart.body.id}/order`, { orderNumber: `DEMO-${Date.now()}` });
  expectStatus(order, 201, 'order the cart');
  show(
    'Order the cart',
    `POST /v1/carts/${cart.body.id}/order`,
    order,
    `order ${order.body.orderNumber} (${order.body.id}) anonymousId=${order.body.anonymousId}`,
  );

  const email = `ada+${Date.now()}@example.com`;
  const signUp = await call('POST', `/v1/sessions/${aid}/sign-up`, {
    email,
    password: 'Demo-Passw0rd',
    firstName: 'Ada',
  });
  expectStatus(signUp, 201, 'sign up');
  const customerId = signUp.body.customer.id as string;
  show(
    'Sign up: the customer takes over the session',
    `POST /v1/sessions/${aid}/sign-up {"email":"${email}",...}`,
    signUp,
    `customer ${customerId}`,
  );

  const cartAfter = await call('GET', `/v1/carts/${cart.body.id}`);
  const orderAfter = await call('GET', `/v1/orders/${order.body.id}`);
  show(
    'The cart now belongs to the customer',
    `GET /v1/carts/${cart.body.id}`,
    cartAfter,
    `customerId=${cartAfter.body.customerId} anonymousId=${cartAfter.body.anonymousId}`,
  );
  show(
    'The order now belongs to the customer',
    `GET /v1/orders/${order.body.id}`,
    orderAfter,
    `customerId=${orderAfter.body.customerId} anonymousId=${orderAfter.body.anonymousId}`,
  );
  if (
    cartAfter.body.customerId !== customerId ||
    orderAfter.body.customerId !== customerId ||
    orderAfter.body.anonymousId !== aid
  ) {
    throw new Error('the cart and the order were not handed over to the customer');
  }

  const ended = await call('GET', `/v1/sessions/${aid}`);
  show(
    'The session has ended',
    `GET /v1/sessions/${aid}`,
    ended,
    `status=${ended.body.status} customerId=${ended.body.customerId}`,
  );
  const refused = await call('POST', `/v1/sessions/${aid}/carts`, { currency: 'EUR' });
  expectStatus(refused, 409, 'a new cart on the ended session');
  show(
    'The ended session refuses a new cart',
    `POST /v1/sessions/${aid}/carts`,
    refused,
    `${refused.body.code}: ${refused.body.detail}`,
  );
  process.stdout.write('\nGuest checkout walkthrough complete.\n');
}

async function main(): Promise<void> {
  let sandbox: Sandbox | undefined;
  const url = process.env.DEMO_URL ?? (sandbox = await startSandbox({ quiet: true })).url;
  const apiKey = process.env.DEMO_API_KEY ?? sandbox?.apiKey ?? '';
  try {
    process.stdout.write(`Guest checkout walkthrough against ${url}\n`);
    await walkthrough(url, apiKey, process.env.DEMO_SKU ?? 'TSHIRT-BLUE-M');
  } finally {
    await sandbox?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof SandboxError ? error.message : `Demo failed: ${(error as Error).message}`}\n`,
  );
  process.exit(1);
});
