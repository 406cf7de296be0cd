import type {
  AnonymousCartSignInMode,
  Cart,
  CartResourceIdentifier,
  CartUpdateAction,
  Order,
} from '@commercetools/platform-sdk';
import { ALL, CtError, type FidelityLayer, type RepositoryContext } from './fidelity-layer';

/**
 * What sign-in (POST /login) and sign-up (POST /customers) do with an anonymous session, which the
 * mock does not emulate:
 * - every Cart and Order with the `anonymousId` gets the Customer's `customerId` (the anonymousId stays),
 *   and every Payment with it the `customer` reference: "Assigns the Customer to all Carts, Orders,
 *   ShoppingLists, and Payments with the same anonymousId" (CustomerSignin, CustomerDraft);
 * - the anonymous Cart (`anonymousCart`, else the session's most recently modified active Cart) is
 *   merged into the Customer's most recently modified active Cart, or becomes the Customer's active Cart.
 * https://docs.commercetools.com/api/customers-overview#cart-merge-during-sign-in-and-sign-up
 * https://docs.commercetools.com/api/projects/customers#ctp:api:type:CustomerSignin
 */

export interface AnonymousSession {
  anonymousId?: string;
  anonymousCart?: CartResourceIdentifier;
}

/**
 * Finds the Cart named by `anonymousCart`. It must belong to the session when an anonymousId is also
 * given: "this value must match the anonymousId of the anonymous Cart; otherwise, an
 * InvalidOperation error is returned" (CustomerSignin.anonymousId, CustomerDraft.anonymousId).
 * Called before anything changes, so a bad reference leaves no half-done sign-up behind.
 */
export async function findAnonymousCart(
  layer: FidelityLayer,
  context: RepositoryContext,
  session: AnonymousSession,
): Promise<Cart | undefined> {
  if (!session.anonymousCart) return undefined;
  const cart = await layer.referencedCart(context, session.anonymousCart);
  if (session.anonymousId !== undefined && cart.anonymousId !== session.anonymousId) {
    throw new CtError(400, {
      code: 'InvalidOperation',
      message: `The anonymous cart '${cart.id}' does not belong to the anonymousId '${session.anonymousId}'.`,
    });
  }
  return cart;
}

/**
 * Attaches the anonymous session to the Customer and answers the Cart of CustomerSignInResult: the
 * Customer's active Cart after the merge, or undefined when the Customer has none.
 */
export async function signInAnonymousSession(
  layer: FidelityLayer,
  context: RepositoryContext,
  customerId: string,
  session: AnonymousSession & {
    cart?: Cart;
    mode?: AnonymousCartSignInMode;
    /** Merge Cart (cart-merge.fidelity.ts) assigns the session's Carts only, not its Orders and Payments. */
    cartsOnly?: boolean;
  },
): Promise<Cart | undefined> {
  const carts = layer.carts(context.projectKey);
  const anonymousCart =
    session.cart ??
    (session.anonymousId === undefined
      ? undefined
      : await latestActiveCart(layer, context, 'anonymousId', session.anonymousId));
  // Taken before the session's carts join the Customer, so the merge target is one of the Customer's own.
  const customerCart =
    anonymousCart && (await latestActiveCart(layer, context, 'customerId', customerId, anonymousCart.id));

  await assignToCustomer(layer, context, customerId, session.anonymousId, anonymousCart, session.cartsOnly ?? false);

  if (anonymousCart?.cartState !== 'Active') return latestActiveCart(layer, context, 'customerId', customerId);
  const assigned = await carts.get(context, anonymousCart.id);
  if (!assigned) return undefined;
  if ((session.mode ?? 'MergeWithExistingCustomerCart') === 'UseAsNewActiveCustomerCart' || !customerCart)
    return assigned;

  await mergeLineItems(layer, context, assigned, customerCart);
  await carts.saveUpdate(context, assigned.version, {
    ...assigned,
    cartState: 'Merged',
    version: assigned.version + 1,
  });
  return (await carts.get(context, customerCart.id)) ?? undefined;
}

