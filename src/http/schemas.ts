import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { CART_SIGN_IN_MODES, CART_STATES, DEFAULT_CART_SIGN_IN_MODE } from '../domain/commerce.model';
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

export const LineItemInput = z
  .union([
    z.strictObject({ sku: z.string().min(1).max(256), quantity: Quantity.default(1) }),
    z.strictObject({ productId: ResourceId, variantId: z.number().int().min(1), quantity: Quantity.default(1) }),
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
  })
  .meta({
    id: 'CreateCartBody',
    example: { currency: 'EUR', country: 'DE', lineItems: [{ sku: 'TSHIRT-BLUE-M', quantity: 1 }] },
  });

export const AddLineItemBody = z
  .union([
    z.strictObject({ sku: z.string().min(1).max(256), quantity: Quantity.default(1), version: Version.optional() }),
    z.strictObject({
      productId: ResourceId,
      variantId: z.number().int().min(1),
      quantity: Quantity.default(1),
      version: Version.optional(),
    }),
  ])
  .meta({ id: 'AddLineItemBody', example: { sku: 'MUG-WHITE', quantity: 1 } });

export const ChangeLineItemBody = z
  .strictObject({ quantity: z.number().int().min(0).max(10_000), version: Version.optional() })
  .meta({ id: 'ChangeLineItemBody', description: 'Quantity 0 removes the line item.', example: { quantity: 3 } });

export const UpdateCartBody = z
  .strictObject({
    customerEmail: Email.optional(),
    shippingAddress: Address.optional(),
    billingAddress: Address.optional(),
    version: Version.optional(),
  })
  .refine(
    (body) =>
      body.customerEmail !== undefined || body.shippingAddress !== undefined || body.billingAddress !== undefined,
    {
      message: 'give at least one of customerEmail, shippingAddress, billingAddress',
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
    version: Version.optional().meta({
      description: 'The cart version the caller saw; a cart changed since is 409 ConcurrentModification.',
    }),
  })
  .meta({ id: 'CreateOrderBody', example: { orderNumber: 'POS-0042-000123', version: 3 } });

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
