import type { FastifyReply, FastifyRequest } from 'fastify';
import { grants } from '../../src/clients/ctp-scopes';
import type { FidelityLayer } from './fidelity-layer';

/**
 * OAuth scopes, which the mock never checks: each request's token must hold one of the scopes the HTTP
 * API reference names for the endpoint (`securedBy` of the endpoint in commercetools-api-reference,
 * api-specs/api/resources/*.raml; the docs show them as "OAuth 2.0 Scopes"), else 403 insufficient_scope.
 * A `manage_X` scope implies `view_X` and `manage_project` grants every API (src/clients/ctp-scopes.ts,
 * https://docs.commercetools.com/api/scopes). On in-store paths the Store's own scope
 * (`manage_orders:{projectKey}:{storeKey}`) serves as well as the project-wide one.
 *
 * Left unchecked, so the seeding helpers and tests keep working: requests without a token or with a
 * token the emulator did not issue (it authenticates nobody), tokens requested without `scope` (the
 * mock answers scope "todo"; commercetools grants such a token every scope of its API client, and the
 * emulator's clients have them all), and endpoints missing from the table (the service calls none).
 */

interface Rule {
  methods: readonly string[];
  /** As the API reference writes it; `{projectKey}` and `{storeKey}` are read, other `{...}` match one segment. */
  path: string;
  /** Any one suffices (the reference lists alternatives); without the `:{projectKey}` suffix. */
  anyOf: readonly string[];
}

const READ = ['GET', 'HEAD'] as const;
const WRITE = ['POST', 'DELETE'] as const;

/** A resource's query, by-ID and by-key endpoints: reads need `view`, writes `manage`. */
function resource(path: string, view: readonly string[], manage: readonly string[], by: string[] = []): Rule[] {
  const single = ['{ID}', 'key={key}', ...by].map((segment) => `${path}/${segment}`);
  return [
    { methods: READ, path, anyOf: view },
    { methods: ['POST'], path, anyOf: manage },
    ...single.flatMap((each) => [
      { methods: READ, path: each, anyOf: view },
      { methods: WRITE, path: each, anyOf: manage },
    ]),
  ];
}

const P = '/{projectKey}';
const IN_STORE = `${P}/in-store/key={storeKey}`;
const SHIPPING_READ = ['view_orders', 'view_shipping_methods', 'manage_my_orders'];

/** Endpoint scopes from the HTTP API reference (https://docs.commercetools.com/api/ + the page named). */
const RULES: readonly Rule[] = [
  // projects/project: Get Project, Check if Project exists.
  { methods: READ, path: P, anyOf: ['view_project_settings'] },
  // projects/carts: Query, Create, Get/Update/Delete by ID and key, by Customer ID, Merge Cart, Replicate.
  ...resource(`${P}/carts`, ['view_orders'], ['manage_orders'], ['customer-id={customerId}']),
  { methods: ['POST'], path: `${P}/carts/customer-id={customerId}/merge`, anyOf: ['manage_orders'] },
  { methods: ['POST'], path: `${P}/carts/replicate`, anyOf: ['manage_orders'] },
  // projects/orders: Query, Create (from Cart), Get/Update/Delete by ID and OrderNumber, Search.
  ...resource(`${P}/orders`, ['view_orders'], ['manage_orders'], ['order-number={orderNumber}']),
  { methods: ['POST'], path: `${P}/orders/search`, anyOf: ['view_orders'] },
  // projects/customers: Query, Create (sign up), Get/Update/Delete by ID and key; Authenticate (sign in).
  ...resource(`${P}/customers`, ['view_customers'], ['manage_customers']),
  { methods: ['POST'], path: `${P}/login`, anyOf: ['manage_customers'] },
  // projects/payments, projects/discountCodes, projects/stores, projects/channels.
  ...resource(`${P}/payments`, ['view_payments'], ['manage_payments']),
  ...resource(`${P}/discount-codes`, ['view_discount_codes'], ['manage_discount_codes']),
  ...resource(`${P}/stores`, ['view_stores'], ['manage_stores']),
  ...resource(`${P}/channels`, ['view_channels', 'view_products'], ['manage_channels']),
  // projects/shippingMethods: Query, Get by ID and key, matching a Cart or a location.
  { methods: READ, path: `${P}/shipping-methods`, anyOf: SHIPPING_READ },
  { methods: READ, path: `${P}/shipping-methods/{ID}`, anyOf: SHIPPING_READ },
  { methods: READ, path: `${P}/shipping-methods/key={key}`, anyOf: SHIPPING_READ },
  { methods: READ, path: `${P}/shipping-methods/matching-cart`, anyOf: SHIPPING_READ },
  { methods: READ, path: `${P}/shipping-methods/matching-location`, anyOf: SHIPPING_READ },
  // In-store Carts, Orders, Customers and sign-in: the project-wide scope or the Store's.
  ...resource(`${IN_STORE}/carts`, ['view_orders'], ['manage_orders'], ['customer-id={customerId}']),
  { methods: ['POST'], path: `${IN_STORE}/carts/customer-id={customerId}/merge`, anyOf: ['manage_orders'] },
  ...resource(`${IN_STORE}/orders`, ['view_orders'], ['manage_orders'], ['order-number={orderNumber}']),
  ...resource(`${IN_STORE}/customers`, ['view_customers'], ['manage_customers']),
  { methods: ['POST'], path: `${IN_STORE}/login`, anyOf: ['manage_customers'] },
];

