import type { PriceDraft, Product, ProductDraft, ProductType, ProductTypeDraft } from '@commercetools/platform-sdk';
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
  return { skus: DEMO_SKUS };
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
