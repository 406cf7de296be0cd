import type { Order, OrderUpdateAction } from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import type { CartService } from './cart.service';
import { SHIPPED_STATES, type OrderState, type PaymentState, type ShipmentState } from './commerce.model';
import { DomainError } from './errors';
import { VersionConflict, type CommerceGateway, type SessionIndex, type SessionIndexPosition } from './ports';
import type { SessionStatus, SessionView } from './session.model';
import { toView } from './session.service';
import { backOff, VERSIONLESS_RETRY } from './versionless-retry';

/** What the customer lookup tells: enough to recognise the customer, no other personal data. */
export interface CustomerSummary {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  createdAt: string;
}

export interface SessionListQuery {
  status?: SessionStatus;
  /** ISO datetimes, both inclusive. */
  createdFrom?: string;
  createdTo?: string;
  /** Another client's sessions: only for `admin`. */
  clientId?: string;
  limit: number;
  cursor?: string;
}

export interface SessionList {
  results: SessionView[];
  /** Absent on the last page. */
  nextCursor?: string;
}

export interface OrderStateChanges {
  orderState?: OrderState;
  paymentState?: PaymentState;
  shipmentState?: ShipmentState;
}

/** What the back office reports (the audit log line of customer lookups); all optional. */
export interface BackofficeEvents {
  /** A customer lookup by email: who asked and how many matched, never the email. */
  customerLookup?(clientId: string, count: number): void;
}

/** Customers a lookup answers at most (emails are unique per project, or per store for store customers). */
const MAX_CUSTOMERS = 20;

function conflict(currentVersion: number | undefined): DomainError {
  return new DomainError(
    'ConcurrentModification',
    'The order was changed by someone else; re-read it and retry with its current version.',
    currentVersion !== undefined ? { currentVersion } : {},
  );
}

function badCursor(): DomainError {
  const message = 'is not a cursor this listing returned';
  return new DomainError('ValidationFailed', `query.cursor: ${message}`, {
    errors: [{ path: 'query.cursor', message }],
  });
}

/** The cursor is opaque to callers: the position (createdAt ms, anonymousId) of a page's last session. */
export function encodeCursor(position: SessionIndexPosition): string {
  return Buffer.from(JSON.stringify([position.score, position.anonymousId])).toString('base64url');
}

export function decodeCursor(cursor: string): SessionIndexPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [score, anonymousId] = value as unknown[];
      if (typeof score === 'number' && Number.isFinite(score) && typeof anonymousId === 'string') {
        return { score, anonymousId };
      }
    }
  } catch {
    // not JSON: answered below
  }
  throw badCursor();
}

/**
 * The back office's use cases: customer lookup, session listings, order lookup and order states.
 * Orders are reached through CartService.getOrder / canReadOrder only, so one ownership rule
 * decides who may see and change an order; sessions only through the caller's client's index.
 */
export class BackofficeService {
  constructor(
    private readonly index: SessionIndex,
    private readonly carts: CartService,
    private readonly commerce: CommerceGateway,
    private readonly events: BackofficeEvents = {},
  ) {}

  /** Exact, case-insensitive email match over the whole project: the one lookup not fenced by client. */
  async findCustomers(caller: Caller, email: string): Promise<{ results: CustomerSummary[] }> {
    const customers = await this.commerce.findCustomersByEmail(email, MAX_CUSTOMERS);
    this.events.customerLookup?.(caller.clientId, customers.length);
    const results = customers.map(({ id, email: address, firstName, lastName, createdAt }) => ({
      id,
      email: address,
      ...(firstName !== undefined ? { firstName } : {}),
      ...(lastName !== undefined ? { lastName } : {}),
      createdAt,
    }));
    return { results };
  }

  /** The caller's client's sessions (admin: any client's), newest first, a page at a time. */
  async listSessions(caller: Caller, query: SessionListQuery): Promise<SessionList> {
    if (query.clientId !== undefined && query.clientId !== caller.clientId && !caller.scopes.has('admin')) {
      throw new DomainError('Forbidden', "Listing another client's sessions (clientId=) needs the 'admin' scope.");
    }
    const clientId = query.clientId ?? caller.clientId;
    const found = await this.index.listByClient(clientId, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.createdFrom ? { from: Date.parse(query.createdFrom) } : {}),
      ...(query.createdTo ? { to: Date.parse(query.createdTo) } : {}),
      // One more than the page tells whether another page follows.
      limit: query.limit + 1,
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    });
    const page = found.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      results: page.map(({ session }) => toView(session)),
      ...(found.length > query.limit && last
        ? { nextCursor: encodeCursor({ score: last.score, anonymousId: last.session.anonymousId }) }
        : {}),
    };
  }

  /** The order with that number when the caller may read it (orderNumbers are unique: 0 or 1 result). */
  async findOrders(caller: Caller, orderNumber: string): Promise<{ results: Order[] }> {
    const order = await this.commerce.getOrderByNumber(orderNumber);
    return { results: order && (await this.carts.canReadOrder(caller, order)) ? [order] : [] };
  }

  /** Sets the given states; cancelling a shipped order is refused as `cancelOrder` refuses it. */
  changeOrderStates(caller: Caller, orderId: string, changes: OrderStateChanges, version?: number): Promise<Order> {
    return this.updateOrder(caller, orderId, version, (order) => {
      const shipment = changes.shipmentState ?? order.shipmentState;
      if (changes.orderState === 'Cancelled' && order.orderState !== 'Cancelled') assertCancellable(order, shipment);
      const actions: OrderUpdateAction[] = [];
      if (changes.orderState) actions.push({ action: 'changeOrderState', orderState: changes.orderState });
      if (changes.paymentState) actions.push({ action: 'changePaymentState', paymentState: changes.paymentState });
      if (changes.shipmentState) actions.push({ action: 'changeShipmentState', shipmentState: changes.shipmentState });
      return actions;
    });
  }

  /** Cancels the order unless it has shipped; an order already cancelled is the answer as it is. */
  cancelOrder(caller: Caller, orderId: string): Promise<Order> {
    return this.updateOrder(caller, orderId, undefined, (order) => {
      if (order.orderState === 'Cancelled') return [];
      assertCancellable(order, order.shipmentState);
      return [{ action: 'changeOrderState', orderState: 'Cancelled' }];
    });
  }

  /**
   * Applies actions built from the current order, read through getOrder (the ownership rule). With
   * the caller's version a conflict is the caller's 409; without one the order is re-read and the
   * actions rebuilt from what it is now (a shipment meanwhile is noticed), with backoff until the
   * version-less deadline (versionless-retry.ts).
   */
  private async updateOrder(
    caller: Caller,
    orderId: string,
    version: number | undefined,
    build: (order: Order) => OrderUpdateAction[],
  ): Promise<Order> {
    let order = await this.carts.getOrder(caller, orderId);
    const deadline = Date.now() + VERSIONLESS_RETRY.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      const actions = build(order);
      if (actions.length === 0) return order;
      try {
        return await this.commerce.updateOrder(order.id, version ?? order.version, actions);
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        if (version !== undefined || !(await backOff(attempt, deadline))) throw conflict(error.currentVersion);
        order = await this.carts.getOrder(caller, orderId);
      }
    }
  }
}

function assertCancellable(order: Order, shipmentState: string | undefined): void {
  if (shipmentState !== undefined && (SHIPPED_STATES as readonly string[]).includes(shipmentState)) {
    throw new DomainError(
      'OrderNotCancellable',
      `Order '${order.id}' is ${shipmentState} and can no longer be cancelled.`,
      { shipmentState },
    );
  }
}
