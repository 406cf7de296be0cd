import type {
  Cart,
  Product,
  ProductPagedQueryResponse,
  ProductTypePagedQueryResponse,
} from '@commercetools/platform-sdk';
import { DEMO_PRICES, DEMO_SKUS, seedCatalogue } from '../../sandbox/catalogue';
import { bodyOf, createCart, useEmulator } from './emulator-fixture';

describe('emulator: demo catalogue', () => {
  const emu = useEmulator('catalogue');

  const products = async () => bodyOf(await emu.api.get<ProductPagedQueryResponse>('/products?limit=500'), 200);
  const skusOf = (product: Product) =>
    [product.masterData.current.masterVariant, ...product.masterData.current.variants].map((variant) => variant.sku);
  const eur = (sku: string) => DEMO_PRICES[sku]!.EUR;

  test('when seeding a project again, then nothing is duplicated and every SKU exists once, published', async () => {
    const { skus } = await seedCatalogue(emu.url, emu.projectKey);

    expect(skus).toEqual(DEMO_SKUS);
    const page = await products();
    expect(page.total).toBe(4);
    expect(page.results.flatMap(skusOf).sort()).toEqual([...DEMO_SKUS].sort());
    expect(page.results.every((product) => product.masterData.published)).toBe(true);
    expect(bodyOf(await emu.api.get<ProductTypePagedQueryResponse>('/product-types'), 200).total).toBe(1);
  });

  test('when seeding a project again, then the checkout setup exists once', async () => {
    await seedCatalogue(emu.url, emu.projectKey);

    const total = async (path: string) => bodyOf(await emu.api.get<{ total: number }>(path), 200).total;
    expect(await total('/zones')).toBe(1);
    expect(await total('/shipping-methods')).toBe(2);
    expect(await total('/cart-discounts')).toBe(1);
    expect(await total('/discount-codes')).toBe(2);
    expect(await total('/types')).toBe(1);
    expect(await total('/stores')).toBe(2);
    expect(await total('/channels')).toBe(4);
  });

  test('when a EUR cart is created with line items by SKU, then they carry the EUR price and the totals add up', async () => {
    const cart = await createCart(emu.api, { currency: 'EUR', lineItems: [{ sku: 'TSHIRT-BLUE-M', quantity: 2 }] });

    const [item] = cart.lineItems;
    expect(item?.price.value).toMatchObject({ currencyCode: 'EUR', centAmount: eur('TSHIRT-BLUE-M') });
    expect(item?.totalPrice).toMatchObject({ currencyCode: 'EUR', centAmount: 2 * eur('TSHIRT-BLUE-M') });
    expect(cart.totalPrice).toMatchObject({ currencyCode: 'EUR', centAmount: 2 * eur('TSHIRT-BLUE-M') });
  });

  test('when line items are added by SKU and by productId+variantId, then each gets the price of the cart currency', async () => {
    const hoodie = (await products()).results.find((product) => product.key === 'demo-hoodie')!;
    const large = hoodie.masterData.current.variants.find((variant) => variant.sku === 'HOODIE-GREY-L')!;
    const cart = await createCart(emu.api, { currency: 'USD' });

    const updated = bodyOf(
      await emu.api.post<Cart>(`/carts/${cart.id}`, {
        version: cart.version,
        actions: [
          { action: 'addLineItem', sku: 'MUG-WHITE', quantity: 3 },
          { action: 'addLineItem', productId: hoodie.id, variantId: large.id, quantity: 1 },
        ],
      }),
      200,
    );

    const prices = updated.lineItems.map((item) => [
      item.variant.sku,
      item.price.value.currencyCode,
      item.price.value.centAmount,
      item.totalPrice.centAmount,
    ]);
    const usd = (sku: string) => DEMO_PRICES[sku]!.USD;
    expect(prices).toEqual([
      ['MUG-WHITE', 'USD', usd('MUG-WHITE'), 3 * usd('MUG-WHITE')],
      ['HOODIE-GREY-L', 'USD', usd('HOODIE-GREY-L'), usd('HOODIE-GREY-L')],
    ]);
    expect(updated.totalPrice.centAmount).toBe(3 * usd('MUG-WHITE') + usd('HOODIE-GREY-L'));
  });
});
