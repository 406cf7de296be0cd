import { hash } from 'node:crypto';

/** `admin` holds every scope (the scope check grants it everything) and reaches every client's data. */
export const SCOPES = ['sessions', 'customers', 'backoffice', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: resolved from the API key, passed to every use case. */
export interface Caller {
  clientId: string;
  scopes: ReadonlySet<Scope>;
  /** A till's store (commercetools Store key): its carts, orders and customers go through the in-store endpoints. */
  storeKey?: string;
}

/** Secrets are kept only as SHA-256 digests, so the table never holds a key in clear. */
export type ApiKeyTable = ReadonlyMap<string, Caller>;

const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SECRET = /^[A-Za-z0-9_-]{16,}$/;
/** commercetools' key rule (2 to 256 of letters, digits, - and _). */
export const STORE_KEY = /^[A-Za-z0-9_-]{2,256}$/;

/** A store-bound key names a Store that commercetools does not have. */
export class UnknownStoreError extends Error {
  constructor(readonly storeKey: string) {
    super(`the store "${storeKey}" does not exist in the commercetools project (create it, or fix the key)`);
  }
}

/**
 * Checks that every store named by a key exists, once per store; run before serving, so a typo in
 * API_KEYS stops the start instead of failing every request of that till.
 */
export async function checkKeyStores(
  callers: Iterable<Caller>,
  storeExists: (storeKey: string) => Promise<boolean>,
): Promise<void> {
  const storeKeys = new Set([...callers].flatMap((caller) => (caller.storeKey ? [caller.storeKey] : [])));
  for (const storeKey of storeKeys) {
    if (!(await storeExists(storeKey))) throw new UnknownStoreError(storeKey);
  }
}

export function digestSecret(secret: string): string {
  // The one-shot form: a fraction of createHash's cost, and this runs on every request.
  return hash('sha256', secret, 'hex');
}

/**
 * Parses `clientId:secret:scope+scope[:storeKey],...`; errors name the entry by position, never by secret.
 */
export function parseApiKeys(raw: string): ApiKeyTable {
  const table = new Map<string, Caller>();
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('at least one entry clientId:secret:scopes is required');
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const parts = entry.split(':');
    if (parts.length !== 3 && parts.length !== 4)
      throw new Error(`${where} must look like clientId:secret:scopes or clientId:secret:scopes:storeKey`);
    const [clientId = '', secret = '', scopeList = '', storeKey] = parts;
    if (!CLIENT_ID.test(clientId)) throw new Error(`${where}: clientId must match ${CLIENT_ID.source}`);
    if (!SECRET.test(secret)) throw new Error(`${where}: secret must match ${SECRET.source}`);
    const scopes = scopeList.split('+').filter(Boolean);
    if (scopes.length === 0) throw new Error(`${where}: at least one scope is required`);
    for (const scope of scopes) {
      if (!(SCOPES as readonly string[]).includes(scope))
        throw new Error(`${where}: unknown scope "${scope}" (use ${SCOPES.join(', ')})`);
    }
    if (storeKey !== undefined && !STORE_KEY.test(storeKey))
      throw new Error(`${where}: storeKey must match ${STORE_KEY.source}`);
    const digest = digestSecret(secret);
    if (table.has(digest)) throw new Error(`${where}: secret is used twice`);
    table.set(digest, { clientId, scopes: new Set(scopes as Scope[]), ...(storeKey ? { storeKey } : {}) });
  });
  return table;
}
