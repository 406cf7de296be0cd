import { createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Caller } from '../domain/api-keys';
import { DomainError } from '../domain/errors';
import type { IdempotencyStore, StoredResponse } from '../domain/ports';
import { PROBLEM_CONTENT_TYPE, problemDocument, toDomainError } from './problem';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Printable ASCII, 1 to 255 characters (the IETF httpapi draft leaves the format to the server). */
const KEY_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/** The request's Idempotency-Key, validated; undefined when none was sent. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const value = req.get(IDEMPOTENCY_HEADER);
  if (value === undefined) return undefined;
  if (!KEY_PATTERN.test(value)) {
    throw new DomainError('ValidationFailed', `${IDEMPOTENCY_HEADER} must be 1 to 255 printable ASCII characters.`, {
      errors: [{ path: `header.${IDEMPOTENCY_HEADER}`, message: 'must be 1 to 255 printable ASCII characters' }],
    });
  }
  return value;
}

/** JSON with sorted keys, so the same payload always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What a request under an Idempotency-Key must repeat to be the same request: method, route
 * (its template, so whatever Express routes alike, in any case or with a trailing slash, is the
 * same), path parameters and body. An HMAC with the server's secret, because bodies may hold a
 * password: a plain digest kept in Redis could be checked against guessed passwords.
 */
export function fingerprintOf(
  secret: string,
  request: { method: string; route: string; params: unknown; body: unknown },
): string {
  return createHmac('sha256', secret)
    .update(`${request.method.toUpperCase()} ${request.route}\n${canonical(request.params ?? {})}\n`)
    .update(canonical(request.body ?? {}))
    .digest('hex');
}

/**
 * Answers a retry should get by running again, not by replay: they say "not now", not "no"
 * (a busy session, a version-less write that lost a race, a key still running, limits, outages).
 */
function isTransient(code: string, status: number, req: Request): boolean {
  if (status >= 500 || status === 429) return true;
  if (code === 'SessionBusy' || code === 'IdempotencyKeyInProgress') return true;
  const body = req.body as { version?: unknown } | undefined;
  return code === 'ConcurrentModification' && body?.version === undefined;
}

function send(res: Response, response: StoredResponse): void {
  res.status(response.status).type(response.contentType).send(response.body);
}

/**
 * Runs `work` at most once per client and Idempotency-Key: the first completed response is kept
 * and replayed for a repeat with the same `fingerprint`; a repeat while the first runs is 409, a
 * repeat with another payload 422. Transient answers (see isTransient) are not kept: a retry runs again.
 */
export async function runIdempotent(
  store: IdempotencyStore,
  req: Request,
  res: Response,
  caller: Caller,
  idempotency: { key: string; fingerprint: string },
  work: () => Promise<{ status: number; body: unknown }>,
  hooks: { onStoreError: (error: unknown) => void; onReplay: () => void },
): Promise<void> {
  const { onStoreError } = hooks;
  const { key, fingerprint } = idempotency;
  const begun = await store.begin(caller.clientId, key, fingerprint);
  if (begun.state !== 'started') {
    const held = begun.state === 'done' ? begun.response.fingerprint : begun.fingerprint;
    if (held !== fingerprint) {
      throw new DomainError(
        'IdempotencyKeyReused',
        `This ${IDEMPOTENCY_HEADER} was used with a different request; use a new key.`,
      );
    }
    if (begun.state === 'running') {
      throw new DomainError(
        'IdempotencyKeyInProgress',
        `A request with this ${IDEMPOTENCY_HEADER} is still running; retry shortly.`,
        { retryAfterSeconds: 1 },
      );
    }
    hooks.onReplay();
    res.setHeader('Idempotent-Replayed', 'true');
    return send(res, begun.response);
  }

  let response: StoredResponse;
  try {
    const result = await work();
    response = {
      fingerprint,
      status: result.status,
      contentType: 'application/json',
      body: JSON.stringify(result.body),
    };
  } catch (error) {
    const problem = toDomainError(error);
    const document = problemDocument(problem, res.locals.correlationId as string);
    if (isTransient(problem.code, document.status, req)) {
      await store.abandon(caller.clientId, key, begun.token).catch(onStoreError);
      throw problem;
    }
    response = {
      fingerprint,
      status: document.status,
      contentType: PROBLEM_CONTENT_TYPE,
      body: JSON.stringify(document.body),
    };
  }
  // The work is done: failing to keep its response must not turn it into an error.
  await store.complete(caller.clientId, key, begun.token, response).catch(onStoreError);
  send(res, response);
}
