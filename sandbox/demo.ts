import { createClient, ProblemError } from '@ct-guest-checkout/client';
import { SandboxError, startSandbox, type Sandbox } from './sandbox';

/**
 * `npm run demo`: the guest-checkout walkthrough over HTTP, step by step, through the typed client
 * callers use (clients/typescript). Runs against DEMO_URL + DEMO_API_KEY when given (e.g. a running
 * `npm run dev`), else starts its own sandbox.
 */
interface Money {
  centAmount: number;
  currencyCode: string;
}
const money = (amount: Money) => `${(amount.centAmount / 100).toFixed(2)} ${amount.currencyCode}`;

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
    body: { currency: 'EUR', country: 'DE', custom: { typeKey: 'pos-cart-fields', fields: { terminalId: 'T-01' } } },
  });
  const cartPath = { params: { path: { cartId: cart!.id } } };
  show(
    "Create a cart for the session, with the till's own fields",
    `POST /v1/sessions/${aid}/carts {"currency":"EUR","custom":{"typeKey":"pos-cart-fields",...}}`,
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
  const { data: more, response: addedMore } = await api.POST('/v1/carts/{cartId}/line-items', {
    ...cartPath,
    body: { sku: 'HOODIE-GREY-M', quantity: 1 },
  });
  show(
    'Add another line item',
    `POST /v1/carts/${cart!.id}/line-items {"sku":"HOODIE-GREY-M","quantity":1}`,
    addedMore.status,
    `${more!.lineItems.length} line item(s), total ${money(more!.totalPrice)}`,
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

  const { data: methods, response: matched } = await api.GET('/v1/carts/{cartId}/shipping-methods', cartPath);
  show(
    'The shipping methods matching the cart',
    `GET /v1/carts/${cart!.id}/shipping-methods`,
    matched.status,
    methods!.results.map((m) => `${m.key} ${money(m.price)}${m.isDefault ? ' (default)' : ''}`).join(', '),
  );
  const chosen = methods!.results.find((m) => m.isDefault) ?? methods!.results[0]!;
  const { data: shipped, response: methodSet } = await api.PUT('/v1/carts/{cartId}/shipping-method', {
    ...cartPath,
    body: { shippingMethodId: chosen.id },
  });
  const shippingInfo = shipped!.shippingInfo!;
  show(
    'Choose the shipping method',
    `PUT /v1/carts/${cart!.id}/shipping-method {"shippingMethodId":"${chosen.id}"}`,
    methodSet.status,
    `${shippingInfo.shippingMethodName} for ${money(shippingInfo.price)}`,
  );

  const { data: discounted, response: voucher } = await api.POST('/v1/carts/{cartId}/discount-codes', {
    ...cartPath,
    body: { code: 'WELCOME10' },
  });
  const codes = discounted!.discountCodes ?? [];
  show(
    'Redeem a voucher',
    `POST /v1/carts/${cart!.id}/discount-codes {"code":"WELCOME10"}`,
    voucher.status,
    `code state ${codes.map((c) => c.state).join(', ')}`,
  );

  const { data: frozen, response: froze } = await api.POST('/v1/carts/{cartId}/freeze', { ...cartPath, body: {} });
  show(
    'Freeze the cart while the terminal takes the payment',
    `POST /v1/carts/${cart!.id}/freeze`,
    froze.status,
    `cartState=${frozen!.cartState} total ${money(frozen!.totalPrice)}`,
  );

  const { data: paid, response: payment } = await api.POST('/v1/carts/{cartId}/payments', {
    ...cartPath,
    body: {
      method: 'card',
      paymentInterface: 'pos-terminal',
      interfaceId: 'T-01-000042',
      transaction: { type: 'Charge', state: 'Success', interactionId: 'T-01-000042' },
    },
  });
  show(
    'Record the payment (Charge, Success)',
    `POST /v1/carts/${cart!.id}/payments`,
    payment.status,
    `payment ${paid!.payment.id} ${money(paid!.payment.amountPlanned)} anonymousId=${paid!.payment.anonymousId}`,
  );

  const { data: order, response: ordered } = await api.POST('/v1/carts/{cartId}/order', {
    ...cartPath,
    body: { orderNumber: `DEMO-${Date.now()}`, orderState: 'Confirmed', paymentState: 'Paid' },
  });
  show(
    'Order the cart: Confirmed and Paid',
    `POST /v1/carts/${cart!.id}/order {"orderState":"Confirmed","paymentState":"Paid"}`,
    ordered.status,
    `order ${order!.orderNumber} (${order!.id}) anonymousId=${order!.anonymousId} ` +
      `orderState=${order!.orderState} paymentState=${order!.paymentState}`,
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
  const { data: payments, response: paymentsRead } = await api.GET('/v1/carts/{cartId}/payments', cartPath);
  const paymentAfter = payments!.results[0];
  show(
    'The payment now belongs to the customer',
    `GET /v1/carts/${cart!.id}/payments`,
    paymentsRead.status,
    `payment ${paymentAfter?.id} customer=${paymentAfter?.customer?.id}`,
  );
  if (
    cartAfter!.customerId !== customerId ||
    orderAfter!.customerId !== customerId ||
    orderAfter!.anonymousId !== aid ||
    paymentAfter?.customer?.id !== customerId
  ) {
    throw new Error('the cart, the order and the payment were not handed over to the customer');
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
