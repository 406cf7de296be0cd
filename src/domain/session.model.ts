/** A session is active until a sign-in or sign-up hands it over; then it is ended for good. */
export const SESSION_STATUSES = ['active', 'ended'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** A session as callers see it (the `Session` schema of the API reuses this shape). */
export interface SessionView {
  anonymousId: string;
  status: SessionStatus;
  createdAt: string;
  endedAt?: string;
  /** The customer the session was handed over to, where known. */
  customerId?: string;
  /** The Store of the store-bound client (a till) that started it: its carts are that store's. */
  storeKey?: string;
}

/** A session as kept in the store: the view and the client that owns it. */
export interface SessionRecord extends SessionView {
  clientId: string;
  /**
   * When the session lapses unless a cart change extends it (sliding lifetime, ISO time). Records
   * written before the lifetime slid have none: createdAt + the lifetime then.
   */
  expiresAt?: string;
  /** The cart a hand-over returned: the ended session never reaches it again (only the grant does). */
  handedOverCartId?: string;
  /** An order was placed through the session: its record is kept as long as its orders are readable. */
  hasOrders?: true;
}
