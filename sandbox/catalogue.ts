import type {
  CartDiscount,
  CartDiscountDraft,
  Channel,
  ChannelDraft,
  DiscountCode,
  DiscountCodeDraft,
  Money,
  PriceDraft,
  Product,
  ProductDraft,
  ProductType,
  ProductTypeDraft,
  ShippingMethod,
  ShippingMethodDraft,
  Store,
  StoreDraft,
  TaxCategory,
  TaxCategoryDraft,
  Type,
  TypeDraft,
  Zone,
  ZoneDraft,
} from '@commercetools/platform-sdk';
import { connectApi, type ApiClient } from './api-client';

/**
 * A small demo catalogue, created over the HTTP API like any client would: one product type and
 * four published products with USD and EUR prices that apply everywhere (no country, channel or
 * customer group), so a cart in either currency finds a price for every SKU.
 */

interface DemoVariant {
  sku: string;
  /** Cent amounts. */
  usd: number;
  eur: number;
}

interface DemoProduct {
  key: string;
  name: string;
  variants: [DemoVariant, ...DemoVariant[]];
}

const PRODUCT_TYPE_KEY = 'demo-merchandise';

const DEMO_PRODUCTS: DemoProduct[] = [
  {
    key: 'demo-tshirt',
    name: 'T-Shirt',
    variants: [
      { sku: 'TSHIRT-BLUE-M', usd: 1999, eur: 1799 },
      { sku: 'TSHIRT-BLUE-L', usd: 2099, eur: 1899 },
    ],
  },
  { key: 'demo-mug', name: 'Mug', variants: [{ sku: 'MUG-WHITE', usd: 1299, eur: 1199 }] },
  {
    key: 'demo-hoodie',
    name: 'Hoodie',
    variants: [
      { sku: 'HOODIE-GREY-M', usd: 4999, eur: 4599 },
      { sku: 'HOODIE-GREY-L', usd: 5199, eur: 4799 },
    ],
  },
  { key: 'demo-tote-bag', name: 'Tote Bag', variants: [{ sku: 'TOTE-NATURAL', usd: 1499, eur: 1399 }] },
];

export const DEMO_SKUS: string[] = DEMO_PRODUCTS.flatMap((product) => product.variants.map((variant) => variant.sku));

/** The demo prices by SKU and currency, for asserting what a cart charges. */
export const DEMO_PRICES: Record<string, { USD: number; EUR: number }> = Object.fromEntries(
  DEMO_PRODUCTS.flatMap((product) =>
    product.variants.map((variant) => [variant.sku, { USD: variant.usd, EUR: variant.eur }]),
  ),
);

/** Seeds the demo catalogue into a project; a second call for the same project finds it and creates nothing. */
export async function seedCatalogue(apiUrl: string, projectKey: string): Promise<{ skus: string[] }> {
  const api = await connectApi(apiUrl, projectKey);
  const productTypeDraft: ProductTypeDraft = {
    key: PRODUCT_TYPE_KEY,
    name: 'Demo merchandise',
    description: 'Demo catalogue',
    attributes: [],
  };
  const productType = await findOrCreate<ProductType>(
    api,
    `/product-types/key=${PRODUCT_TYPE_KEY}`,
    '/product-types',
    productTypeDraft,
  );
  for (const product of DEMO_PRODUCTS) {
    await findOrCreate<Product>(
      api,
      `/products/key=${product.key}`,
      '/products',
      productDraft(product, productType.id),
    );
  }
  await seedCheckout(api);
  await seedStores(api);
  return { skus: DEMO_SKUS };
}

/** Keys of the checkout setup the seed creates, for the demo, the walkthrough and tests. */
export const CHECKOUT_SEED = {
  zoneKey: 'dach-us',
  taxCategoryKey: 'standard',
  /** `standard` is the default and free above 50.00 EUR / 60.00 USD; `express` is never free. */
  shippingMethodKeys: ['standard', 'express'],
  cartDiscountKey: 'welcome-10',
  /** The cart discount's predicate; the emulator evaluates this form (see discount-code.fidelity.ts). */
  cartPredicate: 'totalPrice >= "50.00 EUR" or totalPrice >= "50.00 USD"',
  activeDiscountCode: 'WELCOME10',
  inactiveDiscountCode: 'EXPIRED5',
  customTypeKey: 'pos-cart-fields',
  storeKeys: ['berlin-mitte', 'vienna-1'],
} as const;

interface DemoShippingMethod {
  key: string;
  name: string;
  isDefault: boolean;
  /** Cent amounts per currency; freeAbove is optional. */
  rates: Array<{ price: Money; freeAbove?: Money }>;
}

const eur = (centAmount: number): Money => ({ currencyCode: 'EUR', centAmount });
const usd = (centAmount: number): Money => ({ currencyCode: 'USD', centAmount });

const DEMO_SHIPPING_METHODS: DemoShippingMethod[] = [
  {
    key: 'standard',
    name: 'Standard delivery',
    isDefault: true,
    rates: [
      { price: eur(490), freeAbove: eur(5000) },
      { price: usd(590), freeAbove: usd(6000) },
    ],
  },
  { key: 'express', name: 'Express delivery', isDefault: false, rates: [{ price: eur(990) }, { price: usd(1290) }] },
];

/**
 * What a checkout needs besides products: a zone with DE, AT and US, a tax category for shipping,
 * the shipping methods, a cart discount with an active and an inactive code, and the custom type for
 * the till's own fields on carts (resource type `order` covers carts and orders) and line items.
 */
