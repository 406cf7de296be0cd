import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  CART_SIGN_IN_MODES,
  CART_STATES,
  DEFAULT_CART_SIGN_IN_MODE,
  INITIAL_TRANSACTION_TYPES,
  INVENTORY_MODES,
  ORDER_STATES,
  PAYMENT_STATES,
  SHIPMENT_STATES,
  TRANSACTION_STATES,
  TRANSACTION_TYPES,
} from '../domain/commerce.model';
import { SESSION_STATUSES, type SessionView } from '../domain/session.model';

// Once, before any schema is built: lets the OpenAPI generator read the schemas' metadata.
extendZodWithOpenApi(z);

/** anonymousIds the service accepts; anything else never reaches Redis or commercetools. */
export const ANONYMOUS_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,256}$/;
/** commercetools resource ids (UUIDs in practice); checked before they are put into a URL. */
const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

export const AnonymousId = z
  .string()
  .regex(ANONYMOUS_ID_PATTERN, 'must match ^[A-Za-z0-9._:@-]{1,256}$')
  .meta({ description: 'Anonymous session id', example: '6b1f0b2e-5c1a-4f7e-9d0e-2a4c8f1e7b3d' });
const ResourceId = z.string().regex(RESOURCE_ID_PATTERN, 'must be a commercetools id');
const Version = z.number().int().min(1).meta({ description: 'Expected resource version; a stale one answers 409' });
const Quantity = z.number().int().min(1).max(10_000);
const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code')
  .meta({ example: 'EUR' });
const Country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
  .meta({ example: 'DE' });
const Locale = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be an IETF language tag like en or en-US')
  .meta({ example: 'en-US' });
const Email = z.email().max(256);

export const Address = z
  .strictObject({
    key: z.string().max(256).optional(),
    title: z.string().max(256).optional(),
    salutation: z.string().max(256).optional(),
    firstName: z.string().max(256).optional(),
    lastName: z.string().max(256).optional(),
    streetName: z.string().max(256).optional(),
    streetNumber: z.string().max(256).optional(),
    additionalStreetInfo: z.string().max(256).optional(),
    postalCode: z.string().max(64).optional(),
    city: z.string().max(256).optional(),
    region: z.string().max(256).optional(),
    state: z.string().max(256).optional(),
    country: Country,
    company: z.string().max(256).optional(),
    department: z.string().max(256).optional(),
    building: z.string().max(256).optional(),
    apartment: z.string().max(256).optional(),
    pOBox: z.string().max(256).optional(),
    phone: z.string().max(64).optional(),
    mobile: z.string().max(64).optional(),
    email: Email.optional(),
    additionalAddressInfo: z.string().max(1024).optional(),
  })
  .meta({
    id: 'Address',
    example: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      streetName: 'Main St',
      streetNumber: '1',
      postalCode: '10115',
      city: 'Berlin',
      country: 'DE',
    },
  });

/** commercetools keys (Types, Shipping Methods): ^[A-Za-z0-9_-]{2,256}$. */
const ResourceKey = z.string().regex(/^[A-Za-z0-9_-]{2,256}$/, 'must be a commercetools key');

export const CustomFieldsInput = z
  .strictObject({
    typeKey: ResourceKey.meta({ description: 'Key of the commercetools Type, e.g. pos-cart-fields' }),
    fields: z
      .record(z.string().regex(/^[A-Za-z0-9_-]{1,36}$/, 'must be a field name'), z.any())
      .optional()
      .meta({ description: 'Field values by name; null removes a field (once the Type is set)' }),
  })
  .meta({
    id: 'CustomFieldsInput',
    description:
      'Sets the Type with these fields when the cart or line item has none yet; otherwise sets the given fields.',
    example: { typeKey: 'pos-cart-fields', fields: { terminalId: 'T-01', cashierId: 'C-7' } },
  });

