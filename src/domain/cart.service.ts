import type {
  BaseAddress,
  Cart,
  ChannelResourceIdentifier,
  CartDraft,
  CartUpdateAction,
  CustomFieldsDraft,
  FieldContainer,
  Order,
} from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import { DomainError } from './errors';
import { RawJson } from './raw-json';
import type { CartState, InventoryMode, OrderState, PaymentState, ShipmentState } from './commerce.model';
import {
  DuplicateValue,
  InvalidOperation,
  mayHaveHappened,
  VersionConflict,
  type AttemptLog,
  type CommerceGateway,
  type Grant,
  type GrantStore,
  type Page,
  type SessionRecord,
} from './ports';
import { orderRefusal } from './checkout-refusals';
import { backOff, VERSIONLESS_RETRY } from './versionless-retry';
import { cartKeyFor, orderNumberFor } from './idempotent-keys';
import { endOf, isActive, sessionEnded, type SessionService } from './session.service';

export type ProductRef = { sku: string } | { productId: string; variantId: number };
/** Custom fields of a cart or line item: the Type by key (the seeded `pos-cart-fields`) and field values. */
export interface CustomFields {
  typeKey: string;
  fields?: FieldContainer;
}
export type LineItemRequest = ProductRef & {
  quantity: number;
  custom?: CustomFields;
  supplyChannel?: { key: string };
  distributionChannel?: { key: string };
};

