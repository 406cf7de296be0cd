import {
  createAuthMiddlewareForClientCredentialsFlow,
  createClient,
  createCorrelationIdMiddleware,
  createUserAgentMiddleware,
  type Client,
  type TokenCache,
} from '@commercetools/ts-client';
import {
  createApiBuilderFromCtpClient,
  type ByProjectKeyRequestBuilder,
  type Cart,
  type Channel,
  type CartDraft,
  type CartUpdateAction,
  type Customer,
  type MergeCartDraft,
  type Order,
  type OrderUpdateAction,
  type Payment,
  type PaymentDraft,
  type PaymentUpdateAction,
  type ShippingMethod,
  type Store,
} from '@commercetools/platform-sdk';
import type { Config } from '../config';
import { UpstreamPolicy } from './upstream-policy';
import {
  createUpstreamHttpClient,
  DEFAULT_UPSTREAM_HTTP,
  KEEP_JSON_AS_SENT,
  type UpstreamHttpClient,
} from './upstream-http.client';
import type { RawJson } from '../domain/raw-json';
import type { CartSignInMode } from '../domain/commerce.model';
import {
  AnonymousIdUsedUp,
  DiscountCodeNonApplicable,
  DuplicateValue,
  InvalidCredentials,
  InvalidOperation,
  NotFound,
  OutOfStock,
  PriceChanged,
  ReferencedResourceNotFound,
  Refused,
  ShippingMethodRefused,
  UnexpectedAnswer,
  Unavailable,
  VersionConflict,
  type CommerceGateway,
  type NewOrder,
  type Page,
  type QueryByAnonymousId,
  type RefusalReason,
  type SignInResult,
  type UpstreamFailure,
} from '../domain/ports';

export interface CommercetoolsOptions extends Omit<Config['commercetools'], 'policy' | 'http'> {
  /** The HTTP client under the ts-client; one on an undici pool of the default size when absent. */
  upstream?: UpstreamHttpClient;
  /** The current request's correlation id, sent as X-Correlation-ID on every call. */
  correlationId: () => string;
  /** Called once per upstream call, for metrics. */
  observe?: (operation: string, outcome: string, seconds: number) => void;
  /** Where the client-credentials token is kept; shared by all instances in production (token-cache.ts). */
  tokenCache?: TokenCache;
}

/**
 * Builds the ts-client: its correlation-id, user-agent and client-credentials auth middlewares
 * (token from `tokenCache`, a new one and one retry after a 401), then the HTTP step on our undici
 * pool (upstream-http.client.ts). Deliberately without the ts-client's retry (it would retry POSTs
 * too, creating a cart or order twice after a timeout) and without its concurrent-modification
 * middleware (it re-sends the same actions blindly); both decisions belong to the domain.
 */
export function buildCtpClient(options: CommercetoolsOptions): Client {
  const http = options.upstream ?? createUpstreamHttpClient({ ...DEFAULT_UPSTREAM_HTTP, timeoutMs: options.timeoutMs });
  return createClient({
    // The order of ClientBuilder.build(): correlation id, user agent, auth, HTTP.
    middlewares: [
      createCorrelationIdMiddleware({ generate: options.correlationId }),
      createUserAgentMiddleware({}),
      createAuthMiddlewareForClientCredentialsFlow({
        host: options.authUrl,
        projectKey: options.projectKey,
        credentials: { clientId: options.clientId, clientSecret: options.clientSecret },
        scopes: options.scopes,
        httpClient: http.fetch,
        ...(options.tokenCache ? { tokenCache: options.tokenCache } : {}),
      }),
      http.middleware(options.apiUrl),
    ],
  });
}

interface CtErrorObject {
  code?: unknown;
  message?: unknown;
  currentVersion?: unknown;
  field?: unknown;
  duplicateValue?: unknown;
  discountCode?: unknown;
  discountCodeId?: unknown;
  reason?: unknown;
  lineItems?: unknown;
  typeId?: unknown;
}

interface CtErrorBody {
  message?: unknown;
  errors?: unknown;
}

