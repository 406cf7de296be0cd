import type { Response } from 'express';
import { z } from 'zod';
import { DomainError, type ErrorCode } from '../domain/errors';
import { NotFound, Refused, StoreError, Unavailable, UpstreamFailure, VersionConflict } from '../domain/ports';

export interface ProblemKind {
  status: number;
  title: string;
  /** When a caller gets it, in a few words; docs/api.md's error table is generated from these. */
  when: string;
  /** The `code` the caller sees, when two domain codes share it with different statuses. */
  code?: ErrorCode;
}

/** Status, title and when, for every stable code; `npm run docs:errors` renders them into docs/api.md. */
export const PROBLEM_KINDS: Record<ErrorCode, ProblemKind> = {
  Unauthorized: { status: 401, title: 'Missing or unknown API key', when: 'no or unknown API key' },
  Forbidden: { status: 403, title: 'API key lacks the required scope', when: "the key lacks the route's scope" },
  ValidationFailed: {
    status: 400,
    title: 'Request is not valid',
    when: 'body, path, query or header invalid (with `errors[]`: `{path, message}`)',
  },
  NotFound: { status: 404, title: 'Not found', when: 'no such route, or the resource no longer exists' },
  MethodNotAllowed: { status: 405, title: 'Method not allowed', when: 'known path, other method (`Allow` header)' },
  PayloadTooLarge: { status: 413, title: 'Request body too large', when: 'body over `BODY_LIMIT_KB` (100 kB)' },
  UnsupportedMediaType: { status: 415, title: 'Unsupported media type', when: 'body not JSON' },
  SessionNotFound: { status: 404, title: 'Session not found', when: "no such session, or another client's" },
  AnonymousIdInUse: {
    status: 409,
    title: 'anonymousId already in use',
    when: 'the claimed id is reserved, or used by a cart or order',
  },
  SessionEnded: { status: 409, title: 'Session ended', when: 'the session was handed over; start a new one' },
  SessionBusy: { status: 409, title: 'Session busy', when: 'a sign-in/sign-up is running on the session' },
  CartNotFound: { status: 404, title: 'Cart not found', when: "no such cart, or another client's" },
  NoActiveCart: { status: 404, title: 'No active cart', when: 'the session has no Active cart' },
  LineItemNotFound: { status: 404, title: 'Line item not found', when: 'the cart has no line item with that id' },
  CustomerNotFound: { status: 404, title: 'Customer not found', when: 'no customer with that id (assign)' },
  OrderNotFound: { status: 404, title: 'Order not found', when: "no such order, or another client's" },
  CartAlreadyOrdered: { status: 409, title: 'Cart already ordered', when: 'the cart was already turned into an order' },
  CartNotActive: { status: 409, title: 'Cart not active', when: 'the cart is no longer Active (ordered or merged)' },
  OrderNotCancellable: {
    status: 409,
    title: 'Order not cancellable',
    when: 'the order is shipped or delivered (`shipmentState` Shipped/Delivered)',
  },
  CartFrozen: {
    status: 409,
    title: 'Cart frozen',
    when: 'a change to the prices of a Frozen cart (items, shipping, codes); unfreeze it first',
  },
  CartNotFrozen: { status: 409, title: 'Cart not frozen', when: 'unfreezing a cart that is not Frozen' },
  ShippingAddressMissing: {
    status: 409,
    title: 'Shipping address missing',
    when: 'shipping methods or ordering need the cart to have a shipping address',
  },
  ShippingMethodNotApplicable: {
    status: 400,
    title: 'Shipping method not applicable',
    when: 'unknown shipping method, or one not matching the cart (see GET .../shipping-methods)',
  },
  ChannelNotFound: {
    status: 400,
    title: 'Channel not found',
    when: 'a line item names a supplyChannel or distributionChannel key that does not exist',
  },
  DiscountCodeNotFound: { status: 400, title: 'Discount code not found', when: 'no discount code with that code' },
  DiscountCodeNotOnCart: {
    status: 404,
    title: 'Discount code not found',
    when: 'removing a code the cart does not carry (answered with code `DiscountCodeNotFound`)',
    code: 'DiscountCodeNotFound',
  },
  DiscountCodeNotApplicable: {
    status: 400,
    title: 'Discount code not applicable',
    when: 'the code exists but cannot apply (inactive, expired, used up); on ordering: a code that does not match the cart (`discountCodeId`)',
  },
  CurrencyMismatch: {
    status: 400,
    title: 'Currency mismatch',
    when: "the payment's currency differs from the cart's",
  },
  PaymentNotFound: {
    status: 404,
    title: 'Payment not found',
    when: "no such payment, or one of another client's cart",
  },
  TransactionNotFound: {
    status: 404,
    title: 'Transaction not found',
    when: 'changing the state of a transaction the payment does not have',
  },
  OutOfStock: {
    status: 409,
    title: 'Out of stock',
    when: 'ordering: line items not in stock (`lineItems`: their ids)',
  },
  PriceChanged: {
    status: 409,
    title: 'Price changed',
    when: 'ordering: line item prices changed (`lineItems`); recalculate and check the cart',
  },
  ConcurrentModification: {
    status: 409,
    title: 'Concurrent modification',
    when: 'stale `version` (`currentVersion` included)',
  },
  DuplicateEmail: { status: 409, title: 'Email already registered', when: 'a customer with that email exists' },
  DuplicateOrderNumber: { status: 409, title: 'Order number already used', when: 'another order has that orderNumber' },
  InvalidCredentials: {
    status: 401,
    title: 'Invalid credentials',
    when: 'sign-in with a wrong email or password (the session stays active)',
  },
  TooManySignInAttempts: {
    status: 429,
    title: 'Too many sign-in attempts',
    when: 'too many failed sign-ins for the email or on the session, or sign-ups on the session (`Retry-After`)',
  },
  IdempotencyKeyInProgress: {
    status: 409,
    title: 'Idempotency-Key in progress',
    when: 'the same Idempotency-Key is still running (`Retry-After`)',
  },
  IdempotencyKeyReused: {
    status: 422,
    title: 'Idempotency-Key reused with another request',
    when: 'the Idempotency-Key was used with another request',
  },
  RateLimited: {
    status: 429,
    title: 'Too many requests',
    when: "the client's per-minute limit is used up (`Retry-After`)",
  },
  SessionQuotaExceeded: {
    status: 429,
    title: 'Too many active sessions',
    when: 'the client has `SESSION_QUOTA_PER_CLIENT` active sessions; frees as sessions end or lapse',
  },
  InvalidUpstreamRequest: {
    status: 400,
    title: 'Rejected by commercetools',
    when: 'commercetools refused the draft (unknown SKU, no price, ...)',
  },
  UpstreamUnavailable: {
    status: 503,
    title: 'commercetools unavailable',
    when: 'circuit open while commercetools recovers (`Retry-After`)',
  },
  UpstreamError: {
    status: 502,
    title: 'commercetools failed',
    when: 'commercetools failed, or the connection to it broke',
  },
  UpstreamTimeout: {
    status: 504,
    title: 'commercetools timed out',
    when: 'commercetools did not answer in `CTP_TIMEOUT_MS`',
  },
  StoreUnavailable: { status: 503, title: 'Session store unavailable', when: 'Redis unreachable (`Retry-After`)' },
  InternalError: { status: 500, title: 'Internal error', when: 'an unexpected error; quote the `correlationId`' },
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  correlationId: string;
  [extension: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `urn:ct-guest-checkout:problem:${code}`;
}

/** Validation issues as a list of `{path, message}`, naming unknown fields. */
export function validationError(error: z.ZodError, where: string): DomainError {
  const errors = error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ path: `${base}.${key}`, message: 'unknown field' }));
    return [{ path: base, message: issue.message }];
  });
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return new DomainError('ValidationFailed', detail, { errors });
}

