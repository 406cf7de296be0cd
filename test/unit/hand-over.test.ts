import { StoreError } from '../../src/domain/ports';
import { customerKeyFor } from '../../src/domain/idempotent-keys';
import { createDomain, failBeforeSending, loseTheAnswer, POS } from '../support/fakes';

/** A domain with an active session holding one cart. */
async function withSession() {
  const domain = createDomain();
  const session = await domain.sessions.start(POS);
  const cart = await domain.carts.createCart(POS, session.anonymousId, { currency: 'EUR' });
  return { ...domain, anonymousId: session.anonymousId, cart };
}

const ADA = { email: 'ada@example.com', password: 'secret-1' };
const BOB = { email: 'bob@example.com', password: 'secret-2' };
const MERGE = 'MergeWithExistingCustomerCart' as const;

describe('sign-up (CustomerService.signUp)', () => {
  test('when the sign-up was made but its answer was lost, then the customer found by its key is the answer and the session ends with it', async () => {
    const { customers, commerce, store, anonymousId, cart } = await withSession();
    commerce.interceptNext('signUp', loseTheAnswer);

    const result = await customers.signUp(POS, anonymousId, ADA);

    expect(result.customer.email).toBe(ADA.email);
    expect(result.cart?.id).toBe(cart.id);
    expect(commerce.customers.size).toBe(1);
    expect(store.sessions.get(anonymousId)).toMatchObject({ status: 'ended', customerId: result.customer.id });
  });

  test('when an earlier sign-up with the same email landed unseen, then the retry answers that customer', async () => {
    const { customers, commerce, store, anonymousId } = await withSession();
    const key = customerKeyFor(POS.clientId, anonymousId);
    const { customer: earlier } = await commerce.signUp({ ...ADA, email: 'ADA@example.com', anonymousId, key });

    const result = await customers.signUp(POS, anonymousId, ADA);

    expect(result.customer.id).toBe(earlier.id);
    expect(result.customer).not.toHaveProperty('password');
    expect(store.sessions.get(anonymousId)).toMatchObject({ status: 'ended', customerId: earlier.id });
  });

  test('when an earlier sign-up with another email landed unseen, then it is SessionEnded and the session ends with that customer', async () => {
    const { customers, commerce, store, anonymousId } = await withSession();
    const key = customerKeyFor(POS.clientId, anonymousId);
    const { customer: earlier } = await commerce.signUp({ ...ADA, anonymousId, key });

    const signingUp = customers.signUp(POS, anonymousId, BOB);

    await expect(signingUp).rejects.toMatchObject({ code: 'SessionEnded' });
    expect(store.sessions.get(anonymousId)).toMatchObject({ status: 'ended', customerId: earlier.id });
    expect([...commerce.customers.values()].map((c) => c.email)).toEqual([ADA.email]);
  });

  test('when an earlier sign-up landed unseen and the retry carries another password, then it is SessionEnded, the customer is not answered, and the session ends with it', async () => {
    const { customers, commerce, store, anonymousId } = await withSession();
    commerce.interceptNext('signUp', loseTheAnswer);
    commerce.interceptNext('getCustomerByKey', failBeforeSending);
    await expect(customers.signUp(POS, anonymousId, ADA)).rejects.toThrow();

    const retrying = customers.signUp(POS, anonymousId, { ...ADA, password: 'another-password' });

    await expect(retrying).rejects.toMatchObject({ code: 'SessionEnded' });
    const [made] = [...commerce.customers.values()];
    expect(commerce.customers.size).toBe(1);
    expect(store.sessions.get(anonymousId)).toMatchObject({ status: 'ended', customerId: made!.id });
  });

  test('when an earlier sign-up landed unseen and the retry carries the same password, then the password is checked by a sign-in without the session', async () => {
    const { customers, commerce, anonymousId } = await withSession();
    commerce.interceptNext('signUp', loseTheAnswer);
    commerce.interceptNext('getCustomerByKey', failBeforeSending);
    await expect(customers.signUp(POS, anonymousId, ADA)).rejects.toThrow();

    const result = await customers.signUp(POS, anonymousId, ADA);

    expect(result.customer.email).toBe(ADA.email);
    expect(commerce.calls.filter((c) => c === 'signIn')).toHaveLength(1);
  });

  test('when the email belongs to another customer, then it is DuplicateEmail and the session stays active', async () => {
    const { customers, commerce, store, anonymousId } = await withSession();
    await commerce.signUp({ ...ADA, anonymousId: 'another-session', key: 'another-key' });

    const signingUp = customers.signUp(POS, anonymousId, ADA);

    await expect(signingUp).rejects.toMatchObject({ code: 'DuplicateEmail' });
    expect(store.sessions.get(anonymousId)?.status).toBe('active');
  });
});

