import { createHash } from 'node:crypto';
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

export function fingerprintOf(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.path}\n${canonical(req.body ?? {})}`)
    .digest('hex');
}

function send(res: Response, response: StoredResponse): void {
  res.status(response.status).type(response.contentType).send(response.body);
}

/**
 * Runs `work` at most once per client and Idempotency-Key: the first completed response (any
 * status below 500) is kept and replayed for a repeat with the same payload; a repeat while the
 * first runs is 409, a repeat with another payload 422. A 5xx is not kept, so a retry runs again.
 */
export async function runIdempotent(
  store: IdempotencyStore,
  req: Request,
  res: Response,
  caller: Caller,
  key: string,
  work: () => Promise<{ status: number; body: unknown }>,
  hooks: { onStoreError: (error: unknown) => void; onReplay: () => void },
): Promise<void> {
  const { onStoreError } = hooks;
  const fingerprint = fingerprintOf(req);
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
    if (document.status >= 500) {
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
