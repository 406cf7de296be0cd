import { z } from 'zod';
import { DEFAULT_UPSTREAM_HTTP } from './clients/upstream-http.client';
import { DEFAULT_UPSTREAM_POLICY, type UpstreamPolicyOptions } from './clients/upstream-policy';
import { parseApiKeys, type ApiKeyTable } from './domain/api-keys';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intFrom = (name: string, min: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer >= ${min}` });
        return z.NEVER;
      }
      return value;
    });

const required = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`);

/** `host:port,host:port`: Redis Cluster nodes or Sentinels. */
export interface RedisNode {
  host: string;
  port: number;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const nodeList = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): RedisNode[] | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const nodes: RedisNode[] = [];
      for (const entry of raw.split(',').map((part) => part.trim())) {
        const match = HOST_PORT.exec(entry);
        const port = Number(match?.[2]);
        if (!match || port < 1 || port > 65_535) {
          ctx.addIssue({
            code: 'custom',
            message: `${name} must be a comma-separated list of host:port (got "${entry}")`,
          });
          return z.NEVER;
        }
        nodes.push({ host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port });
      }
      return nodes;
    });

/** 32-byte AES keys, as 64 hex digits or base64; the first encrypts, every one decrypts (rotation). */
const aesKeyList = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): Buffer[] => {
      if (raw === undefined || raw.trim() === '') return [];
      const keys: Buffer[] = [];
      for (const [index, entry] of raw
        .split(',')
        .map((part) => part.trim())
        .entries()) {
        const key = /^[0-9a-f]{64}$/i.test(entry) ? Buffer.from(entry, 'hex') : Buffer.from(entry, 'base64');
        if (key.length !== 32 || (!/^[0-9a-f]{64}$/i.test(entry) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(entry))) {
          // Named by position, never by value: the key is a secret.
          ctx.addIssue({ code: 'custom', message: `${name}: entry ${index + 1} must be 32 bytes, as hex or base64` });
          return z.NEVER;
        }
        keys.push(key);
      }
      return keys;
    });

const httpUrl = (name: string) =>
  required(name).refine(
    (raw) => URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol),
    `${name} must be an http(s) URL`,
  );

/** Where Redis is and how keys are named: shared by the service and the keys CLI. */
const REDIS_FIELDS = {
  // Required unless REDIS_CLUSTER_NODES or REDIS_SENTINELS name the servers (checked below); with
  // them, its user, password and rediss:// (TLS) still apply.
  REDIS_URL: z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()))
    .refine(
      (raw) => raw === undefined || (URL.canParse(raw) && /^rediss?:$/.test(new URL(raw).protocol)),
      'REDIS_URL must be a redis:// or rediss:// URL',
    ),
  REDIS_CLUSTER_NODES: nodeList('REDIS_CLUSTER_NODES'),
  REDIS_SENTINELS: nodeList('REDIS_SENTINELS'),
  REDIS_SENTINEL_NAME: z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()))
    .refine(
      (raw) => raw === undefined || /^[A-Za-z0-9._-]{1,128}$/.test(raw),
      'REDIS_SENTINEL_NAME must be a Sentinel master name (letters, digits, . _ -)',
    ),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .optional()
    .transform((raw) => raw ?? 'gc:')
    .pipe(z.string().regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'REDIS_KEY_PREFIX may use letters, digits and : _ . - only')),
};

/** One way to find Redis: a URL, cluster nodes, or Sentinels (with the master's name). */
function checkRedis(
  env: {
    REDIS_URL?: string;
    REDIS_CLUSTER_NODES?: RedisNode[];
    REDIS_SENTINELS?: RedisNode[];
    REDIS_SENTINEL_NAME?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_CLUSTER_NODES'],
      message: 'REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each other: set one',
    });
  } else if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINEL_NAME'],
      message: 'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the name of the master group)',
    });
  } else if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES && !env.REDIS_SENTINELS) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message: 'REDIS_URL is required (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS with REDIS_SENTINEL_NAME)',
    });
  }
}