async function seedCheckout(api: ApiClient): Promise<void> {
  const seed = CHECKOUT_SEED;
  const zone = await findOrCreate<Zone>(api, `/zones/key=${seed.zoneKey}`, '/zones', {
    key: seed.zoneKey,
    name: 'DACH and US',
    locations: [{ country: 'DE' }, { country: 'AT' }, { country: 'US' }],
  } satisfies ZoneDraft);
  const taxCategory = await findOrCreate<TaxCategory>(
    api,
    `/tax-categories/key=${seed.taxCategoryKey}`,
    '/tax-categories',
    {
      key: seed.taxCategoryKey,
      name: 'Standard',
      rates: [
        { name: 'DE 19%', amount: 0.19, includedInPrice: true, country: 'DE' },
        { name: 'AT 20%', amount: 0.2, includedInPrice: true, country: 'AT' },
        { name: 'US 0%', amount: 0, includedInPrice: false, country: 'US' },
      ],
    } satisfies TaxCategoryDraft,
  );
  for (const method of DEMO_SHIPPING_METHODS) {
    await findOrCreate<ShippingMethod>(api, `/shipping-methods/key=${method.key}`, '/shipping-methods', {
      key: method.key,
      name: method.name,
      localizedName: { en: method.name },
      isDefault: method.isDefault,
      taxCategory: { typeId: 'tax-category', id: taxCategory.id },
      zoneRates: [{ zone: { typeId: 'zone', id: zone.id }, shippingRates: method.rates }],
    } satisfies ShippingMethodDraft);
  }
  const cartDiscount = await findOrCreate<CartDiscount>(
    api,
    `/cart-discounts/key=${seed.cartDiscountKey}`,
    '/cart-discounts',
    {
      key: seed.cartDiscountKey,
      name: { en: '10% off from 50.00' },
      value: { type: 'relative', permyriad: 1000 },
      cartPredicate: seed.cartPredicate,
      target: { type: 'lineItems', predicate: '1 = 1' },
      sortOrder: '0.5',
      isActive: true,
      requiresDiscountCode: true,
    } satisfies CartDiscountDraft,
  );
  for (const [code, isActive] of [
    [seed.activeDiscountCode, true],
    [seed.inactiveDiscountCode, false],
  ] as const) {
    await findOrCreate<DiscountCode>(api, `/discount-codes/key=${code.toLowerCase()}`, '/discount-codes', {
      key: code.toLowerCase(),
      code,
      cartDiscounts: [{ typeId: 'cart-discount', id: cartDiscount.id }],
      isActive,
    } satisfies DiscountCodeDraft);
  }
  const field = (name: string, label: string) => ({
    name,
    label: { en: label },
    required: false,
    type: { name: 'String' as const },
    inputHint: 'SingleLine' as const,
  });
  await findOrCreate<Type>(api, `/types/key=${seed.customTypeKey}`, '/types', {
    key: seed.customTypeKey,
    name: { en: 'POS cart fields' },
    resourceTypeIds: ['order', 'line-item'],
    fieldDefinitions: [
      field('terminalId', 'Terminal'),
      field('cashierId', 'Cashier'),
      field('receiptNumber', 'Receipt number'),
    ],
  } satisfies TypeDraft);
}

/** Two stores, each with a supply channel (inventory) and a distribution channel (prices). */
async function seedStores(api: ApiClient): Promise<void> {
  const stores = [
    { key: 'berlin-mitte', name: 'Berlin Mitte', country: 'DE' },
    { key: 'vienna-1', name: 'Vienna 1', country: 'AT' },
  ];
  for (const store of stores) {
    const channel = (suffix: string, role: 'InventorySupply' | 'ProductDistribution') =>
      findOrCreate<Channel>(api, `/channels/key=${store.key}-${suffix}`, '/channels', {
        key: `${store.key}-${suffix}`,
        name: { en: `${store.name} ${suffix}` },
        roles: [role],
      } satisfies ChannelDraft);
    const supply = await channel('supply', 'InventorySupply');
    const distribution = await channel('distribution', 'ProductDistribution');
    await findOrCreate<Store>(api, `/stores/key=${store.key}`, '/stores', {
      key: store.key,
      name: { en: store.name },
      countries: [{ code: store.country }],
      supplyChannels: [{ typeId: 'channel', id: supply.id }],
      distributionChannels: [{ typeId: 'channel', id: distribution.id }],
    } satisfies StoreDraft);
  }
}

function productDraft(product: DemoProduct, productTypeId: string): ProductDraft {
  const [master, ...others] = product.variants.map((variant) => ({
    sku: variant.sku,
    key: variant.sku.toLowerCase(),
    prices: prices(variant),
  }));
  return {
    key: product.key,
    productType: { typeId: 'product-type', id: productTypeId },
    name: { en: product.name },
    slug: { en: product.key },
    masterVariant: master,
    variants: others,
    // Carts price line items from the published (current) data; the mock fills both current and staged.
    publish: true,
  };
}

function prices(variant: DemoVariant): PriceDraft[] {
  return [
    { value: { currencyCode: 'USD', centAmount: variant.usd } },
    { value: { currencyCode: 'EUR', centAmount: variant.eur } },
  ];
}

/** Looks the resource up by key and creates it only when the lookup answers 404. */
async function findOrCreate<T>(api: ApiClient, byKeyPath: string, createPath: string, draft: unknown): Promise<T> {
  const found = await api.get<T>(byKeyPath);
  if (found.status === 200) return found.body;
  if (found.status !== 404) throw new Error(`GET ${byKeyPath} answered ${found.status}: ${JSON.stringify(found.body)}`);
  const created = await api.post<T>(createPath, draft);
  if (created.status !== 201)
    throw new Error(`POST ${createPath} answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body;
}
