import type { Customer, CustomerSignin, CustomerSignInResult } from '@commercetools/platform-sdk';
import type { FastifyRequest } from 'fastify';
import { findAnonymousCart, signInAnonymousSession } from './anonymous-session';
import type { UsedAnonymousIds } from './anonymous-id-reuse.fidelity';
import { CtError, missingField, type FidelityLayer } from './fidelity-layer';

/**
 * `POST /{projectKey}/login`, "Authenticate (sign in) Customer", which the mock lacks (it only has
 * /me/login). Answers 200 CustomerSignInResult `{customer, cart?}`, or 400 InvalidCredentials.
 * With an anonymousId, the anonymous session moves to the Customer (see anonymous-session.ts).
 * https://docs.commercetools.com/api/projects/customers#authenticate-sign-in-customer
 */
export function installLoginFidelity(layer: FidelityLayer, usedAnonymousIds: UsedAnonymousIds): void {
  // Sign-in in a Store (`/in-store/key={storeKey}/login`) the same way; which stores a customer may sign
  // in to is not checked (the customers of the sandbox belong to no store, so to every one).
  // https://docs.commercetools.com/api/projects/customers#authenticate-sign-in-customer-in-store
  for (const url of ['/:projectKey/login', '/:projectKey/in-store/key=:storeKey/login'])
    layer.addRoute('POST', url, async (request, reply) => {
      const signin = (request.body ?? {}) as Partial<CustomerSignin>;
      if (typeof signin.email !== 'string') throw missingField('email');
      if (typeof signin.password !== 'string') throw missingField('password');
      const { email, password } = signin;
      const context = layer.context(request);

      const result = await layer.exclusive(context.projectKey, async (): Promise<CustomerSignInResult> => {
        const customer = await authenticate(layer, request, email, password);
        if (!customer) {
          throw new CtError(400, {
            code: 'InvalidCredentials',
            message: 'Account with the given credentials not found.',
          });
        }
        usedAnonymousIds.assertUnused(context.projectKey, signin.anonymousId);
        const cart = await signInAnonymousSession(layer, context, customer.id, {
          anonymousId: signin.anonymousId,
          cart: await findAnonymousCart(layer, context, signin),
          mode: signin.anonymousCartSignInMode,
        });
        usedAnonymousIds.markUsed(context.projectKey, signin.anonymousId);
        return cart ? { customer, cart } : { customer };
      });
      return reply.status(200).send(result);
    });
}

/**
 * Checks the credentials through the mock's own /me/login, which compares the password with the
 * mock's (unexported) password hashing, so the two can never disagree. Emails are case-insensitive
 * in commercetools and the mock stores them lower-cased.
 * https://docs.commercetools.com/api/customers-overview#email-case-insensitivity
 */
async function authenticate(
  layer: FidelityLayer,
  request: FastifyRequest,
  email: string,
  password: string,
): Promise<Customer | undefined> {
  // /me/login quotes the email into a query predicate; a quote or backslash cannot match a stored email there.
  if (/["\\]/.test(email)) return undefined;
  const { projectKey } = layer.context(request);
  const response = await layer.mock.app.inject({
    method: 'POST',
    url: `/${encodeURIComponent(projectKey)}/me/login`,
    headers: request.headers.authorization ? { authorization: request.headers.authorization } : {},
    payload: { email: email.toLowerCase(), password },
  });
  if (response.statusCode === 200) return (response.json() as { customer: Customer }).customer;
  if (response.statusCode === 400) return undefined;
  throw new Error(`the mock's /me/login answered ${response.statusCode}: ${response.body}`);
}
