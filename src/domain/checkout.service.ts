import type {
  Cart,
  Money,
  Payment,
  PaymentDraft,
  PaymentUpdateAction,
  ShippingMethod,
  ShippingRate,
} from '@commercetools/platform-sdk';
import type { Caller } from './api-keys';
import { ACTIVE_OR_FROZEN, shippingAddressMissing, type CartService } from './cart.service';
import { checkoutRefusal } from './checkout-refusals';
import type { CartState, TransactionState, TransactionType } from './commerce.model';
import { DomainError } from './errors';
import { paymentKeyFor } from './idempotent-keys';
import { DuplicateValue, mayHaveHappened, VersionConflict, type AttemptLog, type CommerceGateway } from './ports';
import { backOff, VERSIONLESS_RETRY } from './versionless-retry';

/** A shipping method that matches the cart, priced for it (its matching rate). */
export interface ShippingMethodOffer {
  id: string;
  key?: string;
  name: string;
  localizedName?: Record<string, string>;
  isDefault: boolean;
  price: Money;
  freeAbove?: Money;
}

export type ShippingMethodRef = { shippingMethodId: string } | { shippingMethodKey: string };

export interface TransactionInput {
  type: TransactionType;
  state: TransactionState;
  interactionId?: string;
  timestamp?: string;
}

export interface NewPayment {
  /** The cart's totalPrice when absent. */
  amount?: Money;
  method: string;
  paymentInterface: string;
  interfaceId?: string;
  transaction: TransactionInput;
}

export type PaymentChange = { transaction: TransactionInput } | { transactionId: string; state: TransactionState };

const money = ({ currencyCode, centAmount }: Money): Money => ({ currencyCode, centAmount });

function offerOf(method: ShippingMethod, currency: string): ShippingMethodOffer | undefined {
  const rates: ShippingRate[] = method.zoneRates.flatMap((zone) => zone.shippingRates);
  const rate = rates.find((each) => each.isMatching) ?? rates.find((each) => each.price.currencyCode === currency);
  if (!rate) return undefined;
  return {
    id: method.id,
    ...(method.key ? { key: method.key } : {}),
    name: method.name,
    ...(method.localizedName ? { localizedName: method.localizedName } : {}),
    isDefault: method.isDefault,
    price: money(rate.price),
    ...(rate.freeAbove ? { freeAbove: money(rate.freeAbove) } : {}),
  };
}

function conflict(currentVersion: number | undefined): DomainError {
  return new DomainError(
    'ConcurrentModification',
    'The resource was changed by someone else; re-read it and retry with its current version.',
    currentVersion !== undefined ? { currentVersion } : {},
  );
}

function paymentNotFound(paymentId: string): DomainError {
  return new DomainError('PaymentNotFound', `No payment '${paymentId}'.`);
}

const holdsPayment = (cart: Cart, paymentId: string) =>
  (cart.paymentInfo?.payments ?? []).some((payment) => payment.id === paymentId);

/**
 * The rest of a checkout on a cart the caller may see: shipping methods, discount codes, payments,
 * freezing and recalculation. Every cart read goes through CartService.getCart and every cart
 * write through CartService.changeCart, so the access rules are those of every other cart route;
 * a payment is reached only through the cart that holds it.
 */
export class CheckoutService {
  constructor(
    private readonly carts: CartService,
    private readonly commerce: CommerceGateway,
    private readonly attempts: AttemptLog,
  ) {}

  /** The shipping methods matching the cart (commercetools' matching-cart), priced for it. */
  async shippingMethods(caller: Caller, cartId: string): Promise<{ results: ShippingMethodOffer[] }> {
    const cart = await this.carts.getCart(caller, cartId);
    if (!cart.shippingAddress) throw shippingAddressMissing(cartId);
    const methods = await this.commerce.matchingShippingMethods(cart.id);
    const currency = cart.totalPrice.currencyCode;
    return { results: methods.flatMap((method) => offerOf(method, currency) ?? []) };
  }

  /**
   * Sets a shipping method that matches the cart: checked against matching-cart first, so an
   * unknown or non-matching method is refused before anything is sent.
   */
  async setShippingMethod(caller: Caller, cartId: string, ref: ShippingMethodRef, version?: number): Promise<Cart> {
    const cart = await this.carts.getCart(caller, cartId);
    if (!cart.shippingAddress) throw shippingAddressMissing(cartId);
    const methods = await this.commerce.matchingShippingMethods(cart.id);
    const method = methods.find((each) =>
      'shippingMethodId' in ref ? each.id === ref.shippingMethodId : each.key === ref.shippingMethodKey,
    );
    if (!method) {
      throw new DomainError(
        'ShippingMethodNotApplicable',
        'No such shipping method matches the cart; see GET /v1/carts/{cartId}/shipping-methods.',
      );
    }
    return this.refusing(
      this.carts.changeCart(caller, cart.id, version, () => [
        { action: 'setShippingMethod', shippingMethod: { typeId: 'shipping-method', id: method.id } },
      ]),
    );
  }

