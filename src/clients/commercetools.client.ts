import { ClientBuilder, type Client, type TokenCache } from '@commercetools/ts-client';
import {
  createApiBuilderFromCtpClient,
  type ByProjectKeyRequestBuilder,
  type Cart,
  type CartDraft,
  type CartUpdateAction,
  type Customer,
  type Order,
} from '@commercetools/platform-sdk';
import type { Config } from '../config';
import { UpstreamPolicy } from './upstream-policy';
import {
  UpstreamError,
  type CommerceGateway,
  type Page,
  type QueryByAnonymousId,
  type SignInResult,
} from '../domain/ports';

export interface CommercetoolsOptions extends Omit<Config['commercetools'], 'policy'> {
  /** The current request's correlation id, sent as X-Correlation-ID on every call. */
  correlationId: () => string;
  /** Called once per upstream call, for metrics. */
  observe?: (operation: string, outcome: string, seconds: number) => void;
  /** Where the client-credentials token is kept; shared by all instances in production (token-cache.ts). */
  tokenCache?: TokenCache;
}

/**
 * Builds the ts-client. Deliberately without `enableRetry` (it would retry POSTs too, creating a
 * cart or order twice after a timeout) and without the concurrent-modification middleware (it
 * re-sends the same actions blindly); both decisions belong to the domain.
 */
export function buildCtpClient(options: CommercetoolsOptions): Client {
  return new ClientBuilder()
    .withProjectKey(options.projectKey)
    .withClientCredentialsFlow({
      host: options.authUrl,
      projectKey: options.projectKey,
      credentials: { clientId: options.clientId, clientSecret: options.clientSecret },
      scopes: options.scopes,
      httpClient: fetch,
      ...(options.tokenCache ? { tokenCache: options.tokenCache } : {}),
    })
    .withCorrelationIdMiddleware({ generate: options.correlationId })
    .withHttpMiddleware({
      host: options.apiUrl,
      httpClient: fetch,
      timeout: options.timeoutMs,
      includeRequestInErrorResponse: false,
      // Nothing reads upstream response headers; copying them into an object per call was measurable.
      includeResponseHeaders: false,
      maskSensitiveHeaderData: true,
    })
    .build();
}

interface CtErrorBody {
  message?: string;
  errors?: Array<{ code?: string; currentVersion?: number }>;
}

/** Normalises whatever the ts-client throws into an UpstreamError without tokens or request data. */
export function toUpstreamError(thrown: unknown): UpstreamError {
  const raw = (thrown ?? {}) as {
    statusCode?: number;
    status?: number;
    message?: string;
    body?: unknown;
    error?: unknown;
  };
  // Network failures arrive wrapped as `{ body: null, error }`.
  const error = (
    raw.statusCode === undefined && raw.error && typeof raw.error === 'object' ? raw.error : raw
  ) as typeof raw;
  const status = typeof error.statusCode === 'number' ? error.statusCode : 0;
  const body = (error.body && typeof error.body === 'object' ? error.body : {}) as CtErrorBody;
  const errors = Array.isArray(body.errors) ? body.errors : [];
  const codes = errors.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  const currentVersion = errors.find((e) => typeof e.currentVersion === 'number')?.currentVersion;
  const text = `${error.message ?? ''} ${String((error.body as { name?: string } | undefined)?.name ?? '')}`;
  const timedOut = status === 0 && /abort|timeout/i.test(text);
  const message =
    status === 0
      ? timedOut
        ? 'commercetools did not answer in time'
        : 'commercetools is not reachable'
      : (body.message ?? error.message ?? `commercetools answered ${status}`);
  return new UpstreamError(status, message, codes, { currentVersion, timedOut, errors });
}

const ANONYMOUS_ID_PREDICATE = 'anonymousId = :aid';
const ANONYMOUS_ID_AND_STATE_PREDICATE = 'anonymousId = :aid and cartState = :state';

export class CommercetoolsGateway implements CommerceGateway {
  private readonly api: ByProjectKeyRequestBuilder;

