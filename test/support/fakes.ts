import { randomUUID } from 'node:crypto';
import type {
  Cart,
  Channel,
  CartDraft,
  CartUpdateAction,
  Customer,
  MergeCartDraft,
  Order,
  OrderUpdateAction,
  Payment,
  PaymentDraft,
  PaymentUpdateAction,
  ShippingMethod,
  Store,
} from '@commercetools/platform-sdk';
import type { Caller } from '../../src/domain/api-keys';
import { CartService } from '../../src/domain/cart.service';
import { CheckoutService } from '../../src/domain/checkout.service';
import { CustomerService } from '../../src/domain/customer.service';
import {
  AnonymousIdUsedUp,
  DuplicateValue,
  InvalidCredentials,
  InvalidOperation,
  NotFound,
  Unavailable,
  VersionConflict,
  type AttemptLog,
  type Blocked,
  type CommerceGateway,
  type Page,
  type QueryByAnonymousId,
  type Reservation,
  type SessionRecord,
  type Grant,
  type GrantStore,
  type SessionStore,
  type SignInGuard,
  type SignInOutcome,
  type SignInResult,
} from '../../src/domain/ports';
import { SessionService } from '../../src/domain/session.service';
import { RawJson } from '../../src/domain/raw-json';

/**
 * In-memory fakes of the domain's ports, for unit tests of the domain's branches. The gateway
 * keeps carts, orders and customers the way commercetools does where the domain relies on it
 * (versions, unique keys and order numbers, used-up anonymousIds) and fails with the same typed
 * failures the real gateway throws. Nothing here is a stub that answers what a test wants: a test
 * bends a call only through `interceptNext`.
 */

type Operation = Exclude<keyof CommerceGateway, 'ping' | 'inStore'>;
type Interceptor = (proceed: () => Promise<unknown>) => Promise<unknown>;
type StoredCustomer = Customer & { password: string };

/** A failure whose call never reached commercetools (or whose answer is unknown). */
export const unreachable = (): Unavailable => new Unavailable('commercetools is not reachable', { retryable: true });

/** Carries the call out, then loses its answer: the write happened, the caller sees a timeout. */
export const loseTheAnswer: Interceptor = async (proceed) => {
  await proceed();
  throw new Unavailable('commercetools did not answer in time', { timedOut: true, retryable: true });
};

/** Fails before the call reaches commercetools: nothing happened. */
export const failBeforeSending: Interceptor = async () => {
  throw unreachable();
};

export class FakeCommerce implements CommerceGateway {
  readonly carts = new Map<string, Cart>();
  readonly orders = new Map<string, Order>();
  readonly customers = new Map<string, StoredCustomer>();
  private readonly usedAnonymousIds = new Set<string>();
  private readonly interceptors = new Map<Operation, Interceptor[]>();
  /** Calls per operation, in order. */
  readonly calls: Operation[] = [];
  private clock = Date.parse('2026-11-30T10:00:00.000Z');

  /** Makes the next call of `operation` run through `interceptor` (once). */
  interceptNext(operation: Operation, interceptor: Interceptor): void {
    this.interceptors.set(operation, [...(this.interceptors.get(operation) ?? []), interceptor]);
  }

