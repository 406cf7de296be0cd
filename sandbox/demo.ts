import { createClient, ProblemError } from '@ct-guest-checkout/client';
import { SandboxError, startSandbox, type Sandbox } from './sandbox';

/**
 * `npm run demo`: the guest-checkout walkthrough over HTTP, step by step, through the typed client
 * callers use (clients/typescript). Runs against DEMO_URL + DEMO_API_KEY when given (e.g. a running
 * `npm run dev`), else starts its own sandbox.
 */
let stepNo = 0;
function show(title: string, request: string, status: number, summary: string): void {
  stepNo += 1;
  process.stdout.write(`\n${stepNo}. ${title}\n   ${request} -> ${status}\n   ${summary}\n`);
}

async function walkthrough(url: string, apiKey: string, sku: string): Promise<void> {
  const api = createClient({ baseUrl: url, apiKey });
  const { data: session, response: started } = await api.POST('/v1/sessions', { body: {} });
  const aid = session!.anonymousId;
  show(
    'Mint an anonymous session',
    'POST /v1/sessions {}',
    started.status,
    `anonymousId=${aid} status=${session!.status}`,
  );

  const sessionPath = { params: { path: { anonymousId: aid } } };
  const { data: cart, response: created } = await api.POST('/v1/sessions/{anonymousId}/carts', {
    ...sessionPath,
    body: { currency: 'EUR', country: 'DE' },
  });
  const cartPath = { params: { path: { cartId: cart!.id } } };
  show(
    'Create a cart for the session',
    `POST /v1/sessions/${aid}/carts {"currency":"EUR"}`,
    created.status,
    `cart ${cart!.id} anonymousId=${cart!.anonymousId} state=${cart!.cartState}`,
  );

  const { data: item, response: added } = await api.POST('/v1/carts/{cartId}/line-items', {
    ...cartPath,
    body: { sku, quantity: 2 },
  });
  show(
    'Add a line item',
    `POST /v1/carts/${cart!.id}/line-items {"sku":"${sku}","quantity":2}`,
    added.status,
    `${item!.lineItems.length} line item(s), total ${item!.totalPrice.centAmount / 100} ${item!.totalPrice.currencyCode}`,
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
  const { data: shipping, response: patched } = await api.PATCH('/v1/carts/{cartId}', {
    ...cartPath,
    body: { customerEmail: 'ada@example.com', shippingAddress: address },
  });
  // The Cart schema types the fields the service itself relies on; the rest is commercetools' Cart as is.
  const shipTo = shipping!.shippingAddress as typeof address;
  show(
    'Set email and shipping address',
    `PATCH /v1/carts/${cart!.id}`,
    patched.status,
    `ships to ${shipTo.city}, ${shipTo.country}`,
  );

  const { data: order, response: ordered } = await api.POST('/v1/carts/{cartId}/order', {
    ...cartPath,
    body: { orderNumber: `DEMO-${Date.now()}` },
  });
  show(
    'Order the cart',
    `POST /v1/carts/${cart!.id}/order`,
    ordered.status,
    `order ${order!.orderNumber} (${order!.id}) anonymousId=${order!.anonymousId}`,
  );

  const email = `ada+${Date.now()}@example.com`;
  const { data: signUp, response: signedUp } = await api.POST('/v1/sessions/{anonymousId}/sign-up', {
    ...sessionPath,
    body: { email, password: 'Demo-Passw0rd', firstName: 'Ada' },
  });
  const customerId = signUp!.customer.id;
  show(
    'Sign up: the customer takes over the session',
    `POST /v1/sessions/${aid}/sign-up {"email":"${email}",...}`,
    signedUp.status,
    `customer ${customerId}`,
  );

  const { data: cartAfter, response: cartRead } = await api.GET('/v1/carts/{cartId}', cartPath);
  const { data: orderAfter, response: orderRead } = await api.GET('/v1/orders/{orderId}', {
    params: { path: { orderId: order!.id } },
  });
  show(
    'The cart now belongs to the customer',
    `GET /v1/carts/${cart!.id}`,
    cartRead.status,
    `customerId=${cartAfter!.customerId} anonymousId=${cartAfter!.anonymousId}`,
  );
  show(
    'The order now belongs to the customer',
    `GET /v1/orders/${order!.id}`,
    orderRead.status,
    `customerId=${orderAfter!.customerId} anonymousId=${orderAfter!.anonymousId}`,
  );
  if (
    cartAfter!.customerId !== customerId ||
    orderAfter!.customerId !== customerId ||
    orderAfter!.anonymousId !== aid
  ) {
    throw new Error('the cart and the order were not handed over to the customer');
  }

  const { data: ended, response: endedRead } = await api.GET('/v1/sessions/{anonymousId}', sessionPath);
  show(
    'The session has ended',
    `GET /v1/sessions/${aid}`,
    endedRead.status,
    `status=${ended!.status} customerId=${ended!.customerId}`,
  );
  const refused = await api
    .POST('/v1/sessions/{anonymousId}/carts', { ...sessionPath, body: { currency: 'EUR' } })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  if (!(refused instanceof ProblemError) || refused.status !== 409)
    throw new Error(`a new cart on the ended session: expected a 409 problem, got ${String(refused)}`);
  show(
    'The ended session refuses a new cart',
    `POST /v1/sessions/${aid}/carts`,
    refused.status,
    `${refused.code}: ${refused.detail}`,
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
