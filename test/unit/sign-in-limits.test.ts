import { customerKeyFor } from '../../src/domain/idempotent-keys';
import { createDomain, failBeforeSending, loseTheAnswer, POS } from '../support/fakes';

/** A domain (guard: 3 failures, 3 sign-ups) with an active session and a customer signed up elsewhere. */
async function withCustomer() {
  const domain = createDomain();
  const { anonymousId } = await domain.sessions.start(POS);
  await domain.commerce.signUp({ ...ADA, anonymousId: 'elsewhere', key: 'ada' });
  return { ...domain, anonymousId };
}

const ADA = { email: 'ada@example.com', password: 'secret-1' };
const MERGE = 'MergeWithExistingCustomerCart' as const;
const wrong = { ...ADA, password: 'guess', cartSignInMode: MERGE };
const right = { ...ADA, cartSignInMode: MERGE };

describe('password guessing on sign-in (CustomerService.signIn with the SignInGuard)', () => {
  test('when the password is wrong, then the failure stays counted for the email and the session', async () => {
    const { customers, signInGuard, anonymousId } = await withCustomer();

    await expect(customers.signIn(POS, anonymousId, wrong)).rejects.toMatchObject({ code: 'InvalidCredentials' });

    expect(signInGuard.failures.get(`email:${ADA.email}`)).toBe(1);
    expect(signInGuard.failures.get(`session:${anonymousId}`)).toBe(1);
  });

  test('when the email has had the most failures allowed, then the next sign-in is TooManySignInAttempts with the wait, without asking commercetools', async () => {
    const { customers, commerce, signInGuard, store, anonymousId } = await withCustomer();
    signInGuard.failures.set('email:ada@example.com', signInGuard.maxFailures);

    const signingIn = customers.signIn(POS, anonymousId, { ...right, email: 'ADA@example.com' });

    await expect(signingIn).rejects.toMatchObject({
      code: 'TooManySignInAttempts',
      extensions: { retryAfterSeconds: signInGuard.blockSeconds },
    });
    expect(commerce.calls).not.toContain('signIn');
    expect(store.sessions.get(anonymousId)?.status).toBe('active');
  });

  test('when the sign-in succeeds, then the counts of the email and the session start over', async () => {
    const { customers, signInGuard, anonymousId } = await withCustomer();
    await expect(customers.signIn(POS, anonymousId, wrong)).rejects.toMatchObject({ code: 'InvalidCredentials' });

    await customers.signIn(POS, anonymousId, right);

    expect(signInGuard.failures.get(`email:${ADA.email}`)).toBeUndefined();
    expect(signInGuard.failures.get(`session:${anonymousId}`)).toBeUndefined();
  });

  test('when commercetools gives no verdict (unreachable), then the attempt is not counted', async () => {
    const { customers, commerce, signInGuard, anonymousId } = await withCustomer();
    commerce.interceptNext('signIn', failBeforeSending);

    await expect(customers.signIn(POS, anonymousId, right)).rejects.toThrow();

    expect(signInGuard.failures.get(`email:${ADA.email}`)).toBe(0);
  });
});

describe('sign-up limits (CustomerService.signUp with the SignInGuard)', () => {
  test('when the session has had the most sign-up attempts allowed, then the next is TooManySignInAttempts and the session stays active', async () => {
    const { customers, commerce, signInGuard, store, anonymousId } = await withCustomer();
    for (let i = 0; i < signInGuard.signUpMaxAttempts; i++) {
      await expect(customers.signUp(POS, anonymousId, ADA)).rejects.toMatchObject({ code: 'DuplicateEmail' });
    }

    const signingUp = customers.signUp(POS, anonymousId, { email: 'new@example.com', password: 'secret-2' });

    await expect(signingUp).rejects.toMatchObject({ code: 'TooManySignInAttempts' });
    expect(commerce.customers.size).toBe(1);
    expect(store.sessions.get(anonymousId)?.status).toBe('active');
  });

  test('when a lost sign-up is retried with another password, then that check counts as a failed sign-in for the email', async () => {
    const domain = createDomain();
    const { anonymousId } = await domain.sessions.start(POS);
    await domain.commerce.signUp({ ...ADA, anonymousId, key: customerKeyFor(POS.clientId, anonymousId) });

    const retrying = domain.customers.signUp(POS, anonymousId, { ...ADA, password: 'guess' });

    await expect(retrying).rejects.toMatchObject({ code: 'SessionEnded' });
    expect(domain.signInGuard.failures.get(`email:${ADA.email}`)).toBe(1);
  });

  test('when the email is blocked, then a lost sign-up’s retry is TooManySignInAttempts and the session stays active for a later retry', async () => {
    const domain = createDomain();
    const { anonymousId } = await domain.sessions.start(POS);
    domain.commerce.interceptNext('signUp', loseTheAnswer);
    domain.commerce.interceptNext('getCustomerByKey', failBeforeSending);
    await expect(domain.customers.signUp(POS, anonymousId, ADA)).rejects.toThrow();
    domain.signInGuard.failures.set(`email:${ADA.email}`, domain.signInGuard.maxFailures);

    await expect(domain.customers.signUp(POS, anonymousId, ADA)).rejects.toMatchObject({
      code: 'TooManySignInAttempts',
    });
    expect(domain.store.sessions.get(anonymousId)?.status).toBe('active');
    domain.signInGuard.failures.clear();
    const retried = await domain.customers.signUp(POS, anonymousId, ADA);
    expect(domain.store.sessions.get(anonymousId)).toMatchObject({ status: 'ended', customerId: retried.customer.id });
  });
});