  removeShippingMethod(caller: Caller, cartId: string, version?: number): Promise<Cart> {
    return this.carts.changeCart(caller, cartId, version, () => [{ action: 'setShippingMethod' }]);
  }

  /**
   * Adds a discount code; the cart reports its state (`MatchesCart`, `DoesNotMatchCart`, ...).
   * Adding is not idempotent, so under an Idempotency-Key (and without version) each attempt notes
   * the cart version it sends and how many codes the cart will carry: a retry after a lost answer
   * recognises the cart that answer had instead of adding again (as line items do).
   */
  async addDiscountCode(
    caller: Caller,
    cartId: string,
    code: string,
    options: { version?: number; idempotencyKey?: string; fingerprint?: string } = {},
  ): Promise<Cart> {
    const key = options.version === undefined ? options.idempotencyKey : undefined;
    const actions = () => [{ action: 'addDiscountCode' as const, code }];
    if (!key) return this.refusing(this.carts.changeCart(caller, cartId, options.version, actions));
    const scope = `${cartId}\n${options.fingerprint ?? ''}`;
    const [noted, cart] = await Promise.all([
      this.attempts.recall(caller.clientId, key, scope),
      this.carts.getCart(caller, cartId),
    ]);
    if (noted) {
      const earlier = JSON.parse(noted) as { version: number; codes: number };
      if (cart.version !== earlier.version) {
        if (cart.version === earlier.version + 1 && cart.discountCodes.length === earlier.codes) return cart;
        throw conflict(cart.version);
      }
    }
    const note = (current: Cart) =>
      this.attempts.note(
        caller.clientId,
        key,
        scope,
        JSON.stringify({ version: current.version, codes: current.discountCodes.length + 1 }),
      );
    return this.refusing(this.carts.changeCart(caller, cart, undefined, actions, { beforeSend: note }));
  }

  removeDiscountCode(caller: Caller, cartId: string, discountCodeId: string, version?: number): Promise<Cart> {
    return this.carts.changeCart(caller, cartId, version, (cart) => {
      if (!cart.discountCodes.some((info) => info.discountCode.id === discountCodeId)) {
        throw new DomainError('DiscountCodeNotOnCart', `Cart '${cart.id}' has no discount code '${discountCodeId}'.`);
      }
      return [{ action: 'removeDiscountCode', discountCode: { typeId: 'discount-code', id: discountCodeId } }];
    });
  }

  /** Freezes an Active cart: its prices stay as they are (while a terminal payment runs). */
  freeze(caller: Caller, cartId: string, version?: number): Promise<Cart> {
    return this.carts.changeCart(
      caller,
      cartId,
      version,
      (cart) => {
        if (cart.cartState !== 'Active') {
          throw new DomainError(
            'CartNotActive',
            `Cart '${cart.id}' is ${cart.cartState}; only an Active cart freezes.`,
          );
        }
        return [{ action: 'freezeCart' }];
      },
      { states: ACTIVE_OR_FROZEN },
    );
  }

  /** Unfreezes a Frozen cart and recalculates it, so it carries current prices again. */
  unfreeze(caller: Caller, cartId: string, version?: number): Promise<Cart> {
    return this.carts.changeCart(
      caller,
      cartId,
      version,
      (cart) => {
        if (cart.cartState !== 'Frozen') throw new DomainError('CartNotFrozen', `Cart '${cart.id}' is not Frozen.`);
        return [{ action: 'unfreezeCart' }, { action: 'recalculate' }];
      },
      { states: ACTIVE_OR_FROZEN },
    );
  }

  recalculate(caller: Caller, cartId: string, updateProductData = false, version?: number): Promise<Cart> {
    return this.carts.changeCart(caller, cartId, version, () => [{ action: 'recalculate', updateProductData }]);
  }

