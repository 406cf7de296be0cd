import { buildOpenApiDocument } from '../openapi';
import type { RouteSpec } from '../route';
import { backofficeRoutes } from './backoffice.routes';
import { checkoutRoutes } from './checkout.routes';
import { operationsRoutes, type OperationsDeps } from './operations.routes';
import { v1Routes, type V1Services } from './v1.routes';

/**
 * Every route the service serves, in the order it registers them. Each is one `RouteSpec`: in
 * v1.routes.ts for /v1 (checkout.routes.ts for the checkout's), operations.routes.ts otherwise,
 * found by its path. The spec names its schemas (src/http/schemas.ts; the operations' own are in
 * their file) and its handler, a one-liner calling a domain service (back-office routes:
 * backoffice.routes.ts). The test file drives the route over HTTP. This table is checked against
 * the routes the app serves by test/service/openapi.test.ts.
 *
 * | route | request -> response schemas | test (under test/) |
 * | --- | --- | --- |
 * | POST /v1/sessions | CreateSessionBody -> Session | service/sessions.test.ts |
 * | GET /v1/sessions/{anonymousId} | -> Session | service/sessions.test.ts |
 * | POST /v1/sessions/{anonymousId}/carts | CreateCartBody -> Cart | service/carts.test.ts |
 * | GET /v1/sessions/{anonymousId}/carts | CartListQuery -> CartPage | service/carts.test.ts |
 * | GET /v1/sessions/{anonymousId}/active-cart | -> Cart | service/carts.test.ts |
 * | GET /v1/sessions/{anonymousId}/orders | OrderListQuery -> OrderPage | service/carts.test.ts |
 * | POST /v1/sessions/{anonymousId}/sign-up | SignUpBody -> SignInResult | service/customers.test.ts |
 * | POST /v1/sessions/{anonymousId}/sign-in | SignInBody -> SignInResult | service/customers.test.ts |
 * | GET /v1/carts/{cartId} | -> Cart | service/carts.test.ts |
 * | POST /v1/carts/{cartId}/line-items | AddLineItemBody -> Cart | service/carts.test.ts |
 * | PATCH /v1/carts/{cartId}/line-items/{lineItemId} | ChangeLineItemBody -> Cart | service/carts.test.ts |
 * | DELETE /v1/carts/{cartId}/line-items/{lineItemId} | -> Cart | service/carts.test.ts |
 * | PATCH /v1/carts/{cartId} | UpdateCartBody -> Cart | service/carts.test.ts |
 * | POST /v1/carts/{cartId}/order | CreateOrderBody -> Order | service/carts.test.ts |
 * | GET /v1/orders/{orderId} | -> Order | service/carts.test.ts |
 * | GET /v1/carts/{cartId}/shipping-methods | -> ShippingMethodList | service/checkout.test.ts |
 * | PUT /v1/carts/{cartId}/shipping-method | SetShippingMethodBody -> Cart | service/checkout.test.ts |
 * | DELETE /v1/carts/{cartId}/shipping-method | -> Cart | service/checkout.test.ts |
 * | POST /v1/carts/{cartId}/discount-codes | AddDiscountCodeBody -> Cart | service/checkout.test.ts |
 * | DELETE /v1/carts/{cartId}/discount-codes/{discountCodeId} | -> Cart | service/checkout.test.ts |
 * | POST /v1/carts/{cartId}/payments | CreatePaymentBody -> PaymentWithCart | service/payments.test.ts |
 * | GET /v1/carts/{cartId}/payments | -> PaymentList | service/payments.test.ts |
 * | PATCH /v1/payments/{paymentId} | ChangePaymentBody -> Payment | service/payments.test.ts |
 * | POST /v1/carts/{cartId}/freeze | VersionBody -> Cart | service/checkout.test.ts |
 * | POST /v1/carts/{cartId}/unfreeze | VersionBody -> Cart | service/checkout.test.ts |
 * | POST /v1/carts/{cartId}/recalculate | RecalculateBody -> Cart | service/checkout.test.ts |
 * | GET /v1/customers | EmailQuery -> CustomerList | service/backoffice.test.ts |
 * | GET /v1/sessions | SessionQuery -> SessionList | service/backoffice.test.ts |
 * | GET /v1/orders | OrderQuery -> OrderList | service/backoffice.test.ts |
 * | PATCH /v1/orders/{orderId} | ChangeOrderBody -> Order | service/backoffice.test.ts |
 * | POST /v1/orders/{orderId}/cancel | -> Order | service/backoffice.test.ts |
 * | POST /v1/sessions/{anonymousId}/assign | AssignBody -> AssignResult | service/assign.test.ts |
 * | GET /healthz | -> Health | service/readiness.test.ts |
 * | GET /readyz | -> Readiness | service/readiness.test.ts |
 * | GET /metrics | -> Prometheus text | service/observability.test.ts |
 * | GET /openapi.json | -> OpenApiDocument | service/openapi.test.ts |
 * | GET /docs | -> HTML (Swagger UI) | browser/docs.test.ts |
 */
export function allRoutes(
  services: V1Services,
  operations: Omit<OperationsDeps, 'openApiDocument'>,
  version: string,
): RouteSpec[] {
  // The document describes every route, the one that serves it included: built once, after the list.
  let document: object = {};
  const routes = [
    ...v1Routes(services),
    ...checkoutRoutes(services),
    ...backofficeRoutes(services.backoffice, services.customers),
    ...operationsRoutes({ ...operations, openApiDocument: () => document }),
  ];
  document = buildOpenApiDocument(routes, version);
  return routes;
}
