import { digestSecret, type ApiKeyTable, type Caller } from './api-keys';

export interface ApiKeyLookup {
  find(digest: string): Promise<Caller | null>;
}

/** How long an instance trusts its last answer about a key: revocations take effect within this. */
export const KEY_CACHE_MS = 2000;
const MAX_CACHED = 10_000;

/**
 * Resolves a presented secret to its caller: first the keys from API_KEYS, then those managed in
 * Redis. Only digests are compared and cached, never secrets; unknown keys are cached too, so
 * guessing does not turn into Redis load.
 */
export class ApiKeyResolver {
  private readonly cache = new Map<string, { caller: Caller | null; until: number }>();

  constructor(
    private readonly configured: ApiKeyTable,
    private readonly managed?: ApiKeyLookup,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(secret: string): Promise<Caller | null> {
    const digest = digestSecret(secret);
    const fixed = this.configured.get(digest);
    if (fixed || !this.managed) return fixed ?? null;
    const cached = this.cache.get(digest);
    if (cached && cached.until > this.now()) return cached.caller;
    const caller = await this.managed.find(digest);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(digest, { caller, until: this.now() + KEY_CACHE_MS });
    return caller;
  }
}
