import type {
  Cart,
  CartAddDiscountCodeAction,
  CartUpdateAction,
  DiscountCode,
  DiscountCodeInfo,
  DiscountCodeState,
} from '@commercetools/platform-sdk';
import { evaluateCartPredicate } from './cart-predicate';
import { CtError, listParam, type FidelityLayer, type RepositoryContext } from './fidelity-layer';

/**
 * `POST /{projectKey}/carts/{id}`, "Update Cart", where the mock's Discount Codes and freezing fall
 * short of commercetools:
 * - Add DiscountCode with an inactive code (or one whose Cart Discounts are all inactive) answers
 *   400 DiscountCodeNonApplicable with `discountCode` and `discountCodeId`; outside its validity
 *   period with `reason` "TimeRangeNonApplicable", `validFrom`, `validUntil`, `validityCheckTime`.
 *   (An unknown code is the mock's own 400 DiscountCodeNonApplicable, `reason` "DoesNotExist".)
 *   https://docs.commercetools.com/api/errors#discountcodenonapplicable
 *   https://docs.commercetools.com/api/projects/carts#add-discountcode
 * - Every Discount Code of the Cart shows its DiscountCodeState after each update: `MatchesCart`
 *   or `DoesNotMatchCart` by the cart predicates of the code and of its Cart Discounts (see
 *   cart-predicate.ts for the predicates understood), `NotActive`, or `NotValid` (outside validity).
 *   The mock always reports `MatchesCart`.
 *   https://docs.commercetools.com/api/projects/carts#ctp:api:type:DiscountCodeState
 * - Freeze Cart on an empty Cart answers 400 InvalidOperation ("If the Cart is empty, an
 *   InvalidOperation error is returned"). Price-changing actions on a Frozen Cart (addLineItem,
 *   changeLineItemQuantity, addDiscountCode, ...) are refused by the mock itself with 400 InvalidOperation.
 *   https://docs.commercetools.com/api/projects/carts#freeze-cart
 *   https://docs.commercetools.com/api/carts-orders-overview#frozen-carts
 * Anything the layer does not handle (unknown cart, malformed body) goes to the mock's own handler.
 */
export function installCartUpdateFidelity(layer: FidelityLayer): void {
  layer.override('POST', '/:projectKey/carts/:id', async (request, reply, mockHandler) => {
    const { id } = request.params as { id: string };
    const body = request.body as { version?: unknown; actions?: unknown } | undefined;
    if (typeof body?.version !== 'number' || !Array.isArray(body.actions)) return mockHandler(request, reply);
    const version = body.version;
    const actions = body.actions as CartUpdateAction[];
    const context = layer.context(request);
    const carts = layer.carts(context.projectKey);

    const handled = await layer.exclusive(context.projectKey, async () => {
      const cart = await carts.get(context, id);
      if (!cart) return false;
      if (cart.version === version) await checkActions(layer, context, cart, actions);
      const updated = await carts.processUpdateActions(context, cart, version, actions);
      const discountCodes = await discountCodeStates(layer, context, updated);
      if (JSON.stringify(discountCodes) !== JSON.stringify(updated.discountCodes)) {
        // Part of the same update: the states are derived, so the version stays.
        await layer.mock.project(context.projectKey).unsafeAdd('cart', { ...updated, discountCodes });
      }
      return true;
    });
    if (!handled) return mockHandler(request, reply);
    const expand = listParam((request.query as { expand?: unknown }).expand);
    return reply.status(200).send(await carts.get(context, id, { expand }));
  });
}

async function checkActions(
  layer: FidelityLayer,
  context: RepositoryContext,
  cart: Cart,
  actions: CartUpdateAction[],
): Promise<void> {
  for (const action of actions) {
    if (action.action === 'freezeCart' && cart.lineItems.length === 0 && (cart.customLineItems ?? []).length === 0) {
      throw new CtError(400, {
        code: 'InvalidOperation',
        message: `The cart with ID '${cart.id}' is empty and cannot be frozen.`,
      });
    }
    if (action.action === 'addDiscountCode') await assertApplicable(layer, context, action);
  }
}

async function assertApplicable(
  layer: FidelityLayer,
  context: RepositoryContext,
  { code }: CartAddDiscountCodeAction,
): Promise<void> {
  const found = await layer.mock
    .project(context.projectKey)
    .getRepository('discount-code')
    .query(context, { where: ['code = :code'], 'var.code': code, limit: 1 });
  const discountCode = found.results[0];
  if (!discountCode) return; // the mock answers DoesNotExist
  const state = await codeState(layer, context, discountCode);
  const nonApplicable = {
    code: 'DiscountCodeNonApplicable',
    message: `The discountCode ${discountCode.id} cannot be applied to the cart.`,
    discountCode: code,
    discountCodeId: discountCode.id,
  };
  if (state === 'NotActive') throw new CtError(400, nonApplicable);
  if (state === 'NotValid') {
    throw new CtError(400, {
      ...nonApplicable,
      reason: 'TimeRangeNonApplicable',
      validFrom: discountCode.validFrom,
      validUntil: discountCode.validUntil,
      validityCheckTime: new Date().toISOString(),
    });
  }
}

/** The Cart's Discount Codes with their states recomputed for the Cart as it is now. */
async function discountCodeStates(
  layer: FidelityLayer,
  context: RepositoryContext,
  cart: Cart,
): Promise<DiscountCodeInfo[]> {
  const codes = layer.mock.project(context.projectKey).getRepository('discount-code');
  const states: DiscountCodeInfo[] = [];
  for (const info of cart.discountCodes) {
    const discountCode = await codes.get(context, info.discountCode.id);
    states.push(discountCode ? { ...info, state: await codeState(layer, context, discountCode, cart) } : info);
  }
  return states;
}

/**
 * The DiscountCodeState of a code: without a Cart, only whether it may apply at all (active, valid now).
 * A predicate the evaluator does not understand counts as matching, as the mock had it.
 */
async function codeState(
  layer: FidelityLayer,
  context: RepositoryContext,
  discountCode: DiscountCode,
  cart?: Cart,
): Promise<DiscountCodeState> {
  const cartDiscounts = layer.mock.project(context.projectKey).getRepository('cart-discount');
  const discounts = await Promise.all(
    discountCode.cartDiscounts.map((reference) => cartDiscounts.get(context, reference.id)),
  );
  const active = discounts.filter((discount) => discount?.isActive);
  if (!discountCode.isActive || active.length === 0) return 'NotActive';
  const now = new Date().toISOString();
  if (
    (discountCode.validFrom && now < discountCode.validFrom) ||
    (discountCode.validUntil && now > discountCode.validUntil)
  )
    return 'NotValid';
  if (!cart) return 'MatchesCart';
  const predicates = [discountCode.cartPredicate, ...active.map((discount) => discount?.cartPredicate)];
  const matches = predicates.every(
    (predicate) => predicate === undefined || evaluateCartPredicate(predicate, cart) !== false,
  );
  return matches ? 'MatchesCart' : 'DoesNotMatchCart';
}
