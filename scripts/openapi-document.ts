import { allRoutes } from '../src/http/routes';
import type { V1Services } from '../src/http/routes/v1.routes';
import { buildOpenApiDocument } from '../src/http/openapi';
import { createMetrics } from '../src/http/metrics';

/** The version the service announces by default (createApp's), so the committed document matches it. */
const VERSION = '1.0.0';

/**
 * The OpenAPI document the service serves at /openapi.json, built from the same route list
 * (src/http/routes/index.ts) without a running service: no handler is called here.
 */
export function openApiDocument(): object {
  const routes = allRoutes(
    {} as V1Services,
    { readiness: async () => ({}) as never, metrics: createMetrics() },
    VERSION,
  );
  return buildOpenApiDocument(routes, VERSION);
}
