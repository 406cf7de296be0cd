import type { CheckoutService } from '../../domain/checkout.service';
import { route, type RouteSpec } from '../route';
import * as s from '../schemas';

export interface CheckoutServices {
  checkout: CheckoutService;
}

/** The rest of a checkout on a cart (shipping, discount codes, payments, freezing). Handlers only translate. */
export function checkoutRoutes({ checkout }: CheckoutServices): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/carts/{cartId}/shipping-methods',
      operationId: 'listShippingMethods',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'The shipping methods matching the cart',
      description:
        "commercetools' shipping methods matching the cart's shipping address and currency, each priced for the cart (its matching rate).",
      params: s.CartParams,
      success: { status: 200, description: 'The matching shipping methods', schema: s.ShippingMethodList },
      errors: ['CartNotFound', 'ShippingAddressMissing'],
      handle: ({ caller, params }) => checkout.shippingMethods(caller, params.cartId),
    }),
    route({
      method: 'put',
      path: '/v1/carts/{cartId}/shipping-method',
      operationId: 'setShippingMethod',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Set the shipping method (by id or key)',
      params: s.CartParams,
      body: s.SetShippingMethodBody,
      success: { status: 200, description: 'The cart with its shippingInfo', schema: s.Cart },
      errors: [
        'CartNotFound',
        'CartNotActive',
        'CartFrozen',
        'ShippingAddressMissing',
        'ShippingMethodNotApplicable',
        'ConcurrentModification',
      ],
      handle: ({ caller, params, body }) => {
        const { version, shippingMethodId, shippingMethodKey } = body;
        const ref = shippingMethodId !== undefined ? { shippingMethodId } : { shippingMethodKey: shippingMethodKey! };
        return checkout.setShippingMethod(caller, params.cartId, ref, version);
      },
    }),
    route({
      method: 'delete',
      path: '/v1/carts/{cartId}/shipping-method',
      operationId: 'removeShippingMethod',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Remove the shipping method',
      params: s.CartParams,
      success: { status: 200, description: 'The cart without shipping method', schema: s.Cart },
      errors: ['CartNotFound', 'CartNotActive', 'CartFrozen'],
      handle: ({ caller, params }) => checkout.removeShippingMethod(caller, params.cartId),
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/discount-codes',
      operationId: 'addDiscountCode',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Add a discount code',
      description:
        "The cart's discountCodes[] report each code's state as commercetools gives it (MatchesCart, DoesNotMatchCart, ...); a code that stops matching is no error. Under an Idempotency-Key a retry after a lost answer never adds twice.",
      params: s.CartParams,
      body: s.AddDiscountCodeBody,
      success: { status: 200, description: 'The cart with the code', schema: s.Cart },
      errors: [
        'CartNotFound',
        'CartNotActive',
        'CartFrozen',
        'DiscountCodeNotFound',
        'DiscountCodeNotApplicable',
        'ConcurrentModification',
      ],
      handle: ({ caller, params, body, idempotencyKey, fingerprint }) =>
        checkout.addDiscountCode(caller, params.cartId, body.code, {
          version: body.version,
          idempotencyKey,
          fingerprint,
        }),
    }),
    route({
      method: 'delete',
      path: '/v1/carts/{cartId}/discount-codes/{discountCodeId}',
      operationId: 'removeDiscountCode',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Remove a discount code',
      params: s.DiscountCodeParams,
      success: { status: 200, description: 'The cart without the code', schema: s.Cart },
      errors: ['CartNotFound', 'CartNotActive', 'CartFrozen', 'DiscountCodeNotOnCart'],
      handle: ({ caller, params }) => checkout.removeDiscountCode(caller, params.cartId, params.discountCodeId),
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/payments',
      operationId: 'createPayment',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Record a payment of the cart',
      description:
        "Creates a commercetools Payment (for the cart's total unless an amount is given) carrying the session's anonymousId, or the customer of a customer's cart, and adds it to the cart; a Frozen cart takes payments. The payment's key comes from the Idempotency-Key: a retry finds the payment instead of making another.",
      params: s.CartParams,
      body: s.CreatePaymentBody,
      success: { status: 201, description: 'The payment and the cart', schema: s.PaymentWithCart },
      errors: ['CartNotFound', 'CartNotActive', 'CurrencyMismatch', 'InvalidUpstreamRequest'],
      handle: ({ caller, params, body, idempotencyKey }) =>
        checkout.createPayment(caller, params.cartId, body, { idempotencyKey }),
    }),
    route({
      method: 'get',
      path: '/v1/carts/{cartId}/payments',
      operationId: 'listPayments',
      tag: 'Checkout',
      scope: 'sessions',
      summary: "The cart's payments",
      params: s.CartParams,
      success: { status: 200, description: 'The payments', schema: s.PaymentList },
      errors: ['CartNotFound'],
      handle: ({ caller, params }) => checkout.listPayments(caller, params.cartId),
    }),
    route({
      method: 'patch',
      path: '/v1/payments/{paymentId}',
      operationId: 'changePayment',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Add a transaction to a payment, or change the state of one',
      description:
        'Only for payments of a cart you may see. A transaction with the interactionId and type of one the payment has is not added again.',
      params: s.PaymentParams,
      body: s.ChangePaymentBody,
      success: { status: 200, description: 'The payment', schema: s.Payment },
      errors: ['PaymentNotFound', 'TransactionNotFound', 'ConcurrentModification', 'InvalidUpstreamRequest'],
      handle: ({ caller, params, body }) => {
        const { version, ...change } = body;
        return checkout.changePayment(caller, params.paymentId, change, version);
      },
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/freeze',
      operationId: 'freezeCart',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Freeze the cart: its prices stay as they are',
      description:
        'While a terminal payment runs. A Frozen cart refuses changes to its prices (items, shipping, codes: 409 CartFrozen), takes payments and can be ordered.',
      params: s.CartParams,
      body: s.VersionBody,
      success: { status: 200, description: 'The Frozen cart', schema: s.Cart },
      errors: ['CartNotFound', 'CartNotActive', 'ConcurrentModification', 'InvalidUpstreamRequest'],
      handle: ({ caller, params, body }) => checkout.freeze(caller, params.cartId, body.version),
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/unfreeze',
      operationId: 'unfreezeCart',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Unfreeze the cart and recalculate it',
      params: s.CartParams,
      body: s.VersionBody,
      success: { status: 200, description: 'The Active cart', schema: s.Cart },
      errors: ['CartNotFound', 'CartNotActive', 'CartNotFrozen', 'ConcurrentModification'],
      handle: ({ caller, params, body }) => checkout.unfreeze(caller, params.cartId, body.version),
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/recalculate',
      operationId: 'recalculateCart',
      tag: 'Checkout',
      scope: 'sessions',
      summary: 'Recalculate prices, discounts and shipping',
      params: s.CartParams,
      body: s.RecalculateBody,
      success: { status: 200, description: 'The recalculated cart', schema: s.Cart },
      errors: ['CartNotFound', 'CartNotActive', 'CartFrozen', 'ConcurrentModification'],
      handle: ({ caller, params, body }) =>
        checkout.recalculate(caller, params.cartId, body.updateProductData, body.version),
    }),
  ];
}
