import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Caller, Scope } from '../domain/api-keys';
import type { ErrorCode } from '../domain/errors';
import { DomainError } from '../domain/errors';
import type { IdempotencyStore } from '../domain/ports';
import { fingerprintOf, idempotencyKeyOf, runIdempotent } from './idempotency';
import { validationError } from './problem';

export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface RouteInput<P, Q, B> {
  caller: Caller;
  /** The request's Idempotency-Key (POST only), for idempotent creates. */
  idempotencyKey?: string;
  /** With idempotencyKey: the request's fingerprint, to bind what is noted under the key to this request. */
  fingerprint?: string;
  params: P;
  query: Q;
  body: B;
}

/**
 * One route, described once: the same object registers the Express handler, validates the
 * request and produces its part of the OpenAPI document.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** OpenAPI-style template, e.g. `/v1/sessions/{anonymousId}`; also the metrics route label. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: Scope;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  success: { status: number; description: string; schema: z.ZodType };
  errors: ErrorCode[];
  handle(input: RouteInput<P, Q, B>): Promise<unknown>;
}

/** Keeps the spec's generic types while collecting specs of different shapes in one list. */
export function route<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

export interface HandlerOptions {
  idempotency: IdempotencyStore;
  /** HMAC key of request fingerprints (IDEMPOTENCY_SECRET). */
  idempotencySecret: string;
  onStoreError: (error: unknown) => void;
  onReplay: () => void;
}

/** The Express handler of a spec; authentication has already put the caller on `res.locals`. */
export function toHandler(spec: RouteSpec, options: HandlerOptions): RequestHandler {
  return async (req: Request, res: Response) => {
    const caller = res.locals.caller as Caller;
    if (spec.body && hasBody(req) && !req.is('application/json')) {
      throw new DomainError('UnsupportedMediaType', 'Send the request body as application/json.');
    }
    const idempotencyKey = spec.method === 'post' ? idempotencyKeyOf(req) : undefined;
    const params = parse(spec.params, req.params, 'path');
    const query = parse(spec.query, req.query, 'query');
    const body = parse(spec.body, req.body ?? {}, 'body');
    const fingerprint = idempotencyKey
      ? fingerprintOf(options.idempotencySecret, { method: spec.method, route: spec.path, params, body: req.body })
      : undefined;
    const work = async () => ({
      status: spec.success.status,
      body: await spec.handle({ caller, idempotencyKey, fingerprint, params, query, body }),
    });
    if (idempotencyKey && fingerprint) {
      return runIdempotent(options.idempotency, req, res, caller, { key: idempotencyKey, fingerprint }, work, options);
    }
    const result = await work();
    sendJson(res, result.status, result.body);
  };
}

/**
 * The JSON answer, written in one go: what `res.json` sends (same body, `Content-Type` and
 * `Content-Length`), without its per-response setting lookups and charset parsing, and as one
 * string with the headers rather than a separate buffer (measured on the hot path).
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body) ?? '';
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
