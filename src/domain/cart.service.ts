import type {
  BaseAddress,
  Cart,
  CartDraft,
  CartUpdateAction,
  CustomFieldsDraft,
  FieldContainer,
  Order,
} from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import { DomainError } from './errors';
import type { CartState, InventoryMode, OrderState, PaymentState, ShipmentState } from './commerce.model';
import {
  DuplicateValue,
  InvalidOperation,
  mayHaveHappened,
  VersionConflict,
  type AttemptLog,
  type CommerceGateway,
  type Page,
} from './ports';
import { orderRefusal } from './checkout-refusals';
import { cartKeyFor, orderNumberFor } from './idempotent-keys';
import type { SessionService } from './session.service';

export type ProductRef = { sku: string } | { productId: string; variantId: number };
/** Custom fields of a cart or line item: the Type by key (the seeded `pos-cart-fields`) and field values. */
export interface CustomFields {
  typeKey: string;
  fields?: FieldContainer;
}
export type LineItemRequest = ProductRef & { quantity: number; custom?: CustomFields };

export interface NewCart {
  currency: string;
  country?: string;
  locale?: string;
  customerEmail?: string;
  shippingAddress?: BaseAddress;
  lineItems?: LineItemRequest[];
  custom?: CustomFields;
  inventoryMode?: InventoryMode;
}

export interface CartChanges {
  customerEmail?: string;
  shippingAddress?: BaseAddress;
  billingAddress?: BaseAddress;
  locale?: string;
  custom?: CustomFields;
}

/**
 * Re-reads after a version conflict when the caller gave no version: full-jitter exponential
 * backoff (so racing writers spread out instead of colliding again in lockstep), for as long as
 * the deadline allows; then the caller gets the conflict.
 */
export const VERSIONLESS_RETRY = { deadlineMs: 5000, baseMs: 20, capMs: 1000 } as const;

/** Waits before re-read `attempt` (1, 2, ...); false, without waiting, when the wait would pass the deadline. */
async function backOff(attempt: number, deadline: number): Promise<boolean> {
  const ceiling = Math.min(VERSIONLESS_RETRY.capMs, VERSIONLESS_RETRY.baseMs * 2 ** (attempt - 1));
  const wait = Math.random() * ceiling;
  if (Date.now() + wait >= deadline) return false;
  // The global timer (not node:timers/promises), so unit tests can run the clock.
  await new Promise((resolve) => setTimeout(resolve, wait));
  return true;
}

/** The states a cart may be changed in: Active, and for a few actions (payments, unfreezing) Frozen. */
export const CHANGEABLE: readonly CartState[] = ['Active'];
/** A Frozen cart keeps its prices while a payment runs, and can be ordered. */
export const ACTIVE_OR_FROZEN: readonly CartState[] = ['Active', 'Frozen'];

function productOf(ref: LineItemRequest): ProductRef {
  return 'sku' in ref ? { sku: ref.sku } : { productId: ref.productId, variantId: ref.variantId };
}

function customDraft(custom: CustomFields): CustomFieldsDraft {
  return { type: { typeId: 'type', key: custom.typeKey }, fields: custom.fields ?? {} };
}

/** A line item as commercetools takes it, in a draft or in addLineItem. */
function lineItemDraft(item: LineItemRequest) {
  return { ...productOf(item), quantity: item.quantity, ...(item.custom ? { custom: customDraft(item.custom) } : {}) };
}

/**
 * Sets the Type with its fields when the resource has none yet; otherwise sets the given fields
 * on the Type it has (the Type is identified by key, the resource names it by id only).
 */
function customActions(
  existing: { custom?: { fields: FieldContainer } } | undefined,
  custom: CustomFields,
  lineItemId?: string,
): CartUpdateAction[] {
  const target = lineItemId ? { lineItemId } : {};
  if (!existing?.custom) {
    const draft = customDraft(custom);
    return [
      lineItemId
        ? { action: 'setLineItemCustomType', lineItemId, type: draft.type, fields: draft.fields }
        : { action: 'setCustomType', type: draft.type, fields: draft.fields },
    ];
  }
  return Object.entries(custom.fields ?? {}).map(
    ([name, value]) =>
      ({
        action: lineItemId ? 'setLineItemCustomField' : 'setCustomField',
        ...target,
        name,
        value,
      }) as CartUpdateAction,
  );
}

