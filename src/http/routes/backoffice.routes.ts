import type { BackofficeService } from '../../domain/backoffice.service';
import type { CustomerService } from '../../domain/customer.service';
import { route, type RouteSpec } from '../route';
import * as s from '../schemas';

/**
 * Routes for back-office tools (scope `backoffice`). Per client like the rest: a key without
 * `admin` reaches its own clientId's sessions and orders only; the customer lookup is the one
 * route over the whole project, and each lookup is logged with the caller's clientId.
 */
export function backofficeRoutes(backoffice: BackofficeService, customers: CustomerService): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/customers',
      operationId: 'findCustomers',
      tag: 'Back office',
      scope: 'backoffice',
      summary: 'Find customers by email',
      description:
        "Exact email match, case-insensitive (as commercetools compares emails). Answers id, email, names and createdAt only. Not fenced by client: every lookup is logged with the caller's clientId (never the email).",
      query: s.EmailQuery,
      success: { status: 200, description: 'The customers with that email', schema: s.CustomerList },
      errors: ['ValidationFailed'],
      handle: ({ caller, query }) => backoffice.findCustomers(caller, query.email),
    }),
    route({
      method: 'get',
      path: '/v1/sessions',
      operationId: 'listSessions',
      tag: 'Back office',
      scope: 'backoffice',
      summary: "Your client's sessions, newest first",
      description:
        "From a per-client index in Redis. `clientId=` lists another client's sessions and needs the admin scope (403 Forbidden otherwise). Pass `nextCursor` as `cursor` for the next page; no `nextCursor` means the last page.",
      query: s.SessionQuery,
      success: { status: 200, description: 'A page of sessions', schema: s.SessionList },
      errors: ['ValidationFailed'],
      handle: ({ caller, query }) => backoffice.listSessions(caller, query),
    }),
    route({
      method: 'get',
      path: '/v1/orders',
      operationId: 'findOrders',
      tag: 'Back office',
      scope: 'backoffice',
      summary: 'Find an order of your sessions by orderNumber',
      description: "An order the caller may read (its sessions' orders; admin: all), else an empty list.",
      query: s.OrderQuery,
      success: { status: 200, description: 'The order, if any', schema: s.OrderList },
      errors: ['ValidationFailed'],
      handle: ({ caller, query }) => backoffice.findOrders(caller, query.orderNumber),
    }),
    route({
      method: 'patch',
      path: '/v1/orders/{orderId}',
      operationId: 'changeOrderStates',
      tag: 'Back office',
      scope: 'backoffice',
      summary: 'Set order, payment or shipment state',
      description:
        'Through changeOrderState, changePaymentState and changeShipmentState. Without version the change applies to the current order (re-read on a conflict); with a stale one it is a 409. Setting orderState Cancelled on a shipped or delivered order is 409 OrderNotCancellable.',
      params: s.OrderParams,
      body: s.ChangeOrderBody,
      success: { status: 200, description: 'The updated order', schema: s.Order },
      errors: ['ValidationFailed', 'OrderNotFound', 'ConcurrentModification', 'OrderNotCancellable'],
      handle: ({ caller, params, body }) => {
        const { version, ...changes } = body;
        return backoffice.changeOrderStates(caller, params.orderId, changes, version);
      },
    }),
    route({
      method: 'post',
      path: '/v1/orders/{orderId}/cancel',
      operationId: 'cancelOrder',
      tag: 'Back office',
      scope: 'backoffice',
      summary: 'Cancel an order',
      description:
        'Sets orderState Cancelled; an order already cancelled is answered as it is. Refused (409 OrderNotCancellable) once shipmentState is Shipped or Delivered.',
      params: s.OrderParams,
      success: { status: 200, description: 'The cancelled order', schema: s.Order },
      errors: ['OrderNotFound', 'OrderNotCancellable'],
      handle: ({ caller, params }) => backoffice.cancelOrder(caller, params.orderId),
    }),
    route({
      method: 'post',
      path: '/v1/sessions/{anonymousId}/assign',
      operationId: 'assignSession',
      tag: 'Back office',
      scope: 'backoffice',
      summary: 'Hand a session over to a known customer, without a password',
      description:
        "For customers who sign in elsewhere (SSO, a loyalty app, a phone number at the till). commercetools' Merge Cart merges the session's active cart into the customer's most recently modified active cart (mergeMode MergeWithExistingCustomerCart, the default) or makes it the customer's active cart (UseAsNewActiveCustomerCart; also when the customer has none); the session's orders and payments get the customer; the session ends with the customerId. A session without an active cart is assigned too (200 without `cart`). The resulting cart comes with a customer grant for this client. Your sessions only (admin: any). An assignment whose answer was lost is recognised on the retry (200 with the same customer's cart); once the session has ended it is 409 SessionEnded.",
      params: s.SessionParams,
      body: s.AssignBody,
      success: { status: 200, description: 'The customer, their cart and the grant on it', schema: s.AssignResult },
      errors: ['ValidationFailed', 'SessionNotFound', 'CustomerNotFound', 'SessionEnded', 'SessionBusy'],
      handle: ({ caller, params, body }) => customers.assign(caller, params.anonymousId, body),
    }),
  ];
}
