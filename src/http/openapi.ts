import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PROBLEM_KINDS } from './problem';
import type { RouteSpec } from './route';
import { Problem } from './schemas';

/** Operations routes, documented alongside the v1 contract. */
export const OPERATIONS = [
  { path: '/healthz', operationId: 'healthz', summary: 'Liveness: the process is up', contentType: 'application/json' },
  { path: '/readyz', operationId: 'readyz', summary: 'Readiness: Redis and commercetools reachable (503 otherwise)', contentType: 'application/json' },
  { path: '/metrics', operationId: 'metrics', summary: 'Prometheus metrics', contentType: 'text/plain' },
  { path: '/openapi.json', operationId: 'openapi', summary: 'This document', contentType: 'application/json' },
] as const;

const COMMON_ERRORS = ['Unauthorized', 'Forbidden', 'StoreUnavailable', 'UpstreamError', 'UpstreamTimeout'] as const;

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(routes: RouteSpec[], version: string): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The secret part of an API_KEYS entry (clientId:secret:scopes).',
  });
  const problem = registry.register('Problem', Problem);

  for (const spec of routes) {
    const byStatus = new Map<number, string[]>();
    for (const code of [...spec.errors, ...COMMON_ERRORS]) {
      const status = PROBLEM_KINDS[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    const responses: Record<string, object> = {
      [spec.success.status]: { description: spec.success.description, content: { 'application/json': { schema: spec.success.schema } } },
    };
    for (const [status, codes] of byStatus) {
      responses[status] = { description: `Problem: ${[...new Set(codes)].join(', ')}`, content: { 'application/problem+json': { schema: problem } } };
    }
    registry.registerPath({
      method: spec.method,
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      security: [{ [bearer.name]: [] }],
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(spec.body ? { body: { required: spec.method !== 'post' || spec.operationId !== 'createSession', content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses,
    });
  }
  for (const op of OPERATIONS) {
    registry.registerPath({
      method: 'get',
      path: op.path,
      operationId: op.operationId,
      summary: op.summary,
      tags: ['Operations'],
      responses: { 200: { description: op.summary, content: { [op.contentType]: { schema: z.any() } } } },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'commercetools guest checkout',
      version,
      description: 'Anonymous sessions for guest checkout on commercetools: mint unused anonymousIds, create carts and orders carrying them, hand them to a customer on sign-up or sign-in. Errors are RFC 9457 application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
  });
}
