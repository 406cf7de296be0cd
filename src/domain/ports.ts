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
import type { CartSignInMode, CartState, OrderState, PaymentState, ShipmentState } from './commerce.model';
import type { RawJson } from './raw-json';
import type { SessionRecord } from './session.model';

export type { SessionRecord } from './session.model';
// The typed failures the CommerceGateway throws, declared next to it.
export * from './upstream-errors';

export interface Reservation {
  anonymousId: string;
  token: string;
}

/** Where sessions live (Redis): O(1) by anonymousId, atomic reservation. */
export interface SessionStore {
  /** Atomically reserves an id (SET NX); null when the id is already reserved or used. */
  reserve(anonymousId: string): Promise<Reservation | null>;
  /** Turns a reservation into an active session; false when the reservation was lost. */
  activate(reservation: Reservation, session: SessionRecord): Promise<boolean>;
  /** Gives up a reservation (only if it is still ours). */
  release(reservation: Reservation): Promise<void>;
  /** A session's sliding lifetime: from its activation, then from each cart change (extend). */
  readonly ttlSeconds: number;
  /** How long an ended session that placed orders is kept; 0: for good. */
  readonly endedTtlSeconds: number;
  /** The session, and whether a sign-in/sign-up is running on it, in one round trip. */
  get(anonymousId: string): Promise<{ session: SessionRecord | null; busy: boolean }>;
  /**
   * Like `get`, and counts a cart create in when the session exists (leaveCreate counts it out), in
   * one atomic step: a hand-over that takes the lock afterwards sees the count and waits for it.
   */
  enterCreate(anonymousId: string): Promise<{ session: SessionRecord | null; busy: boolean }>;
  leaveCreate(anonymousId: string): Promise<void>;
  /** How many cart creates run on the session (counts expire, so a crashed instance's do not last). */
  createsRunning(anonymousId: string): Promise<number>;
  /**
   * Extends an active session of the client to `expiresAt` (record and key expiry) and answers the
   * session as it is now (ended, lapsed or another client's: unchanged), in one atomic step; null
   * when there is none.
   */
  extend(anonymousId: string, clientId: string, expiresAt: string): Promise<SessionRecord | null>;
  /** Records that the session placed an order; from then on its record is kept (endedTtlSeconds). */
  markHasOrders(anonymousId: string): Promise<void>;
  /**
   * Ends the session while the hand-over lock `lockToken` is still ours (fenced), in one atomic step:
   * writes the ended record and keeps it (with orders) or lets it lapse (without); false when the
   * lock is no longer ours (nothing written).
   */
  end(session: SessionRecord, lockToken: string): Promise<boolean>;
  /** Active sessions of a client for the quota (prunes lapsed ones first). */
  countActive(clientId: string): Promise<number>;
  /** Counts a session in (or moves its lapse time) for the client's quota. */
  trackActive(clientId: string, anonymousId: string, expiresAt: string): Promise<void>;
  untrackActive(clientId: string, anonymousId: string): Promise<void>;
  /**
   * Exclusive hand-over lock; null when someone else holds it. It lasts until `unlock`, however long
   * the hand-over takes: the store renews it while it is held (and a crashed holder's lapses soon).
   */
  lock(anonymousId: string): Promise<string | null>;
  unlock(anonymousId: string, token: string): Promise<void>;
  ping(): Promise<void>;
}

/** Where a listing of a client's sessions resumes: the last entry of the previous page. */
export interface SessionIndexPosition {
  /** The session's createdAt in ms. */
  score: number;
  anonymousId: string;
}

export interface SessionIndexQuery {
  status?: SessionRecord['status'];
  /** createdAt bounds in ms, both inclusive. */
  from?: number;
  to?: number;
  limit: number;
  after?: SessionIndexPosition;
}

export interface IndexedSession {
  session: SessionRecord;
  score: number;
}

/** Each client's sessions, newest first, from an index kept with the sessions (never a key scan). */
export interface SessionIndex {
  /** Up to `limit` sessions of the client matching the query, after `after`; fewer only at the end. */
  listByClient(clientId: string, query: SessionIndexQuery): Promise<IndexedSession[]>;
}

export interface Page<T> {
  results: T[];
  count: number;
  offset: number;
  limit: number;
  total?: number;
}

