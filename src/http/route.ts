import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Caller, Scope } from '../domain/api-keys';
import type { ErrorCode } from '../domain/errors';
import { DomainError } from '../domain/errors';
import { RawJson } from '../domain/raw-json';
import type { IdempotencyStore } from '../domain/ports';
import { fingerprintOf, idempotencyKeyOf, runIdempotent } from './idempotency';
import { requireScope } from './middleware/auth.middleware';
import { validationError } from './problem';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInput<P, Q, B> {
  caller: Caller;
  /** The request's Idempotency-Key (any write: POST, PUT, PATCH, DELETE), for exactly-once writes. */
  idempotencyKey?: string;
  /** With idempotencyKey: the request's fingerprint, to bind what is noted under the key to this request. */
  fingerprint?: string;
  params: P;
  query: Q;
  body: B;
}

/** What a public route's handler gets: there is no key, hence no caller. */
export type PublicRouteInput<P, Q> = Pick<RouteInput<P, Q, never>, 'params' | 'query'>;

/** One documented answer: its status, schema and, for anything but JSON, its media type. */
export interface ResponseSpec {
  status: number;
  description: string;
  schema: z.ZodType;
  /** `application/json` unless given; any other type is sent as the text the handler returns. */
  contentType?: string;
  /** For the OpenAPI document, when the schema carries no example of its own. */
  example?: unknown;
}

/**
 * One route, described once: the same object registers the Express handler, validates the
 * request, labels its metrics and produces its part of the OpenAPI document.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** OpenAPI-style template, e.g. `/v1/sessions/{anonymousId}`; also the metrics route label. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** The scope the API key needs; `null`: a public route (operations), taking no key. */
  scope: Scope | null;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  success: ResponseSpec;
  /** Answers other than the success and the problems, chosen by the handler with `Reply` (e.g. /readyz's 503). */
  otherResponses?: ResponseSpec[];
  /** Headers of every answer of this route, fixed at start (e.g. the docs page's own CSP). */
  headers?: Readonly<Record<string, string>>;
  errors: ErrorCode[];
  /** The body of the success response, or a `Reply` naming another documented status. */
  handle(input: RouteInput<P, Q, B>): unknown;
}

/** An answer with a status other than the spec's success (one of its `otherResponses`). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** A route that needs an API key with `scope`; keeps the spec's generic types in a list of specs of any shape. */
export function route<P, Q, B>(spec: RouteSpec<P, Q, B> & { scope: Scope }): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** A route anyone may call (health, metrics, documents): no key, no caller, no rate limit. */
export function publicRoute<P, Q>(
  spec: Omit<RouteSpec<P, Q, never>, 'scope' | 'handle' | 'body'> & { handle(input: PublicRouteInput<P, Q>): unknown },
): RouteSpec {
  return { ...spec, scope: null } as unknown as RouteSpec;
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

const JSON_TYPE = 'application/json';

/** The Express handler of a spec; for a keyed route, authentication has already put the caller on `res.locals`. */
export function toHandler(spec: RouteSpec, options: HandlerOptions): RequestHandler {
  const contentTypes = new Map(
    [spec.success, ...(spec.otherResponses ?? [])].map((r) => [r.status, r.contentType ?? JSON_TYPE]),
  );
  const fixedHeaders = Object.entries(spec.headers ?? {});
  return async (req: Request, res: Response) => {
    const caller = res.locals.caller as Caller;
    if (spec.body && hasBody(req) && !req.is('application/json')) {
      throw new DomainError('UnsupportedMediaType', 'Send the request body as application/json.');
    }
    const idempotencyKey = spec.method !== 'get' ? idempotencyKeyOf(req) : undefined;
    const params = parse(spec.params, req.params, 'path');
    const query = parse(spec.query, req.query, 'query');
    const body = parse(spec.body, req.body ?? {}, 'body');
    const fingerprint = idempotencyKey
      ? fingerprintOf(options.idempotencySecret, { method: spec.method, route: spec.path, params, body: req.body })
      : undefined;
    const work = async () => {
      const result = await spec.handle({ caller, idempotencyKey, fingerprint, params, query, body });
      return result instanceof Reply ? result : { status: spec.success.status, body: result };
    };
    for (const [name, value] of fixedHeaders) res.setHeader(name, value);
    if (idempotencyKey && fingerprint) {
      return runIdempotent(options.idempotency, req, res, caller, { key: idempotencyKey, fingerprint }, work, options);
    }
    const result = await work();
    const contentType = contentTypes.get(result.status) ?? JSON_TYPE;
    if (contentType === JSON_TYPE) sendJson(res, result.status, result.body);
    else sendText(res, result.status, contentType, String(result.body));
  };
}

/**
 * The JSON answer, written in one go: what `res.json` sends (same body, `Content-Type` and
 * `Content-Length`), without its per-response setting lookups and charset parsing, and as one
 * string with the headers rather than a separate buffer (measured on the hot path).
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  if (body instanceof RawJson) return sendBytes(res, status, JSON_UTF8, body.bytes);
  sendText(res, status, JSON_UTF8, JSON.stringify(body) ?? '');
}

const JSON_UTF8 = 'application/json; charset=utf-8';

/** Bytes passed on as they came (a listing of commercetools, raw-json.ts). */
function sendBytes(res: Response, status: number, contentType: string, bytes: Buffer): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}

/** A text answer (JSON, Prometheus text, HTML) with its length, in one write. */
export function sendText(res: Response, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export interface RouteGuards {
  /** Resolves the API key to the caller (401 otherwise). */
  authenticate: RequestHandler;
  /** Steps after authentication, before the scope check (the rate limit, when configured). */
  limits: RequestHandler[];
}

/**
 * Serves the specs in order: each route labels its metrics with its template, then (unless public)
 * checks the key, the limit and the scope, then runs its handler. A known path with another
 * method answers 405 with `Allow`.
 */
export function registerRoutes(app: Express, routes: RouteSpec[], guards: RouteGuards, options: HandlerOptions): void {
  const methodsByPath = new Map<string, string[]>();
  for (const spec of routes) {
    const path = expressPath(spec.path);
    const label = (_req: Request, res: Response, next: NextFunction) => {
      res.locals.route = spec.path;
      next();
    };
    const guard = spec.scope === null ? [] : [guards.authenticate, ...guards.limits, requireScope(spec.scope)];
    app[spec.method](path, label, ...guard, toHandler(spec, options));
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), spec.method.toUpperCase()]);
  }
  for (const [path, methods] of methodsByPath) {
    app.all(path, (_req, res) => {
      res.setHeader('Allow', methods.join(', '));
      throw new DomainError('MethodNotAllowed', `Use ${methods.join(', ')} on this path.`);
    });
  }
}
