import type { Cart, Customer } from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import { DomainError } from './errors';
import { customerKeyFor } from './idempotent-keys';
import type { CartSignInMode } from './commerce.model';
import {
  AnonymousIdUsedUp,
  DuplicateValue,
  InvalidCredentials,
  mayHaveHappened,
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
        return await this.withGrant(caller, await this.commerce.signUp({ ...input, anonymousId, key }));
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

  async signIn(
    caller: Caller,
    anonymousId: string,
    input: { email: string; password: string; cartSignInMode: CartSignInMode },
  ): Promise<HandOverResult> {
    const result = await this.sessions.handOver(caller, anonymousId, () =>
      this.counted(input.email, anonymousId, async (verdict) => {
        try {
          const signedIn = await this.commerce.signIn({
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