describe('sign-in (CustomerService.signIn)', () => {
  /** A customer signed up outside the session. */
  async function withCustomer(domain: Awaited<ReturnType<typeof withSession>>, credentials: typeof ADA) {
    return (
      await domain.commerce.signUp({
        ...credentials,
        anonymousId: `other-${credentials.email}`,
        key: credentials.email.replace(/\W/g, '-'),
      })
    ).customer;
  }

  test('when an earlier sign-in of the same customer landed unseen, then the retry signs in and the session ends with that customer', async () => {
    const domain = await withSession();
    const ada = await withCustomer(domain, ADA);
    await domain.commerce.signIn({ ...ADA, anonymousId: domain.anonymousId });

    const result = await domain.customers.signIn(POS, domain.anonymousId, { ...ADA, cartSignInMode: MERGE });

    expect(result.customer.id).toBe(ada.id);
    expect(domain.store.sessions.get(domain.anonymousId)).toMatchObject({ status: 'ended', customerId: ada.id });
  });

  test('when an earlier sign-in of another customer landed unseen, then it is SessionEnded and the session ends with that customer', async () => {
    const domain = await withSession();
    const ada = await withCustomer(domain, ADA);
    await withCustomer(domain, BOB);
    await domain.commerce.signIn({ ...ADA, anonymousId: domain.anonymousId });

    const signingIn = domain.customers.signIn(POS, domain.anonymousId, { ...BOB, cartSignInMode: MERGE });

    await expect(signingIn).rejects.toMatchObject({ code: 'SessionEnded' });
    expect(domain.store.sessions.get(domain.anonymousId)).toMatchObject({ status: 'ended', customerId: ada.id });
  });

  test('when the sign-in was made but its answer was lost, then it fails and the retry recognises it', async () => {
    const domain = await withSession();
    const ada = await withCustomer(domain, ADA);
    domain.commerce.interceptNext('signIn', loseTheAnswer);
    await expect(domain.customers.signIn(POS, domain.anonymousId, { ...ADA, cartSignInMode: MERGE })).rejects.toThrow();

    const result = await domain.customers.signIn(POS, domain.anonymousId, { ...ADA, cartSignInMode: MERGE });

    expect(result.customer.id).toBe(ada.id);
    expect(domain.store.sessions.get(domain.anonymousId)).toMatchObject({ status: 'ended', customerId: ada.id });
  });

  test('when the password is wrong, then it is InvalidCredentials and the session stays active', async () => {
    const domain = await withSession();
    await withCustomer(domain, ADA);

    const signingIn = domain.customers.signIn(POS, domain.anonymousId, {
      ...ADA,
      password: 'wrong',
      cartSignInMode: MERGE,
    });

    await expect(signingIn).rejects.toMatchObject({ code: 'InvalidCredentials' });
    expect(domain.store.sessions.get(domain.anonymousId)?.status).toBe('active');
  });
});

describe('the hand-over lock (SessionService.handOver)', () => {
  test('when the lock lapses and is taken by another holder while the sign-up runs, then the session is not ended by it and the sign-up fails as a store failure', async () => {
    const { customers, commerce, store, anonymousId } = await withSession();
    commerce.interceptNext('signUp', async (proceed) => {
      store.locks.set(anonymousId, 'another-holder');
      return proceed();
    });

    const signingUp = customers.signUp(POS, anonymousId, ADA);

    await expect(signingUp).rejects.toBeInstanceOf(StoreError);
    expect(store.sessions.get(anonymousId)?.status).toBe('active');
    expect(store.locks.get(anonymousId)).toBe('another-holder');
  });

  test('when a sign-up that ended nothing under a lapsed lock is retried, then the retry recognises it and ends the session with that customer', async () => {
    const { customers, commerce, store, anonymousId } = await withSession();
    commerce.interceptNext('signUp', async (proceed) => {
      store.locks.delete(anonymousId);
      return proceed();
    });
    await expect(customers.signUp(POS, anonymousId, ADA)).rejects.toBeInstanceOf(StoreError);

    const retried = await customers.signUp(POS, anonymousId, ADA);

    expect(commerce.customers.size).toBe(1);
    expect(store.sessions.get(anonymousId)).toMatchObject({ status: 'ended', customerId: retried.customer.id });
  });

  test('when a second hand-over starts while the first holds the lock, then it is SessionBusy and does not reach commercetools', async () => {
    const { customers, commerce, anonymousId } = await withSession();
    let second: Promise<unknown> | undefined;
    commerce.interceptNext('signUp', async (proceed) => {
      second = customers.signIn(POS, anonymousId, { ...BOB, cartSignInMode: MERGE });
      await second.catch(() => undefined);
      return proceed();
    });

    await customers.signUp(POS, anonymousId, ADA);

    await expect(second).rejects.toMatchObject({ code: 'SessionBusy' });
    expect(commerce.calls.filter((c) => c === 'signIn')).toHaveLength(0);
  });
});
