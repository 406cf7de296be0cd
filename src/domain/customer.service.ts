import type { Cart, Customer, Order, Payment } from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import { DomainError } from './errors';
import { customerKeyFor } from './idempotent-keys';
import type { CartSignInMode } from './commerce.model';
import {
  AnonymousIdUsedUp,
  DuplicateValue,
  InvalidCredentials,
  mayHaveHappened,
  NotFound,
  ReferencedResourceNotFound,
  VersionConflict,
  type Blocked,
  type CommerceGateway,
  type GrantStore,
  type SignInGuard,
  type SignInOutcome,
  type SignInResult,
} from './ports';
import { AlreadyHandedOver, type SessionService } from './session.service';

/** The password hash is commercetools' business; it never leaves the service. */
/** What a hand-over answers: the customer, the cart it returned and the caller's grant on that cart. */
export interface HandOverResult extends SignInResult {
  grant?: { cartId: string; expiresAt: string };
}

function withoutPassword(result: HandOverResult): HandOverResult {
  const { password: _password, ...customer } = result.customer as Customer & { password?: string };
  return {
    customer: customer as Customer,
    ...(result.cart ? { cart: result.cart } : {}),
    ...(result.grant ? { grant: result.grant } : {}),
  };
}

/** What an assignment answers: who the session went to (no other personal data), the cart and the grant on it. */
export interface AssignResult {
  customer: { id: string; email: string; firstName?: string; lastName?: string };
  cart?: Cart;
  grant?: { cartId: string; expiresAt: string };
}

export interface AssignInput {
  customerId: string;
  mergeMode: CartSignInMode;
  updateProductData?: boolean;
}

/** A session's carts, orders and payments read at once: more than a till makes in a session. */
const SESSION_PAGE = 500;
/** Bounded re-reads when an order or payment changed between reading and assigning it. */
const MAX_ASSIGN_ATTEMPTS = 3;

function customerNotFound(customerId: string): DomainError {
  return new DomainError('CustomerNotFound', `No customer '${customerId}'.`);
}

function summaryOf(customer: Customer): AssignResult['customer'] {
  const { id, email, firstName, lastName } = customer;
  return {
    id,
    email,
    ...(firstName !== undefined ? { firstName } : {}),
    ...(lastName !== undefined ? { lastName } : {}),
  };
}

function tooManyAttempts(blocked: Blocked, what: string): DomainError {
  return new DomainError('TooManySignInAttempts', `${what}; retry in ${blocked.retryAfterSeconds} s.`, {
    retryAfterSeconds: blocked.retryAfterSeconds,
  });
}

/** What a counted sign-in learnt of the credentials; `right` stays unset when commercetools gave no verdict. */
interface Verdict {
  right?: boolean;
}

/**
 * Sign-up and sign-in hand the session's carts and orders to the customer, then end the session.
 * A hand-over that commercetools carried out although its answer was lost (a timeout, or Redis
 * failing before the session was ended) is recognised on the next try: commercetools then refuses
 * the used anonymousId, and the session is ended with the customer it went to instead of staying
 * active with its carts gone. Password guessing is limited (SignInGuard): consecutive failed
 * sign-ins per email and per session, and sign-up attempts per session.
 */
export class CustomerService {
  constructor(
    private readonly sessions: SessionService,
    private readonly commerce: CommerceGateway,
    private readonly guard: SignInGuard,
    private readonly grants: GrantStore,
  ) {}

  /**
   * Grants the caller the cart the hand-over returned (docs/ownership.md), before the session
   * ends: should ending it fail, the retry recognises the hand-over and grants again.
   */
  private async withGrant(caller: Caller, result: SignInResult): Promise<HandOverResult> {
    if (!result.cart) return result;
    const expiresAt = new Date(Date.now() + this.grants.ttlSeconds * 1000).toISOString();
    const cartId = result.cart.id;
    await this.grants.grant({ clientId: caller.clientId, customerId: result.customer.id, cartId }, expiresAt);
    return { ...result, grant: { cartId, expiresAt } };
  }

