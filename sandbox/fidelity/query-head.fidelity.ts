import type { FidelityLayer } from './fidelity-layer';
import { QUERYABLE, queryParams, queryResources } from './query-sort.fidelity';

/**
 * `HEAD /{projectKey}/carts?where=…` and `/orders`: "Returns a 200 status if any Carts match the query
 * predicate, or a 404 status otherwise." The mock answers HEAD like GET without a body, so always 200.
 * https://docs.commercetools.com/api/projects/carts#check-if-cart-exists-by-query-predicate
 * https://docs.commercetools.com/api/projects/orders#check-if-order-exists-by-query-predicate
 */
export function installQueryHeadFidelity(layer: FidelityLayer): void {
  for (const resource of QUERYABLE) {
    layer.override('HEAD', `/:projectKey/${resource}`, async (request, reply) => {
      const params = { ...queryParams(request.query as Record<string, unknown>), limit: 1, offset: 0 };
      const page = await queryResources(layer, layer.context(request), resource, params);
      return reply.status(page.count > 0 ? 200 : 404).send();
    });
  }
}