/** A Channel by key (commercetools' key rule). */
export const ChannelKeyInput = z
  .strictObject({ key: z.string().regex(/^[A-Za-z0-9_-]{2,256}$/, 'a channel key: 2-256 of A-Z a-z 0-9 _ -') })
  .meta({ id: 'ChannelKeyInput', example: { key: 'berlin-mitte-supply' } });

const LINE_ITEM_CHANNELS = {
  supplyChannel: ChannelKeyInput.optional().meta({
    description: "Inventory channel; a till's store with exactly one supply channel uses it when none is named",
  }),
  distributionChannel: ChannelKeyInput.optional().meta({
    description: "Price channel; a till's store with exactly one distribution channel uses it when none is named",
  }),
};

export const LineItemInput = z
  .union([
    z.strictObject({
      sku: z.string().min(1).max(256),
      quantity: Quantity.default(1),
      custom: CustomFieldsInput.optional(),
      ...LINE_ITEM_CHANNELS,
    }),
    z.strictObject({
      productId: ResourceId,
      variantId: z.number().int().min(1),
      quantity: Quantity.default(1),
      custom: CustomFieldsInput.optional(),
      ...LINE_ITEM_CHANNELS,
    }),
  ])
  .meta({ id: 'LineItemInput', example: { sku: 'TSHIRT-BLUE-M', quantity: 2 } });
export type LineItemInput = z.infer<typeof LineItemInput>;

export const CreateSessionBody = z
  .strictObject({ anonymousId: AnonymousId.optional() })
  .meta({ id: 'CreateSessionBody', description: 'Empty to mint a fresh id, or claim a given one.', example: {} });

export const Session = z
  .object({
    anonymousId: AnonymousId,
    status: z.enum(SESSION_STATUSES),
    createdAt: z.iso.datetime(),
    endedAt: z.iso.datetime().optional(),
    customerId: z.string().optional(),
    storeKey: z.string().optional().meta({
      description: "The Store of the store-bound API key (a till) that started the session; its carts are that store's",
    }),
  })
  .meta({
    id: 'Session',
    example: {
      anonymousId: '6b1f0b2e-5c1a-4f7e-9d0e-2a4c8f1e7b3d',
      status: 'active',
      createdAt: '2026-11-26T10:00:00.000Z',
    },
  }) satisfies z.ZodType<SessionView>;

export const CreateCartBody = z
  .strictObject({
    currency: Currency,
    country: Country.optional(),
    locale: Locale.optional(),
    customerEmail: Email.optional(),
    shippingAddress: Address.optional(),
    lineItems: z.array(LineItemInput).max(100).optional(),
    custom: CustomFieldsInput.optional(),
    inventoryMode: z.enum(INVENTORY_MODES).optional(),
  })
  .meta({
    id: 'CreateCartBody',
    example: { currency: 'EUR', country: 'DE', lineItems: [{ sku: 'TSHIRT-BLUE-M', quantity: 1 }] },
  });

export const AddLineItemBody = z
  .union([
    z.strictObject({
      sku: z.string().min(1).max(256),
      quantity: Quantity.default(1),
      custom: CustomFieldsInput.optional(),
      ...LINE_ITEM_CHANNELS,
      version: Version.optional(),
    }),
    z.strictObject({
      productId: ResourceId,
      variantId: z.number().int().min(1),
      quantity: Quantity.default(1),
      custom: CustomFieldsInput.optional(),
      ...LINE_ITEM_CHANNELS,
      version: Version.optional(),
    }),
  ])
  .meta({ id: 'AddLineItemBody', example: { sku: 'MUG-WHITE', quantity: 1 } });

export const ChangeLineItemBody = z
  .strictObject({
    quantity: z.number().int().min(0).max(10_000).optional(),
    custom: CustomFieldsInput.optional(),
    version: Version.optional(),
  })
  .refine((body) => body.quantity !== undefined || body.custom !== undefined, {
    message: 'give quantity or custom',
  })
  .meta({
    id: 'ChangeLineItemBody',
    description: 'Quantity 0 removes the line item; custom sets its custom fields.',
    example: { quantity: 3 },
  });

