import { translateUpstreamError } from '../../src/clients/commercetools.client';
import { DomainError } from '../../src/domain/errors';
import {
  DiscountCodeNonApplicable,
  OutOfStock,
  PriceChanged,
  ShippingMethodRefused,
  type UpstreamFailure,
} from '../../src/domain/ports';
import { createDomain, POS } from '../support/fakes';

/** What the ts-client throws for a 400 with one error object. */
const refused = (error: Record<string, unknown>) => ({
  statusCode: 400,
  message: String(error.message),
  body: { statusCode: 400, message: error.message, errors: [error] },
});

/** A domain with a session holding a cart that can be ordered, whose Create Order fails with `failure`. */
async function orderingFailsWith(failure: UpstreamFailure) {
  const domain = createDomain();
  const session = await domain.sessions.start(POS);
  const cart = await domain.carts.createCart(POS, session.anonymousId, {
    currency: 'EUR',
    shippingAddress: { country: 'DE' },
  });
  domain.commerce.interceptNext('createOrder', async () => {
    throw failure;
  });
  return domain.carts.order(POS, cart.id).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('translateUpstreamError: the checkout refusals', () => {
  test('when an unknown discount code is refused, then it is DiscountCodeNonApplicable without a code that exists', () => {
    const thrown = refused({
      code: 'DiscountCodeNonApplicable',
      message: "The discount code 'NOPE' was not found.",
      discountCode: 'NOPE',
      reason: 'DoesNotExist',
    });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(DiscountCodeNonApplicable);
    expect(failure).toMatchObject({ codeExists: false, details: { discountCode: 'NOPE', reason: 'DoesNotExist' } });
  });

  test('when an existing code does not apply, then it is DiscountCodeNonApplicable with its id', () => {
    const thrown = refused({ code: 'DiscountCodeNonApplicable', message: 'no', discountCodeId: 'dc-1' });

    expect(translateUpstreamError(thrown)).toMatchObject({ codeExists: true, details: { discountCodeId: 'dc-1' } });
  });

  test('when commercetools answers OutOfStock, then it is OutOfStock naming the line items', () => {
    const thrown = refused({ code: 'OutOfStock', message: 'out', lineItems: ['li-1', 'li-2'], skus: ['A', 'B'] });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(OutOfStock);
    expect(failure).toMatchObject({ code: 'OutOfStock', lineItems: ['li-1', 'li-2'] });
  });

  test('when commercetools answers PriceChanged, then it is PriceChanged naming the line items', () => {
    const failure = translateUpstreamError(refused({ code: 'PriceChanged', message: 'p', lineItems: ['li-3'] }));

    expect(failure).toBeInstanceOf(PriceChanged);
    expect(failure).toMatchObject({ lineItems: ['li-3'] });
  });

  test('when the shipping method does not match the cart, then it is ShippingMethodRefused', () => {
    const failure = translateUpstreamError(refused({ code: 'ShippingMethodDoesNotMatchCart', message: 's' }));

    expect(failure).toBeInstanceOf(ShippingMethodRefused);
  });

  test('when a referenced resource other than a shipping method is missing, then it is no ShippingMethodRefused', () => {
    const failure = translateUpstreamError(
      refused({ code: 'ReferencedResourceNotFound', message: 'r', typeId: 'customer' }),
    );

    expect(failure).not.toBeInstanceOf(ShippingMethodRefused);
  });
});

describe('ordering refused by commercetools (CartService.order)', () => {
  test('when a line item is out of stock, then it is OutOfStock naming the line item', async () => {
    const error = await orderingFailsWith(new OutOfStock('out', ['li-1']));

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'OutOfStock', extensions: { lineItems: ['li-1'] } });
  });

  test('when a price changed, then it is PriceChanged naming the line item', async () => {
    const error = await orderingFailsWith(new PriceChanged('changed', ['li-2']));

    expect(error).toMatchObject({ code: 'PriceChanged', extensions: { lineItems: ['li-2'] } });
  });

  test('when a discount code does not apply, then it is DiscountCodeNotApplicable naming the code', async () => {
    const error = await orderingFailsWith(new DiscountCodeNonApplicable('no', { discountCodeId: 'dc-1' }));

    expect(error).toMatchObject({ code: 'DiscountCodeNotApplicable', extensions: { discountCodeId: 'dc-1' } });
  });

  test('when the shipping method no longer matches, then it is ShippingMethodNotApplicable', async () => {
    const error = await orderingFailsWith(new ShippingMethodRefused('ShippingMethodDoesNotMatchCart', 'no'));

    expect(error).toMatchObject({ code: 'ShippingMethodNotApplicable' });
  });
});
