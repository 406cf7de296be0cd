import { listParam, type FidelityLayer, type QueryParams, type RepositoryContext } from './fidelity-layer';

/**
 * `GET /{projectKey}/carts` and `/orders` with `sort` and `withTotal`. The mock's query service drops
 * both (its storage can sort, but never receives the parameter), so "most recently modified" lookups
 * answer in insertion order and `total` is always present. commercetools: `sort` is
 * `field asc|desc`, repeatable for tie-breaks, applied before `offset`/`limit`; `withTotal=false`
 * leaves `total` out. `where` with `var.*` input variables stays as the mock has it.
 * https://docs.commercetools.com/api/general-concepts#sorting
 * https://docs.commercetools.com/api/general-concepts#paging
 * https://docs.commercetools.com/api/predicates/query#input-variables
 */
export function installQuerySortFidelity(layer: FidelityLayer): void {
  for (const resource of QUERYABLE) {
    layer.override('GET', `/:projectKey/${resource}`, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const page = await queryResources(layer, layer.context(request), resource, queryParams(query));
      if (query.withTotal === 'false') {
        const { total: _omitted, ...withoutTotal } = page;
        return reply.status(200).send(withoutTotal);
      }
      return reply.status(200).send(page);
    });
  }
}

export const QUERYABLE = ['carts', 'orders'] as const;

/** Runs a query of carts or orders through the mock's repository, which (given `sort`) sorts before paging. */
export function queryResources(
  layer: FidelityLayer,
  context: RepositoryContext,
  resource: (typeof QUERYABLE)[number],
  params: QueryParams,
) {
  return resource === 'carts'
    ? layer.carts(context.projectKey).query(context, params)
    : layer.orders(context.projectKey).query(context, params);
}

/** The query parameters as the mock's own query service reads them, plus `sort`. */
export function queryParams(query: Record<string, unknown>): QueryParams {
  const params: QueryParams = {
    where: listParam(query.where),
    expand: listParam(query.expand),
    sort: listParam(query.sort),
    limit: query.limit === undefined ? undefined : Number(query.limit),
    offset: query.offset === undefined ? undefined : Number(query.offset),
  };
  for (const [key, value] of Object.entries(query)) {
    const values = key.startsWith('var.') ? listParam(value) : undefined;
    if (values) params[key] = values.length === 1 ? values[0] : values;
  }
  return params;
}