export const UpdateCartBody = z
  .strictObject({
    customerEmail: Email.optional(),
    shippingAddress: Address.optional(),
    billingAddress: Address.optional(),
    locale: Locale.optional(),
    custom: CustomFieldsInput.optional(),
    version: Version.optional(),
  })
  .refine(
    (body) =>
      body.customerEmail !== undefined ||
      body.shippingAddress !== undefined ||
      body.billingAddress !== undefined ||
      body.locale !== undefined ||
      body.custom !== undefined,
    {
      message: 'give at least one of customerEmail, shippingAddress, billingAddress, locale, custom',
    },
  )
  .meta({
    id: 'UpdateCartBody',
    example: { customerEmail: 'ada@example.com', shippingAddress: { country: 'DE', city: 'Berlin' } },
  });

export const CreateOrderBody = z
  .strictObject({
    orderNumber: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1-100 letters, digits or _ . : -')
      .optional(),
    orderState: z.enum(ORDER_STATES).optional().meta({ description: 'Open unless given' }),
    paymentState: z.enum(PAYMENT_STATES).optional(),
    shipmentState: z.enum(SHIPMENT_STATES).optional(),
    version: Version.optional().meta({
      description: 'The cart version the caller saw; a cart changed since is 409 ConcurrentModification.',
    }),
  })
  .meta({
    id: 'CreateOrderBody',
    example: { orderNumber: 'POS-0042-000123', orderState: 'Confirmed', paymentState: 'Paid', version: 3 },
  });

export const SignUpBody = z
  .strictObject({
    email: Email,
    password: z.string().min(1).max(256),
    firstName: z.string().max(256).optional(),
    lastName: z.string().max(256).optional(),
  })
  .meta({ id: 'SignUpBody', example: { email: 'ada@example.com', password: 's3cret-Passw0rd', firstName: 'Ada' } });

export const SignInBody = z
  .strictObject({
    email: Email,
    password: z.string().min(1).max(256),
    cartSignInMode: z.enum(CART_SIGN_IN_MODES).default(DEFAULT_CART_SIGN_IN_MODE),
  })
  .meta({
    id: 'SignInBody',
    example: { email: 'ada@example.com', password: 's3cret-Passw0rd', cartSignInMode: 'MergeWithExistingCustomerCart' },
  });

const Paging = {
  limit: z.coerce.number().int().min(1).max(500).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
};
export const CartListQuery = z.strictObject({
  cartState: z.enum(CART_STATES).optional(),
  ...Paging,
});
export const OrderListQuery = z.strictObject(Paging);

export const SessionParams = z.strictObject({ anonymousId: AnonymousId });
export const CartParams = z.strictObject({ cartId: ResourceId });
export const LineItemParams = z.strictObject({ cartId: ResourceId, lineItemId: ResourceId });
export const OrderParams = z.strictObject({ orderId: ResourceId });

const Money = z.looseObject({ currencyCode: z.string(), centAmount: z.number() });

