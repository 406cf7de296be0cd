/**
 * What a failed commercetools call means, in the domain's words. The gateway (src/clients) turns
 * commercetools' answers (statuses, `errors[].code`, network failures) into these; the domain
 * branches with `instanceof` only and never sees an HTTP status or commercetools' message text.
 */
export abstract class UpstreamFailure extends Error {
  /**
   * Whether commercetools may have carried the call out although it failed: its answer was lost
   * (network failure, timeout) or commercetools failed while doing it (5xx). The one place that
   * decides it: false for every answer that refuses the call, and for calls never sent (circuit open).
   */
  get mayHaveHappened(): boolean {
    return false;
  }
}

/** The resource has another version than the one sent (commercetools' ConcurrentModification). */
export class VersionConflict extends UpstreamFailure {
  constructor(readonly currentVersion?: number) {
    super('The resource was changed by someone else.');
    this.name = 'VersionConflict';
  }
}

/** The resource does not exist (any more). */
export class NotFound extends UpstreamFailure {
  constructor() {
    super('The resource does not exist (any more).');
    this.name = 'NotFound';
  }
}

/** One of commercetools' reasons for refusing a call: its `code` and `message`, safe to show to the caller. */
export interface RefusalReason {
  code: string;
  message: string;
}

/**
 * commercetools refused the call (400): nothing was changed. `code` is the first of commercetools'
 * error codes (InvalidInput, DiscountCodeNonApplicable, OutOfStock, PriceChanged, ...), `reasons`
 * all of them; the subclasses are the refusals the domain acts on.
 */
export class Refused extends UpstreamFailure {
  constructor(
    readonly code: string,
    message: string,
    readonly reasons: RefusalReason[] = [{ code, message }],
  ) {
    super(message);
    this.name = 'Refused';
  }
}

/** A unique field already holds that value (commercetools' DuplicateField): `key`, `email`, `orderNumber`, ... */
export class DuplicateValue extends Refused {
  constructor(
    readonly field: string | undefined,
    readonly duplicateValue: unknown,
    message: string,
    reasons?: RefusalReason[],
  ) {
    super('DuplicateField', message, reasons);
    this.name = 'DuplicateValue';
  }
}

/** The resources involved are not in a state that allows the call (e.g. a cart that is already ordered). */
export class InvalidOperation extends Refused {
  constructor(message: string, reasons?: RefusalReason[], code = 'InvalidOperation') {
    super(code, message, reasons);
    this.name = 'InvalidOperation';
  }
}

/** The anonymousId was already used for a sign-in or sign-up: its session was handed over to a customer. */
export class AnonymousIdUsedUp extends InvalidOperation {
  constructor(message: string, reasons?: RefusalReason[], code?: string) {
    super(message, reasons, code);
    this.name = 'AnonymousIdUsedUp';
  }
}

/** A resource the call references does not exist (commercetools' ReferencedResourceNotFound): its `typeId`. */
export class ReferencedResourceNotFound extends Refused {
  constructor(
    readonly typeId: string | undefined,
    message: string,
    reasons?: RefusalReason[],
  ) {
    super('ReferencedResourceNotFound', message, reasons);
    this.name = 'ReferencedResourceNotFound';
  }
}

/** The customer's email or password is wrong (a sign-in). */
export class InvalidCredentials extends Refused {
  constructor(message: string, reasons?: RefusalReason[]) {
    super('InvalidCredentials', message, reasons);
    this.name = 'InvalidCredentials';
  }
}

/**
 * A Discount Code that cannot be applied (commercetools' DiscountCodeNonApplicable, on Add
 * DiscountCode and on Create Order): `discountCodeId` is absent when no such code exists
 * (`reason` DoesNotExist), `reason` is e.g. TimeRangeNonApplicable.
 */
export class DiscountCodeNonApplicable extends Refused {
  constructor(
    message: string,
    readonly details: { discountCode?: string; discountCodeId?: string; reason?: string },
    reasons?: RefusalReason[],
  ) {
    super('DiscountCodeNonApplicable', message, reasons);
    this.name = 'DiscountCodeNonApplicable';
  }

  get codeExists(): boolean {
    return this.details.reason !== 'DoesNotExist' && this.details.discountCodeId !== undefined;
  }
}

/** Line items whose quantity is not in stock, or whose price changed (Create Order): their ids. */
export class LineItemsRefused extends Refused {
  constructor(
    code: 'OutOfStock' | 'PriceChanged',
    message: string,
    readonly lineItems: string[],
    reasons?: RefusalReason[],
  ) {
    super(code, message, reasons);
    this.name = code;
  }
}

export class OutOfStock extends LineItemsRefused {
  constructor(message: string, lineItems: string[], reasons?: RefusalReason[]) {
    super('OutOfStock', message, lineItems, reasons);
  }
}

export class PriceChanged extends LineItemsRefused {
  constructor(message: string, lineItems: string[], reasons?: RefusalReason[]) {
    super('PriceChanged', message, lineItems, reasons);
  }
}

/**
 * The Shipping Method does not match the Cart (ShippingMethodDoesNotMatchCart), or the referenced
 * one does not exist (ReferencedResourceNotFound of a shipping-method).
 */
export class ShippingMethodRefused extends Refused {
  constructor(code: string, message: string, reasons?: RefusalReason[]) {
    super(code, message, reasons);
    this.name = 'ShippingMethodRefused';
  }
}

/**
 * commercetools did not carry the call out or did not say: unreachable, too slow (`timedOut`:
 * our timeout or its 504), failing (5xx), or not called at all because the circuit is open
 * (`circuitOpen`, with the seconds after which it is tried again). `retryable`: a read may be
 * tried again at once (network failures, timeouts, 502/503/504; not 500, not an open circuit).
 */
export class Unavailable extends UpstreamFailure {
  readonly timedOut: boolean;
  readonly circuitOpen: boolean;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;

  constructor(
    message: string,
    options: { timedOut?: boolean; circuitOpen?: boolean; retryable?: boolean; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'Unavailable';
    this.timedOut = options.timedOut ?? false;
    this.circuitOpen = options.circuitOpen ?? false;
    this.retryable = !this.circuitOpen && (options.retryable ?? false);
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  override get mayHaveHappened(): boolean {
    return !this.circuitOpen;
  }
}

/**
 * An answer the service has no meaning for (401/403: the API client's token or scopes; other 4xx):
 * nothing was changed, and it is no outage either.
 */
export class UnexpectedAnswer extends UpstreamFailure {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedAnswer';
  }
}

/** A failed write whose effect is unknown: commercetools may have carried it out. */
export function mayHaveHappened(error: unknown): boolean {
  return error instanceof UpstreamFailure && error.mayHaveHappened;
}
