import { z } from 'zod';
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

const required = (name: string) => z.string({ error: `${name} is required` }).trim().min(1, `${name} is required`);

const httpUrl = (name: string) =>
  required(name).refine((raw) => URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol), `${name} must be an http(s) URL`);

/** Environment contract of the service; `.env.example` documents every variable. */
const envSchema = z.object({
  CTP_PROJECT_KEY: required('CTP_PROJECT_KEY').regex(/^[a-z0-9_-]{2,256}$/i, 'CTP_PROJECT_KEY must be a commercetools project key'),
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
  REDIS_URL: required('REDIS_URL').refine(
    (raw) => URL.canParse(raw) && /^rediss?:$/.test(new URL(raw).protocol),
    'REDIS_URL must be a redis:// or rediss:// URL',
  ),
  REDIS_KEY_PREFIX: z
    .string()
    .optional()
    .transform((raw) => raw ?? 'gc:')
    .pipe(z.string().regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'REDIS_KEY_PREFIX may use letters, digits and : _ . - only')),
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
  SESSION_TTL_DAYS: intFrom('SESSION_TTL_DAYS', 1, 90),
  IDEMPOTENCY_TTL_HOURS: intFrom('IDEMPOTENCY_TTL_HOURS', 1, 24),
  RATE_LIMIT_PER_MINUTE: intFrom('RATE_LIMIT_PER_MINUTE', 0, 6000),
  BODY_LIMIT_KB: intFrom('BODY_LIMIT_KB', 1, 100),
  READYZ_CACHE_MS: intFrom('READYZ_CACHE_MS', 0, 2000),
  SHUTDOWN_GRACE_MS: intFrom('SHUTDOWN_GRACE_MS', 0, 10_000),
});

export interface Config {
  commercetools: {
    projectKey: string;
    clientId: string;
    clientSecret: string;
    authUrl: string;
    apiUrl: string;
    scopes: string[];
    timeoutMs: number;
    policy: UpstreamPolicyOptions;
  };
  redis: { url: string; keyPrefix: string };
  apiKeys: ApiKeyTable;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  sessionTtlSeconds: number;
  idempotencyTtlSeconds: number;
  /** Requests per client and minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** How long /readyz reuses its last result. */
  readinessCacheMs: number;
  shutdownGraceMs: number;
}

export class ConfigError extends Error {}

/** Parses the environment once at start; the first problem is reported in one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message = issue?.message ?? 'invalid';
    throw new ConfigError(message.includes(variable) ? message : `${variable}: ${message}`);
  }
  const e = parsed.data;
  return {
    commercetools: {
      projectKey: e.CTP_PROJECT_KEY,
      clientId: e.CTP_CLIENT_ID,
      clientSecret: e.CTP_CLIENT_SECRET,
      authUrl: e.CTP_AUTH_URL.replace(/\/+$/, ''),
      apiUrl: e.CTP_API_URL.replace(/\/+$/, ''),
      scopes: e.CTP_SCOPES,
      timeoutMs: e.CTP_TIMEOUT_MS,
      policy: {
        ...DEFAULT_UPSTREAM_POLICY,
        readAttempts: e.CTP_READ_ATTEMPTS,
        readDeadlineMs: e.CTP_READ_DEADLINE_MS,
        breakerThreshold: e.CTP_BREAKER_THRESHOLD,
        breakerHalfOpenMs: e.CTP_BREAKER_HALF_OPEN_MS,
      },
    },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    apiKeys: e.API_KEYS,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    sessionTtlSeconds: e.SESSION_TTL_DAYS * 86_400,
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_HOURS * 3600,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    readinessCacheMs: e.READYZ_CACHE_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}
