import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A fast stand-in for the commercetools endpoints the service uses, for benchmarks only: canned
 * JSON, constant time, nothing stored or scanned. The emulator is far too slow to measure
 * anything but itself.
 *
 * - `POST /oauth/token`: a client-credentials token (48 h).
 * - `GET /{projectKey}`: the project (readiness).
 * - `GET /{projectKey}/carts?where=...&var.aid=<id>`: a page with one cart of two line items when
 *   the id starts with `bench-` (the sessions the benchmark reads), an empty page otherwise (so a
 *   freshly minted id is free).
 * - `GET /{projectKey}/orders?...`: an empty page.
 * - `GET /__stats`: how many requests it answered (to check that a scenario reached it).
 *
 * `STUB_DELAY_MS` (default 0) answers every query after that many milliseconds, to model the
 * round trip to a real region (used only by the overlap check of the benchmark).
 */

export const BENCH_AID_PREFIX = 'bench-';

function money(centAmount: number) {
  return { type: 'centPrecision', currencyCode: 'EUR', centAmount, fractionDigits: 2 };
}

function lineItem(n: number, sku: string, name: string, cents: number, quantity: number) {
  return {
    id: `5d3b0c8e-1f4a-4c6e-9b1e-00000000000${n}`,
    productId: `0f2a7c1d-6e3b-4a9f-8c2d-10000000000${n}`,
    productKey: sku.toLowerCase(),
    name: { en: name, de: name },
    productType: { typeId: 'product-type', id: '7a1c2e3f-4b5d-4e6f-8a9b-200000000001', version: 1 },
    productSlug: { en: sku.toLowerCase(), de: sku.toLowerCase() },
    variant: {
      id: 1,
      sku,
      key: sku.toLowerCase(),
      prices: [{ id: `price-${n}-eur`, value: money(cents), country: 'DE' }],
      images: [{ url: `https://images.example.com/${sku.toLowerCase()}.jpg`, dimensions: { w: 1200, h: 1200 } }],
      attributes: [
        { name: 'color', value: { key: 'blue', label: { en: 'Blue', de: 'Blau' } } },
        { name: 'size', value: 'M' },
      ],
      assets: [],
    },
    price: { id: `price-${n}-eur`, value: money(cents), country: 'DE' },
    quantity,
    discountedPricePerQuantity: [],
    perMethodTaxRate: [],
    addedAt: '2026-11-26T10:00:0' + n + '.000Z',
    lastModifiedAt: '2026-11-26T10:00:0' + n + '.000Z',
    state: [{ quantity, state: { typeId: 'state', id: '9c1d2e3f-0a1b-4c2d-8e3f-300000000001' } }],
    priceMode: 'Platform',
    lineItemMode: 'Standard',
    totalPrice: money(cents * quantity),
    taxedPricePortions: [],
  };
}

function cart(anonymousId: string) {
  return {
    id: '3e0e2e5c-2b7d-4d83-9a4b-6f0c1d2e3f40',
    version: 7,
    versionModifiedAt: '2026-11-26T10:02:00.000Z',
    lastMessageSequenceNumber: 1,
    createdAt: '2026-11-26T10:00:00.000Z',
    lastModifiedAt: '2026-11-26T10:02:00.000Z',
    lastModifiedBy: { clientId: 'bench-client', isPlatformClient: false },
    createdBy: { clientId: 'bench-client', isPlatformClient: false },
    anonymousId,
    lineItems: [lineItem(1, 'TSHIRT-BLUE-M', 'T-shirt blue M', 1999, 1), lineItem(2, 'MUG-WHITE', 'Mug white', 899, 2)],
    cartState: 'Active',
    totalPrice: money(1999 + 2 * 899),
    country: 'DE',
    shippingMode: 'Single',
    shipping: [],
    customLineItems: [],
    discountCodes: [],
    directDiscounts: [],
    inventoryMode: 'None',
    taxMode: 'Platform',
    taxRoundingMode: 'HalfEven',
    taxCalculationMode: 'LineItemLevel',
    deleteDaysAfterLastModification: 90,
    refusedGifts: [],
    origin: 'Customer',
    shippingAddress: { country: 'DE', city: 'Berlin', postalCode: '10115', streetName: 'Main St', streetNumber: '1' },
    itemShippingAddresses: [],
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const EMPTY_PAGE = json({ limit: 20, offset: 0, count: 0, results: [] });
const TOKEN = json({
  access_token: 'bench-token-0123456789abcdef',
  expires_in: 172_800,
  token_type: 'Bearer',
  scope: 'manage_project:bench',
});
const NOT_FOUND = json({
  statusCode: 404,
  message: 'Not found',
  errors: [{ code: 'ResourceNotFound', message: 'Not found' }],
});

/** The page for a session with carts; its anonymousId is the one asked for, so it is built once per id. */
const pages = new Map<string, Buffer>();
function cartPage(anonymousId: string): Buffer {
  let page = pages.get(anonymousId);
  if (!page) {
    page = json({ limit: 20, offset: 0, count: 1, results: [cart(anonymousId)] });
    if (pages.size > 10_000) pages.clear();
    pages.set(anonymousId, page);
  }
  return page;
}

function aidOf(query: string): string | undefined {
  const at = query.indexOf('var.aid=');
  if (at < 0) return undefined;
  const end = query.indexOf('&', at);
  return decodeURIComponent(query.slice(at + 8, end < 0 ? undefined : end));
}

export function startStub(
  options: { port?: number; delayMs?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const delayMs = options.delayMs ?? 0;
  let answered = 0;
  const send = (res: ServerResponse, status: number, body: Buffer) => {
    answered++;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  };
  const later = (res: ServerResponse, status: number, body: Buffer) => {
    if (delayMs > 0) setTimeout(send, delayMs, res, status, body);
    else send(res, status, body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (req.method === 'POST' && path === '/oauth/token') {
      req.resume();
      req.on('end', () => send(res, 200, TOKEN));
      return;
    }
    if (path === '/__stats') return send(res, 200, json({ answered }));
    const parts = path.split('/');
    // ['', projectKey, resource?]
    const projectKey = parts[1];
    if (req.method !== 'GET' || !projectKey || parts.length > 3) return send(res, 404, NOT_FOUND);
    const resource = parts[2];
    if (resource === undefined || resource === '')
      return later(res, 200, json({ key: projectKey, name: projectKey, currencies: ['EUR'], countries: ['DE'] }));
    if (resource === 'carts') {
      const aid = aidOf(query);
      return later(res, 200, aid?.startsWith(BENCH_AID_PREFIX) ? cartPage(aid) : EMPTY_PAGE);
    }
    if (resource === 'orders') return later(res, 200, EMPTY_PAGE);
    return send(res, 404, NOT_FOUND);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// As a process of its own: prints its URL as the first line of stdout.
if (require.main === module) {
  process.once('SIGTERM', () => process.exit(0));
  process.once('disconnect', () => process.exit(0));
  startStub({ port: Number(process.env.PORT ?? 0), delayMs: Number(process.env.STUB_DELAY_MS ?? 0) }).then(
    ({ url }) => process.stdout.write(`${url}\n`),
    (error: unknown) => {
      process.stderr.write(`stub failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