// Response examples, abridged from what commercetools returns for the demo catalogue.
const EXAMPLE_ANONYMOUS_ID = '6b1f0b2e-5c1a-4f7e-9d0e-2a4c8f1e7b3d';
const EXAMPLE_CART = {
  id: '3c5e8a0f-4d6b-4f0a-9a51-6f2f0c2b7d11',
  version: 3,
  anonymousId: EXAMPLE_ANONYMOUS_ID,
  cartState: 'Active',
  country: 'DE',
  lineItems: [
    {
      id: 'a9d2c7e4-1b3f-4e8a-8c6d-0f5b7e2a9c41',
      productId: '5f0c1e9a-7b2d-4c3e-8f6a-1d2e3f4a5b6c',
      variant: { id: 1, sku: 'TSHIRT-BLUE-M' },
      quantity: 2,
      totalPrice: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 3998, fractionDigits: 2 },
    },
  ],
  totalPrice: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 3998, fractionDigits: 2 },
  createdAt: '2026-11-26T10:01:00.000Z',
  lastModifiedAt: '2026-11-26T10:05:00.000Z',
};
const EXAMPLE_ORDER = {
  id: '0d4b6f1a-2c3e-4a5b-9c8d-7e6f5a4b3c2d',
  version: 1,
  orderNumber: 'POS-0042-000123',
  anonymousId: EXAMPLE_ANONYMOUS_ID,
  orderState: 'Open',
  cart: { typeId: 'cart', id: EXAMPLE_CART.id },
  lineItems: EXAMPLE_CART.lineItems,
  totalPrice: EXAMPLE_CART.totalPrice,
  createdAt: '2026-11-26T10:06:00.000Z',
};
/** The parts of a Cart (and the Order made of it) the checkout sets, typed for clients; the rest stays as is. */
const CHECKOUT_PARTS = {
  shippingAddress: z.looseObject({ country: z.string() }).optional(),
  shippingInfo: z.looseObject({ shippingMethodName: z.string(), price: Money }).optional(),
  discountCodes: z
    .array(
      z.looseObject({
        discountCode: z.looseObject({ typeId: z.literal('discount-code'), id: z.string() }),
        state: z.string().meta({ description: 'MatchesCart, DoesNotMatchCart, NotActive, NotValid, ...' }),
      }),
    )
    .optional(),
  paymentInfo: z
    .looseObject({ payments: z.array(z.looseObject({ typeId: z.literal('payment'), id: z.string() })) })
    .optional(),
  custom: z
    .looseObject({
      type: z.looseObject({ typeId: z.literal('type'), id: z.string() }),
      fields: z.record(z.string(), z.any()),
    })
    .optional(),
};
export const Cart = z
  .looseObject({
    id: z.string(),
    version: z.number(),
    anonymousId: z.string().optional(),
    customerId: z.string().optional(),
    cartState: z.enum(CART_STATES),
    lineItems: z.array(z.looseObject({ id: z.string(), productId: z.string(), quantity: z.number() })),
    totalPrice: Money,
    lastModifiedAt: z.string(),
    ...CHECKOUT_PARTS,
  })
  .meta({ id: 'Cart', description: 'A commercetools Cart, as commercetools returns it.', example: EXAMPLE_CART });
export const Order = z
  .looseObject({
    id: z.string(),
    version: z.number(),
    orderNumber: z.string().optional(),
    anonymousId: z.string().optional(),
    customerId: z.string().optional(),
    cart: z.looseObject({ typeId: z.literal('cart'), id: z.string() }).optional(),
    totalPrice: Money,
    orderState: z.enum(ORDER_STATES).optional(),
    paymentState: z.enum(PAYMENT_STATES).optional(),
    shipmentState: z.enum(SHIPMENT_STATES).optional(),
    ...CHECKOUT_PARTS,
  })
  .meta({ id: 'Order', description: 'A commercetools Order, as commercetools returns it.', example: EXAMPLE_ORDER });
const pageOf = <T extends z.ZodType>(item: T, id: string, example: unknown) =>
  z
    .object({
      results: z.array(item),
      count: z.number().int().meta({ description: 'Results on this page' }),
      offset: z.number().int(),
      limit: z.number().int(),
      total: z.number().int().optional(),
    })
    .meta({ id, example });