  /**
   * Creates a Payment for the cart (the cart's total unless an amount is given) carrying the
   * session's anonymousId, or the customer of a customer's cart, and adds it to the cart. The
   * payment's key comes from the Idempotency-Key: a payment created and then lost (its answer, or
   * the addPayment after it) is found by that key on the retry, never made twice.
   */
  async createPayment(
    caller: Caller,
    cartId: string,
    input: NewPayment,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ payment: Payment; cart: Cart }> {
    const cart = await this.carts.getCart(caller, cartId);
    // Adding a payment changes the cart: decided before the Payment is made, so a cart the caller
    // may only read (an ended session's) never leaves a Payment behind that no cart holds.
    await this.carts.access(caller, cart, 'write');
    if (!ACTIVE_OR_FROZEN.includes(cart.cartState as CartState)) {
      throw new DomainError('CartNotActive', `Cart '${cart.id}' is ${cart.cartState} and takes no more payments.`);
    }
    const amount = input.amount ?? money(cart.totalPrice);
    if (amount.currencyCode !== cart.totalPrice.currencyCode) {
      throw new DomainError(
        'CurrencyMismatch',
        `The payment is in ${amount.currencyCode}, the cart in ${cart.totalPrice.currencyCode}.`,
      );
    }
    const key = paymentKeyFor(caller.clientId, cart.id, options.idempotencyKey);
    const { transaction } = input;
    const draft: PaymentDraft = {
      key,
      amountPlanned: amount,
      paymentMethodInfo: { method: input.method, paymentInterface: input.paymentInterface },
      ...(input.interfaceId ? { interfaceId: input.interfaceId } : {}),
      transactions: [{ ...transaction, amount }],
      ...(cart.customerId
        ? { customer: { typeId: 'customer', id: cart.customerId } }
        : cart.anonymousId
          ? { anonymousId: cart.anonymousId }
          : {}),
    };
    const payment = await this.createOrFind(draft, key);
    if (holdsPayment(cart, payment.id)) return { payment, cart };
    try {
      const updated = await this.carts.changeCart(
        caller,
        cart.id,
        undefined,
        (current) =>
          holdsPayment(current, payment.id)
            ? []
            : [{ action: 'addPayment', payment: { typeId: 'payment', id: payment.id } }],
        { states: ACTIVE_OR_FROZEN },
      );
      return { payment, cart: updated };
    } catch (error) {
      // The addPayment may have landed although its answer was lost: the cart tells.
      if (!mayHaveHappened(error)) throw error;
      const current = await this.carts.getCart(caller, cart.id);
      if (holdsPayment(current, payment.id)) return { payment, cart: current };
      throw error;
    }
  }

  private async createOrFind(draft: PaymentDraft, key: string): Promise<Payment> {
    try {
      return await this.commerce.createPayment(draft);
    } catch (error) {
      // Made although its answer was lost, or by an earlier attempt under the same key.
      if (mayHaveHappened(error) || error instanceof DuplicateValue) {
        const made = await this.commerce.getPaymentByKey(key);
        if (made) return made;
      }
      throw error;
    }
  }

  async listPayments(caller: Caller, cartId: string): Promise<{ results: Payment[] }> {
    const cart = await this.carts.getCart(caller, cartId);
    const ids = (cart.paymentInfo?.payments ?? []).map((reference) => reference.id);
    const payments = await Promise.all(ids.map((id) => this.commerce.getPayment(id)));
    return { results: payments.filter((payment): payment is Payment => payment !== null) };
  }

  /**
   * Adds a transaction, or changes one's state. A transaction with the interactionId (and type)
   * of one the payment already has is not added again: the terminal's id makes retries safe.
   */
  async changePayment(caller: Caller, paymentId: string, change: PaymentChange, version?: number): Promise<Payment> {
    let payment = await this.paymentOf(caller, paymentId);
    const deadline = Date.now() + VERSIONLESS_RETRY.deadlineMs;
    for (let attempt = 1; ; attempt++) {
      const actions = paymentActions(payment, change);
      if (actions.length === 0) return payment;
      try {
        return await this.commerce.updatePayment(payment.id, version ?? payment.version, actions);
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        if (version !== undefined || !(await backOff(attempt, deadline))) throw conflict(error.currentVersion);
        payment = await this.paymentOf(caller, paymentId);
      }
    }
  }

  /** A payment the caller may see: held by a cart the caller may see; anything else is not found. */
  private async paymentOf(caller: Caller, paymentId: string): Promise<Payment> {
    const holder = await this.commerce.findCartOfPayment(paymentId);
    if (!holder) throw paymentNotFound(paymentId);
    try {
      await this.carts.getCart(caller, holder.id);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CartNotFound') throw paymentNotFound(paymentId);
      throw error;
    }
    const payment = await this.commerce.getPayment(paymentId);
    if (!payment) throw paymentNotFound(paymentId);
    return payment;
  }

  /** commercetools' refusals of a checkout step as the domain's errors. */
  private async refusing<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw checkoutRefusal(error) ?? error;
    }
  }
}

function paymentActions(payment: Payment, change: PaymentChange): PaymentUpdateAction[] {
  if ('transaction' in change) {
    const { transaction } = change;
    const known =
      transaction.interactionId !== undefined &&
      payment.transactions.some((t) => t.interactionId === transaction.interactionId && t.type === transaction.type);
    if (known) return [];
    return [{ action: 'addTransaction', transaction: { ...transaction, amount: money(payment.amountPlanned) } }];
  }
  if (!payment.transactions.some((t) => t.id === change.transactionId)) {
    throw new DomainError(
      'TransactionNotFound',
      `Payment '${payment.id}' has no transaction '${change.transactionId}'.`,
    );
  }
  return [{ action: 'changeTransactionState', transactionId: change.transactionId, state: change.state }];
}