/** What a failed call said, read from whatever the ts-client throws: nothing of the request, no token. */
export interface FailedCall {
  /** 0 when no answer came (network failure or timeout). */
  status: number;
  timedOut: boolean;
  message?: string;
  errors: CtErrorObject[];
}

export function readFailedCall(thrown: unknown): FailedCall {
  const raw = (thrown ?? {}) as { statusCode?: number; message?: string; body?: unknown; error?: unknown };
  // Network failures arrive wrapped as `{ body: null, error }`.
  const error = (
    raw.statusCode === undefined && raw.error && typeof raw.error === 'object' ? raw.error : raw
  ) as typeof raw;
  const status = typeof error.statusCode === 'number' ? error.statusCode : 0;
  const body = (error.body && typeof error.body === 'object' ? error.body : {}) as CtErrorBody;
  const errors = (Array.isArray(body.errors) ? body.errors : []).filter(
    (e): e is CtErrorObject => e !== null && typeof e === 'object',
  );
  const text = `${error.message ?? ''} ${String((error.body as { name?: string } | undefined)?.name ?? '')}`;
  const message = typeof body.message === 'string' ? body.message : error.message;
  return { status, timedOut: status === 0 && /abort|timeout/i.test(text), message, errors };
}

/** The metric label of a failed call. */
export function outcomeOf(call: FailedCall): string {
  return call.timedOut ? 'timeout' : call.status === 0 ? 'network' : String(call.status);
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * commercetools' refusal of an anonymousId that a sign-in or sign-up already used. By the code
 * first: `AnonymousIdAlreadyInUse` is the API reference's error for an anonymousId that cannot be
 * used ("being used by another resource", https://docs.commercetools.com/api/errors#anonymousidalreadyinuse).
 * Then by a field naming the anonymousId, should commercetools add one. Last by the message: for
 * a used-up anonymousId commercetools answers a plain `InvalidOperation` (whose error object has
 * only `code` and `message`, https://docs.commercetools.com/api/errors#invalidoperation) saying
 * "The anonymousId '…' was already used for sign-in or sign-up." (our copy of that answer:
 * sandbox/fidelity/anonymous-id-reuse.fidelity.ts).
 */
function isAnonymousIdUsedUp(error: CtErrorObject): boolean {
  if (error.code === 'AnonymousIdAlreadyInUse') return true;
  if (error.code !== 'InvalidOperation') return false;
  if (error.field === 'anonymousId') return true;
  return /anonymousId\b.*\balready used/i.test(asString(error.message) ?? '');
}

/**
 * The one translation of commercetools' answers into the domain's typed failures (upstream-errors.ts):
 * statuses and `errors[].code` are read here and nowhere else.
 */
export function translateUpstreamError(thrown: unknown): UpstreamFailure {
  return translateFailedCall(readFailedCall(thrown));
}

export function translateFailedCall(call: FailedCall): UpstreamFailure {
  const { status, errors } = call;
  if (status === 0) {
    return new Unavailable(call.timedOut ? 'commercetools did not answer in time' : 'commercetools is not reachable', {
      timedOut: call.timedOut,
      retryable: true,
    });
  }
  if (status >= 500) {
    return new Unavailable(status === 504 ? 'commercetools timed out.' : `commercetools answered ${status}.`, {
      timedOut: status === 504,
      // The gateway statuses commercetools asks to retry; a 500 is not retried blindly.
      retryable: [502, 503, 504].includes(status),
    });
  }
  if (status === 409) {
    const currentVersion = errors.map((e) => e.currentVersion).find((v) => typeof v === 'number');
    return new VersionConflict(currentVersion);
  }
  if (status === 404) return new NotFound();
  if (status === 400) {
    const reasons: RefusalReason[] = errors.map((e) => ({
      code: asString(e.code) ?? 'Unknown',
      message: asString(e.message) ?? '',
    }));
    const message = call.message ?? reasons[0]?.message ?? 'commercetools refused the request.';
    const usedUp = errors.find(isAnonymousIdUsedUp);
    if (usedUp) return new AnonymousIdUsedUp(message, reasons, asString(usedUp.code));
    const duplicate = errors.find((e) => e.code === 'DuplicateField');
    if (duplicate) return new DuplicateValue(asString(duplicate.field), duplicate.duplicateValue, message, reasons);
    if (errors.some((e) => e.code === 'InvalidCredentials')) return new InvalidCredentials(message, reasons);
    const checkout = checkoutRefusal(errors, message, reasons);
    if (checkout) return checkout;
    if (errors.some((e) => e.code === 'InvalidOperation')) return new InvalidOperation(message, reasons);
    const referenced = errors.find((e) => e.code === 'ReferencedResourceNotFound');
    if (referenced) return new ReferencedResourceNotFound(asString(referenced.typeId), message, reasons);
    return new Refused(reasons[0]?.code ?? 'Unknown', message, reasons);
  }
  return new UnexpectedAnswer(`commercetools answered ${status}.`);
}

const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((each): each is string => typeof each === 'string') : [];

/**
 * The checkout's refusals (https://docs.commercetools.com/api/errors): DiscountCodeNonApplicable
 * (`discountCode`, `discountCodeId`, `reason`), OutOfStock and PriceChanged (`lineItems`: ids),
 * ShippingMethodDoesNotMatchCart, and ReferencedResourceNotFound of a shipping method.
 */
function checkoutRefusal(errors: CtErrorObject[], message: string, reasons: RefusalReason[]): Refused | undefined {
  const discount = errors.find((e) => e.code === 'DiscountCodeNonApplicable');
  if (discount) {
    const details = {
      discountCode: asString(discount.discountCode),
      discountCodeId: asString(discount.discountCodeId),
      reason: asString(discount.reason),
    };
    return new DiscountCodeNonApplicable(message, details, reasons);
  }
  const stock = errors.find((e) => e.code === 'OutOfStock');
  if (stock) return new OutOfStock(message, asStrings(stock.lineItems), reasons);
  const price = errors.find((e) => e.code === 'PriceChanged');
  if (price) return new PriceChanged(message, asStrings(price.lineItems), reasons);
  const shipping = errors.find(
    (e) =>
      e.code === 'ShippingMethodDoesNotMatchCart' ||
      (e.code === 'ReferencedResourceNotFound' && e.typeId === 'shipping-method'),
  );
  if (shipping) return new ShippingMethodRefused(asString(shipping.code) ?? 'Unknown', message, reasons);
  return undefined;
}

const ANONYMOUS_ID_PREDICATE = 'anonymousId = :aid';

/** Asks the HTTP client for the answer's bytes (upstream-http.client.ts); the ts-client carries the key along. */
const KEEP_AS_SENT = { [KEEP_JSON_AS_SENT]: 'yes' } as unknown as Record<string, string>;

export class CommercetoolsGateway implements CommerceGateway {
  private readonly api: ByProjectKeyRequestBuilder;
  /** The path of a store-bound gateway's carts and orders, before `/carts` or `/orders`; empty otherwise. */
  private readonly storePath: string;

  constructor(
    private readonly client: Client,
    private readonly projectKey: string,
    private readonly observe: CommercetoolsOptions['observe'] = undefined,
    private readonly policy: UpstreamPolicy = new UpstreamPolicy(),
    /** Set on the gateway `inStore` returns: carts and orders go through the Store's endpoints. */
    private readonly storeKey?: string,
  ) {
    this.api = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey });
    this.storePath = storeKey ? `/in-store/key=${encodeURIComponent(storeKey)}` : '';
  }

  inStore(storeKey: string): CommercetoolsGateway {
    return new CommercetoolsGateway(this.client, this.projectKey, this.observe, this.policy, storeKey);
  }

  /**
   * `/carts`, or `/in-store/key={storeKey}/carts` for a store-bound gateway (same requests and answers);
   * likewise orders, and sign-up (customers) and sign-in (login).
   */
  private carts(): ReturnType<ByProjectKeyRequestBuilder['carts']> {
    if (!this.storeKey) return this.api.carts();
    return this.api.inStoreKeyWithStoreKeyValue({ storeKey: this.storeKey }).carts() as unknown as ReturnType<
      ByProjectKeyRequestBuilder['carts']
    >;
  }

  /** `/orders`, or `/in-store/key={storeKey}/orders` for a store-bound gateway. */
  private orders(): ReturnType<ByProjectKeyRequestBuilder['orders']> {
    if (!this.storeKey) return this.api.orders();
    return this.api.inStoreKeyWithStoreKeyValue({ storeKey: this.storeKey }).orders() as unknown as ReturnType<
      ByProjectKeyRequestBuilder['orders']
    >;
  }

  /** Runs one upstream call under the policy (breaker; retries for reads only). */
  private call<T>(operation: string, request: () => Promise<{ body: T }>, kind: 'read' | 'write' = 'read'): Promise<T> {
    return this.policy.run(kind, () => this.attempt(operation, request));
  }

  /** One attempt: timed, and failures turned into the domain's typed failures. */
  private async attempt<T>(operation: string, request: () => Promise<{ body: T }>): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return (await request()).body;
    } catch (thrown) {
      const failed = readFailedCall(thrown);
      outcome = outcomeOf(failed);
      throw translateFailedCall(failed);
    } finally {
      this.observe?.(operation, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** A read that answers null for 404 instead of failing. */
  private async find<T>(operation: string, request: () => Promise<{ body: T }>): Promise<T | null> {
    try {
      return await this.call(operation, request);
    } catch (error) {
      if (error instanceof NotFound) return null;
      throw error;
    }
  }

  private byAnonymousId(query: QueryByAnonymousId) {
    // Values travel as input variables (var.*), never inside the predicate text.
    const where = [
      ANONYMOUS_ID_PREDICATE,
      ...(query.cartState ? ['cartState = :state'] : []),
      ...(query.excludeCartId ? ['id != :hid'] : []),
      ...(query.createdUntil ? ['createdAt <= :until'] : []),
    ].join(' and ');
    return {
      where,
      'var.aid': query.anonymousId,
      ...(query.cartState ? { 'var.state': query.cartState } : {}),
      ...(query.excludeCartId ? { 'var.hid': query.excludeCartId } : {}),
      ...(query.createdUntil ? { 'var.until': query.createdUntil } : {}),
      sort: 'lastModifiedAt desc',
      limit: String(query.limit),
      offset: String(query.offset),
      withTotal: 'false',
    };
  }

  /**
   * GET `/{projectKey}{path}?{query}` straight through the ts-client (its token, correlation id and
   * timeout, as every call): the SDK's request builder (`cleanObject`, builders, ApiRequest) cost a
   * measurable share of the hottest reads (bench/RESULTS.md). The query is encoded as the SDK does
   * (URLSearchParams).
   */
  private query<T>(path: string, args: Record<string, string>, headers?: Record<string, string>): Promise<{ body: T }> {
    const uri = `/${this.projectKey}${path}?${new URLSearchParams(args).toString()}`;
    return this.client.execute({ method: 'GET', uri, ...(headers ? { headers } : {}) }) as Promise<{ body: T }>;
  }

  async anonymousIdInUse(anonymousId: string): Promise<boolean> {
    // Project-wide, also for a store-bound gateway: an id is unused only if no cart or order anywhere has it.
    const probe = { where: ANONYMOUS_ID_PREDICATE, 'var.aid': anonymousId, limit: '1', withTotal: 'false' };
    const [carts, orders] = await Promise.all([
      this.call('carts.check', () => this.query<Page<Cart>>('/carts', probe)),
      this.call('orders.check', () => this.query<Page<Order>>('/orders', probe)),
    ]);
    return carts.results.length > 0 || orders.results.length > 0;
  }

  async queryCarts(query: QueryByAnonymousId): Promise<Page<Cart>> {
    const body = await this.call('carts.query', () =>
      this.query<Page<Cart>>(`${this.storePath}/carts`, this.byAnonymousId(query)),
    );
    return { results: body.results, count: body.count, offset: body.offset, limit: body.limit, total: body.total };
  }

  async queryOrders(query: QueryByAnonymousId): Promise<Page<Order>> {
    const body = await this.call('orders.query', () =>
      this.query<Page<Order>>(`${this.storePath}/orders`, this.byAnonymousId(query)),
    );
    return { results: body.results, count: body.count, offset: body.offset, limit: body.limit, total: body.total };
  }

  async listCarts(query: QueryByAnonymousId): Promise<RawJson<Page<Cart>>> {
    return this.call('carts.query', () =>
      this.query<RawJson<Page<Cart>>>(`${this.storePath}/carts`, this.byAnonymousId(query), KEEP_AS_SENT),
    );
  }

  async listOrders(query: QueryByAnonymousId): Promise<RawJson<Page<Order>>> {
    return this.call('orders.query', () =>
      this.query<RawJson<Page<Order>>>(`${this.storePath}/orders`, this.byAnonymousId(query), KEEP_AS_SENT),
    );
  }

  getCart(id: string): Promise<Cart | null> {
    return this.find('carts.get', () => this.carts().withId({ ID: id }).get().execute());
  }

  createCart(draft: CartDraft): Promise<Cart> {
    return this.call('carts.create', () => this.carts().post({ body: draft }).execute(), 'write');
  }

  updateCart(id: string, version: number, actions: CartUpdateAction[]): Promise<Cart> {
    return this.call(
      'carts.update',
      () => this.carts().withId({ ID: id }).post({ body: { version, actions } }).execute(),
      'write',
    );
  }

  createOrder(input: NewOrder): Promise<Order> {
    // The cart reference form; `{id, version}` is deprecated.
    const body = {
      cart: { typeId: 'cart' as const, id: input.cartId },
      version: input.version,
      ...(input.orderNumber ? { orderNumber: input.orderNumber } : {}),
      ...(input.orderState ? { orderState: input.orderState } : {}),
      ...(input.paymentState ? { paymentState: input.paymentState } : {}),
      ...(input.shipmentState ? { shipmentState: input.shipmentState } : {}),
    };
    return this.call('orders.create', () => this.orders().post({ body }).execute(), 'write');
  }

  getChannelByKey(key: string): Promise<Channel | null> {
    return this.find('channels.byKey', () => this.api.channels().withKey({ key }).get().execute());
  }

  getStoreByKey(key: string): Promise<Store | null> {
    return this.find('stores.byKey', () => this.api.stores().withKey({ key }).get().execute());
  }

  getCartByKey(key: string): Promise<Cart | null> {
    return this.find('carts.byKey', () => this.carts().withKey({ key }).get().execute());
  }

  getOrderByNumber(orderNumber: string): Promise<Order | null> {
    return this.find('orders.byNumber', () => this.orders().withOrderNumber({ orderNumber }).get().execute());
  }

  getOrder(id: string): Promise<Order | null> {
    return this.find('orders.get', () => this.orders().withId({ ID: id }).get().execute());
  }

  async findOrderOfCart(cartId: string): Promise<Order | null> {
    const queryArgs = { where: 'cart(id = :cid)', 'var.cid': cartId, limit: 1, withTotal: false };
    const body = await this.call('orders.byCart', () => this.orders().get({ queryArgs }).execute());
    return body.results[0] ?? null;
  }

  updateOrder(id: string, version: number, actions: OrderUpdateAction[]): Promise<Order> {
    return this.call(
      'orders.update',
      () => this.orders().withId({ ID: id }).post({ body: { version, actions } }).execute(),
      'write',
    );
  }

  async findCustomersByEmail(email: string, limit: number): Promise<Customer[]> {
    // commercetools keeps the email as given and compares emails case-insensitively; its
    // `lowercaseEmail` field holds the lower-cased form, so the match is exact but case-blind.
    const queryArgs = { where: 'lowercaseEmail = :email', 'var.email': email.toLowerCase(), limit, withTotal: false };
    const body = await this.call('customers.byEmail', () => this.api.customers().get({ queryArgs }).execute());
    return body.results;
  }

  getCustomerByKey(key: string): Promise<Customer | null> {
    return this.find('customers.byKey', () => this.api.customers().withKey({ key }).get().execute());
  }

  getCustomer(id: string): Promise<Customer | null> {
    return this.find('customers.get', () => this.api.customers().withId({ ID: id }).get().execute());
  }

  mergeCart(customerId: string, draft: MergeCartDraft): Promise<Cart> {
    // Changes carts (merge, assignment): a write, never repeated blindly.
    return this.call(
      'carts.merge',
      // In store: `/in-store/key={storeKey}/carts/customer-id={customerId}/merge`.
      () => this.carts().customerIdWithCustomerIdValueMerge({ customerId }).post({ body: draft }).execute(),
      'write',
    );
  }

  async getActiveCartOfCustomer(customerId: string): Promise<Cart | null> {
    const queryArgs = {
      where: 'customerId = :cid and cartState = "Active"',
      'var.cid': customerId,
      sort: 'lastModifiedAt desc',
      limit: 1,
      withTotal: false,
    };
    const body = await this.call('carts.byCustomer', () => this.carts().get({ queryArgs }).execute());
    return body.results[0] ?? null;
  }

  async queryPayments(query: { anonymousId: string; limit: number; offset: number }): Promise<Page<Payment>> {
    const queryArgs = {
      where: ANONYMOUS_ID_PREDICATE,
      'var.aid': query.anonymousId,
      sort: 'createdAt desc',
      limit: query.limit,
      offset: query.offset,
      withTotal: false,
    };
    const body = await this.call('payments.query', () => this.api.payments().get({ queryArgs }).execute());
    return { results: body.results, count: body.count, offset: body.offset, limit: body.limit, total: body.total };
  }

  signUp(input: {
    email: string;
    password: string;
    firstName?: string;
    lastName?: string;
    anonymousId: string;
    key: string;
  }): Promise<SignInResult> {
    // In a store: the customer is created in it (`/in-store/key={storeKey}/customers`).
    const customers = this.storeKey
      ? this.api.inStoreKeyWithStoreKeyValue({ storeKey: this.storeKey }).customers()
      : this.api.customers();
    return this.call('customers.create', () => customers.post({ body: input }).execute(), 'write');
  }

  signIn(input: {
    email: string;
    password: string;
    anonymousId?: string;
    anonymousCartSignInMode?: CartSignInMode;
  }): Promise<SignInResult> {
    // Sign-in changes carts (merge, assignment): not repeated blindly either.
    const login = this.storeKey
      ? this.api.inStoreKeyWithStoreKeyValue({ storeKey: this.storeKey }).login()
      : this.api.login();
    return this.call('customers.login', () => login.post({ body: input }).execute(), 'write');
  }

  async matchingShippingMethods(cartId: string): Promise<ShippingMethod[]> {
    const body = await this.call('shippingMethods.matchingCart', () =>
      this.api.shippingMethods().matchingCart().get({ queryArgs: { cartId } }).execute(),
    );
    return body.results;
  }

  createPayment(draft: PaymentDraft): Promise<Payment> {
    return this.call('payments.create', () => this.api.payments().post({ body: draft }).execute(), 'write');
  }

  getPayment(id: string): Promise<Payment | null> {
    return this.find('payments.get', () => this.api.payments().withId({ ID: id }).get().execute());
  }

  getPaymentByKey(key: string): Promise<Payment | null> {
    return this.find('payments.byKey', () => this.api.payments().withKey({ key }).get().execute());
  }

  updatePayment(id: string, version: number, actions: PaymentUpdateAction[]): Promise<Payment> {
    return this.call(
      'payments.update',
      () => this.api.payments().withId({ ID: id }).post({ body: { version, actions } }).execute(),
      'write',
    );
  }

  async findCartOfPayment(paymentId: string): Promise<Cart | null> {
    const queryArgs = { where: 'paymentInfo(payments(id = :pid))', 'var.pid': paymentId, limit: 1, withTotal: false };
    const body = await this.call('carts.byPayment', () => this.api.carts().get({ queryArgs }).execute());
    return body.results[0] ?? null;
  }

  async ping(): Promise<void> {
    await this.call('project.get', () => this.api.get().execute());
  }
}