/** The most recently modified active Cart whose `field` equals `value`, optionally leaving one Cart out. */
async function latestActiveCart(
  layer: FidelityLayer,
  context: RepositoryContext,
  field: 'anonymousId' | 'customerId',
  value: string,
  exceptId?: string,
): Promise<Cart | undefined> {
  const page = await layer.carts(context.projectKey).query(context, {
    where: [`${field} = :value and cartState = "Active"`],
    'var.value': value,
    sort: ['lastModifiedAt desc'],
    limit: exceptId === undefined ? 1 : 2,
  });
  return page.results.find((cart) => cart.id !== exceptId);
}

/** Sets `customerId` on the session's Carts and Orders, keeping their anonymousId, as a normal update would. */
async function assignToCustomer(
  layer: FidelityLayer,
  context: RepositoryContext,
  customerId: string,
  anonymousId: string | undefined,
  anonymousCart: Cart | undefined,
  cartsOnly: boolean,
): Promise<void> {
  const carts = layer.carts(context.projectKey);
  const orders = layer.orders(context.projectKey);
  const bySession = (id: string) => ({ where: ['anonymousId = :anonymousId'], 'var.anonymousId': id, limit: ALL });
  const sessionCarts: Cart[] =
    anonymousId === undefined ? [] : (await carts.query(context, bySession(anonymousId))).results;
  const sessionOrders: Order[] =
    anonymousId === undefined || cartsOnly ? [] : (await orders.query(context, bySession(anonymousId))).results;
  // An anonymousCart given without anonymousId (or of no session) is assigned as well.
  if (anonymousCart && !sessionCarts.some((cart) => cart.id === anonymousCart.id)) sessionCarts.push(anonymousCart);

  for (const cart of sessionCarts.filter((each) => each.customerId !== customerId)) {
    await carts.saveUpdate(context, cart.version, { ...cart, customerId, version: cart.version + 1 });
  }
  for (const order of sessionOrders.filter((each) => each.customerId !== customerId)) {
    await orders.saveUpdate(context, order.version, { ...order, customerId, version: order.version + 1 });
  }
  if (anonymousId !== undefined && !cartsOnly) await assignPayments(layer, context, customerId, anonymousId);
}

/** Sets the `customer` of the session's Payments, keeping their anonymousId as for Carts and Orders. */
async function assignPayments(
  layer: FidelityLayer,
  context: RepositoryContext,
  customerId: string,
  anonymousId: string,
): Promise<void> {
  const payments = layer.mock.project(context.projectKey).getRepository('payment');
  const page = await payments.query(context, {
    where: ['anonymousId = :anonymousId'],
    'var.anonymousId': anonymousId,
    limit: ALL,
  });
  for (const payment of page.results.filter((each) => each.customer?.id !== customerId)) {
    const customer = { typeId: 'customer' as const, id: customerId };
    await payments.saveUpdate(context, payment.version, { ...payment, customer, version: payment.version + 1 });
  }
}

/**
 * Copies the anonymous Cart's Line Items into the Customer's Cart through the mock's own update
 * actions (so prices come from the target Cart's currency and totals are recalculated). A Line Item
 * of the same Product Variant takes "the maximum quantity of both line items"; the others are added.
 * https://docs.commercetools.com/api/projects/customers#ctp:api:type:AnonymousCartSignInMode
 */
async function mergeLineItems(layer: FidelityLayer, context: RepositoryContext, from: Cart, into: Cart): Promise<void> {
  const actions: CartUpdateAction[] = [];
  for (const item of from.lineItems) {
    const same = into.lineItems.find(
      (existing) => existing.productId === item.productId && existing.variant.id === item.variant.id,
    );
    if (!same) {
      actions.push({
        action: 'addLineItem',
        productId: item.productId,
        variantId: item.variant.id,
        quantity: item.quantity,
      });
    } else if (item.quantity > same.quantity) {
      actions.push({ action: 'changeLineItemQuantity', lineItemId: same.id, quantity: item.quantity });
    }
  }
  if (actions.length > 0)
    await layer.carts(context.projectKey).processUpdateActions(context, into, into.version, actions);
}
