import type { FidelityLayer } from './fidelity-layer';

/**
 * Draft validation on create endpoints. The emulator runs the mock with `strict: true`, whose
 * schemas check required fields and types but strip unknown fields; commercetools deserialises a
 * draft strictly and answers 400 InvalidJsonInput ("Request body does not contain valid JSON.")
 * for a field the draft type does not have, and for missing or mistyped fields. This hook checks
 * the top-level fields of the drafts below (nested drafts are left to the mock's schemas), and
 * runs the mock's schema also for the routes the layer overrides (whose handlers skip it).
 * https://docs.commercetools.com/api/errors#invalidjsoninput
 * https://docs.commercetools.com/api/general-concepts#http-api
 */
const DRAFT_TYPES = {
  carts: 'cart',
  orders: 'order',
  payments: 'payment',
  customers: 'customer',
  'shipping-methods': 'shipping-method',
  zones: 'zone',
  'tax-categories': 'tax-category',
  'cart-discounts': 'cart-discount',
  'discount-codes': 'discount-code',
  types: 'type',
  channels: 'channel',
  stores: 'store',
  products: 'product',
  'product-types': 'product-type',
} as const;

interface ZodLike {
  safeParse(data: unknown): {
    success: boolean;
    error?: { issues: Array<{ code: string; path: PropertyKey[]; message: string; input?: unknown }> };
  };
  shape?: Record<string, unknown>;
}

export function installStrictDraftFidelity(layer: FidelityLayer): void {
  layer.mock.app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const match = /^\/:projectKey\/([a-z-]+)$/.exec(request.routeOptions.url ?? '');
    const type = match ? DRAFT_TYPES[match[1] as keyof typeof DRAFT_TYPES] : undefined;
    if (type === undefined) return;
    const { projectKey } = request.params as { projectKey: string };
    const schema = layer.mock.project(projectKey).getRepository(type).draftSchema as ZodLike | undefined;
    if (!schema) return;
    const detail = invalidDraft(schema, request.body);
    if (detail === undefined) return;
    const message = 'Request body does not contain valid JSON.';
    return reply.status(400).send({
      statusCode: 400,
      message,
      errors: [{ code: 'InvalidJsonInput', message, detailedErrorMessage: detail }],
    });
  });
}

/** The detailed error message for a draft the schema refuses, or undefined for a valid draft. */
function invalidDraft(schema: ZodLike, body: unknown): string | undefined {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && schema.shape) {
    const unknown = Object.keys(body).find((field) => !(field in schema.shape!));
    if (unknown !== undefined) return `${unknown}: Unknown field.`;
  }
  const result = schema.safeParse(body);
  const issue = result.success ? undefined : result.error?.issues[0];
  if (!issue) return undefined;
  const path = issue.path.map(String).join('.');
  if (issue.code === 'invalid_type' && / received undefined/.test(issue.message))
    return `${path}: Missing required value`;
  return path ? `${path}: ${issue.message}` : issue.message;
}
