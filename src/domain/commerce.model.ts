/**
 * commercetools' vocabulary the service speaks too, defined once: the API schemas (src/http)
 * reuse these lists with z.enum.
 */

/** commercetools' CartState. */
export const CART_STATES = ['Active', 'Merged', 'Ordered', 'Frozen'] as const;
export type CartState = (typeof CART_STATES)[number];

/** commercetools' AnonymousCartSignInMode: what a sign-in does with the session's cart. */
export const CART_SIGN_IN_MODES = ['MergeWithExistingCustomerCart', 'UseAsNewActiveCustomerCart'] as const;
export type CartSignInMode = (typeof CART_SIGN_IN_MODES)[number];
export const DEFAULT_CART_SIGN_IN_MODE: CartSignInMode = 'MergeWithExistingCustomerCart';
