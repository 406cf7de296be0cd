import type { Cart, CartResourceIdentifier, OrderFromCartDraft } from '@commercetools/platform-sdk';
import {
  CtError,
  listParam,
  missingField,
  type FidelityHandler,
  type FidelityLayer,
  type RepositoryContext,
} from './fidelity-layer';

/**
 * `POST /{projectKey}/orders`, "Create Order" from a Cart. The mock creates the Order (copying the
 * Cart's anonymousId and customerId) but checks nothing and leaves the Cart Active. commercetools:
 * - the draft's `version` is the Cart's; a different one answers 409 ConcurrentModification with
 *   `currentVersion` (the endpoint "is: conflicting");
 * - a Cart can be ordered once: an Ordered (or Merged) Cart answers 400 InvalidOperation;
 * - `orderNumber` is "unique across a Project": a taken one answers 400 DuplicateField;
 * - "The Cart must have a shipping address set, regardless of the TaxMode": without one, 400
 *   InvalidOperation; a Frozen Cart can be ordered;
 * - a Discount Code in a state other than `MatchesCart` or `ApplicationStoppedByGroupBestDeal` answers
 *   400 DiscountCodeNonApplicable (DiscountCodeState);
 * - on success the Cart's `cartState` becomes `Ordered` (version + 1);
 * - the Order starts in the draft's `orderState` (default `Open`), `paymentState` and `shipmentState`,
 *   which the mock drops.
 * Accepts `cart: {typeId, id | key}` and the deprecated `id`.
 * The same holds for "Create Order in Store" (`POST /{projectKey}/in-store/key={storeKey}/orders`), whose
 * Cart must be in that Store: in-store endpoints answer a Cart "without the store field, or [whose] store
 * field references a different Store" as not found (Get/Update Cart in Store), which for a Cart referenced
 * by a draft is 400 ReferencedResourceNotFound, as for an unknown Cart.
 * https://docs.commercetools.com/api/projects/orders#create-order
 * https://docs.commercetools.com/api/projects/orders#create-order-in-store
 * https://docs.commercetools.com/api/projects/carts#update-cart-in-store
 * https://docs.commercetools.com/api/projects/orders#ctp:api:type:OrderFromCartDraft
 * https://docs.commercetools.com/api/projects/carts#ctp:api:type:CartState
 * https://docs.commercetools.com/api/projects/carts#ctp:api:type:DiscountCodeState
 */
export function installOrderFromCartFidelity(layer: FidelityLayer): void {
  const createOrder: FidelityHandler = async (request, reply) => {
    const draft = (request.body ?? {}) as Partial<OrderFromCartDraft>;
    const reference: Partial<CartResourceIdentifier> | undefined =
      draft.cart ?? (draft.id ? { typeId: 'cart', id: draft.id } : undefined);
    if (!reference?.id && !reference?.key) throw missingField('cart');
    if (typeof draft.version !== 'number') throw missingField('version');
    const { version, orderNumber } = draft;
    const context = layer.context(request);
    const carts = layer.carts(context.projectKey);
    const orders = layer.orders(context.projectKey);

    const order = await layer.exclusive(context.projectKey, async () => {
      const { storeKey } = request.params as { storeKey?: string };
      const cart = await layer.referencedCart(context, reference);
      if (storeKey !== undefined && cart.store?.key !== storeKey) throw notInStore(reference);
      if (cart.version !== version) {
        throw new CtError(409, {
          code: 'ConcurrentModification',
          message: `Object ${cart.id} has a different version than expected. Expected: ${version} - Actual: ${cart.version}.`,
          currentVersion: cart.version,
        });
      }
      if (cart.cartState === 'Ordered' || cart.cartState === 'Merged') {
        throw new CtError(400, {
          code: 'InvalidOperation',
          message: `The cart with ID '${cart.id}' cannot be ordered because it is in state '${cart.cartState}'.`,
        });
      }
      assertOrderable(cart);
      if (orderNumber !== undefined) await assertOrderNumberFree(layer, context, orderNumber);

      const made = await orders.create(context, { ...draft, version, cart: { typeId: 'cart', id: cart.id } });
      const { orderState, paymentState, shipmentState } = draft;
      const states = { orderState, paymentState, shipmentState };
      const given = Object.fromEntries(Object.entries(states).filter(([, value]) => value !== undefined));
      const created = { ...made, ...given };
      // Part of the creation: stored as is, same version.
      if (Object.keys(given).length > 0) await layer.mock.project(context.projectKey).unsafeAdd('order', created);
      await carts.saveUpdate(context, cart.version, { ...cart, cartState: 'Ordered', version: cart.version + 1 });
      return created;
    });
    const expanded = await orders.get(context, order.id, {
      expand: listParam((request.query as { expand?: unknown }).expand),
    });
    return reply.status(201).send(expanded ?? order);
  };
  layer.override('POST', '/:projectKey/orders', createOrder);
  layer.override('POST', '/:projectKey/in-store/key=:storeKey/orders', createOrder);
}

function notInStore(reference: Partial<CartResourceIdentifier>): CtError {
  const identifier = reference.id ? { id: reference.id } : { key: reference.key };
  return new CtError(400, {
    code: 'ReferencedResourceNotFound',
    message: `The referenced object of type 'cart' ${reference.id ? `with id '${reference.id}'` : `with key '${reference.key}'`} was not found.`,
    typeId: 'cart',
    ...identifier,
  });
}

function assertOrderable(cart: Cart): void {
  if (!cart.shippingAddress) {
    throw new CtError(400, {
      code: 'InvalidOperation',
      message: `The cart with ID '${cart.id}' does not have a shipping address set.`,
    });
  }
  const nonApplicable = cart.discountCodes.find(
    (info) => info.state !== 'MatchesCart' && info.state !== 'ApplicationStoppedByGroupBestDeal',
  );
  if (nonApplicable) {
    throw new CtError(400, {
      code: 'DiscountCodeNonApplicable',
      message: `The discountCode ${nonApplicable.discountCode.id} cannot be applied to the cart.`,
      discountCodeId: nonApplicable.discountCode.id,
    });
  }
}

async function assertOrderNumberFree(
  layer: FidelityLayer,
  context: RepositoryContext,
  orderNumber: string,
): Promise<void> {
  const taken = await layer
    .orders(context.projectKey)
    .query(context, { where: ['orderNumber = :orderNumber'], 'var.orderNumber': orderNumber, limit: 1 });
  if (taken.count === 0) return;
  throw new CtError(400, {
    code: 'DuplicateField',
    message: `A duplicate value '"${orderNumber}"' exists for field 'orderNumber'.`,
    field: 'orderNumber',
    duplicateValue: orderNumber,
  });
}