export interface QueryByAnonymousId {
  anonymousId: string;
  cartState?: CartState;
  /** Leaves this cart out (an ended session's handed-over cart). */
  excludeCartId?: string;
  /** Only what was created at or before this ISO time (an ended session's orders). */
  createdUntil?: string;
  limit: number;
  offset: number;
}

/** What Create Order takes besides the cart: its number and the states the order starts in. */
export interface NewOrder {
  cartId: string;
  version: number;
  orderNumber?: string;
  orderState?: OrderState;
  paymentState?: PaymentState;
  shipmentState?: ShipmentState;
}

export interface SignInResult {
  customer: Customer;
  cart?: Cart;
}

/**
 * What the service needs from commercetools (client-credentials token, never /me). Every method
 * fails with an UpstreamFailure (upstream-errors.ts); the `get*`/`find*` reads answer null instead
 * of NotFound.
 */
export interface CommerceGateway {
  /** True when any cart or order carries the id (both queries run at once). */
  anonymousIdInUse(anonymousId: string): Promise<boolean>;
  queryCarts(query: QueryByAnonymousId): Promise<Page<Cart>>;
  queryOrders(query: QueryByAnonymousId): Promise<Page<Order>>;
  /** The same pages as commercetools sent them, for listings passed on unchanged (raw-json.ts). */
  listCarts(query: QueryByAnonymousId): Promise<RawJson<Page<Cart>>>;
  listOrders(query: QueryByAnonymousId): Promise<RawJson<Page<Order>>>;
  getCart(id: string): Promise<Cart | null>;
  getCartByKey(key: string): Promise<Cart | null>;
  getOrderByNumber(orderNumber: string): Promise<Order | null>;
  createCart(draft: CartDraft): Promise<Cart>;
  updateCart(id: string, version: number, actions: CartUpdateAction[]): Promise<Cart>;
  createOrder(input: NewOrder): Promise<Order>;
  getOrder(id: string): Promise<Order | null>;
  /** Order update actions (changeOrderState, changePaymentState, changeShipmentState, ...) at `version`. */
  updateOrder(id: string, version: number, actions: OrderUpdateAction[]): Promise<Order>;
  /** Customers whose email is `email`, compared case-insensitively (store customers may share one). */
  findCustomersByEmail(email: string, limit: number): Promise<Customer[]>;
  /** The order created from a cart, if any (`cart(id = :cid)`). */
  findOrderOfCart(cartId: string): Promise<Order | null>;
  signUp(input: {
    email: string;
    password: string;
    firstName?: string;
    lastName?: string;
    anonymousId: string;
    key: string;
  }): Promise<SignInResult>;
  getCustomerByKey(key: string): Promise<Customer | null>;
  getCustomer(id: string): Promise<Customer | null>;
  /**
   * Merge Cart: the anonymous cart into the customer's most recently modified active cart (or it
   * becomes that cart); the session's carts get the customerId, its orders and payments do not.
   * An unknown customer: NotFound or ReferencedResourceNotFound (typeId customer).
   */
  mergeCart(customerId: string, draft: MergeCartDraft): Promise<Cart>;
  /** The customer's most recently modified active cart, if any. */
  getActiveCartOfCustomer(customerId: string): Promise<Cart | null>;
  /** Payments made in the session (`anonymousId`), newest first. */
  queryPayments(query: { anonymousId: string; limit: number; offset: number }): Promise<Page<Payment>>;
  /** Without anonymousId: only checks the credentials and answers the customer's active cart. */
  signIn(input: {
    email: string;
    password: string;
    anonymousId?: string;
    anonymousCartSignInMode?: CartSignInMode;
  }): Promise<SignInResult>;
  /** The shipping methods matching the cart (its shipping address and currency), with their matching rates. */
  matchingShippingMethods(cartId: string): Promise<ShippingMethod[]>;
  createPayment(draft: PaymentDraft): Promise<Payment>;
  getPayment(id: string): Promise<Payment | null>;
  getPaymentByKey(key: string): Promise<Payment | null>;
  updatePayment(id: string, version: number, actions: PaymentUpdateAction[]): Promise<Payment>;
  /** The cart holding the payment (`paymentInfo(payments(id = :pid))`), if any. */
  /**
   * The same gateway through `/in-store/key={storeKey}` for carts and orders (create, read, query,
   * update, order), sign-up and sign-in: commercetools fences them by the Store, answering 404 for
   * another store's.
   */
  inStore(storeKey: string): CommerceGateway;
  /** The Channel with this key (a line item's supply or distribution channel), or null. */
  getChannelByKey(key: string): Promise<Channel | null>;
  /** The Store with this key (a store-bound API key's), or null. */
  getStoreByKey(key: string): Promise<Store | null>;
  findCartOfPayment(paymentId: string): Promise<Cart | null>;
  ping(): Promise<void>;
}

