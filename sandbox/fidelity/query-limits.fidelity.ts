import type { FidelityLayer } from './fidelity-layer';

const MAX_LIMIT = 500;
const MAX_OFFSET = 10_000;

/**
 * Query limits of every query endpoint: "Within a query, up to 500 elements can be fetched" and
 * "the maximum offset is 10 000"; beyond them commercetools answers 400 InvalidInput. The mock
 * answers any limit and offset.
 * https://docs.commercetools.com/api/limits#queries
 * https://docs.commercetools.com/api/general-concepts#paging
 */
export function installQueryLimitsFidelity(layer: FidelityLayer): void {
  layer.mock.app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const { limit, offset } = (request.query ?? {}) as { limit?: unknown; offset?: unknown };
    const problem =
      limit !== undefined && Number(limit) > MAX_LIMIT
        ? `The limit ${String(limit)} exceeds the maximum limit of ${MAX_LIMIT}.`
        : offset !== undefined && Number(offset) > MAX_OFFSET
          ? `The offset ${String(offset)} exceeds the maximum offset of ${MAX_OFFSET}.`
          : undefined;
    if (problem === undefined) return;
    return reply
      .status(400)
      .send({ statusCode: 400, message: problem, errors: [{ code: 'InvalidInput', message: problem }] });
  });
}