  constructor(
    client: Client,
    projectKey: string,
    private readonly observe: CommercetoolsOptions['observe'] = undefined,
    private readonly policy: UpstreamPolicy = new UpstreamPolicy(),
  ) {
    this.api = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey });
  }

  /** Runs one upstream call under the policy (breaker; retries for reads only). */
  private call<T>(operation: string, request: () => Promise<{ body: T }>, kind: 'read' | 'write' = 'read'): Promise<T> {
    return this.policy.run(kind, () => this.attempt(operation, request));
  }

  /** One attempt: timed, and failures turned into UpstreamError. */
  private async attempt<T>(operation: string, request: () => Promise<{ body: T }>): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return (await request()).body;
    } catch (thrown) {
      const error = toUpstreamError(thrown);
      outcome = error.options.timedOut ? 'timeout' : error.status === 0 ? 'network' : String(error.status);
      throw error;
    } finally {
      this.observe?.(operation, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** A read that answers null for 404 instead of failing. */
  private async find<T>(operation: string, request: () => Promise<{ body: T }>): Promise<T | null> {
    try {
      return await this.call(operation, request);
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 404) return null;
      throw error;
    }
  }

  private byAnonymousId(query: QueryByAnonymousId) {
    // Values travel as input variables (var.*), never inside the predicate text.
    return {
      where: query.cartState ? ANONYMOUS_ID_AND_STATE_PREDICATE : ANONYMOUS_ID_PREDICATE,
      'var.aid': query.anonymousId,
      ...(query.cartState ? { 'var.state': query.cartState } : {}),
      sort: 'lastModifiedAt desc',
      limit: query.limit,
      offset: query.offset,
      withTotal: false,
    };
  }

  async anonymousIdInUse(anonymousId: string): Promise<boolean> {
    const probe = { where: ANONYMOUS_ID_PREDICATE, 'var.aid': anonymousId, limit: 1, withTotal: false };
    const [carts, orders] = await Promise.all([
      this.call('carts.check', () => this.api.carts().get({ queryArgs: probe }).execute()),
      this.call('orders.check', () => this.api.orders().get({ queryArgs: probe }).execute()),
    ]);
    return carts.results.length > 0 || orders.results.length > 0;
  }

  async queryCarts(query: QueryByAnonymousId): Promise<Page<Cart>> {
    const body = await this.call('carts.query', () =>
      this.api
        .carts()
        .get({ queryArgs: this.byAnonymousId(query) })
        .execute(),
    );
    return { results: body.results, count: body.count, offset: body.offset, limit: body.limit, total: body.total };
  }

  async queryOrders(query: QueryByAnonymousId): Promise<Page<Order>> {
    const body = await this.call('orders.query', () =>
      this.api
        .orders()
        .get({ queryArgs: this.byAnonymousId(query) })
        .execute(),
    );
    return { results: body.results, count: body.count, offset: body.offset, limit: body.limit, total: body.total };
  }

  getCart(id: string): Promise<Cart | null> {
    return this.find('carts.get', () => this.api.carts().withId({ ID: id }).get().execute());
  }

  createCart(draft: CartDraft): Promise<Cart> {
    return this.call('carts.create', () => this.api.carts().post({ body: draft }).execute(), 'write');
  }

  updateCart(id: string, version: number, actions: CartUpdateAction[]): Promise<Cart> {
    return this.call(
      'carts.update',
      () => this.api.carts().withId({ ID: id }).post({ body: { version, actions } }).execute(),
      'write',
    );
  }

  createOrder(input: { cartId: string; version: number; orderNumber?: string }): Promise<Order> {
    // The cart reference form; `{id, version}` is deprecated.
    const body = {
      cart: { typeId: 'cart' as const, id: input.cartId },
      version: input.version,
      ...(input.orderNumber ? { orderNumber: input.orderNumber } : {}),
    };
    return this.call('orders.create', () => this.api.orders().post({ body }).execute(), 'write');
  }

  getCartByKey(key: string): Promise<Cart | null> {
    return this.find('carts.byKey', () => this.api.carts().withKey({ key }).get().execute());
  }

  getOrderByNumber(orderNumber: string): Promise<Order | null> {
    return this.find('orders.byNumber', () => this.api.orders().withOrderNumber({ orderNumber }).get().execute());
  }

  getOrder(id: string): Promise<Order | null> {
    return this.find('orders.get', () => this.api.orders().withId({ ID: id }).get().execute());
  }

  async findOrderOfCart(cartId: string): Promise<Order | null> {
    const queryArgs = { where: 'cart(id = :cid)', 'var.cid': cartId, limit: 1, withTotal: false };
    const body = await this.call('orders.byCart', () => this.api.orders().get({ queryArgs }).execute());
    return body.results[0] ?? null;
  }

  getCustomerByKey(key: string): Promise<Customer | null> {
    return this.find('customers.byKey', () => this.api.customers().withKey({ key }).get().execute());
  }

  signUp(input: {
    email: string;
    password: string;
    firstName?: string;
    lastName?: string;
    anonymousId: string;
    key: string;
  }): Promise<SignInResult> {
    return this.call('customers.create', () => this.api.customers().post({ body: input }).execute(), 'write');
  }

  signIn(input: {
    email: string;
    password: string;
    anonymousId?: string;
    anonymousCartSignInMode?: 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';
  }): Promise<SignInResult> {
    // Sign-in changes carts (merge, assignment): not repeated blindly either.
    return this.call('customers.login', () => this.api.login().post({ body: input }).execute(), 'write');
  }

  async ping(): Promise<void> {
    await this.call('project.get', () => this.api.get().execute());
  }
}