/** A refused attempt, and how long until another may be made. */
export interface Blocked {
  retryAfterSeconds: number;
}

/** How an admitted sign-in ended, as far as the credentials go. */
export type SignInOutcome = 'failed' | 'succeeded' | 'undecided';

/**
 * Limits password guessing, shared by all instances: consecutive failed sign-ins per email (across
 * sessions and clients) and per session, and sign-up attempts per session.
 */
export interface SignInGuard {
  /**
   * Counts a sign-in attempt in, on the email and on the session, as a failure until it is settled
   * (so racing guesses cannot pass the limit); null when admitted, else how long both must wait.
   */
  admitSignIn(email: string, anonymousId: string): Promise<Blocked | null>;
  /**
   * Settles an admitted attempt: `failed` (wrong credentials) stays counted, `succeeded` starts both
   * counts over, `undecided` (commercetools gave no verdict: outage, busy session) is taken back.
   */
  settleSignIn(email: string, anonymousId: string, outcome: SignInOutcome): Promise<void>;
  /** Counts a sign-up attempt on the session in; null when admitted, else how long to wait. */
  admitSignUp(anonymousId: string): Promise<Blocked | null>;
}

/**
 * A customer grant: the client that made a hand-over may read and change the cart it returned,
 * until the cart is ordered or the grant expires.
 */
export interface Grant {
  clientId: string;
  customerId: string;
  cartId: string;
  expiresAt: string;
  /** The cart was ordered through the grant: no more changes. */
  ordered?: true;
}

/** Grants and owners of orders placed through grants (Redis), each read in O(1). */
export interface GrantStore {
  readonly ttlSeconds: number;
  /** Gives the cart to the client; the customer's previous grant (at another till) ends. */
  grant(input: Omit<Grant, 'expiresAt' | 'ordered'>, expiresAt: string): Promise<void>;
  /** The grant on the cart, if any still runs. */
  get(cartId: string): Promise<Grant | null>;
  markOrdered(cartId: string): Promise<void>;
  /** Orders placed through a grant belong to the grant's client. */
  setOrderOwner(orderId: string, clientId: string): Promise<void>;
  orderOwner(orderId: string): Promise<string | null>;
}

/** Failure of the session store (Redis unreachable or timing out). */
export class StoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreError';
  }
}

/**
 * A note of what a write under an Idempotency-Key last sent upstream, kept (Redis, as long as the
 * key's record) across failed attempts, so a retry can tell whether a lost answer's change landed.
 */
export interface AttemptLog {
  /**
   * `scope` names what the note is about (the request's fingerprint and the cart): a note made
   * under the same key for another request or cart is never answered.
   */
  recall(clientId: string, idempotencyKey: string, scope: string): Promise<string | null>;
  note(clientId: string, idempotencyKey: string, scope: string, value: string): Promise<void>;
}

/** A response kept for replay under an Idempotency-Key. */
export interface StoredResponse {
  fingerprint: string;
  status: number;
  contentType: string;
  body: string;
}

export type IdempotencyBegin =
  | { state: 'started'; token: string }
  | { state: 'running'; fingerprint: string }
  | { state: 'done'; response: StoredResponse };

/** Where first responses are kept per client and Idempotency-Key (Redis). */
export interface IdempotencyStore {
  /** Marks the key as running (atomically) unless it is known; otherwise says what it holds. */
  begin(clientId: string, key: string, fingerprint: string): Promise<IdempotencyBegin>;
  /** Keeps the completed response for replay. */
  complete(clientId: string, key: string, token: string, response: StoredResponse): Promise<void>;
  /** Forgets a running key (its answer was transient: 5xx, 429, busy...), so a retry runs again. */
  abandon(clientId: string, key: string, token: string): Promise<void>;
}
