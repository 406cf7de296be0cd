import { buildOpenApiDocument } from '../src/http/openapi';
import { v1Routes, type V1Services } from '../src/http/routes/v1.routes';

/** The version the service announces by default (createApp's), so the committed document matches it. */
const VERSION = '1.0.0';

/**
 * The OpenAPI document the service serves at /openapi.json, built without a running service: the
 * route specs need their services only inside handlers, and no handler is called here.
 */
export function openApiDocument(): object {
  return buildOpenApiDocument(v1Routes({} as V1Services), VERSION);
}