const CTP_FIELDS = {
  CTP_PROJECT_KEY: required('CTP_PROJECT_KEY').regex(
    /^[a-z0-9_-]{2,256}$/i,
    'CTP_PROJECT_KEY must be a commercetools project key',
  ),
  CTP_CLIENT_ID: required('CTP_CLIENT_ID'),
  CTP_CLIENT_SECRET: required('CTP_CLIENT_SECRET'),
  CTP_AUTH_URL: httpUrl('CTP_AUTH_URL'),
  CTP_API_URL: httpUrl('CTP_API_URL'),
  CTP_SCOPES: required('CTP_SCOPES').transform((raw) => raw.split(/\s+/).filter(Boolean)),
  CTP_TIMEOUT_MS: intFrom('CTP_TIMEOUT_MS', 100, 10_000),
  CTP_READ_ATTEMPTS: intFrom('CTP_READ_ATTEMPTS', 1, 3),
  CTP_READ_DEADLINE_MS: intFrom('CTP_READ_DEADLINE_MS', 100, 15_000),
  CTP_BREAKER_THRESHOLD: intFrom('CTP_BREAKER_THRESHOLD', 1, 5),
  CTP_BREAKER_HALF_OPEN_MS: intFrom('CTP_BREAKER_HALF_OPEN_MS', 100, 5000),
  CTP_HTTP_CONNECTIONS: intFrom('CTP_HTTP_CONNECTIONS', 1, DEFAULT_UPSTREAM_HTTP.connections),
  CTP_HTTP_KEEP_ALIVE_MS: intFrom('CTP_HTTP_KEEP_ALIVE_MS', 1000, DEFAULT_UPSTREAM_HTTP.keepAliveMs),
};

