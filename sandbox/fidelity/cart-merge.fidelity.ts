import type { Cart, MergeCartDraft } from '@commercetools/platform-sdk';
import { findAnonymousCart, signInAnonymousSession } from './anonymous-session';
import {
  CtError,
  missingField,
  type FidelityHandler,
  type FidelityLayer,
  type RepositoryContext,
} from './fidelity-layer';

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
 * "Merge Cart in Store" (`/in-store/key={storeKey}/carts/customer-id={customerId}/merge`, the 2025-10-09 and
 * 2025-10-23 notes name both) merges in that Store: as every in-store endpoint, it sees only Carts whose
 * `store` is that Store, so an anonymous Cart of another Store (or of none) is 404 ResourceNotFound
 * (Get/Update Cart in Store). Here the anonymous Cart is checked; the Customer's Cart is not filtered.
 * https://docs.commercetools.com/api/projects/carts#merge-cart-in-store
 * https://docs.commercetools.com/api/projects/carts#update-cart-in-store
 * https://docs.commercetools.com/api/projects/carts#merge-cart
 * https://docs.commercetools.com/api/releases/2025-10-09-cart-merge-is-now-available-for-externally-authenticated-customers
 * https://docs.commercetools.com/api/releases/2025-10-23-aligned-behavior-of-merge-cart-endpoints
 */
export function installCartMergeFidelity(layer: FidelityLayer): void {
  const mergeCart: FidelityHandler = async (request, reply) => {
    const draft = (request.body ?? {}) as Partial<MergeCartDraft>;
    if (draft.anonymousCart === undefined && draft.anonymousId === undefined) throw missingField('anonymousId');
    if (draft.mergeMode !== undefined && !MERGE_MODES.includes(draft.mergeMode)) {
      throw new CtError(400, {
        code: 'InvalidJsonInput',
        message: 'Request body does not contain valid JSON.',
        detailedErrorMessage: `mergeMode: Invalid value '${String(draft.mergeMode)}'`,
      });
    }
    const { customerId, storeKey } = request.params as { customerId: string; storeKey?: string };
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
      const anonymousCart =
        storeKey === undefined
          ? await findAnonymousCart(layer, context, draft)
          : await anonymousCartInStore(layer, context, draft, storeKey);
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
  };
  layer.addRoute('POST', '/:projectKey/carts/customer-id=:customerId/merge', mergeCart);
  layer.addRoute('POST', '/:projectKey/in-store/key=:storeKey/carts/customer-id=:customerId/merge', mergeCart);
}

/** The anonymous Cart (given, or the session's latest active one) that must be in the Store. */
async function anonymousCartInStore(
  layer: FidelityLayer,
  context: RepositoryContext,
  draft: Partial<MergeCartDraft>,
  storeKey: string,
): Promise<Cart> {
  const given = await findAnonymousCart(layer, context, draft);
  const cart =
    given ??
    (
      await layer.carts(context.projectKey).query(context, {
        where: ['anonymousId = :anonymousId and cartState = "Active"'],
        'var.anonymousId': draft.anonymousId ?? '',
        sort: ['lastModifiedAt desc'],
        limit: 1,
      })
    ).results[0];
  if (cart && cart.store?.key === storeKey) return cart;
  const id = cart?.id ?? draft.anonymousId ?? '';
  throw new CtError(404, { code: 'ResourceNotFound', message: `The Resource with ID '${id}' was not found.` });
}