/** Upstream failures the domain did not interpret: the caller sees what it can act on, nothing more. */
function fromUpstream(error: UpstreamFailure): DomainError {
  if (error instanceof Unavailable) {
    if (error.circuitOpen) {
      return new DomainError('UpstreamUnavailable', error.message, {
        retryAfterSeconds: error.retryAfterSeconds ?? 1,
      });
    }
    return new DomainError(error.timedOut ? 'UpstreamTimeout' : 'UpstreamError', error.message);
  }
  if (error instanceof VersionConflict) {
    const currentVersion = error.currentVersion;
    return new DomainError(
      'ConcurrentModification',
      'The resource was changed by someone else.',
      currentVersion !== undefined ? { currentVersion } : {},
    );
  }
  if (error instanceof Refused) {
    // commercetools' own validation messages are safe and useful to the caller (unknown SKU, ...).
    const errors = error.reasons.map(({ code, message }) => ({ code, message }));
    return new DomainError('InvalidUpstreamRequest', error.message, { errors });
  }
  if (error instanceof NotFound) return new DomainError('NotFound', error.message);
  return new DomainError('UpstreamError', error.message);
}

/** The one translation from anything thrown to a problem document. */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof UpstreamFailure) return fromUpstream(error);
  if (error instanceof StoreError)
    return new DomainError('StoreUnavailable', 'The session store is unavailable; retry shortly.');
  const status = (error as { status?: number; type?: string } | null)?.status;
  const type = (error as { type?: string } | null)?.type;
  // body-parser errors
  if (type === 'entity.too.large' || status === 413)
    return new DomainError('PayloadTooLarge', 'The request body exceeds the size limit.');
  if (type === 'entity.parse.failed') return new DomainError('ValidationFailed', 'The request body is not valid JSON.');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported' || status === 415) {
    return new DomainError('UnsupportedMediaType', 'The request body encoding is not supported.');
  }
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new DomainError('ValidationFailed', 'The request is malformed.');
  return new DomainError('InternalError', 'An unexpected error occurred.');
}

/** The problem document of an error, as status and body. */
export function problemDocument(error: DomainError, correlationId: string): { status: number; body: Problem } {
  const kind = PROBLEM_KINDS[error.code];
  const body: Problem = {
    ...error.extensions,
    type: problemType(error.code),
    title: kind.title,
    status: kind.status,
    detail: error.message,
    code: kind.code ?? error.code,
    correlationId,
  };
  return { status: kind.status, body };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(res: Response, error: DomainError, correlationId: string): void {
  const { status, body } = problemDocument(error, correlationId);
  const retryAfter = error.extensions.retryAfterSeconds ?? (status === 503 || status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