/** Environment contract of the service; `.env.example` documents every variable. */
const envSchema = z
  .object({
    ...CTP_FIELDS,
    ...REDIS_FIELDS,
    API_KEYS: required('API_KEYS').transform((raw, ctx) => {
      try {
        return parseApiKeys(raw);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `API_KEYS: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
    PORT: intFrom('PORT', 0, 8080).refine((port) => port <= 65_535, 'PORT must be at most 65535'),
    LOG_LEVEL: z
      .string()
      .optional()
      .transform((raw) => (raw === undefined || raw === '' ? 'info' : raw))
      .pipe(z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })),
    // 0: unset. SESSION_TTL_SECONDS wins; SESSION_TTL_DAYS keeps working without it; else 90 days.
    SESSION_TTL_SECONDS: intFrom('SESSION_TTL_SECONDS', 1, 0),
    SESSION_TTL_DAYS: intFrom('SESSION_TTL_DAYS', 1, 0),
    ENDED_SESSION_TTL_SECONDS: intFrom('ENDED_SESSION_TTL_SECONDS', 0, 0),
    CUSTOMER_GRANT_TTL_SECONDS: intFrom('CUSTOMER_GRANT_TTL_SECONDS', 1, 86_400),
    ORDER_OWNER_TTL_SECONDS: intFrom('ORDER_OWNER_TTL_SECONDS', 0, 0),
    SESSION_QUOTA_PER_CLIENT: intFrom('SESSION_QUOTA_PER_CLIENT', 1, 1_000_000),
    IDEMPOTENCY_TTL_HOURS: intFrom('IDEMPOTENCY_TTL_HOURS', 1, 24),
    RATE_LIMIT_PER_MINUTE: intFrom('RATE_LIMIT_PER_MINUTE', 0, 6000),
    BODY_LIMIT_KB: intFrom('BODY_LIMIT_KB', 1, 100),
    READYZ_CACHE_MS: intFrom('READYZ_CACHE_MS', 0, 2000),
    SHUTDOWN_GRACE_MS: intFrom('SHUTDOWN_GRACE_MS', 0, 10_000),
    // Every instance must share it, or a retry reaching another instance would not match its first try.
    IDEMPOTENCY_SECRET: required('IDEMPOTENCY_SECRET').min(32, 'IDEMPOTENCY_SECRET must be at least 32 characters'),
    TOKEN_CACHE_KEY: aesKeyList('TOKEN_CACHE_KEY'),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: intFrom('HTTP_KEEP_ALIVE_TIMEOUT_MS', 1000, 65_000),
    HTTP_REQUEST_TIMEOUT_MS: intFrom('HTTP_REQUEST_TIMEOUT_MS', 0, 0),
    HTTP_MAX_CONNECTIONS: intFrom('HTTP_MAX_CONNECTIONS', 1, 10_000),
    SIGN_IN_MAX_FAILURES: intFrom('SIGN_IN_MAX_FAILURES', 1, 10),
    SIGN_IN_BLOCK_SECONDS: intFrom('SIGN_IN_BLOCK_SECONDS', 1, 900),
    SIGN_UP_MAX_ATTEMPTS: intFrom('SIGN_UP_MAX_ATTEMPTS', 1, 10),
  })
  .superRefine(checkRedis);

export interface Config {
  commercetools: {
    projectKey: string;
    clientId: string;
    clientSecret: string;
    authUrl: string;
    apiUrl: string;
    scopes: string[];
    timeoutMs: number;
    /** The keep-alive pool per commercetools origin (upstream-http.client.ts). */
    http: { connections: number; keepAliveMs: number };
    policy: UpstreamPolicyOptions;
  };
  redis: RedisSettings;
  apiKeys: ApiKeyTable;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** A session's sliding lifetime (from its last cart change); carts get the same lifetime in whole days. */
  sessionTtlSeconds: number;
  /** How long an ended session that placed orders is kept; 0: for good (as long as orders exist). */
  endedSessionTtlSeconds: number;
  /** Lifetime of a customer grant on the cart a hand-over returned. */
  customerGrantTtlSeconds: number;
  /** How long the owner of an order placed through a grant is kept; 0: for good. */
  orderOwnerTtlSeconds: number;
  /** Active sessions a client may hold at once. */
  sessionQuotaPerClient: number;
  idempotencyTtlSeconds: number;
  /** Requests per client and minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** How long /readyz reuses its last result. */
  readinessCacheMs: number;
  shutdownGraceMs: number;
  /** HMAC key of Idempotency-Key fingerprints (request bodies may hold passwords). */
  idempotencySecret: string;
  /** AES-256-GCM keys of the shared access token in Redis; none: each instance keeps its own token. */
  tokenCacheKeys: Buffer[];
  http: HttpLimits;
  signInLimits: SignInLimits;
}

/** Limits on password guessing (src/clients/sign-in.guard.ts). */
export interface SignInLimits {
  /** Consecutive failed sign-ins allowed per email and per session; the next attempt blocks. */
  maxFailures: number;
  /** How long a blocked email or session waits; also the window of sign-up attempts per session. */
  blockSeconds: number;
  /** Sign-up attempts per session within blockSeconds. */
  signUpMaxAttempts: number;
}

/** Limits of the HTTP server (src/server.ts), so idle, slow and surplus connections cannot pile up. */
export interface HttpLimits {
  /** Idle keep-alive connections close after this; above a load balancer's idle timeout (60 s is common). */
  keepAliveTimeoutMs: number;
  /** Time to receive a request's headers: just above keepAliveTimeoutMs, as load balancer guides advise. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (not to answer it: upstream time does not count). */
  requestTimeoutMs: number;
  /** Connections beyond this are closed on accept. */
  maxConnections: number;
}

/**
 * Where Redis is: a URL (one server); or Redis Cluster nodes (ioredis' Cluster client); or
 * Sentinels and the master's name. With cluster nodes or Sentinels, `url` (when given) only
 * contributes user, password and TLS.
 */
export interface RedisSettings {
  url?: string;
  keyPrefix: string;
  clusterNodes?: RedisNode[];
  sentinels?: RedisNode[];
  sentinelName?: string;
  sentinelPassword?: string;
}

/** One bad or missing variable and what is wrong with it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every problem of the configuration at once, so one run names all there is to fix. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      problems.length === 1
        ? describeProblem(problems[0]!)
        : `${problems.length} problems: ${problems.map((problem) => describeProblem(problem)).join('; ')}`,
    );
  }
}

export function describeProblem(problem: ConfigProblem): string {
  return problem.message.includes(problem.variable) ? problem.message : `${problem.variable}: ${problem.message}`;
}

function problemsOf(error: z.ZodError | undefined): ConfigProblem[] {
  return (error?.issues ?? []).map((issue) => ({
    variable: String(issue.path[0] ?? 'environment'),
    message: issue.message,
  }));
}

/** Each variable once, in the order found (a variable may fail its own rule and a cross-check). */
function firstPerVariable(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => !seen.has(problem.variable) && seen.add(problem.variable));
}

/**
 * The key `npm run dev` prints: public, so it must never open a real deployment. It lives here, not in
 * sandbox/, because the refusal below needs it and src never imports the sandbox.
 */
export const SANDBOX_DEMO_API_KEY = 'sandbox-demo-key-not-for-production';
/** The sandbox's demo tills, one per seeded store; public too, so refused outside the sandbox as well. */
export const SANDBOX_TILL_API_KEYS = {
  'berlin-mitte': 'sandbox-till-berlin-mitte-not-for-production',
  'vienna-1': 'sandbox-till-vienna-1-not-for-production',
} as const;

/** Values of `.env.example` that mean "not filled in yet": starting with them would expose a known secret. */
const PLACEHOLDER_CREDENTIAL = /^replace-me$/i;
const PLACEHOLDER_SECRET = /^change-me/i;

/**
 * Outside the sandbox, the demo key and the `.env.example` placeholders are refused: a service started
 * from a copied example must not answer to a secret printed in the repository.
 */
function placeholderProblems(env: NodeJS.ProcessEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const name of ['CTP_CLIENT_ID', 'CTP_CLIENT_SECRET'] as const) {
    if (PLACEHOLDER_CREDENTIAL.test(env[name]?.trim() ?? ''))
      problems.push({
        variable: name,
        message: `${name} is still the .env.example placeholder: use your API client's (Merchant Center)`,
      });
  }
  const secrets = (env.API_KEYS ?? '').split(',').map((entry) => entry.trim().split(':')[1] ?? '');
  const demoKeys: string[] = [SANDBOX_DEMO_API_KEY, ...Object.values(SANDBOX_TILL_API_KEYS)];
  if (secrets.some((secret) => demoKeys.includes(secret))) {
    problems.push({
      variable: 'API_KEYS',
      message: 'API_KEYS holds the public sandbox demo key: it works in `npm run dev` only; set your own secrets',
    });
  } else if (secrets.some((secret) => PLACEHOLDER_SECRET.test(secret))) {
    problems.push({
      variable: 'API_KEYS',
      message: 'API_KEYS holds a change-me placeholder of .env.example: set your own secrets (16+ random characters)',
    });
  }
  return problems;
}

export interface LoadConfigOptions {
  /**
   * Set by the sandbox (sandbox/sandbox.ts) when it builds its own configuration: it allows the demo key
   * and placeholders. A code-level flag, not an environment variable, so no deployment can switch the
   * refusal off by setting one by mistake; `npm start` never loads the sandbox.
   */
  sandbox?: boolean;
}

function redisSettings(e: z.infer<typeof redisSchema>): RedisSettings {
  return {
    keyPrefix: e.REDIS_KEY_PREFIX,
    ...(e.REDIS_URL ? { url: e.REDIS_URL } : {}),
    ...(e.REDIS_CLUSTER_NODES ? { clusterNodes: e.REDIS_CLUSTER_NODES } : {}),
    ...(e.REDIS_SENTINELS ? { sentinels: e.REDIS_SENTINELS, sentinelName: e.REDIS_SENTINEL_NAME } : {}),
    ...(e.REDIS_SENTINELS && e.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: e.REDIS_SENTINEL_PASSWORD } : {}),
  };
}

