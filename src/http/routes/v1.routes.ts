import type { BackofficeService } from '../../domain/backoffice.service';
import type { CartService } from '../../domain/cart.service';
import type { CheckoutService } from '../../domain/checkout.service';
import type { CustomerService } from '../../domain/customer.service';
import { toView, type SessionService } from '../../domain/session.service';
import { route, type RouteSpec } from '../route';
import * as s from '../schemas';

export interface V1Services {
  sessions: SessionService;
  carts: CartService;
  customers: CustomerService;
  /** Served by backoffice.routes.ts. */
  backoffice: BackofficeService;
  /** Served by checkout.routes.ts. */
  checkout: CheckoutService;
}

/**
 * Who may read and change carts and orders (docs/ownership.md); the domain decides it in one place
 * (CartService.access for carts, CartService.getOrder for orders). Said in the routes' descriptions.
 */
const CART_ACCESS =
  'Access: admin reads and changes every cart. Otherwise a cart is reachable (1) through a customer grant the ' +
  'caller holds (the cart a sign-up or sign-in returned to this client: until it is ordered or the grant expires, ' +
  "CUSTOMER_GRANT_TTL_SECONDS), or (2) through one of the caller's sessions: an active session's carts are read " +
  "and changed; an ended session's carts are read only (changes: 409 SessionEnded), and its handed-over cart " +
  "is not reachable through it at all. Any other cart (another client's, any other customer cart) is 404 " +
  'CartNotFound. A change through an active session extends its lifetime (SESSION_TTL_SECONDS).';
const ORDER_ACCESS =
  "Access: admin reads every order. An order placed through a customer grant belongs to the grant's client. " +
  "Otherwise an order is read through one of the caller's sessions: all orders of an active session, and of an " +
  'ended session those created before it ended, for as long as the order exists. Any other order is 404 OrderNotFound.';
const WRITE_ERRORS = ['SessionEnded', 'CartAlreadyOrdered'] as const;

