import type { Cart, MergeCartDraft } from '@commercetools/platform-sdk';
import { findAnonymousCart, signInAnonymousSession } from './anonymous-session';
import { CtError, missingField, type FidelityLayer } from './fidelity-layer';

const MERGE_MODES = ['MergeWithExistingCustomerCart', 'UseAsNewActiveCustomerCart'];

/**
 * `POST /{projectKey}/carts/customer-id={customerId}/merge`, "Merge Cart", which the mock lacks:
 * merges an anonymous Cart into the Customer's most recently modified active Cart, for Customers
 * who authenticate elsewhere (no password). MergeCartDraft: `anonymousCart` or `anonymousId`
 * (one is required; both given must agree, else InvalidOperation), `mergeMode`
 * (MergeWithExistingCustomerCart by default, or UseAsNewActiveCustomerCart), `updateProductData`.
 * Since 2025-10-23 it behaves as the merge during sign-in: with no active Customer Cart the anonymous
 * Cart becomes it (before, ResourceNotFound). `anonymousId` "assigns the Customer to the Carts that
 * have the same anonymousId"; unlike sign-in, Orders and Payments are not assigned (the caller sets
 * them). Answers 200 with the Customer's resulting Cart. An unknown Customer is 400
 * ReferencedResourceNotFound (the reference names no error for it; we answer as for other references).
 * `updateProductData` is accepted and has no effect here (the emulator's product data does not change).
 * The in-store variant (`/in-store/key={storeKey}/carts/customer-id={customerId}/merge`) is not emulated.
 * https://docs.commercetools.com/api/projects/carts#merge-cart
 * https://docs.commercetools.com/api/releases/2025-10-09-cart-merge-is-now-available-for-externally-authenticated-customers
 * https://docs.commercetools.com/api/releases/2025-10-23-aligned-behavior-of-merge-cart-endpoints
 */
export function installCartMergeFidelity(layer: FidelityLayer): void {
  layer.addRoute('POST', '/:projectKey/carts/customer-id=:customerId/merge', async (request, reply) => {
    const draft = (request.body ?? {}) as Partial<MergeCartDraft>;
    if (draft.anonymousCart === undefined && draft.anonymousId === undefined) throw missingField('anonymousId');
    if (draft.mergeMode !== undefined && !MERGE_MODES.includes(draft.mergeMode)) {
      throw new CtError(400, {
        code: 'InvalidJsonInput',
        message: 'Request body does not contain valid JSON.',
        detailedErrorMessage: `mergeMode: Invalid value '${String(draft.mergeMode)}'`,
      });
    }
    const { customerId } = request.params as { customerId: string };
    const context = layer.context(request);

    const cart = await layer.exclusive(context.projectKey, async (): Promise<Cart> => {
      const customer = await layer.customers(context.projectKey).get(context, customerId);
      if (!customer) {
        throw new CtError(400, {
          code: 'ReferencedResourceNotFound',
          message: `The referenced object of type 'customer' with id '${customerId}' was not found.`,
          typeId: 'customer',
          id: customerId,
        });
      }
      const anonymousCart = await findAnonymousCart(layer, context, draft);
      const result = await signInAnonymousSession(layer, context, customerId, {
        anonymousId: draft.anonymousId,
        cart: anonymousCart,
        mode: draft.mergeMode,
        cartsOnly: true,
      });
      if (!result) {
        throw new CtError(404, {
          code: 'ResourceNotFound',
          message: `The anonymous session has no active Cart to merge for Customer '${customerId}'.`,
        });
      }
      return result;
    });
    return reply.status(200).send(cart);
  });
}
