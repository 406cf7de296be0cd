import type { CartPagedQueryResponse, OrderPagedQueryResponse } from '@commercetools/platform-sdk';
import { anonymousId, bodyOf, createCart, orderCart, tick, useEmulator } from './emulator-fixture';

describe('emulator: sort on cart and order queries', () => {
  const emu = useEmulator('sort');
  const cartSession = anonymousId();
  const orderSession = anonymousId();
  /** Ids in creation order. */
  const carts: string[] = [];
  const orders: string[] = [];

  /** Queries one session's carts or orders through an input variable, plus further parameters. */
  const query = async <T>(
    resource: 'carts' | 'orders',
    session: string,
    params: Array<[string, string]>,
  ): Promise<T> => {
    const search = new URLSearchParams([['where', 'anonymousId = :aid'], ['var.aid', session], ...params]);
    return bodyOf(await emu.api.get<T>(`/${resource}?${search}`), 200);
  };
  const cartPage = (params: Array<[string, string]>) => query<CartPagedQueryResponse>('carts', cartSession, params);
  const orderPage = (params: Array<[string, string]>) => query<OrderPagedQueryResponse>('orders', orderSession, params);
  const ids = (page: { results: Array<{ id: string }> }) => page.results.map((resource) => resource.id);

  beforeAll(async () => {
    for (const currency of ['EUR', 'USD', 'EUR', 'USD', 'EUR'])
      carts.push((await createCart(emu.api, { anonymousId: cartSession, currency })).id);
    // The middle cart becomes the most recently modified one, unlike its place in creation order.
    const middle = await emu.api.get<{ version: number }>(`/carts/${carts[2]}`);
    bodyOf(
      await emu.api.post(`/carts/${carts[2]}`, {
        version: middle.body.version,
        actions: [{ action: 'setCustomerEmail', email: 'late@example.com' }],
      }),
      200,
    );
    await tick();
    for (let index = 0; index < 3; index += 1)
      orders.push((await orderCart(emu.api, await createCart(emu.api, { anonymousId: orderSession }))).id);
  });

  test('when paging carts sorted by createdAt desc, then the pages follow that order and count/total stay right', async () => {
    const pages = await Promise.all(
      [0, 2, 4].map((offset) =>
        cartPage([
          ['sort', 'createdAt desc'],
          ['limit', '2'],
          ['offset', String(offset)],
        ]),
      ),
    );
    expect(pages.map((page) => [page.count, page.total, page.offset, page.limit])).toEqual([
      [2, 5, 0, 2],
      [2, 5, 2, 2],
      [1, 5, 4, 2],
    ]);
    expect(pages.flatMap(ids)).toEqual([...carts].reverse());
  });

  test('when sorting carts by lastModifiedAt asc, then the least recently modified comes first', async () => {
    const [c0, c1, c2, c3, c4] = carts;
    expect(ids(await cartPage([['sort', 'lastModifiedAt asc']]))).toEqual([c0, c1, c3, c4, c2]);
  });

  test('when sorting carts by lastModifiedAt desc, then the most recently modified comes first', async () => {
    const page = await cartPage([
      ['sort', 'lastModifiedAt desc'],
      ['limit', '1'],
    ]);
    expect(ids(page)).toEqual([carts[2]]);
    expect(page.total).toBe(5);
  });

  test('when sort is repeated, then the second clause breaks the ties of the first', async () => {
    const page = await cartPage([
      ['sort', 'totalPrice.currencyCode asc'],
      ['sort', 'createdAt desc'],
    ]);
    const [eur1, usd1, eur2, usd2, eur3] = carts;
    expect(ids(page)).toEqual([eur3, eur2, eur1, usd2, usd1]);
  });

  test('when withTotal=false, then the answer has no total but keeps count, offset and limit', async () => {
    const page = await cartPage([
      ['withTotal', 'false'],
      ['limit', '2'],
    ]);
    expect(page).not.toHaveProperty('total');
    expect(page).toMatchObject({ count: 2, offset: 0, limit: 2 });
  });

  test('when paging orders sorted by createdAt desc and asc, then they come in that order', async () => {
    const desc = await orderPage([
      ['sort', 'createdAt desc'],
      ['limit', '2'],
    ]);
    const asc = await orderPage([
      ['sort', 'createdAt asc'],
      ['limit', '2'],
      ['offset', '1'],
    ]);
    expect(ids(desc)).toEqual([orders[2], orders[1]]);
    expect(ids(asc)).toEqual([orders[1], orders[2]]);
    expect([desc.total, asc.total]).toEqual([3, 3]);
  });

  test('when the input variable of a where clause is missing, then it answers 400 InvalidInput', async () => {
    const response = await emu.api.get<{ errors: Array<{ code: string }> }>(
      `/carts?where=${encodeURIComponent('anonymousId = :aid')}&sort=createdAt+desc`,
    );
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.code).toBe('InvalidInput');
  });
});