function conflict(currentVersion: number | undefined): DomainError {
  return new DomainError(
    'ConcurrentModification',
    'The resource was changed by someone else; re-read it and retry with its current version.',
    {
      ...(currentVersion !== undefined ? { currentVersion } : {}),
    },
  );
}

/** How many of the product the cart holds (commercetools adds to an existing line item of the variant). */
function quantityOf(cart: Cart, ref: ProductRef): number {
  const matches = (item: Cart['lineItems'][number]) =>
    'sku' in ref ? item.variant.sku === ref.sku : item.productId === ref.productId && item.variant.id === ref.variantId;
  return cart.lineItems.filter(matches).reduce((sum, item) => sum + item.quantity, 0);
}

export class CartService {
  constructor(
    private readonly sessions: SessionService,
    private readonly commerce: CommerceGateway,
    private readonly attempts: AttemptLog,
  ) {}

  async createCart(
    caller: Caller,
    anonymousId: string,
    input: NewCart,
    options: { idempotencyKey?: string } = {},
  ): Promise<Cart> {
    const { lineItems, custom, ...rest } = input;
    const key = options.idempotencyKey ? cartKeyFor(caller.clientId, anonymousId, options.idempotencyKey) : undefined;
    const draft: CartDraft = {
      ...rest,
      anonymousId,
      ...(key ? { key } : {}),
      ...(custom ? { custom: customDraft(custom) } : {}),
      ...(lineItems ? { lineItems: lineItems.map(lineItemDraft) } : {}),
    };
    return this.sessions.creatingOn(caller, anonymousId, async () => {
      try {
        return await this.commerce.createCart(draft);
      } catch (error) {
        // The create may have happened although its answer was lost (or this is a retry of one
        // that did): the derived key finds that cart instead of making a second one.
        if (key && (mayHaveHappened(error) || error instanceof DuplicateValue)) {
          const existing = await this.commerce.getCartByKey(key).catch(() => null);
          if (existing && existing.anonymousId === anonymousId) return existing;
        }
        throw error;
      }
    });
  }

  async listCarts(
    caller: Caller,
    anonymousId: string,
    query: { cartState?: CartState; limit: number; offset: number },
  ): Promise<Page<Cart>> {
    await this.sessions.assertReadable(caller, anonymousId);
    return this.commerce.queryCarts({ anonymousId, ...query });
  }

  /** The most recently modified Active cart, as commercetools defines "the active cart". */
  async activeCart(caller: Caller, anonymousId: string): Promise<Cart> {
    await this.sessions.assertReadable(caller, anonymousId);
    const page = await this.commerce.queryCarts({ anonymousId, cartState: 'Active', limit: 1, offset: 0 });
    const cart = page.results[0];
    if (!cart) throw new DomainError('NoActiveCart', `Session '${anonymousId}' has no active cart.`);
    return cart;
  }

  async listOrders(
    caller: Caller,
    anonymousId: string,
    query: { limit: number; offset: number },
  ): Promise<Page<Order>> {
    await this.sessions.assertReadable(caller, anonymousId);
    return this.commerce.queryOrders({ anonymousId, ...query });
  }

  /** A cart the caller may see: it belongs to one of the caller's sessions (ended ones too). */
  async getCart(caller: Caller, cartId: string): Promise<Cart> {
    const cart = await this.commerce.getCart(cartId);
    if (cart && (await this.ownsAnonymousId(caller, cart.anonymousId))) return cart;
    throw new DomainError('CartNotFound', `No cart '${cartId}'.`);
  }

  async getOrder(caller: Caller, orderId: string): Promise<Order> {
    const order = await this.commerce.getOrder(orderId);
    if (order && (await this.canReadOrder(caller, order))) return order;
    throw new DomainError('OrderNotFound', `No order '${orderId}'.`);
  }

  /** The one rule of who may read an order, for an order already fetched (getOrder applies it too). */
  canReadOrder(caller: Caller, order: Order): Promise<boolean> {
    return this.ownsAnonymousId(caller, order.anonymousId);
  }