interface CompiledRule extends Rule {
  pattern: RegExp;
}

function compile(rule: Rule): CompiledRule {
  const source = rule.path
    .split(/(\{[A-Za-z]+\})/)
    .map((part) => {
      if (part === '{projectKey}') return '(?<projectKey>[^/]+)';
      if (part === '{storeKey}') return '(?<storeKey>[^/]+)';
      if (/^\{[A-Za-z]+\}$/.test(part)) return '[^/]+';
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { ...rule, pattern: new RegExp(`^${source}$`) };
}

/** Literal segments (`key=`, `matching-cart`) before placeholders, so `/carts/key=x` is not read as `/carts/{ID}`. */
const COMPILED = RULES.map(compile).sort((a, b) => Number(/\{ID\}$/.test(a.path)) - Number(/\{ID\}$/.test(b.path)));

/** The scopes an endpoint needs, with project and store keys filled in; undefined when not in the table. */
export function requiredScopes(method: string, path: string): string[] | undefined {
  const bare = path.split('?')[0]!.replace(/\/+$/, '');
  for (const rule of COMPILED) {
    if (!rule.methods.includes(method)) continue;
    const match = rule.pattern.exec(bare);
    if (!match) continue;
    const { projectKey, storeKey } = match.groups ?? {};
    const project = decodeURIComponent(projectKey ?? '');
    const suffix = storeKey === undefined ? `:${project}` : `:${project}:${decodeURIComponent(storeKey)}`;
    return rule.anyOf.map((name) => `${name}${suffix}`);
  }
  return undefined;
}

/** A scope the mock writes when a token was requested without one. */
const UNSCOPED = 'todo';

export function installTokenScopeFidelity(layer: FidelityLayer): void {
  // The client credentials flow sends `scope` in the form body, where the mock does not look (it reads the
  // query only): https://docs.commercetools.com/api/authorization#client-credentials-flow
  layer.override('POST', '/oauth/token', async (request, reply, mockHandler) => {
    const query = request.query as Record<string, unknown>;
    const body = request.body as Record<string, unknown> | undefined;
    if (query.scope === undefined && typeof body?.scope === 'string') query.scope = body.scope;
    return mockHandler(request, reply);
  });

  const scopesOf = (token: string): Set<string> | undefined => {
    const issued = layer.mock.authStore().tokens.find((each) => each.access_token === token);
    if (!issued || issued.scope === UNSCOPED) return undefined;
    return new Set(issued.scope.split(/\s+/).filter(Boolean));
  };

  layer.mock.app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const token = /^Bearer\s(\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const granted = token === undefined ? undefined : scopesOf(token);
    if (!granted) return;
    const required = requiredScopes(request.method, request.url);
    if (!required || required.some((scope) => grants(granted, scope))) return;
    // commercetools' answer: InsufficientScopeError, "Insufficient scope. One of the following scopes is
    // missing: ..." (https://docs.commercetools.com/api/errors#insufficientscopeerror), with the OAuth
    // fields `error` and `error_description` beside the usual body.
    const message = `Insufficient scope. One of the following scopes is missing: ${required.join(', ')}`;
    return reply.status(403).send({
      statusCode: 403,
      message,
      errors: [{ code: 'insufficient_scope', message }],
      error: 'insufficient_scope',
      error_description: message,
    });
  });
}
