/**
 * Stable error codes of the service. The HTTP layer maps each one to a status and title
 * (src/http/problem.ts); the domain only says what went wrong.
 */
export type ErrorCode =
  | 'Unauthorized'
  | 'Forbidden'
  | 'ValidationFailed'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'SessionNotFound'
  | 'AnonymousIdInUse'
  | 'SessionEnded'
  | 'SessionBusy'
  | 'CartNotFound'
  | 'ChannelNotFound'
  | 'NoActiveCart'
  | 'LineItemNotFound'
  | 'OrderNotFound'
  | 'CartAlreadyOrdered'
  | 'CartNotActive'
  | 'OrderNotCancellable'
  | 'CartFrozen'
  | 'CartNotFrozen'
  | 'ShippingAddressMissing'
  | 'ShippingMethodNotApplicable'
  | 'DiscountCodeNotFound'
  | 'DiscountCodeNotOnCart'
  | 'DiscountCodeNotApplicable'
  | 'CurrencyMismatch'
  | 'PaymentNotFound'
  | 'TransactionNotFound'
  | 'OutOfStock'
  | 'PriceChanged'
  | 'ConcurrentModification'
  | 'CustomerNotFound'
  | 'DuplicateEmail'
  | 'DuplicateOrderNumber'
  | 'InvalidCredentials'
  | 'TooManySignInAttempts'
  | 'IdempotencyKeyInProgress'
  | 'IdempotencyKeyReused'
  | 'RateLimited'
  | 'SessionQuotaExceeded'
  | 'InvalidUpstreamRequest'
  | 'UpstreamUnavailable'
  | 'UpstreamError'
  | 'UpstreamTimeout'
  | 'StoreUnavailable'
  | 'InternalError';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the problem document (e.g. `currentVersion`, `errors`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