  /** The customer gets a key derived from the session (customerKeyFor), by which a lost sign-up is found. */
  async signUp(
    caller: Caller,
    anonymousId: string,
    input: { email: string; password: string; firstName?: string; lastName?: string },
  ): Promise<HandOverResult> {
    const key = customerKeyFor(caller.clientId, anonymousId);
    const result = await this.sessions.handOver(caller, anonymousId, async () => {
      // Counted once the session is known to be the caller's and active: nobody spends another's budget.
      const refused = await this.guard.admitSignUp(anonymousId);
      if (refused) throw tooManyAttempts(refused, 'Too many sign-up attempts on this session');
      try {
        return await this.withGrant(caller, await this.commerceOf(caller).signUp({ ...input, anonymousId, key }));
      } catch (error) {
        const taken = error instanceof DuplicateValue || error instanceof AnonymousIdUsedUp;
        if (mayHaveHappened(error) || taken) {
          // A failing lookup fails the request (5xx, not kept for replay): a retry looks again.
          const made = await this.commerce.getCustomerByKey(key);
          if (made) {
            // commercetools treats emails case-insensitively. Another email: the session went to someone else.
            if (made.email.toLowerCase() !== input.email.toLowerCase()) throw new AlreadyHandedOver(made.id);
            // Same email: the customer is answered only to whoever knows its password (the retry
            // may carry another one); otherwise the session ends with it all the same (SessionEnded).
            const signedIn = await this.counted(input.email, anonymousId, async (verdict) => {
              const alone = await this.signInAlone(input);
              verdict.right = alone !== null;
              return alone;
            });
            if (signedIn?.customer.id !== made.id) throw new AlreadyHandedOver(made.id);
            return this.withGrant(caller, { customer: made, ...(await this.activeCartOf(anonymousId, made.id)) });
          }
        }
        if (error instanceof AnonymousIdUsedUp) throw new AlreadyHandedOver(await this.handedTo(anonymousId));
        if (error instanceof DuplicateValue)
          throw new DomainError('DuplicateEmail', `A customer with the email '${input.email}' already exists.`);
        throw error;
      }
    });
    return withoutPassword(result);
  }

  /** A store-bound caller (a till) signs customers up and in through its store's endpoints. */
  private commerceOf(caller: Caller): CommerceGateway {
    return caller.storeKey ? this.commerce.inStore(caller.storeKey) : this.commerce;
  }

  async signIn(
    caller: Caller,
    anonymousId: string,
    input: { email: string; password: string; cartSignInMode: CartSignInMode },
  ): Promise<HandOverResult> {
    const result = await this.sessions.handOver(caller, anonymousId, () =>
      this.counted(input.email, anonymousId, async (verdict) => {
        try {
          const signedIn = await this.commerceOf(caller).signIn({
            email: input.email,
            password: input.password,
            anonymousId,
            anonymousCartSignInMode: input.cartSignInMode,
          });
          verdict.right = true;
          return await this.withGrant(caller, signedIn);
        } catch (error) {
          if (error instanceof InvalidCredentials) {
            verdict.right = false;
            throw new DomainError('InvalidCredentials', 'The email or password is wrong.');
          }
          if (!(error instanceof AnonymousIdUsedUp)) throw error;
          // Used up: by an earlier sign-in of this very customer whose answer was lost, when the
          // session's carts or orders now carry the customerId that these credentials sign in to.
          const [customerId, signedIn] = await Promise.all([this.handedTo(anonymousId), this.signInAlone(input)]);
          verdict.right = signedIn !== null;
          if (signedIn && customerId === signedIn.customer.id) return this.withGrant(caller, signedIn);
          throw new AlreadyHandedOver(customerId);
        }
      }),
    );
    return withoutPassword(result);
  }

