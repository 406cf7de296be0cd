import type { Customer } from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import { DomainError } from './errors';
import { UpstreamError, type CommerceGateway, type SignInResult } from './ports';
import type { SessionService } from './session.service';

export type CartSignInMode = 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';

/** commercetools refuses an anonymousId that was already used for sign-in or sign-up. */
const USED_ANONYMOUS_ID = /anonymousId .* already used/i;

/** The password hash is commercetools' business; it never leaves the service. */
function withoutPassword(result: SignInResult): SignInResult {
  const { password: _password, ...customer } = result.customer as Customer & { password?: string };
  return { customer: customer as Customer, ...(result.cart ? { cart: result.cart } : {}) };
}

function usedUp(error: unknown, anonymousId: string): DomainError | null {
  if (error instanceof UpstreamError && error.status === 400 && error.has('InvalidOperation') && USED_ANONYMOUS_ID.test(error.message)) {
    return new DomainError('SessionEnded', `The anonymousId '${anonymousId}' was already used for sign-in or sign-up.`);
  }
  return null;
}

/** Sign-up and sign-in hand the session's carts and orders to the customer, then end the session. */
export class CustomerService {
  constructor(
    private readonly sessions: SessionService,
    private readonly commerce: CommerceGateway,
  ) {}

  async signUp(caller: Caller, anonymousId: string, input: { email: string; password: string; firstName?: string; lastName?: string }): Promise<SignInResult> {
    const result = await this.sessions.handOver(caller, anonymousId, async () => {
      try {
        return await this.commerce.signUp({ ...input, anonymousId });
      } catch (error) {
        if (error instanceof UpstreamError && error.status === 400 && error.has('DuplicateField')) {
          throw new DomainError('DuplicateEmail', `A customer with the email '${input.email}' already exists.`);
        }
        throw usedUp(error, anonymousId) ?? error;
      }
    });
    return withoutPassword(result);
  }

  async signIn(caller: Caller, anonymousId: string, input: { email: string; password: string; cartSignInMode: CartSignInMode }): Promise<SignInResult> {
    const result = await this.sessions.handOver(caller, anonymousId, async () => {
      try {
        return await this.commerce.signIn({ email: input.email, password: input.password, anonymousId, anonymousCartSignInMode: input.cartSignInMode });
      } catch (error) {
        if (error instanceof UpstreamError && error.status === 400 && error.has('InvalidCredentials')) {
          throw new DomainError('InvalidCredentials', 'The email or password is wrong.');
        }
        throw usedUp(error, anonymousId) ?? error;
      }
    });
    return withoutPassword(result);
  }
}