const redisSchema = z.object(REDIS_FIELDS).superRefine(checkRedis);

const ctpSchema = z.object(CTP_FIELDS);

function commercetoolsSettings(e: z.infer<typeof ctpSchema>): Config['commercetools'] {
  return {
    projectKey: e.CTP_PROJECT_KEY,
    clientId: e.CTP_CLIENT_ID,
    clientSecret: e.CTP_CLIENT_SECRET,
    authUrl: e.CTP_AUTH_URL.replace(/\/+$/, ''),
    apiUrl: e.CTP_API_URL.replace(/\/+$/, ''),
    scopes: e.CTP_SCOPES,
    timeoutMs: e.CTP_TIMEOUT_MS,
    http: { connections: e.CTP_HTTP_CONNECTIONS, keepAliveMs: e.CTP_HTTP_KEEP_ALIVE_MS },
    policy: {
      ...DEFAULT_UPSTREAM_POLICY,
      readAttempts: e.CTP_READ_ATTEMPTS,
      readDeadlineMs: e.CTP_READ_DEADLINE_MS,
      breakerThreshold: e.CTP_BREAKER_THRESHOLD,
      breakerHalfOpenMs: e.CTP_BREAKER_HALF_OPEN_MS,
    },
  };
}

/** Only the commercetools variables (the keys CLI checks a key's store with them); same rules as loadConfig. */
export function loadCommercetoolsSettings(env: NodeJS.ProcessEnv = process.env): Config['commercetools'] {
  const parsed = ctpSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(firstPerVariable(problemsOf(parsed.error)));
  return commercetoolsSettings(parsed.data);
}

