/**
 * The commercetools API client scopes the service needs, and the start-up check that its token has them.
 *
 * Each endpoint's scopes are those the HTTP API reference names for it (`securedBy` in
 * commercetools-api-reference, api-specs/api/resources/*.raml); the scopes page says a `manage_X`
 * scope implies `view_X`, and `manage_project` grants every API:
 * https://docs.commercetools.com/api/scopes
 */

export interface ScopeNeed {
  /** Without the `:{projectKey}` suffix. */
  scope: string;
  /** What the service does with it (docs/production.md lists the same). */
  usedFor: string;
}

/** The narrowest set: one scope per family of endpoints the service calls. */
export const SERVICE_SCOPES: readonly ScopeNeed[] = [
  {
    scope: 'manage_orders',
    usedFor:
      'carts and orders (create, read, query, update, merge, in-store), matching shipping methods ' +
      '(view_orders, implied), discount codes and payments added through cart update actions',
  },
  { scope: 'manage_customers', usedFor: 'sign-up (Create Customer), sign-in (/login), customers by key or email' },
  { scope: 'manage_payments', usedFor: 'Payments: create, read, add and change transactions' },
  { scope: 'view_project_settings', usedFor: '/readyz reads the project (GET /{projectKey}) and its cart lifetime' },
  { scope: 'view_stores', usedFor: 'the Store of a store-bound API key is checked at start' },
  { scope: 'view_channels', usedFor: 'supply and distribution Channels of line items, by key' },
];

/** `manage_orders:my-project ...`: what CTP_SCOPES should be, and what the sandbox and the tests run with. */
export function serviceScopes(projectKey: string): string[] {
  return SERVICE_SCOPES.map((need) => `${need.scope}:${projectKey}`);
}

/**
 * Whether the granted scopes satisfy `required` (`view_orders:my-project`, or a store's
 * `view_orders:my-project:berlin`): itself, its manage_ form, the project-wide form of a store's scope,
 * or manage_project.
 */
export function grants(granted: ReadonlySet<string>, required: string): boolean {
  const [name = '', projectKey = '', storeKey] = required.split(':');
  const names = name.startsWith('view_') ? [name, `manage_${name.slice('view_'.length)}`] : [name];
  const candidates = names.flatMap((each) => [
    `${each}:${projectKey}`,
    ...(storeKey === undefined ? [] : [`${each}:${projectKey}:${storeKey}`]),
  ]);
  return granted.has(`manage_project:${projectKey}`) || candidates.some((scope) => granted.has(scope));
}

/** The service's scopes the granted set lacks. */
export function missingServiceScopes(granted: Iterable<string>, projectKey: string): string[] {
  const set = new Set(granted);
  return serviceScopes(projectKey).filter((scope) => !grants(set, scope));
}

export class ScopeCheckError extends Error {}

export interface ScopeCheckInput {
  authUrl: string;
  projectKey: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  timeoutMs: number;
}

export interface ScopeCheckResult {
  granted: string[];
  /** Granted scopes the service does not need (manage_project, say): worth narrowing in production. */
  unneeded: string[];
}

/**
 * Requests a token as the service will (client credentials, `scope=` CTP_SCOPES) and compares the
 * `scope` the auth service answers with what the service needs. Run once at start, before listening,
 * so a project set up with too few scopes fails with their names, not with 403s on the first checkout.
 * The token itself is dropped; the shared token cache gets its own.
 */
export async function checkServiceScopes(input: ScopeCheckInput): Promise<ScopeCheckResult> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (input.scopes.length > 0) body.set('scope', input.scopes.join(' '));
  let response: Response;
  try {
    response = await fetch(`${input.authUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${input.clientId}:${input.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body,
      signal: AbortSignal.timeout(input.timeoutMs),
    });
  } catch (error) {
    throw new ScopeCheckError(`commercetools auth at ${input.authUrl} did not answer: ${(error as Error).message}`);
  }
  const payload = (await response.json().catch(() => undefined)) as { scope?: unknown; error?: unknown } | undefined;
  const code = typeof payload?.error === 'string' ? payload.error : undefined;
  if (!response.ok) {
    // Only the OAuth error code is quoted, never the answer (it could echo credentials).
    const hint =
      code === 'invalid_scope'
        ? `the API client was not created with every scope of CTP_SCOPES (${input.scopes.join(' ')}); ` +
          'a manage_project client cannot request fewer scopes: create one with the scopes of docs/production.md'
        : code === 'invalid_client' || response.status === 401
          ? 'CTP_CLIENT_ID / CTP_CLIENT_SECRET were refused'
          : 'see CTP_AUTH_URL and the API client';
    throw new ScopeCheckError(`commercetools auth answered ${response.status}${code ? ` (${code})` : ''}: ${hint}`);
  }
  if (typeof payload?.scope !== 'string')
    throw new ScopeCheckError('commercetools auth answered a token without scope');
  const granted = payload.scope.split(/\s+/).filter(Boolean);
  const missing = missingServiceScopes(granted, input.projectKey);
  if (missing.length > 0) {
    throw new ScopeCheckError(
      `the commercetools token lacks ${missing.length === 1 ? 'the scope' : 'the scopes'} ${missing.join(' ')} ` +
        `(granted: ${granted.join(' ') || 'none'}). Add ${missing.length === 1 ? 'it' : 'them'} to CTP_SCOPES, ` +
        'and to the API client (Merchant Center > Settings > Developer settings: a new client, scopes cannot be ' +
        'changed); see docs/production.md',
    );
  }
  const needed = new Set(serviceScopes(input.projectKey));
  return { granted, unneeded: granted.filter((scope) => !needed.has(scope)) };
}