  /**
   * Hands the session over to a customer known by id, without a password (SSO, loyalty app, a phone
   * number at the till): commercetools' Merge Cart merges the session's active cart into the
   * customer's (or makes it theirs), then the session's orders (`setCustomerId`) and payments
   * (`setCustomer`) move to the customer, and the session ends with the customerId. The merge runs
   * first and its trace (the session's carts carry the customerId) is how a merge whose answer was
   * lost is recognised, at once or on the retry; orders and payments already moved are skipped.
   */
  async assign(caller: Caller, anonymousId: string, input: AssignInput): Promise<AssignResult> {
    const customer = await this.commerce.getCustomer(input.customerId);
    if (!customer) throw customerNotFound(input.customerId);
    const result = await this.sessions.handOver(caller, anonymousId, async (session) => {
      // A till's session: its carts and orders are its store's, reached (and merged) in that store.
      const commerce = session.storeKey ? this.commerce.inStore(session.storeKey) : this.commerce;
      const cart = await this.mergeSession(commerce, anonymousId, input);
      await this.moveOrders(commerce, anonymousId, customer.id);
      await this.movePayments(anonymousId, customer.id);
      return this.withGrant(caller, { customer, ...(cart ? { cart } : {}) });
    });
    return {
      customer: summaryOf(result.customer),
      ...(result.cart ? { cart: result.cart } : {}),
      ...(result.grant ? { grant: result.grant } : {}),
    };
  }

  /** Merges the session's active cart into the customer's: the customer's resulting cart, if any. */
  private async mergeSession(
    commerce: CommerceGateway,
    anonymousId: string,
    input: AssignInput,
  ): Promise<Cart | undefined> {
    const done = await this.mergedBefore(commerce, anonymousId, input.customerId);
    if (done) return done.cart;
    const carts = await commerce.queryCarts({ anonymousId, cartState: 'Active', limit: 1, offset: 0 });
    const active = carts.results[0];
    if (!active) return undefined;
    try {
      return await commerce.mergeCart(input.customerId, {
        anonymousCart: { typeId: 'cart', id: active.id },
        anonymousId,
        mergeMode: input.mergeMode,
        ...(input.updateProductData !== undefined ? { updateProductData: input.updateProductData } : {}),
      });
    } catch (error) {
      if (error instanceof NotFound) throw customerNotFound(input.customerId);
      if (error instanceof ReferencedResourceNotFound && error.typeId === 'customer')
        throw customerNotFound(input.customerId);
      if (!mayHaveHappened(error)) throw error;
      // The answer was lost: the merge may have happened. A failing look fails the request; the retry looks again.
      const lost = await this.mergedBefore(commerce, anonymousId, input.customerId);
      if (lost) return lost.cart;
      throw error;
    }
  }

  /**
   * Whether a merge into this customer already happened (its answer lost): the session's carts then
   * carry the customerId. Its result is the session's cart if it stayed active (it became the
   * customer's), else the customer's active cart. A cart or order of the session that carries
   * another customerId means the session went to someone else (AlreadyHandedOver).
   */
  private async mergedBefore(
    commerce: CommerceGateway,
    anonymousId: string,
    customerId: string,
  ): Promise<{ cart?: Cart } | undefined> {
    const page = { anonymousId, limit: SESSION_PAGE, offset: 0 };
    const [carts, orders] = await Promise.all([commerce.queryCarts(page), commerce.queryOrders(page)]);
    const other = [...carts.results, ...orders.results].find((x) => x.customerId && x.customerId !== customerId);
    if (other) throw new AlreadyHandedOver(other.customerId);
    const assigned = carts.results.filter((cart) => cart.customerId === customerId);
    if (assigned.length === 0) return undefined;
    const kept = assigned.find((cart) => cart.cartState === 'Active');
    if (kept) return { cart: kept };
    const current = await commerce.getActiveCartOfCustomer(customerId);
    return current ? { cart: current } : {};
  }

