import { z } from 'zod';
import { DOCS_PAGE, docsPageHeaders } from '../docs';
import type { Metrics } from '../metrics';
import { Readiness, type ReadinessReport } from '../readiness';
import { publicRoute, Reply, type RouteSpec } from '../route';

export interface OperationsDeps {
  /** The readiness checks, cached (src/http/readiness.ts). */
  readiness: () => Promise<ReadinessReport>;
  metrics: Metrics;
  /** The OpenAPI document, built once at start from every route (these included). */
  openApiDocument: () => object;
}

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export const OpenApiDocument = z.looseObject({ openapi: z.string() }).meta({ id: 'OpenApiDocument' });

/** Operations routes: probes, metrics and the API's documents. Public: load balancers and scrapers hold no key. */
export function operationsRoutes({ readiness, metrics, openApiDocument }: OperationsDeps): RouteSpec[] {
  const tag = 'Operations';
  return [
    publicRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      tag,
      summary: 'Liveness: the process is up (checks nothing else)',
      success: { status: 200, description: 'The process answers', schema: Health, example: { status: 'ok' } },
      errors: [],
      handle: () => ({ status: 'ok' }),
    }),
    publicRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      tag,
      summary: 'Readiness: Redis and commercetools reachable (503 otherwise), cached for 2 s',
      success: {
        status: 200,
        description: 'Ready',
        schema: Readiness,
        example: { status: 'ready', checks: { redis: 'ok', commercetools: 'ok' } },
      },
      otherResponses: [
        {
          status: 503,
          description: 'Not ready: a check fails',
          schema: Readiness,
          example: { status: 'not ready', checks: { redis: 'ok', commercetools: 'failing' } },
        },
      ],
      errors: [],
      handle: async () => {
        const { ready, checks } = await readiness();
        return ready ? { status: 'ready', checks } : new Reply(503, { status: 'not ready', checks });
      },
    }),
    publicRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      tag,
      summary: 'Prometheus metrics',
      success: {
        status: 200,
        description: 'Prometheus text format',
        contentType: metrics.registry.contentType,
        schema: z.string(),
        example: 'http_requests_total{method="POST",route="/v1/sessions",status="201"} 42\n',
      },
      errors: [],
      handle: () => metrics.registry.metrics(),
    }),
    publicRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      tag,
      summary: 'This document',
      success: { status: 200, description: 'OpenAPI 3.1', schema: OpenApiDocument, example: { openapi: '3.1.0' } },
      errors: [],
      handle: () => openApiDocument(),
    }),
    publicRoute({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      tag,
      summary: 'This document in Swagger UI: "Authorize" with an API key, then "Try it out"',
      success: {
        status: 200,
        description: 'HTML page',
        contentType: 'text/html; charset=utf-8',
        schema: z.string(),
        example: '<!DOCTYPE html>',
      },
      headers: docsPageHeaders(),
      errors: [],
      handle: () => DOCS_PAGE,
    }),
  ];
}
