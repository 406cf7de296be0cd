import type { CustomerDraft, CustomerSignInResult } from '@commercetools/platform-sdk';
import { findAnonymousCart, signInAnonymousSession } from './anonymous-session';
import type { UsedAnonymousIds } from './anonymous-id-reuse.fidelity';
import { listParam, type FidelityLayer } from './fidelity-layer';

/**
 * `POST /{projectKey}/customers`, "Create (sign up) Customer", with `anonymousId` / `anonymousCart`,
 * which the mock ignores: the anonymous session's Carts and Orders move to the new Customer and the
 * answer is 201 `{customer, cart?}` with the session's active Cart. Without them the mock's own
 * handler answers (DuplicateField for a taken email stays the mock's).
 * https://docs.commercetools.com/api/projects/customers#create-sign-up-customer
 */
export function installCustomerSignUpFidelity(layer: FidelityLayer, usedAnonymousIds: UsedAnonymousIds): void {
  // The in-store sign-up the same way (https://docs.commercetools.com/api/projects/customers#create-sign-up-customer-in-store).
  for (const url of ['/:projectKey/customers', '/:projectKey/in-store/key=:storeKey/customers'])
    layer.override('POST', url, async (request, reply, mockHandler) => {
      const draft = request.body as CustomerDraft | undefined;
      if (draft?.anonymousId === undefined && draft?.anonymousCart === undefined) return mockHandler(request, reply);
      const context = layer.context(request);
      const customers = layer.customers(context.projectKey);

      const result = await layer.exclusive(context.projectKey, async (): Promise<CustomerSignInResult> => {
        usedAnonymousIds.assertUnused(context.projectKey, draft.anonymousId);
        const anonymousCart = await findAnonymousCart(layer, context, draft);
        const created = await customers.create(context, draft);
        const cart = await signInAnonymousSession(layer, context, created.id, {
          anonymousId: draft.anonymousId,
          cart: anonymousCart,
        });
        usedAnonymousIds.markUsed(context.projectKey, draft.anonymousId);
        const customer =
          (await customers.get(context, created.id, {
            expand: listParam((request.query as { expand?: unknown }).expand),
          })) ?? created;
        return cart ? { customer, cart } : { customer };
      });
      return reply.status(201).send(result);
    });
}