  private async ownsAnonymousId(caller: Caller, anonymousId: string | undefined): Promise<boolean> {
    if (!anonymousId) return false;
    try {
      await this.sessions.assertReadable(caller, anonymousId);
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'SessionNotFound') return false;
      throw error;
    }
  }

  /**
   * Adding is not idempotent: the same add twice doubles the quantity. With `version` a repeat is a
   * 409. Without it, under an Idempotency-Key, each attempt first notes the cart version it sends
   * and the quantity it aims for; a retry after a lost answer then recognises the cart that answer
   * had (the next version, holding that quantity) instead of adding again, and answers 409 with
   * the current version when the cart has moved on in another way.
   */
  async addLineItem(
    caller: Caller,
    cartId: string,
    item: LineItemRequest,
    options: { version?: number; idempotencyKey?: string; fingerprint?: string } = {},
  ): Promise<Cart> {
    const product = productOf(item);
    const actions = (): CartUpdateAction[] => [{ action: 'addLineItem', ...lineItemDraft(item) }];
    const key = options.version === undefined ? options.idempotencyKey : undefined;
    if (!key) return this.update(caller, cartId, options.version, actions);
    // A note is about this request and this cart only.
    const scope = `${cartId}\n${options.fingerprint ?? ''}`;
    const [noted, cart] = await Promise.all([
      this.attempts.recall(caller.clientId, key, scope),
      this.getCart(caller, cartId),
    ]);
    if (noted) {
      const earlier = JSON.parse(noted) as { version: number; quantity: number };
      if (cart.version !== earlier.version) {
        if (cart.version === earlier.version + 1 && quantityOf(cart, product) === earlier.quantity) return cart;
        throw conflict(cart.version);
      }
    }
    return this.update(caller, cart, undefined, actions, (current) =>
      this.attempts.note(
        caller.clientId,
        key,
        scope,
        JSON.stringify({ version: current.version, quantity: quantityOf(current, product) + item.quantity }),
      ),
    );
  }

  changeLineItemQuantity(
    caller: Caller,
    cartId: string,
    lineItemId: string,
    quantity: number | undefined,
    version?: number,
    custom?: CustomFields,
  ): Promise<Cart> {
    return this.update(caller, cartId, version, (cart) => {
      const item = requireLineItem(cart, lineItemId);
      return [
        ...(custom ? customActions(item, custom, lineItemId) : []),
        ...(quantity !== undefined ? [{ action: 'changeLineItemQuantity' as const, lineItemId, quantity }] : []),
      ];
    });
  }

  removeLineItem(caller: Caller, cartId: string, lineItemId: string): Promise<Cart> {
    return this.update(caller, cartId, undefined, (cart) => {
      requireLineItem(cart, lineItemId);
      return [{ action: 'removeLineItem', lineItemId }];
    });
  }

  updateCart(caller: Caller, cartId: string, changes: CartChanges, version?: number): Promise<Cart> {
    return this.update(caller, cartId, version, (cart) => {
      const actions: CartUpdateAction[] = [];
      if (changes.locale !== undefined) actions.push({ action: 'setLocale', locale: changes.locale });
      if (changes.custom !== undefined) actions.push(...customActions(cart, changes.custom));
      if (changes.customerEmail !== undefined)
        actions.push({ action: 'setCustomerEmail', email: changes.customerEmail });
      if (changes.shippingAddress !== undefined)
        actions.push({ action: 'setShippingAddress', address: changes.shippingAddress });
      if (changes.billingAddress !== undefined)
        actions.push({ action: 'setBillingAddress', address: changes.billingAddress });
      return actions;
    });
  }

  /**
   * A change of a cart the caller may see, through the same path as every cart write here (the
   * access decision, versions, bounded re-reads): for the checkout's use cases (checkout.service.ts).
   * `states`: the cart states the change is allowed in; `beforeSend` runs before each attempt.
   */
  changeCart(
    caller: Caller,
    cartOrId: string | Cart,
    version: number | undefined,
    build: (cart: Cart) => CartUpdateAction[],
    options: { states?: readonly CartState[]; beforeSend?: (cart: Cart) => Promise<void> } = {},
  ): Promise<Cart> {
    return this.update(caller, cartOrId, version, build, options.beforeSend, options.states);
  }

  /**
   * Applies actions built from the current cart. With the caller's version a conflict is the
   * caller's 409; without one the cart is re-read and the actions rebuilt from what it is now
   * (so a removed line item is noticed), with backoff until VERSIONLESS_RETRY's deadline.
   */
  private async update(
    caller: Caller,
    cartOrId: string | Cart,
    version: number | undefined,
    build: (cart: Cart) => CartUpdateAction[],
    beforeSend?: (cart: Cart) => Promise<void>,
    states: readonly CartState[] = CHANGEABLE,
  ): Promise<Cart> {
    // A cart the caller has just read (and may see) saves reading it again.
    let cart = typeof cartOrId === 'string' ? await this.getCart(caller, cartOrId) : cartOrId;
    const cartId = cart.id;
    const deadline = Date.now() + VERSIONLESS_RETRY.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      assertModifiable(cart, states);
      await beforeSend?.(cart);
      try {
        return await this.commerce.updateCart(cart.id, version ?? cart.version, build(cart));
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        if (version !== undefined || !(await backOff(attempt, deadline))) throw conflict(error.currentVersion);
        cart = await this.getCart(caller, cartId);
      }
    }
  }

  /**
   * Orders the cart with the cart reference and its current version. Every order gets an
   * orderNumber (the caller's, else one the service makes, derived from the Idempotency-Key when
   * given), so an order whose answer was lost is found by its number instead of being made twice.
   */
  async order(
    caller: Caller,
    cartId: string,
    options: {
      orderNumber?: string;
      idempotencyKey?: string;
      orderState?: OrderState;
      paymentState?: PaymentState;
      shipmentState?: ShipmentState;
    } = {},
  ): Promise<Order> {
    const { orderState, paymentState, shipmentState } = options;
    const orderNumber = options.orderNumber ?? orderNumberFor(caller.clientId, cartId, options.idempotencyKey);
    // The cart state alone is not trusted: an existing order of the cart also means "ordered".
    // Both reads run at once; the order is only looked at once ownership is established.
    const [owned, existing] = await Promise.all([this.getCart(caller, cartId), this.commerce.findOrderOfCart(cartId)]);
    if (existing) {
      // A retry of an order made under the same Idempotency-Key: that order is the answer.
      if (options.idempotencyKey && existing.orderNumber === orderNumber) return existing;
      throw alreadyOrdered(cartId);
    }
    let cart = owned;
    const deadline = Date.now() + VERSIONLESS_RETRY.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      if (cart.cartState === 'Ordered') throw alreadyOrdered(cartId);
      assertModifiable(cart, ACTIVE_OR_FROZEN);
      // "The Cart must have a shipping address set, regardless of the TaxMode" (Create Order).
      if (!cart.shippingAddress) throw shippingAddressMissing(cartId);
      try {
        const states = { orderState, paymentState, shipmentState };
        return await this.commerce.createOrder({ cartId: cart.id, version: cart.version, orderNumber, ...states });
      } catch (error) {
        const refusal = orderRefusal(error);
        if (refusal) throw refusal;
        if (mayHaveHappened(error) || error instanceof DuplicateValue) {
          const made = await this.commerce.getOrderByNumber(orderNumber).catch(() => null);
          if (made && made.cart?.id === cartId) return made;
          if (!mayHaveHappened(error)) {
            throw new DomainError(
              'DuplicateOrderNumber',
              `The orderNumber '${orderNumber}' is already used by another order.`,
            );
          }
          throw error;
        }
        // A conflict or a refusal in the cart's state may mean the cart was changed or ordered
        // meanwhile: decide on a fresh read.
        if (!(error instanceof VersionConflict || error instanceof InvalidOperation)) throw error;
        // A refusal needs no wait: the fresh read below either shows the cart ordered, or ends the loop.
        if (error instanceof VersionConflict && !(await backOff(attempt, deadline)))
          throw conflict(error.currentVersion);
        const fresh = await this.getCart(caller, cartId);
        if (error instanceof InvalidOperation && fresh.cartState !== 'Ordered') throw error;
        cart = fresh;
      }
    }
  }
}

function alreadyOrdered(cartId: string): DomainError {
  return new DomainError('CartAlreadyOrdered', `Cart '${cartId}' has already been ordered.`);
}

function requireLineItem(cart: Cart, lineItemId: string): Cart['lineItems'][number] {
  const item = cart.lineItems.find((each) => each.id === lineItemId);
  if (!item) throw new DomainError('LineItemNotFound', `Cart '${cart.id}' has no line item '${lineItemId}'.`);
  return item;
}

export function shippingAddressMissing(cartId: string): DomainError {
  return new DomainError('ShippingAddressMissing', `Cart '${cartId}' has no shipping address; set one first.`);
}

function assertModifiable(cart: Cart, states: readonly CartState[] = CHANGEABLE): void {
  if (states.includes(cart.cartState as CartState)) return;
  if (cart.cartState === 'Frozen') {
    throw new DomainError('CartFrozen', `Cart '${cart.id}' is Frozen: its prices are fixed; unfreeze it first.`);
  }
  throw new DomainError('CartNotActive', `Cart '${cart.id}' is ${cart.cartState} and can no longer be changed.`);
}