export const CartPage = pageOf(Cart, 'CartPage', { results: [EXAMPLE_CART], count: 1, offset: 0, limit: 20 });
export const OrderPage = pageOf(Order, 'OrderPage', { results: [EXAMPLE_ORDER], count: 1, offset: 0, limit: 20 });
export const SignInResult = z
  .object({
    customer: z.looseObject({ id: z.string(), email: z.string(), version: z.number() }),
    cart: Cart.optional(),
    grant: z
      .object({ cartId: z.string(), expiresAt: z.string() })
      .optional()
      .meta({
        description:
          'The customer grant: this client may read, change and order the cart handed over until expiresAt ' +
          '(CUSTOMER_GRANT_TTL_SECONDS) or until it is ordered; the ended session no longer reaches it.',
      }),
  })
  .meta({
    id: 'CustomerSignInResult',
    description: 'The customer (without password hash), the cart handed over, if any, and the grant on it.',
    example: {
      customer: {
        id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        version: 1,
        email: 'ada@example.com',
        firstName: 'Ada',
        isEmailVerified: false,
      },
      cart: { ...EXAMPLE_CART, customerId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', version: 4 },
      grant: { cartId: EXAMPLE_CART.id, expiresAt: '2026-01-02T10:00:00.000Z' },
    },
  });

// The checkout (src/http/routes/checkout.routes.ts).
const VersionOnly = { version: Version.optional() };
export const VersionBody = z.strictObject(VersionOnly).meta({ id: 'VersionBody', example: {} });
export const RecalculateBody = z
  .strictObject({
    updateProductData: z
      .boolean()
      .optional()
      .meta({ description: 'Also refresh product data (names, images) of line items' }),
    ...VersionOnly,
  })
  .meta({ id: 'RecalculateBody', example: { updateProductData: false } });
export const SetShippingMethodBody = z
  .strictObject({
    shippingMethodId: ResourceId.optional(),
    shippingMethodKey: ResourceKey.optional(),
    ...VersionOnly,
  })
  .refine((body) => (body.shippingMethodId === undefined) !== (body.shippingMethodKey === undefined), {
    message: 'give exactly one of shippingMethodId, shippingMethodKey',
  })
  .meta({ id: 'SetShippingMethodBody', example: { shippingMethodKey: 'standard' } });
export const AddDiscountCodeBody = z
  .strictObject({ code: z.string().min(1).max(256), ...VersionOnly })
  .meta({ id: 'AddDiscountCodeBody', example: { code: 'WELCOME10' } });
const MoneyInput = z
  .strictObject({ centAmount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), currencyCode: Currency })
  .meta({ id: 'MoneyInput', example: { centAmount: 5398, currencyCode: 'EUR' } });
const PaymentText = z.string().min(1).max(256);
export const CreatePaymentBody = z
  .strictObject({
    amount: MoneyInput.optional().meta({ description: "The cart's totalPrice unless given" }),
    method: PaymentText.meta({ example: 'card' }),
    paymentInterface: PaymentText.meta({ description: 'The PSP or terminal', example: 'pos-terminal' }),
    interfaceId: PaymentText.optional(),
    transaction: z.strictObject({
      type: z.enum(INITIAL_TRANSACTION_TYPES),
      state: z.enum(TRANSACTION_STATES),
      interactionId: PaymentText.optional(),
      timestamp: z.iso.datetime().optional(),
    }),
  })
  .meta({
    id: 'CreatePaymentBody',
    example: {
      method: 'card',
      paymentInterface: 'pos-terminal',
      interfaceId: 'T-01-000042',
      transaction: { type: 'Charge', state: 'Success', interactionId: 'T-01-000042' },
    },
  });
export const ChangePaymentBody = z
  .union([
    z.strictObject({
      transaction: z.strictObject({
        type: z.enum(TRANSACTION_TYPES),
        state: z.enum(TRANSACTION_STATES),
        interactionId: PaymentText.optional(),
        timestamp: z.iso.datetime().optional(),
      }),
      ...VersionOnly,
    }),
    z.strictObject({ transactionId: ResourceId, state: z.enum(TRANSACTION_STATES), ...VersionOnly }),
  ])
  .meta({
    id: 'ChangePaymentBody',
    description: 'Adds a transaction (for the amount planned), or changes the state of one.',
    example: { transaction: { type: 'Charge', state: 'Success', interactionId: 'T-01-000043' } },
  });
