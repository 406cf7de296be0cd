import { DomainError } from './errors';
import { DiscountCodeNonApplicable, OutOfStock, PriceChanged, ShippingMethodRefused } from './ports';

/**
 * commercetools' refusals of a checkout step, in the domain's words, each with what the caller
 * needs to fix it (which line items, which code); undefined for anything else.
 */
export function checkoutRefusal(error: unknown): DomainError | undefined {
  if (error instanceof DiscountCodeNonApplicable) {
    const { discountCode, discountCodeId } = error.details;
    const named = { ...(discountCode ? { discountCode } : {}), ...(discountCodeId ? { discountCodeId } : {}) };
    if (!error.codeExists) {
      return new DomainError('DiscountCodeNotFound', `There is no discount code '${discountCode ?? ''}'.`, named);
    }
    return new DomainError(
      'DiscountCodeNotApplicable',
      'The discount code cannot be applied (inactive, outside its validity, used up, or not matching the cart).',
      { ...named, ...(error.details.reason ? { reason: error.details.reason } : {}) },
    );
  }
  if (error instanceof ShippingMethodRefused) {
    return new DomainError(
      'ShippingMethodNotApplicable',
      "The shipping method does not exist or does not match the cart's shipping address and currency.",
    );
  }
  return undefined;
}

/** Create Order's refusals: the checkout's, and line items out of stock or with changed prices. */
export function orderRefusal(error: unknown): DomainError | undefined {
  if (error instanceof OutOfStock) {
    return new DomainError('OutOfStock', 'Some line items are not in stock in the ordered quantity.', {
      lineItems: error.lineItems,
    });
  }
  if (error instanceof PriceChanged) {
    return new DomainError('PriceChanged', 'The prices of some line items changed; recalculate and check the cart.', {
      lineItems: error.lineItems,
    });
  }
  return checkoutRefusal(error);
}