  /** Sets the customer on the session's orders that do not carry it yet (re-read on a conflict). */
  private async moveOrders(commerce: CommerceGateway, anonymousId: string, customerId: string): Promise<void> {
    const orders = await commerce.queryOrders({ anonymousId, limit: SESSION_PAGE, offset: 0 });
    for (const order of orders.results.filter((each) => each.customerId !== customerId)) {
      await this.retryOnConflict<Order>(order, commerce.getOrder.bind(commerce), (current) =>
        current.customerId === customerId
          ? undefined
          : commerce.updateOrder(current.id, current.version, [{ action: 'setCustomerId', customerId }]),
      );
    }
  }

  /** Sets the customer on the session's payments that do not carry it yet (re-read on a conflict). */
  private async movePayments(anonymousId: string, customerId: string): Promise<void> {
    const payments = await this.commerce.queryPayments({ anonymousId, limit: SESSION_PAGE, offset: 0 });
    const customer = { typeId: 'customer' as const, id: customerId };
    for (const payment of payments.results.filter((each) => each.customer?.id !== customerId)) {
      await this.retryOnConflict<Payment>(payment, this.commerce.getPayment.bind(this.commerce), (current) =>
        current.customer?.id === customerId
          ? undefined
          : this.commerce.updatePayment(current.id, current.version, [{ action: 'setCustomer', customer }]),
      );
    }
  }

  private async retryOnConflict<T extends { id: string }>(
    first: T,
    reread: (id: string) => Promise<T | null>,
    update: (current: T) => Promise<unknown> | undefined,
  ): Promise<void> {
    let current: T | null = first;
    for (let attempt = 1; current; attempt++) {
      try {
        await update(current);
        return;
      } catch (error) {
        if (!(error instanceof VersionConflict) || attempt >= MAX_ASSIGN_ATTEMPTS) throw error;
        current = await reread(current.id);
      }
    }
  }

  /**
   * Runs a credentials check counted by the guard: refused (429) while the email or the session is
   * blocked; afterwards a wrong password stays counted, a right one resets both counts, and an
   * attempt without a verdict (an outage) is taken back.
   */
  private async counted<T>(email: string, anonymousId: string, attempt: (verdict: Verdict) => Promise<T>): Promise<T> {
    const refused = await this.guard.admitSignIn(email, anonymousId);
    if (refused) throw tooManyAttempts(refused, 'Too many failed sign-ins for this email or on this session');
    const verdict: Verdict = {};
    try {
      return await attempt(verdict);
    } finally {
      const outcome: SignInOutcome = verdict.right === undefined ? 'undecided' : verdict.right ? 'succeeded' : 'failed';
      // A count left unsettled errs on the safe side (an attempt stays counted); the answer stands.
      await this.guard.settleSignIn(email, anonymousId, outcome).catch(() => undefined);
    }
  }

  /** Signs in without the session: checks the credentials and answers the customer's active cart. */
  private async signInAlone(input: { email: string; password: string }): Promise<SignInResult | null> {
    try {
      return await this.commerce.signIn({ email: input.email, password: input.password });
    } catch (error) {
      if (error instanceof InvalidCredentials) return null;
      throw error;
    }
  }

  /** The customer the session's carts or orders went to, if any of them shows one. */
  private async handedTo(anonymousId: string): Promise<string | undefined> {
    const page = { anonymousId, limit: 20, offset: 0 };
    const [carts, orders] = await Promise.all([this.commerce.queryCarts(page), this.commerce.queryOrders(page)]);
    return [...carts.results, ...orders.results].find((x) => x.customerId)?.customerId;
  }

  /** The session's active cart, which went to the customer with the sign-up: part of its answer. */
  private async activeCartOf(anonymousId: string, customerId: string): Promise<{ cart?: Cart }> {
    const carts = await this.commerce.queryCarts({ anonymousId, cartState: 'Active', limit: 1, offset: 0 });
    const cart = carts.results.find((c) => c.customerId === customerId);
    return cart ? { cart } : {};
  }
}