/** The channels a line item is sent with, once checked or defaulted from the till's store. */
interface LineItemChannels {
  supplyChannel?: ChannelResourceIdentifier;
  distributionChannel?: ChannelResourceIdentifier;
}

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
function lineItemDraft(item: LineItemRequest, channels: LineItemChannels = {}) {
  return {
    ...productOf(item),
    quantity: item.quantity,
    ...(item.custom ? { custom: customDraft(item.custom) } : {}),
    ...channels,
  };
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

/**
 * How the caller reaches a cart (docs/ownership.md): as admin, through a customer grant, or
 * through one of its sessions (the session as read for the decision).
 */
export type CartAccess = { via: 'admin' } | { via: 'grant'; grant: Grant } | { via: 'session'; session: SessionRecord };

function cartNotFound(cartId: string): DomainError {
  return new DomainError('CartNotFound', `No cart '${cartId}'.`);
}

function orderNotFound(orderId: string): DomainError {
  return new DomainError('OrderNotFound', `No order '${orderId}'.`);
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
    private readonly grants: GrantStore,
    /** Sent as deleteDaysAfterLastModification, so commercetools keeps a cart as long as its session lives. */
    private readonly options: { cartLifetimeDays?: number } = {},
  ) {}

  /**
   * A store-bound caller's (a till's) carts and orders go through the in-store endpoints, which
   * fence them by the Store: another store's cart is not found, even by a guessed id.
   */
  private commerceOf(caller: Caller): CommerceGateway {
    return caller.storeKey ? this.commerce.inStore(caller.storeKey) : this.commerce;
  }

  /**
   * The line items' channels: a named key must exist (else ChannelNotFound); for a till, a store
   * with exactly one supply (distribution) channel gives it to the items that name none.
   */
  private async channelsFor(caller: Caller, items: LineItemRequest[]): Promise<LineItemChannels[]> {
    const keys = new Set(items.flatMap((item) => [item.supplyChannel?.key, item.distributionChannel?.key]));
    keys.delete(undefined);
    const needsDefault = items.some((item) => !item.supplyChannel || !item.distributionChannel);
    const [found, store] = await Promise.all([
      Promise.all([...keys].map(async (key) => [key, await this.commerce.getChannelByKey(key!)] as const)),
      caller.storeKey && needsDefault ? this.commerce.getStoreByKey(caller.storeKey) : Promise.resolve(null),
    ]);
    const missing = found.find(([, channel]) => channel === null);
    if (missing) throw new DomainError('ChannelNotFound', `No channel with key '${missing[0]}'.`);
    const only = (refs: { id: string }[] | undefined): ChannelResourceIdentifier | undefined =>
      refs?.length === 1 ? { typeId: 'channel', id: refs[0]!.id } : undefined;
    const supply = only(store?.supplyChannels);
    const distribution = only(store?.distributionChannels);
    return items.map((item) => {
      const supplyChannel = item.supplyChannel ? { typeId: 'channel' as const, key: item.supplyChannel.key } : supply;
      const distributionChannel = item.distributionChannel
        ? { typeId: 'channel' as const, key: item.distributionChannel.key }
        : distribution;
      return { ...(supplyChannel ? { supplyChannel } : {}), ...(distributionChannel ? { distributionChannel } : {}) };
    });
  }

  async createCart(
    caller: Caller,
    anonymousId: string,
    input: NewCart,
    options: { idempotencyKey?: string } = {},
  ): Promise<Cart> {
    const { lineItems, custom, ...rest } = input;
    const channels = lineItems ? await this.channelsFor(caller, lineItems) : [];
    const key = options.idempotencyKey ? cartKeyFor(caller.clientId, anonymousId, options.idempotencyKey) : undefined;
    const draft: CartDraft = {
      ...rest,
      anonymousId,
      ...(this.options.cartLifetimeDays ? { deleteDaysAfterLastModification: this.options.cartLifetimeDays } : {}),
      ...(key ? { key } : {}),
      ...(custom ? { custom: customDraft(custom) } : {}),
      ...(lineItems ? { lineItems: lineItems.map((item, index) => lineItemDraft(item, channels[index])) } : {}),
    };
    const cart = await this.sessions.creatingOn(caller, anonymousId, async () => {
      try {
        return await this.commerceOf(caller).createCart(draft);
      } catch (error) {
        // The create may have happened although its answer was lost (or this is a retry of one
        // that did): the derived key finds that cart instead of making a second one.
        if (key && (mayHaveHappened(error) || error instanceof DuplicateValue)) {
          const existing = await this.commerceOf(caller)
            .getCartByKey(key)
            .catch(() => null);
          if (existing && existing.anonymousId === anonymousId) return existing;
        }
        throw error;
      }
    });
    // A cart change: the session's lifetime slides (as commercetools' deleteDaysAfterLastModification does).
    await this.sessions.touch(caller, anonymousId);
    return cart;
  }

  /**
   * What a listing of the session shows (docs/ownership.md): an ended session's view leaves out
   * the handed-over cart and the orders created after it ended; admin sees everything.
   */
  private async sessionView(
    caller: Caller,
    anonymousId: string,
    fresh = false,
  ): Promise<{ excludeCartId?: string; createdUntil?: string; active: boolean }> {
    const session = await this.sessions.assertReadable(caller, anonymousId, { fresh });
    const ended = endOf(session);
    if (!ended) return { active: true };
    if (caller.scopes.has('admin')) return { active: false };
    return {
      active: false,
      createdUntil: ended,
      ...(session.handedOverCartId ? { excludeCartId: session.handedOverCartId } : {}),
    };
  }

  /**
   * A page of the session's own carts or orders. Those of an active session never carry a
   * customerId; one that does means the session was handed over meanwhile (on another instance,
   * past the owner cache): the page is fetched again from the session as it is now.
   */
  private async ownPage<P extends Page<Owned> | RawJson<Page<Owned>>>(
    caller: Caller,
    anonymousId: string,
    fetchPage: (view: { excludeCartId?: string; createdUntil?: string }) => Promise<P>,
  ): Promise<P> {
    const view = await this.sessionView(caller, anonymousId);
    const page = await fetchPage(view);
    if (!view.active || !hasCustomer(page)) return page;
    return fetchPage(await this.sessionView(caller, anonymousId, true));
  }

  /** Passed on as commercetools sent it (raw-json.ts). */
  async listCarts(
    caller: Caller,
    anonymousId: string,
    query: { cartState?: CartState; limit: number; offset: number },
  ): Promise<RawJson<Page<Cart>>> {
    const commerce = this.commerceOf(caller);
    return this.ownPage(caller, anonymousId, (view) =>
      commerce.listCarts({ anonymousId, ...query, excludeCartId: view.excludeCartId }),
    );
  }

  /** The most recently modified Active cart, as commercetools defines "the active cart". */
  async activeCart(caller: Caller, anonymousId: string): Promise<Cart> {
    const commerce = this.commerceOf(caller);
    const page = await this.ownPage(caller, anonymousId, (view) =>
      commerce.queryCarts({ anonymousId, cartState: 'Active', limit: 1, offset: 0, excludeCartId: view.excludeCartId }),
    );
    const cart = page.results[0];
    if (!cart) throw new DomainError('NoActiveCart', `Session '${anonymousId}' has no active cart.`);
    return cart;
  }

  /**
   * Orders of an ended session: those created before it ended (later ones were placed by whoever
   * holds the cart now). Passed on as commercetools sent them.
   */
  async listOrders(
    caller: Caller,
    anonymousId: string,
    query: { limit: number; offset: number },
  ): Promise<RawJson<Page<Order>>> {
    const commerce = this.commerceOf(caller);
    return this.ownPage(caller, anonymousId, (view) =>
      commerce.listOrders({ anonymousId, ...query, createdUntil: view.createdUntil }),
    );
  }

  /** A cart the caller may read (docs/ownership.md); any other is CartNotFound. */
  async getCart(caller: Caller, cartId: string): Promise<Cart> {
    const cart = await this.commerceOf(caller).getCart(cartId);
    if (!cart) throw cartNotFound(cartId);
    await this.access(caller, cart, 'read');
    return cart;
  }

  /**
   * The one decision on carts (docs/ownership.md): a running grant of the caller's on the cart;
   * else one of the caller's sessions, which never reaches its handed-over cart and only reads
   * when ended (writes: SessionEnded); admin reaches every session's cart and every customer cart.
   * A write through an active session slides its lifetime. The grant is only looked up for carts
   * with a customerId (only those are handed over).
   */
  async access(caller: Caller, cart: Cart, mode: 'read' | 'write'): Promise<CartAccess> {
    const admin = caller.scopes.has('admin');
    if (cart.customerId && !admin) {
      const grant = await this.grants.get(cart.id);
      if (grant && grant.clientId === caller.clientId && Date.parse(grant.expiresAt) > Date.now()) {
        if (mode === 'write' && grant.ordered) throw alreadyOrdered(cart.id);
        return { via: 'grant', grant };
      }
    }
    const fresh = cart.customerId !== undefined;
    const session = cart.anonymousId ? await this.sessionOf(caller, cart.anonymousId, fresh, mode === 'write') : null;
    if (admin && (session || cart.customerId)) return { via: 'admin' };
    if (!session || session.handedOverCartId === cart.id) throw cartNotFound(cart.id);
    if (mode === 'write' && !isActive(session)) throw sessionEnded(session.anonymousId);
    return { via: 'session', session };
  }

  /**
   * The caller's session of an anonymousId, or null. Fresh for changes (which slide its lifetime:
   * touch) and for what carries a customerId (handed over: the owner cache may not know yet).
   */
  private async sessionOf(
    caller: Caller,
    anonymousId: string,
    fresh: boolean,
    change = false,
  ): Promise<SessionRecord | null> {
    try {
      return change
        ? await this.sessions.touch(caller, anonymousId)
        : await this.sessions.assertReadable(caller, anonymousId, { fresh });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'SessionNotFound') return null;
      throw error;
    }
  }

  /**
   * An order the caller may read: an order placed through a grant belongs to the grant's client
   * (its owner record; admin too); else one of the caller's sessions, ended ones only for the
   * orders created before they ended; admin reads every session's order and every customer order.
   * The owner record is only looked up for orders with a customerId.
   */
  async getOrder(caller: Caller, orderId: string): Promise<Order> {
    const order = await this.commerceOf(caller).getOrder(orderId);
    if (order && (await this.canReadOrder(caller, order))) return order;
    throw orderNotFound(orderId);
  }

  /** The one rule of who may read an order, for an order already fetched (getOrder applies it too). */
  async canReadOrder(caller: Caller, order: Order): Promise<boolean> {
    const admin = caller.scopes.has('admin');
    if (order.customerId) {
      const owner = await this.grants.orderOwner(order.id);
      if (owner) return owner === caller.clientId || admin;
    }
    const fresh = order.customerId !== undefined;
    const session = order.anonymousId ? await this.sessionOf(caller, order.anonymousId, fresh) : null;
    if (admin && (session || order.customerId)) return true;
    if (!session) return false;
    const ended = endOf(session);
    return !(ended && Date.parse(order.createdAt) > Date.parse(ended));
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
    const [channels] = await this.channelsFor(caller, [item]);
    const actions = (): CartUpdateAction[] => [{ action: 'addLineItem', ...lineItemDraft(item, channels) }];
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
    // A cart the caller has just read saves reading it again; the write decision is made here.
    let cart = typeof cartOrId === 'string' ? await this.getCart(caller, cartOrId) : cartOrId;
    await this.access(caller, cart, 'write');
    const cartId = cart.id;
    const deadline = Date.now() + VERSIONLESS_RETRY.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      assertModifiable(cart, states);
      await beforeSend?.(cart);
      try {
        return await this.commerceOf(caller).updateCart(cart.id, version ?? cart.version, build(cart));
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
      /** The cart version the caller saw: a cart changed since is the caller's 409. */
      version?: number;
    } = {},
  ): Promise<Order> {
    const { orderState, paymentState, shipmentState } = options;
    const orderNumber = options.orderNumber ?? orderNumberFor(caller.clientId, cartId, options.idempotencyKey);
    // The cart state alone is not trusted: an existing order of the cart also means "ordered".
    // Both reads run at once; the order is only looked at once ownership is established.
    const [owned, existing] = await Promise.all([
      this.commerceOf(caller).getCart(cartId),
      this.commerceOf(caller).findOrderOfCart(cartId),
    ]);
    if (!owned) throw cartNotFound(cartId);
    const readable = await this.access(caller, owned, 'read');
    if (existing) {
      // A retry of an order made under the same Idempotency-Key: that order is the answer.
      if (options.idempotencyKey && existing.orderNumber === orderNumber)
        return this.ordered(caller, readable, existing);
      throw alreadyOrdered(cartId);
    }
    const access = await this.access(caller, owned, 'write');
    // The caller's version: the order is of the cart as the caller saw it, or none.
    if (options.version !== undefined && owned.version !== options.version) throw conflict(owned.version);
    let cart = owned;
    const deadline = Date.now() + VERSIONLESS_RETRY.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      if (cart.cartState === 'Ordered') throw alreadyOrdered(cartId);
      assertModifiable(cart, ACTIVE_OR_FROZEN);
      // "The Cart must have a shipping address set, regardless of the TaxMode" (Create Order).
      if (!cart.shippingAddress) throw shippingAddressMissing(cartId);
      try {
        const order = await this.commerceOf(caller).createOrder({
          cartId: cart.id,
          version: options.version ?? cart.version,
          orderNumber,
          ...{ orderState, paymentState, shipmentState },
        });
        return await this.ordered(caller, access, order);
      } catch (error) {
        const refusal = orderRefusal(error);
        if (refusal) throw refusal;
        if (mayHaveHappened(error) || error instanceof DuplicateValue) {
          const made = await this.commerceOf(caller)
            .getOrderByNumber(orderNumber)
            .catch(() => null);
          if (made && made.cart?.id === cartId) return this.ordered(caller, access, made);
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
        if (error instanceof VersionConflict && options.version !== undefined) throw conflict(error.currentVersion);
        // A refusal needs no wait: the fresh read below either shows the cart ordered, or ends the loop.
        if (error instanceof VersionConflict && !(await backOff(attempt, deadline)))
          throw conflict(error.currentVersion);
        const fresh = await this.getCart(caller, cartId);
        if (error instanceof InvalidOperation && fresh.cartState !== 'Ordered') throw error;
        cart = fresh;
      }
    }
  }

  /**
   * Records who an order belongs to (again on a retry, should the first record have failed): an
   * order through a grant is the grant holder's and ends the grant's changes; an order through a
   * session keeps the session's record as long as its orders are to be readable.
   */
  private async ordered(caller: Caller, access: CartAccess, order: Order): Promise<Order> {
    if (access.via === 'grant') {
      await Promise.all([
        this.grants.markOrdered(access.grant.cartId),
        this.grants.setOrderOwner(order.id, caller.clientId),
      ]);
    } else if (access.via === 'session') {
      await this.sessions.orderedThrough(access.session.anonymousId);
    }
    return order;
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

type Owned = { customerId?: string };

/** Whether any result belongs to a customer; a page kept as sent is parsed only when it may. */
function hasCustomer(page: Page<Owned> | RawJson<Page<Owned>>): boolean {
  if (page instanceof RawJson) return page.mayHave('customerId') && hasCustomer(page.value);
  return page.results.some((each) => each.customerId);
}
