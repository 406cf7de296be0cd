/**
 * commercetools' vocabulary the service speaks too, defined once: the API schemas (src/http)
 * reuse these lists with z.enum.
 */

/** commercetools' CartState. */
export const CART_STATES = ['Active', 'Merged', 'Ordered', 'Frozen'] as const;
export type CartState = (typeof CART_STATES)[number];

/** commercetools' AnonymousCartSignInMode: what a sign-in does with the session's cart. */
export const CART_SIGN_IN_MODES = ['MergeWithExistingCustomerCart', 'UseAsNewActiveCustomerCart'] as const;
export type CartSignInMode = (typeof CART_SIGN_IN_MODES)[number];
export const DEFAULT_CART_SIGN_IN_MODE: CartSignInMode = 'MergeWithExistingCustomerCart';

/** commercetools' OrderState, PaymentState and ShipmentState: what an order is created with and the back office sets. */
export const ORDER_STATES = ['Open', 'Confirmed', 'Complete', 'Cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];
export const PAYMENT_STATES = ['BalanceDue', 'Failed', 'Pending', 'CreditOwed', 'Paid'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];
export const SHIPMENT_STATES = [
  'Shipped',
  'Delivered',
  'Ready',
  'Pending',
  'Delayed',
  'Partial',
  'Backorder',
  'Canceled',
] as const;
export type ShipmentState = (typeof SHIPMENT_STATES)[number];
/** Shipment states after which an order can no longer be cancelled: the goods have left. */
export const SHIPPED_STATES: readonly ShipmentState[] = ['Shipped', 'Delivered'];

/** commercetools' InventoryMode of a cart. */
export const INVENTORY_MODES = ['None', 'TrackOnly', 'ReserveOnOrder'] as const;
export type InventoryMode = (typeof INVENTORY_MODES)[number];

/** commercetools' TransactionType and TransactionState of a Payment's transactions. */
export const TRANSACTION_TYPES = ['Authorization', 'CancelAuthorization', 'Charge', 'Refund', 'Chargeback'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
/** The transactions a payment starts with at the till. */
export const INITIAL_TRANSACTION_TYPES = ['Authorization', 'Charge'] as const;
export const TRANSACTION_STATES = ['Initial', 'Pending', 'Success', 'Failure'] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];
