import { randomUUID } from 'node:crypto';
import type { Cart, CartDraft, Customer, CustomerSignInResult, Order } from '@commercetools/platform-sdk';
import { connectApi, type ApiClient, type ApiResponse } from '../../sandbox/api-client';
import { seedCatalogue } from '../../sandbox/catalogue';
import { spawnEmulator, type SpawnedEmulator } from '../../sandbox/emulator-process';
import { waitFor } from '../support/wait';

/** Error body of commercetools, as the emulator answers it. */
export interface CtErrorBody {
  statusCode: number;
  message: string;
  errors: Array<{ code: string; message: string; [field: string]: unknown }>;
}

export interface EmulatorFixture {
  url: string;
  projectKey: string;
  api: ApiClient;
}

/**
 * Spawns an emulator for the test file (beforeAll/afterAll) with a project of the file's own,
 * seeded with the demo catalogue. The fields are filled once beforeAll ran.
 */
export function useEmulator(name: string): EmulatorFixture {
  const fixture = {} as EmulatorFixture;
  let emulator: SpawnedEmulator | undefined;
  beforeAll(async () => {
    emulator = await spawnEmulator();
    fixture.url = emulator.url;
    fixture.projectKey = `emu-${name}-${Date.now()}`;
    await seedCatalogue(emulator.url, fixture.projectKey);
    fixture.api = await connectApi(emulator.url, fixture.projectKey);
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return fixture;
}

export const anonymousId = (): string => `anon-${randomUUID()}`;
export const email = (): string => `shopper-${randomUUID()}@example.com`;

/**
 * lastModifiedAt has millisecond resolution: waiting until the clock has moved on keeps "most
 * recent" unambiguous (the emulator stamped the last write no later than now).
 */
export async function tick(): Promise<void> {
  const now = Date.now();
  await waitFor(() => Date.now() > now, { intervalMs: 1, what: 'the clock to move on' });
}

/** The body of a response with the expected status; anything else fails with the body in the message. */
export function bodyOf<T>(response: ApiResponse<T>, status: number): T {
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** A cart in EUR with a DE shipping address (commercetools orders no cart without one), unless `draft` says otherwise. */
export async function createCart(api: ApiClient, draft: Partial<CartDraft> = {}): Promise<Cart> {
  const cart = bodyOf(
    await api.post<Cart>('/carts', { currency: 'EUR', shippingAddress: { country: 'DE' }, ...draft }),
    201,
  );
  await tick();
  return cart;
}

export async function getCart(api: ApiClient, id: string): Promise<Cart> {
  return bodyOf(await api.get<Cart>(`/carts/${id}`), 200);
}

export async function getOrder(api: ApiClient, id: string): Promise<Order> {
  return bodyOf(await api.get<Order>(`/orders/${id}`), 200);
}

export async function signUp(
  api: ApiClient,
  draft: { email: string; password: string; anonymousId?: string },
): Promise<CustomerSignInResult> {
  return bodyOf(await api.post<CustomerSignInResult>('/customers', draft), 201);
}

export async function createCustomer(api: ApiClient, password = 'secret-1'): Promise<Customer & { password: string }> {
  const { customer } = await signUp(api, { email: email(), password });
  return { ...customer, password };
}

export async function orderCart(api: ApiClient, cart: Cart, orderNumber?: string): Promise<Order> {
  const draft = {
    cart: { typeId: 'cart', id: cart.id },
    version: cart.version,
    ...(orderNumber ? { orderNumber } : {}),
  };
  const order = bodyOf(await api.post<Order>('/orders', draft), 201);
  await tick();
  return order;
}

/** Quantities by SKU, for comparing line items regardless of their order. */
export function quantities(cart: Cart): Record<string, number> {
  return Object.fromEntries(cart.lineItems.map((item) => [item.variant.sku ?? '', item.quantity]));
}