/** Only the Redis variables (the keys CLI needs no more); same rules and messages as loadConfig. */
export function loadRedisSettings(env: NodeJS.ProcessEnv = process.env): RedisSettings {
  const parsed = redisSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(firstPerVariable(problemsOf(parsed.error)));
  return redisSettings(parsed.data);
}

/**
 * Parses the environment once at start. Every bad or missing variable is reported at once, each named
 * with its problem. The Redis cross-check runs on its own too: zod skips an object's refinements while
 * any of its fields fails, which would hide a missing REDIS_URL behind another variable's error.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  const problems = firstPerVariable([
    ...problemsOf(parsed.error),
    ...(parsed.success ? [] : problemsOf(redisSchema.safeParse(env).error)),
    ...(options.sandbox ? [] : placeholderProblems(env)),
  ]);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    commercetools: commercetoolsSettings(e),
    redis: redisSettings(e),
    apiKeys: e.API_KEYS,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS || (e.SESSION_TTL_DAYS ? e.SESSION_TTL_DAYS * 86_400 : 7_776_000),
    endedSessionTtlSeconds: e.ENDED_SESSION_TTL_SECONDS,
    customerGrantTtlSeconds: e.CUSTOMER_GRANT_TTL_SECONDS,
    orderOwnerTtlSeconds: e.ORDER_OWNER_TTL_SECONDS,
    sessionQuotaPerClient: e.SESSION_QUOTA_PER_CLIENT,
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_HOURS * 3600,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    readinessCacheMs: e.READYZ_CACHE_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    idempotencySecret: e.IDEMPOTENCY_SECRET,
    tokenCacheKeys: e.TOKEN_CACHE_KEY,
    http: httpLimits(e.HTTP_KEEP_ALIVE_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS, e.HTTP_MAX_CONNECTIONS),
    signInLimits: {
      maxFailures: e.SIGN_IN_MAX_FAILURES,
      blockSeconds: e.SIGN_IN_BLOCK_SECONDS,
      signUpMaxAttempts: e.SIGN_UP_MAX_ATTEMPTS,
    },
  };
}

/** HTTP_REQUEST_TIMEOUT_MS unset (0): the headers' time plus 10 s for a body of at most BODY_LIMIT_KB. */
function httpLimits(keepAliveTimeoutMs: number, requestTimeoutMs: number, maxConnections: number): HttpLimits {
  const headersTimeoutMs = keepAliveTimeoutMs + 1000;
  if (requestTimeoutMs !== 0 && requestTimeoutMs < headersTimeoutMs) {
    // Node refuses a request timeout shorter than the headers timeout.
    throw new ConfigError([
      {
        variable: 'HTTP_REQUEST_TIMEOUT_MS',
        message: `HTTP_REQUEST_TIMEOUT_MS must be at least HTTP_KEEP_ALIVE_TIMEOUT_MS + 1000 (${headersTimeoutMs}), or unset`,
      },
    ]);
  }
  return {
    keepAliveTimeoutMs,
    headersTimeoutMs,
    requestTimeoutMs: requestTimeoutMs || headersTimeoutMs + 10_000,
    maxConnections,
  };
}
