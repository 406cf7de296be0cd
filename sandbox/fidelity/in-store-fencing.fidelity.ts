import type { Cart, Order } from '@commercetools/platform-sdk';
import { CtError, type FidelityLayer } from './fidelity-layer';

/**
 * In-store Carts and Orders are fenced by their Store: "If the Cart exists in the Project but does not
 * have the store field, or the store field references a different Store, this method returns a
 * ResourceNotFound error" (Get/Update/Delete Cart in Store; the same for Orders in Store), and the
 * in-store queries return only the Store's.
 * https://docs.commercetools.com/api/projects/carts#get-cart-in-store
 * https://docs.commercetools.com/api/projects/orders#get-order-in-store
 * The mock takes a new cart's store from the path but answers every in-store read and update whatever
 * the store: the reads by id, key or orderNumber are checked before its handler, the queries after it.
 */
const IN_STORE = /^\/([^/]+)\/in-store\/key=([^/]+)\/(carts|orders)(?:\/([^/?]+))?\/?(?:\?.*)?$/;

function notFound(id: string): CtError {
  const message = `The Resource with ID '${id}' was not found.`;
  return new CtError(404, { code: 'ResourceNotFound', message });
}

export function installInStoreFencingFidelity(layer: FidelityLayer): void {
  layer.mock.app.addHook('preHandler', async (request, reply) => {
    const match = IN_STORE.exec(request.url);
    if (!match) return;
    const [, rawProject = '', rawStore = '', resource, rawRef] = match;
    if (rawRef === undefined || rawRef === 'replicate' || rawRef.startsWith('customer-id=')) return;
    const context = { projectKey: decodeURIComponent(rawProject) };
    const ref = decodeURIComponent(rawRef);
    let found: Cart | Order | null | undefined;
    if (resource === 'carts') {
      const carts = layer.carts(context.projectKey);
      found = ref.startsWith('key=') ? await carts.getByKey(context, ref.slice(4)) : await carts.get(context, ref);
    } else {
      const orders = layer.orders(context.projectKey);
      found = ref.startsWith('order-number=')
        ? (await orders.query(context, { where: [`orderNumber="${ref.slice('order-number='.length)}"`] })).results[0]
        : await orders.get(context, ref);
    }
    if (found && found.store?.key !== decodeURIComponent(rawStore)) {
      const error = notFound(ref);
      return reply.status(error.statusCode).send(error.body);
    }
    return undefined;
  });

  layer.mock.app.addHook('onSend', async (request, reply, payload) => {
    const match = request.method === 'GET' && reply.statusCode === 200 ? IN_STORE.exec(request.url) : null;
    if (!match || match[4] !== undefined || typeof payload !== 'string') return payload;
    const storeKey = decodeURIComponent(match[2] ?? '');
    const page = JSON.parse(payload) as { results: (Cart | Order)[]; count: number; total?: number };
    const results = page.results.filter((each) => each.store?.key === storeKey);
    const dropped = page.results.length - results.length;
    return JSON.stringify({
      ...page,
      results,
      count: results.length,
      ...(page.total === undefined ? {} : { total: page.total - dropped }),
    });
  });
}