/** The v1 contract. Handlers only translate: every decision lives in the domain services. */
export function v1Routes({ sessions, carts, customers }: V1Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/sessions',
      operationId: 'createSession',
      tag: 'Sessions',
      scope: 'sessions',
      summary: 'Start an anonymous session',
      description:
        'Mints an unused anonymousId (UUID v4), or claims the given one. The id is reserved atomically in Redis and checked against carts and orders in commercetools. A session lives SESSION_TTL_SECONDS from its last cart change (sliding), then shows as ended; a client holds at most SESSION_QUOTA_PER_CLIENT active sessions (429 SessionQuotaExceeded).',
      body: s.CreateSessionBody,
      success: { status: 201, description: 'The new session', schema: s.Session },
      errors: ['ValidationFailed', 'AnonymousIdInUse', 'SessionQuotaExceeded'],
      handle: ({ caller, body }) => sessions.start(caller, body.anonymousId),
    }),
    route({
      method: 'get',
      path: '/v1/sessions/{anonymousId}',
      operationId: 'getSession',
      tag: 'Sessions',
      scope: 'sessions',
      summary: 'Read a session',
      description: 'Its client (admin: any) reads it, active or ended; another client gets 404 SessionNotFound.',
      params: s.SessionParams,
      success: { status: 200, description: 'The session', schema: s.Session },
      errors: ['SessionNotFound'],
      handle: async ({ caller, params }) => toView(await sessions.get(caller, params.anonymousId)),
    }),
    route({
      method: 'post',
      path: '/v1/sessions/{anonymousId}/carts',
      operationId: 'createCart',
      tag: 'Sessions',
      scope: 'sessions',
      summary: "Create a cart carrying the session's anonymousId",
      params: s.SessionParams,
      body: s.CreateCartBody,
      success: { status: 201, description: 'The commercetools Cart', schema: s.Cart },
      errors: [
        'ValidationFailed',
        'SessionNotFound',
        'SessionEnded',
        'SessionBusy',
        'ChannelNotFound',
        'InvalidUpstreamRequest',
      ],
      handle: ({ caller, params, body, idempotencyKey }) =>
        carts.createCart(caller, params.anonymousId, body, { idempotencyKey }),
    }),
    route({
      method: 'get',
      path: '/v1/sessions/{anonymousId}/carts',
      operationId: 'listCarts',
      tag: 'Sessions',
      scope: 'sessions',
      summary: "The session's carts, most recently modified first",
      description:
        "Its client (admin: any) lists them. An ended session's listing leaves out the cart its hand-over returned (reached through the grant only).",
      params: s.SessionParams,
      query: s.CartListQuery,
      success: { status: 200, description: 'A page of carts; count is the number on this page', schema: s.CartPage },
      errors: ['ValidationFailed', 'SessionNotFound'],
      handle: ({ caller, params, query }) => carts.listCarts(caller, params.anonymousId, query),
    }),
    route({
      method: 'get',
      path: '/v1/sessions/{anonymousId}/active-cart',
      operationId: 'getActiveCart',
      tag: 'Sessions',
      scope: 'sessions',
      summary: 'The most recently modified Active cart',
      description: "Of an ended session: never the cart its hand-over returned (that one is the grant holder's).",
      params: s.SessionParams,
      success: { status: 200, description: 'The active cart', schema: s.Cart },
      errors: ['SessionNotFound', 'NoActiveCart'],
      handle: ({ caller, params }) => carts.activeCart(caller, params.anonymousId),
    }),
    route({
      method: 'get',
      path: '/v1/sessions/{anonymousId}/orders',
      operationId: 'listOrders',
      tag: 'Sessions',
      scope: 'sessions',
      summary: "The session's orders, most recently modified first",
      description:
        'Its client (admin: any) lists them: of an ended session, those created before it ended (later ones were placed through a grant and belong to its holder).',
      params: s.SessionParams,
      query: s.OrderListQuery,
      success: { status: 200, description: 'A page of orders; count is the number on this page', schema: s.OrderPage },
      errors: ['ValidationFailed', 'SessionNotFound'],
      handle: ({ caller, params, query }) => carts.listOrders(caller, params.anonymousId, query),
    }),
    route({
      method: 'post',
      path: '/v1/sessions/{anonymousId}/sign-up',
      operationId: 'signUp',
      tag: 'Customers',
      scope: 'customers',
      summary: "Create a customer who takes over the session's carts and orders",
      description:
        'Passes the anonymousId in POST /customers; on success the session ends. The customer gets a key derived from the session, so a sign-up whose answer was lost is found on the next try (same email and password: 201 with that customer; same email with another password, or another email: 409 SessionEnded, and the session ends with the customer it went to). At most SIGN_UP_MAX_ATTEMPTS (10) sign-ups per session within SIGN_IN_BLOCK_SECONDS (900), then 429 TooManySignInAttempts. The cart handed over comes with a customer grant (`grant`): this client reaches that cart through the grant only (not through the ended session) until it is ordered or the grant expires; a later hand-over of the same customer (any client) ends the grant.',
      params: s.SessionParams,
      body: s.SignUpBody,
      success: { status: 201, description: 'The customer and the cart handed over, if any', schema: s.SignInResult },
      errors: [
        'ValidationFailed',
        'SessionNotFound',
        'SessionEnded',
        'SessionBusy',
        'DuplicateEmail',
        'TooManySignInAttempts',
      ],
      handle: ({ caller, params, body }) => customers.signUp(caller, params.anonymousId, body),
    }),
    route({
      method: 'post',
      path: '/v1/sessions/{anonymousId}/sign-in',
      operationId: 'signIn',
      tag: 'Customers',
      scope: 'customers',
      summary: "Sign a customer in, handing over the session's carts and orders",
      description:
        "Passes the anonymousId in POST /login with anonymousCartSignInMode; on success the session ends. Wrong credentials leave it active. After SIGN_IN_MAX_FAILURES (10) consecutive wrong passwords for an email (across sessions and clients) or on a session, sign-ins for it are 429 TooManySignInAttempts for SIGN_IN_BLOCK_SECONDS (900, `Retry-After`); a success starts the count over. A sign-in whose answer was lost is recognised on the next try with the same credentials (200); with another customer's it is 409 SessionEnded. The customer's active cart comes with a customer grant (`grant`) for this client, and the customer's previous grant (at another till) ends.",
      params: s.SessionParams,
      body: s.SignInBody,
      success: { status: 200, description: 'The customer and their active cart, if any', schema: s.SignInResult },
      errors: [
        'ValidationFailed',
        'SessionNotFound',
        'SessionEnded',
        'SessionBusy',
        'InvalidCredentials',
        'TooManySignInAttempts',
      ],
      handle: ({ caller, params, body }) => customers.signIn(caller, params.anonymousId, body),
    }),
    route({
      method: 'get',
      path: '/v1/carts/{cartId}',
      operationId: 'getCart',
      tag: 'Carts',
      scope: 'sessions',
      summary: 'Read a cart of one of your sessions, or one you hold a grant on',
      description: CART_ACCESS,
      params: s.CartParams,
      success: { status: 200, description: 'The cart', schema: s.Cart },
      errors: ['CartNotFound'],
      handle: ({ caller, params }) => carts.getCart(caller, params.cartId),
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/line-items',
      operationId: 'addLineItem',
      tag: 'Carts',
      scope: 'sessions',
      summary: 'Add a line item',
      description:
        'Without version the change applies to the current cart; with a stale version it is a 409. Under an Idempotency-Key, a retry after a lost answer never adds twice: it answers the cart the lost answer had, or 409 when the cart has changed otherwise. ' +
        CART_ACCESS,
      params: s.CartParams,
      body: s.AddLineItemBody,
      success: { status: 200, description: 'The updated cart', schema: s.Cart },
      errors: [
        'ValidationFailed',
        'CartNotFound',
        ...WRITE_ERRORS,
        'CartNotActive',
        'CartFrozen',
        'ConcurrentModification',
        'ChannelNotFound',
        'InvalidUpstreamRequest',
      ],
      handle: ({ caller, params, body, idempotencyKey, fingerprint }) => {
        const { version, ...item } = body;
        return carts.addLineItem(caller, params.cartId, item, { version, idempotencyKey, fingerprint });
      },
    }),
    route({
      method: 'patch',
      path: '/v1/carts/{cartId}/line-items/{lineItemId}',
      operationId: 'changeLineItemQuantity',
      tag: 'Carts',
      scope: 'sessions',
      summary: 'Change a line item quantity (0 removes it) or its custom fields',
      description: CART_ACCESS,
      params: s.LineItemParams,
      body: s.ChangeLineItemBody,
      success: { status: 200, description: 'The updated cart', schema: s.Cart },
      errors: [
        'ValidationFailed',
        'CartNotFound',
        ...WRITE_ERRORS,
        'LineItemNotFound',
        'CartNotActive',
        'CartFrozen',
        'ConcurrentModification',
      ],
      handle: ({ caller, params, body }) =>
        carts.changeLineItemQuantity(
          caller,
          params.cartId,
          params.lineItemId,
          body.quantity,
          body.version,
          body.custom,
        ),
    }),
    route({
      method: 'delete',
      path: '/v1/carts/{cartId}/line-items/{lineItemId}',
      operationId: 'removeLineItem',
      tag: 'Carts',
      scope: 'sessions',
      summary: 'Remove a line item',
      description: CART_ACCESS,
      params: s.LineItemParams,
      success: { status: 200, description: 'The updated cart', schema: s.Cart },
      errors: ['CartNotFound', ...WRITE_ERRORS, 'LineItemNotFound', 'CartNotActive', 'CartFrozen'],
      handle: ({ caller, params }) => carts.removeLineItem(caller, params.cartId, params.lineItemId),
    }),
    route({
      method: 'patch',
      path: '/v1/carts/{cartId}',
      operationId: 'updateCart',
      tag: 'Carts',
      scope: 'sessions',
      summary: 'Set customer email, shipping or billing address, locale, custom fields',
      description: CART_ACCESS,
      params: s.CartParams,
      body: s.UpdateCartBody,
      success: { status: 200, description: 'The updated cart', schema: s.Cart },
      errors: [
        'ValidationFailed',
        'CartNotFound',
        ...WRITE_ERRORS,
        'CartNotActive',
        'CartFrozen',
        'ConcurrentModification',
      ],
      handle: ({ caller, params, body }) => {
        const { version, ...changes } = body;
        return carts.updateCart(caller, params.cartId, changes, version);
      },
    }),
    route({
      method: 'post',
      path: '/v1/carts/{cartId}/order',
      operationId: 'createOrder',
      tag: 'Carts',
      scope: 'sessions',
      summary: 'Order the cart',
      description:
        "Creates the order with the cart reference and the cart version: the caller's `version` when given (a cart changed since is 409 ConcurrentModification with currentVersion), else the current one, in the given order, payment and shipment states. The cart needs a shipping address; a Frozen cart can be ordered. commercetools refusals come with what to fix: OutOfStock and PriceChanged name the lineItems, DiscountCodeNotApplicable the discountCodeId. An order through a customer grant belongs to the grant's client (and ends the grant's changes); an order through a session keeps the session's record as long as its orders are to be readable. " +
        CART_ACCESS,
      params: s.CartParams,
      body: s.CreateOrderBody,
      success: { status: 201, description: 'The order, carrying the anonymousId', schema: s.Order },
      errors: [
        'ValidationFailed',
        'CartNotFound',
        'SessionEnded',
        'CartAlreadyOrdered',
        'CartNotActive',
        'ShippingAddressMissing',
        'OutOfStock',
        'PriceChanged',
        'DiscountCodeNotApplicable',
        'ShippingMethodNotApplicable',
        'ConcurrentModification',
        'DuplicateOrderNumber',
        'InvalidUpstreamRequest',
      ],
      handle: ({ caller, params, body, idempotencyKey }) =>
        carts.order(caller, params.cartId, { ...body, idempotencyKey }),
    }),
    route({
      method: 'get',
      path: '/v1/orders/{orderId}',
      operationId: 'getOrder',
      tag: 'Orders',
      scope: 'sessions',
      summary: 'Read an order of one of your sessions, or one you placed through a grant',
      description: ORDER_ACCESS,
      params: s.OrderParams,
      success: { status: 200, description: 'The order', schema: s.Order },
      errors: ['OrderNotFound'],
      handle: ({ caller, params }) => carts.getOrder(caller, params.orderId),
    }),
  ];
}