export const DiscountCodeParams = z.strictObject({ cartId: ResourceId, discountCodeId: ResourceId });
export const PaymentParams = z.strictObject({ paymentId: ResourceId });

const PlainMoney = z.object({ currencyCode: z.string(), centAmount: z.number() });
export const ShippingMethodList = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        key: z.string().optional(),
        name: z.string(),
        localizedName: z.record(z.string(), z.string()).optional(),
        isDefault: z.boolean(),
        price: PlainMoney,
        freeAbove: PlainMoney.optional(),
      }),
    ),
  })
  .meta({
    id: 'ShippingMethodList',
    description: 'The shipping methods matching the cart, priced for its currency and shipping address.',
    example: {
      results: [
        {
          id: '1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b',
          key: 'standard',
          name: 'Standard delivery',
          localizedName: { en: 'Standard delivery' },
          isDefault: true,
          price: { currencyCode: 'EUR', centAmount: 490 },
          freeAbove: { currencyCode: 'EUR', centAmount: 5000 },
        },
      ],
    },
  });
const EXAMPLE_PAYMENT = {
  id: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
  version: 1,
  key: 'gp-3Qm1h0b7n2KcW9sXv4tYpL8eRf6uZa5dGj0iHk1',
  anonymousId: EXAMPLE_ANONYMOUS_ID,
  amountPlanned: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 3998, fractionDigits: 2 },
  paymentMethodInfo: { method: 'card', paymentInterface: 'pos-terminal' },
  transactions: [
    {
      id: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
      type: 'Charge',
      state: 'Success',
      amount: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 3998, fractionDigits: 2 },
    },
  ],
};
export const Payment = z
  .looseObject({
    id: z.string(),
    version: z.number(),
    key: z.string().optional(),
    anonymousId: z.string().optional(),
    customer: z.looseObject({ typeId: z.literal('customer'), id: z.string() }).optional(),
    amountPlanned: Money,
    transactions: z.array(z.looseObject({ id: z.string(), type: z.string(), state: z.string() })),
  })
  .meta({
    id: 'Payment',
    description: 'A commercetools Payment, as commercetools returns it.',
    example: EXAMPLE_PAYMENT,
  });
export const PaymentList = z
  .object({ results: z.array(Payment) })
  .meta({ id: 'PaymentList', example: { results: [EXAMPLE_PAYMENT] } });
export const PaymentWithCart = z.object({ payment: Payment, cart: Cart }).meta({
  id: 'PaymentWithCart',
  description: 'The payment and the cart it was added to.',
  example: {
    payment: EXAMPLE_PAYMENT,
    cart: { ...EXAMPLE_CART, paymentInfo: { payments: [{ typeId: 'payment', id: EXAMPLE_PAYMENT.id }] } },
  },
});

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().meta({ description: 'Stable machine-readable error code' }),
    correlationId: z.string(),
    errors: z.array(z.looseObject({})).optional(),
    currentVersion: z.number().int().optional(),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details (application/problem+json).',
    example: {
      type: 'urn:ct-guest-checkout:problem:SessionEnded',
      title: 'Session ended',
      status: 409,
      detail: 'The session has ended; start a new one.',
      code: 'SessionEnded',
      correlationId: 'c0ffee00-0000-4000-8000-000000000000',
    },
  });