  private run<T>(operation: Operation, body: () => T): Promise<T> {
    this.calls.push(operation);
    const interceptor = this.interceptors.get(operation)?.shift();
    const proceed = async () => body();
    return (interceptor ? interceptor(proceed) : proceed()) as Promise<T>;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private cartOrFail(id: string): Cart {
    const cart = this.carts.get(id);
    if (!cart) throw new NotFound();
    return cart;
  }

  /** Another client's change to the cart (one version further), as commercetools would make it. */
  changeCartElsewhere(id: string): Cart {
    const cart = this.cartOrFail(id);
    const changed = { ...cart, version: cart.version + 1, lastModifiedAt: this.now() };
    this.carts.set(id, changed);
    return changed;
  }

  anonymousIdInUse(anonymousId: string): Promise<boolean> {
    return this.run('anonymousIdInUse', () =>
      [...this.carts.values(), ...this.orders.values()].some((x) => x.anonymousId === anonymousId),
    );
  }

  queryCarts(query: QueryByAnonymousId): Promise<Page<Cart>> {
    return this.run('queryCarts', () =>
      page(
        [...this.carts.values()].filter(
          (c) =>
            c.anonymousId === query.anonymousId &&
            (!query.cartState || c.cartState === query.cartState) &&
            c.id !== query.excludeCartId,
        ),
        query,
      ),
    );
  }

  queryOrders(query: QueryByAnonymousId): Promise<Page<Order>> {
    return this.run('queryOrders', () =>
      page(
        [...this.orders.values()].filter(
          (o) =>
            o.anonymousId === query.anonymousId &&
            (!query.createdUntil || Date.parse(o.createdAt) <= Date.parse(query.createdUntil)),
        ),
        query,
      ),
    );
  }

  async listCarts(query: QueryByAnonymousId): Promise<RawJson<Page<Cart>>> {
    return RawJson.of(await this.queryCarts(query));
  }

  async listOrders(query: QueryByAnonymousId): Promise<RawJson<Page<Order>>> {
    return RawJson.of(await this.queryOrders(query));
  }

  getCart(id: string): Promise<Cart | null> {
    return this.run('getCart', () => this.carts.get(id) ?? null);
  }

  getCartByKey(key: string): Promise<Cart | null> {
    return this.run('getCartByKey', () => [...this.carts.values()].find((c) => c.key === key) ?? null);
  }

  getOrderByNumber(orderNumber: string): Promise<Order | null> {
    return this.run(
      'getOrderByNumber',
      () => [...this.orders.values()].find((o) => o.orderNumber === orderNumber) ?? null,
    );
  }

  getOrder(id: string): Promise<Order | null> {
    return this.run('getOrder', () => this.orders.get(id) ?? null);
  }

  updateOrder(id: string, version: number, actions: OrderUpdateAction[]): Promise<Order> {
    return this.run('updateOrder', () => {
      let order = this.orders.get(id);
      if (!order) throw new NotFound();
      if (order.version !== version) throw new VersionConflict(order.version);
      for (const action of actions) {
        if (action.action === 'changeOrderState') order = { ...order, orderState: action.orderState };
        else if (action.action === 'changePaymentState') order = { ...order, paymentState: action.paymentState };
        else if (action.action === 'changeShipmentState') order = { ...order, shipmentState: action.shipmentState };
        else throw new Error(`FakeCommerce: no ${action.action}`);
      }
      const updated = { ...order, version: order.version + 1, lastModifiedAt: this.now() };
      this.orders.set(id, updated);
      return updated;
    });
  }

  findCustomersByEmail(email: string, limit: number): Promise<Customer[]> {
    return this.run('findCustomersByEmail', () =>
      [...this.customers.values()].filter((c) => c.email.toLowerCase() === email.toLowerCase()).slice(0, limit),
    );
  }

  findOrderOfCart(cartId: string): Promise<Order | null> {
    return this.run('findOrderOfCart', () => [...this.orders.values()].find((o) => o.cart?.id === cartId) ?? null);
  }

  createCart(draft: CartDraft): Promise<Cart> {
    return this.run('createCart', () => {
      if (draft.anonymousId && this.usedAnonymousIds.has(draft.anonymousId)) throw usedUp(draft.anonymousId);
      if (draft.key && [...this.carts.values()].some((c) => c.key === draft.key))
        throw new DuplicateValue('key', draft.key, `A duplicate value '"${draft.key}"' exists for field 'key'.`);
      const at = this.now();
      const cart = {
        id: randomUUID(),
        version: 1,
        ...(draft.key ? { key: draft.key } : {}),
        ...(draft.anonymousId ? { anonymousId: draft.anonymousId } : {}),
        ...(draft.shippingAddress ? { shippingAddress: draft.shippingAddress } : {}),
        cartState: 'Active',
        lineItems: [],
        totalPrice: { type: 'centPrecision', currencyCode: draft.currency, centAmount: 0, fractionDigits: 2 },
        createdAt: at,
        lastModifiedAt: at,
      } as unknown as Cart;
      const withItems = (draft.lineItems ?? []).reduce(
        (c, item) => addLineItem(c, item.sku ?? '', item.quantity ?? 1),
        cart,
      );
      this.carts.set(cart.id, withItems);
      return withItems;
    });
  }

  updateCart(id: string, version: number, actions: CartUpdateAction[]): Promise<Cart> {
    return this.run('updateCart', () => {
      let cart = this.cartOrFail(id);
      if (cart.version !== version) throw new VersionConflict(cart.version);
      for (const action of actions) {
        if (action.action === 'addLineItem') cart = addLineItem(cart, action.sku ?? '', action.quantity ?? 1);
        else if (action.action === 'setCustomerEmail') cart = { ...cart, customerEmail: action.email };
        else throw new Error(`FakeCommerce: no ${action.action}`);
      }
      const updated = { ...cart, version: cart.version + 1, lastModifiedAt: this.now() };
      this.carts.set(id, updated);
      return updated;
    });
  }

  createOrder(input: { cartId: string; version: number; orderNumber?: string }): Promise<Order> {
    return this.run('createOrder', () => {
      const cart = this.cartOrFail(input.cartId);
      if (cart.version !== input.version) throw new VersionConflict(cart.version);
      if (cart.cartState !== 'Active')
        throw new InvalidOperation(
          `The cart with ID '${cart.id}' cannot be ordered because it is in state '${cart.cartState}'.`,
        );
      if (input.orderNumber && [...this.orders.values()].some((o) => o.orderNumber === input.orderNumber)) {
        const message = `A duplicate value '"${input.orderNumber}"' exists for field 'orderNumber'.`;
        throw new DuplicateValue('orderNumber', input.orderNumber, message);
      }
      const order = {
        id: randomUUID(),
        version: 1,
        ...(input.orderNumber ? { orderNumber: input.orderNumber } : {}),
        ...(cart.anonymousId ? { anonymousId: cart.anonymousId } : {}),
        ...(cart.customerId ? { customerId: cart.customerId } : {}),
        cart: { typeId: 'cart', id: cart.id },
        lineItems: cart.lineItems,
        totalPrice: cart.totalPrice,
        orderState: 'Open',
        createdAt: this.now(),
      } as unknown as Order;
      this.orders.set(order.id, order);
      this.carts.set(cart.id, { ...cart, cartState: 'Ordered', version: cart.version + 1, lastModifiedAt: this.now() });
      return order;
    });
  }

  signUp(input: {
    email: string;
    password: string;
    firstName?: string;
    lastName?: string;
    anonymousId: string;
    key: string;
  }): Promise<SignInResult> {
    return this.run('signUp', () => {
      if (this.usedAnonymousIds.has(input.anonymousId)) throw usedUp(input.anonymousId);
      const customers = [...this.customers.values()];
      if (customers.some((c) => c.email.toLowerCase() === input.email.toLowerCase()))
        throw new DuplicateValue(
          'email',
          input.email,
          `There is already an existing customer with the provided email.`,
        );
      if (customers.some((c) => c.key === input.key))
        throw new DuplicateValue('key', input.key, `A duplicate value '"${input.key}"' exists for field 'key'.`);
      const { anonymousId, ...draft } = input;
      const at = this.now();
      const customer = {
        ...draft,
        id: randomUUID(),
        version: 1,
        addresses: [],
        isEmailVerified: false,
        authenticationMode: 'Password',
        createdAt: at,
        lastModifiedAt: at,
      } as unknown as StoredCustomer;
      this.customers.set(customer.id, customer);
      return this.handOver(anonymousId, customer);
    });
  }

  getCustomerByKey(key: string): Promise<Customer | null> {
    return this.run('getCustomerByKey', () => [...this.customers.values()].find((c) => c.key === key) ?? null);
  }

  signIn(input: { email: string; password: string; anonymousId?: string }): Promise<SignInResult> {
    return this.run('signIn', () => {
      const customer = [...this.customers.values()].find(
        (c) => c.email.toLowerCase() === input.email.toLowerCase() && c.password === input.password,
      );
      if (!customer) throw new InvalidCredentials('Account with the given credentials not found.');
      if (input.anonymousId && this.usedAnonymousIds.has(input.anonymousId)) throw usedUp(input.anonymousId);
      if (input.anonymousId) return this.handOver(input.anonymousId, customer);
      const cart = this.activeCartOf(customer.id);
      return { customer, ...(cart ? { cart } : {}) };
    });
  }

  getCustomer(id: string): Promise<Customer | null> {
    return this.run('getCustomer', () => this.customers.get(id) ?? null);
  }

  /** Merge Cart: the session's carts get the customer; the anonymous cart merges (no line items here) or becomes it. */
  mergeCart(customerId: string, draft: MergeCartDraft): Promise<Cart> {
    return this.run('mergeCart', () => {
      if (!this.customers.has(customerId)) throw new NotFound();
      const target = this.activeCartOf(customerId);
      const anonymous = draft.anonymousCart?.id ? this.cartOrFail(draft.anonymousCart.id) : undefined;
      for (const cart of this.carts.values()) {
        if (cart.anonymousId === draft.anonymousId || cart.id === anonymous?.id)
          this.carts.set(cart.id, { ...cart, customerId, version: cart.version + 1, lastModifiedAt: this.now() });
      }
      if (!anonymous) return this.activeCartOf(customerId) ?? this.cartOrFail('none');
      if (!target || draft.mergeMode === 'UseAsNewActiveCustomerCart') return this.cartOrFail(anonymous.id);
      const merged = this.cartOrFail(anonymous.id);
      this.carts.set(merged.id, { ...merged, cartState: 'Merged', version: merged.version + 1 });
      return this.cartOrFail(target.id);
    });
  }

  getActiveCartOfCustomer(customerId: string): Promise<Cart | null> {
    return this.run('getActiveCartOfCustomer', () => this.activeCartOf(customerId) ?? null);
  }

  queryPayments(query: { anonymousId: string; limit: number; offset: number }): Promise<Page<Payment>> {
    return this.run('queryPayments', () =>
      page(
        [...this.payments.values()].filter((p) => p.anonymousId === query.anonymousId),
        query,
      ),
    );
  }

  /** Stores by key; a unit test adds the ones it needs. */
  readonly stores = new Map<string, Store>();

  /** No fencing in memory: the unit tests are of unbound callers; the service tests fence through the emulator. */
  inStore(): CommerceGateway {
    return this;
  }

  readonly channels = new Map<string, Channel>();

  getChannelByKey(key: string): Promise<Channel | null> {
    return this.run('getChannelByKey', () => this.channels.get(key) ?? null);
  }

  getStoreByKey(key: string): Promise<Store | null> {
    return this.run('getStoreByKey', () => this.stores.get(key) ?? null);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  readonly payments = new Map<string, Payment>();

  /** The unit tests need no shipping methods: none match. */
  matchingShippingMethods(_cartId: string): Promise<ShippingMethod[]> {
    return this.run('matchingShippingMethods', () => []);
  }

  createPayment(draft: PaymentDraft): Promise<Payment> {
    return this.run('createPayment', () => {
      if (draft.key && [...this.payments.values()].some((p) => p.key === draft.key))
        throw new DuplicateValue('key', draft.key, 'duplicate key');
      const at = this.now();
      const payment = {
        ...draft,
        id: randomUUID(),
        version: 1,
        createdAt: at,
        lastModifiedAt: at,
        transactions: [],
        interfaceInteractions: [],
      } as unknown as Payment;
      this.payments.set(payment.id, payment);
      return payment;
    });
  }

  getPayment(id: string): Promise<Payment | null> {
    return this.run('getPayment', () => this.payments.get(id) ?? null);
  }

  getPaymentByKey(key: string): Promise<Payment | null> {
    return this.run('getPaymentByKey', () => [...this.payments.values()].find((p) => p.key === key) ?? null);
  }

  /** Versions only: the unit tests do not look at transactions. */
  updatePayment(id: string, version: number, _actions: PaymentUpdateAction[]): Promise<Payment> {
    return this.run('updatePayment', () => {
      const payment = this.payments.get(id);
      if (!payment) throw new NotFound();
      if (payment.version !== version) throw new VersionConflict(payment.version);
      const updated = { ...payment, version: version + 1, lastModifiedAt: this.now() };
      this.payments.set(id, updated);
      return updated;
    });
  }

  findCartOfPayment(paymentId: string): Promise<Cart | null> {
    return this.run(
      'findCartOfPayment',
      () => [...this.carts.values()].find((c) => c.paymentInfo?.payments.some((p) => p.id === paymentId)) ?? null,
    );
  }

  /** commercetools gives the customer the session's carts and orders and uses the anonymousId up. */
  private handOver(anonymousId: string, customer: StoredCustomer): SignInResult {
    this.usedAnonymousIds.add(anonymousId);
    for (const cart of this.carts.values()) {
      if (cart.anonymousId === anonymousId)
        this.carts.set(cart.id, { ...cart, customerId: customer.id, version: cart.version + 1 });
    }
    for (const order of this.orders.values()) {
      if (order.anonymousId === anonymousId) this.orders.set(order.id, { ...order, customerId: customer.id });
    }
    const cart = this.activeCartOf(customer.id);
    return { customer, ...(cart ? { cart } : {}) };
  }

  private activeCartOf(customerId: string): Cart | undefined {
    return newestFirst(
      [...this.carts.values()].filter((c) => c.customerId === customerId && c.cartState === 'Active'),
    )[0];
  }
}

function usedUp(anonymousId: string): AnonymousIdUsedUp {
  return new AnonymousIdUsedUp(`The anonymousId '${anonymousId}' was already used for sign-in or sign-up.`);
}

function newestFirst<T extends { lastModifiedAt?: string; createdAt: string }>(items: T[]): T[] {
  const at = (x: T) => x.lastModifiedAt ?? x.createdAt;
  return [...items].sort((a, b) => at(b).localeCompare(at(a)));
}

function page<T extends { lastModifiedAt?: string; createdAt: string }>(
  items: T[],
  query: { limit: number; offset: number },
): Page<T> {
  const results = newestFirst(items).slice(query.offset, query.offset + query.limit);
  return { results, count: results.length, offset: query.offset, limit: query.limit };
}

/** commercetools adds to the line item of the same variant, if there is one. */
function addLineItem(cart: Cart, sku: string, quantity: number): Cart {
  const existing = cart.lineItems.find((item) => item.variant.sku === sku);
  const lineItems = existing
    ? cart.lineItems.map((item) => (item === existing ? { ...item, quantity: item.quantity + quantity } : item))
    : [
        ...cart.lineItems,
        {
          id: randomUUID(),
          productId: `product-${sku}`,
          variant: { id: 1, sku },
          quantity,
        } as Cart['lineItems'][number],
      ];
  return { ...cart, lineItems };
}

/** Sessions in memory, with the same reservation, lock and create-count rules as the Redis store. */
export class FakeSessionStore implements SessionStore {
  readonly ttlSeconds = 3600;
  readonly endedTtlSeconds = 0;
  readonly sessions = new Map<string, SessionRecord>();
  /** clientId -> anonymousId -> lapse time (ms), as the Redis store's quota set. */
  readonly active = new Map<string, Map<string, number>>();
  private readonly reserved = new Map<string, string>();
  /** Hand-over locks by anonymousId (a test may take one away, as a lapse would). */
  readonly locks = new Map<string, string>();
  private readonly creates = new Map<string, number>();

  async reserve(anonymousId: string): Promise<Reservation | null> {
    if (this.reserved.has(anonymousId) || this.sessions.has(anonymousId)) return null;
    const token = randomUUID();
    this.reserved.set(anonymousId, token);
    return { anonymousId, token };
  }

  async activate(reservation: Reservation, session: SessionRecord): Promise<boolean> {
    if (this.reserved.get(reservation.anonymousId) !== reservation.token) return false;
    this.reserved.delete(reservation.anonymousId);
    this.sessions.set(session.anonymousId, session);
    return true;
  }

  async release(reservation: Reservation): Promise<void> {
    if (this.reserved.get(reservation.anonymousId) === reservation.token) this.reserved.delete(reservation.anonymousId);
  }

  async get(anonymousId: string): Promise<{ session: SessionRecord | null; busy: boolean }> {
    return { session: this.sessions.get(anonymousId) ?? null, busy: this.locks.has(anonymousId) };
  }

  async extend(anonymousId: string, clientId: string, expiresAt: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(anonymousId);
    if (!session) return null;
    const lapsed = session.expiresAt !== undefined && Date.parse(session.expiresAt) <= Date.now();
    if (session.clientId !== clientId || session.status !== 'active' || lapsed) return session;
    const extended = { ...session, expiresAt };
    this.sessions.set(anonymousId, extended);
    return extended;
  }

  async markHasOrders(anonymousId: string): Promise<void> {
    const session = this.sessions.get(anonymousId);
    if (session) this.sessions.set(anonymousId, { ...session, hasOrders: true });
  }

  async end(session: SessionRecord, lockToken: string): Promise<boolean> {
    if (this.locks.get(session.anonymousId) !== lockToken) return false;
    const current = this.sessions.get(session.anonymousId);
    if (current) this.sessions.set(session.anonymousId, { ...current, ...session });
    return true;
  }

  async countActive(clientId: string): Promise<number> {
    const sessions = this.active.get(clientId) ?? new Map<string, number>();
    for (const [id, until] of sessions) if (until <= Date.now()) sessions.delete(id);
    return sessions.size;
  }

  async trackActive(clientId: string, anonymousId: string, expiresAt: string): Promise<void> {
    const sessions = this.active.get(clientId) ?? new Map<string, number>();
    sessions.set(anonymousId, Date.parse(expiresAt));
    this.active.set(clientId, sessions);
  }

  async untrackActive(clientId: string, anonymousId: string): Promise<void> {
    this.active.get(clientId)?.delete(anonymousId);
  }

  async enterCreate(anonymousId: string): Promise<{ session: SessionRecord | null; busy: boolean }> {
    const found = await this.get(anonymousId);
    if (found.session) this.creates.set(anonymousId, (this.creates.get(anonymousId) ?? 0) + 1);
    return found;
  }

  async leaveCreate(anonymousId: string): Promise<void> {
    this.creates.set(anonymousId, Math.max(0, (this.creates.get(anonymousId) ?? 0) - 1));
  }

  async createsRunning(anonymousId: string): Promise<number> {
    return this.creates.get(anonymousId) ?? 0;
  }

  async lock(anonymousId: string): Promise<string | null> {
    if (this.locks.has(anonymousId)) return null;
    const token = randomUUID();
    this.locks.set(anonymousId, token);
    return token;
  }

  async unlock(anonymousId: string, token: string): Promise<void> {
    if (this.locks.get(anonymousId) === token) this.locks.delete(anonymousId);
  }

  async ping(): Promise<void> {}
}

/** Grants and order owners in memory, with the Redis store's rule: a customer's new grant ends the previous one. */
export class FakeGrantStore implements GrantStore {
  readonly ttlSeconds = 3600;
  readonly grants = new Map<string, Grant>();
  readonly byCustomer = new Map<string, string>();
  readonly orderOwners = new Map<string, string>();

  async grant(input: Omit<Grant, 'expiresAt' | 'ordered'>, expiresAt: string): Promise<void> {
    const previous = this.byCustomer.get(input.customerId);
    if (previous && this.grants.get(previous)?.customerId === input.customerId) this.grants.delete(previous);
    this.grants.set(input.cartId, { ...input, expiresAt });
    this.byCustomer.set(input.customerId, input.cartId);
  }

  async get(cartId: string): Promise<Grant | null> {
    const grant = this.grants.get(cartId);
    return grant && Date.parse(grant.expiresAt) > Date.now() ? grant : null;
  }

  async markOrdered(cartId: string): Promise<void> {
    const grant = this.grants.get(cartId);
    if (grant) this.grants.set(cartId, { ...grant, ordered: true });
  }

  async setOrderOwner(orderId: string, clientId: string): Promise<void> {
    this.orderOwners.set(orderId, clientId);
  }

  async orderOwner(orderId: string): Promise<string | null> {
    return this.orderOwners.get(orderId) ?? null;
  }
}

export class FakeAttemptLog implements AttemptLog {
  readonly notes = new Map<string, string>();

  async recall(clientId: string, idempotencyKey: string, scope: string): Promise<string | null> {
    return this.notes.get(`${clientId}\n${idempotencyKey}\n${scope}`) ?? null;
  }

  async note(clientId: string, idempotencyKey: string, scope: string, value: string): Promise<void> {
    this.notes.set(`${clientId}\n${idempotencyKey}\n${scope}`, value);
  }
}

/**
 * The guard's rules in memory (RedisSignInGuard's): at most `maxFailures` consecutive failed
 * sign-ins per email (case-insensitive) and per session, at most `signUpMaxAttempts` sign-ups per
 * session; no clock: a block lasts until the test clears it.
 */
export class FakeSignInGuard implements SignInGuard {
  readonly failures = new Map<string, number>();
  readonly signUps = new Map<string, number>();

  constructor(
    readonly maxFailures = 3,
    readonly signUpMaxAttempts = 3,
    readonly blockSeconds = 900,
  ) {}

  private keys(email: string, anonymousId: string): string[] {
    return [`email:${email.trim().toLowerCase()}`, `session:${anonymousId}`];
  }

  async admitSignIn(email: string, anonymousId: string): Promise<Blocked | null> {
    const keys = this.keys(email, anonymousId);
    if (keys.some((key) => (this.failures.get(key) ?? 0) >= this.maxFailures))
      return { retryAfterSeconds: this.blockSeconds };
    for (const key of keys) this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    return null;
  }

  async settleSignIn(email: string, anonymousId: string, outcome: SignInOutcome): Promise<void> {
    for (const key of this.keys(email, anonymousId)) {
      if (outcome === 'succeeded') this.failures.delete(key);
      if (outcome === 'undecided') this.failures.set(key, Math.max(0, (this.failures.get(key) ?? 0) - 1));
    }
  }

  async admitSignUp(anonymousId: string): Promise<Blocked | null> {
    const attempts = this.signUps.get(anonymousId) ?? 0;
    if (attempts >= this.signUpMaxAttempts) return { retryAfterSeconds: this.blockSeconds };
    this.signUps.set(anonymousId, attempts + 1);
    return null;
  }
}

export const POS: Caller = { clientId: 'pos', scopes: new Set(['sessions', 'customers']) };

/** The real domain services wired to the fakes. */
export function createDomain() {
  const commerce = new FakeCommerce();
  const store = new FakeSessionStore();
  const attempts = new FakeAttemptLog();
  const signInGuard = new FakeSignInGuard();
  const grants = new FakeGrantStore();
  const sessions = new SessionService(store, commerce);
  const carts = new CartService(sessions, commerce, attempts, grants);
  return {
    commerce,
    store,
    attempts,
    grants,
    sessions,
    signInGuard,
    carts,
    customers: new CustomerService(sessions, commerce, signInGuard, grants),
    checkout: new CheckoutService(carts, commerce, attempts),
  };
}
