import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { DomainError, type ErrorCode } from '../domain/errors';
import { IDEMPOTENCY_HEADER } from './idempotency';
import { PROBLEM_KINDS, problemDocument } from './problem';
import type { RouteSpec } from './route';
import { Problem } from './schemas';

/** Errors any route that takes an API key can answer, whatever it does. */
const COMMON_ERRORS: ErrorCode[] = [
  'Unauthorized',
  'Forbidden',
  'RateLimited',
  'StoreUnavailable',
  'UpstreamUnavailable',
  'UpstreamError',
  'UpstreamTimeout',
  'InternalError',
];
/** Errors of any route that reads a body. */
const BODY_ERRORS: ErrorCode[] = ['ValidationFailed', 'PayloadTooLarge', 'UnsupportedMediaType'];
/** Every write (POST, PUT, PATCH, DELETE) under /v1 takes an Idempotency-Key (src/http/idempotency.ts). */
const IDEMPOTENCY_ERRORS: ErrorCode[] = ['ValidationFailed', 'IdempotencyKeyInProgress', 'IdempotencyKeyReused'];
const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_HEADER]: z.string().optional().meta({
    description:
      'Makes the write safe to retry: 1 to 255 printable ASCII characters, new per operation, the same for its retries. A repeat with the same route, path and body replays the first completed answer (`Idempotent-Replayed: true`); with another body it is 422. Transient answers are not kept, so a repeat after them runs again: 5xx, 429, `SessionBusy`, `IdempotencyKeyInProgress`, and `ConcurrentModification` when no `version` was sent.',
    example: '7f9c2ba4-e88f-4f29-a6b4-3c9b1f0e5d21',
  }),
});

const EXAMPLE_EXTENSIONS: Partial<Record<ErrorCode, Record<string, unknown>>> = {
  ValidationFailed: { errors: [{ path: 'body.currency', message: 'must be an ISO 4217 currency code' }] },
  ConcurrentModification: { currentVersion: 7 },
};

/** One example problem document per code, built by the same function that answers errors. */
function problemExamples(codes: ErrorCode[]): Record<string, { summary: string; value: unknown }> {
  return Object.fromEntries(
    codes.map((code) => {
      const { title } = PROBLEM_KINDS[code];
      const { body } = problemDocument(
        new DomainError(code, `${title}.`, EXAMPLE_EXTENSIONS[code]),
        'c0ffee00-0000-4000-8000-000000000000',
      );
      return [body.code, { summary: title, value: body }];
    }),
  );
}

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
    const byStatus = new Map<number, ErrorCode[]>();
    const idempotent = spec.method !== 'get';
    const keyed = spec.scope !== null;
    for (const code of [
      ...spec.errors,
      ...(spec.body ? BODY_ERRORS : []),
      ...(idempotent ? IDEMPOTENCY_ERRORS : []),
      ...(keyed ? COMMON_ERRORS : []),
    ]) {
      const status = PROBLEM_KINDS[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    const responses: Record<string, object> = {};
    for (const answer of [spec.success, ...(spec.otherResponses ?? [])]) {
      // The media type without its parameters (charset, Prometheus' version) names the content.
      const mediaType = (answer.contentType ?? 'application/json').split(';')[0]!.trim();
      responses[answer.status] = {
        description: answer.description,
        content: {
          [mediaType]: { schema: answer.schema, ...(answer.example !== undefined ? { example: answer.example } : {}) },
        },
      };
    }
    for (const [status, all] of byStatus) {
      const codes = [...new Set(all)];
      const shown = [...new Set(codes.map((code) => PROBLEM_KINDS[code].code ?? code))];
      responses[status] = {
        description: `Problem: ${shown.join(', ')}`,
        content: { 'application/problem+json': { schema: problem, examples: problemExamples(codes) } },
      };
    }
    registry.registerPath({
      method: spec.method,
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      security: keyed ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(idempotent ? { headers: IdempotencyHeaders } : {}),
        ...(spec.body
          ? {
              body: {
                // A body whose fields are all optional may be left out.
                required: !spec.body.safeParse({}).success,
                content: { 'application/json': { schema: spec.body } },
              },
            }
          : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'commercetools guest checkout',
      version,
      description:
        'Anonymous sessions for guest checkout on commercetools: mint unused anonymousIds, create carts and orders carrying them, hand them to a customer on sign-up or sign-in. Errors are RFC 9457 application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
  });
}