// Back office (backoffice.routes.ts).
export const EmailQuery = z.strictObject({
  email: Email.meta({ description: 'Exact email, compared case-insensitively', example: 'ada@example.com' }),
});
export const CustomerList = z
  .object({
    results: z.array(
      z.object({
        id: z.string(),
        email: z.string(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
        createdAt: z.string(),
      }),
    ),
  })
  .meta({
    id: 'CustomerList',
    description: 'Customers with that email: id, email, names and createdAt only.',
    example: {
      results: [
        {
          id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
          email: 'ada@example.com',
          firstName: 'Ada',
          createdAt: '2026-11-26T10:07:00.000Z',
        },
      ],
    },
  });
export const AssignBody = z
  .strictObject({
    customerId: ResourceId.meta({ description: 'The customer (e.g. from GET /v1/customers?email=)' }),
    mergeMode: z
      .enum(CART_SIGN_IN_MODES)
      .default(DEFAULT_CART_SIGN_IN_MODE)
      .meta({ description: "commercetools' CartMergeMode: merge into the customer's active cart, or replace it" }),
    updateProductData: z.boolean().optional().meta({ description: "Refresh the line items' product data on merge" }),
  })
  .meta({
    id: 'AssignBody',
    example: { customerId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', mergeMode: 'MergeWithExistingCustomerCart' },
  });
export const AssignResult = z
  .object({
    customer: z.object({
      id: z.string(),
      email: z.string(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
    }),
    cart: Cart.optional(),
    grant: z.object({ cartId: z.string(), expiresAt: z.string() }).optional(),
  })
  .meta({
    id: 'AssignResult',
    description:
      "The customer the session went to (id, email, names only), the customer's cart after the merge, if any, " +
      'and the grant on it for this client.',
    example: {
      customer: { id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', email: 'ada@example.com', firstName: 'Ada' },
      grant: { cartId: 'c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b', expiresAt: '2026-11-30T12:00:00.000Z' },
    },
  });
export const SessionQuery = z
  .strictObject({
    status: z.enum(SESSION_STATUSES).optional(),
    createdFrom: z.iso.datetime({ offset: true }).optional().meta({ description: 'Inclusive' }),
    createdTo: z.iso.datetime({ offset: true }).optional().meta({ description: 'Inclusive' }),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a clientId')
      .optional()
      .meta({ description: "Another client's sessions; needs the admin scope (403 otherwise)" }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,1024}$/, 'must be a cursor this listing returned')
      .optional()
      .meta({ description: 'nextCursor of the previous page' }),
  })
  .refine((q) => !q.createdFrom || !q.createdTo || Date.parse(q.createdFrom) <= Date.parse(q.createdTo), {
    message: 'createdFrom must not be after createdTo',
  });
export const SessionList = z
  .object({
    results: z.array(Session),
    nextCursor: z.string().optional().meta({ description: 'Absent on the last page' }),
  })
  .meta({
    id: 'SessionList',
    example: {
      results: [
        {
          anonymousId: '6b1f0b2e-5c1a-4f7e-9d0e-2a4c8f1e7b3d',
          status: 'active',
          createdAt: '2026-11-26T10:00:00.000Z',
        },
      ],
      nextCursor: 'WzE3OTM5OTUyMDAwMDAsIjZiMWYwYjJlIl0',
    },
  });
export const OrderQuery = z.strictObject({
  orderNumber: z.string().min(1).max(256).meta({ description: 'Exact orderNumber', example: 'POS-0042-000123' }),
});
export const OrderList = z
  .object({ results: z.array(Order) })
  .meta({ id: 'OrderList', example: { results: [EXAMPLE_ORDER] } });
export const ChangeOrderBody = z
  .strictObject({
    orderState: z.enum(ORDER_STATES).optional(),
    paymentState: z.enum(PAYMENT_STATES).optional(),
    shipmentState: z.enum(SHIPMENT_STATES).optional(),
    version: Version.optional(),
  })
  .refine((b) => b.orderState !== undefined || b.paymentState !== undefined || b.shipmentState !== undefined, {
    message: 'give at least one of orderState, paymentState, shipmentState',
  })
  .meta({ id: 'ChangeOrderBody', example: { shipmentState: 'Shipped', paymentState: 'Paid' } });
