import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { ClientRequest, Middleware, MiddlewareRequest } from '@commercetools/ts-client';
import { Agent, type Dispatcher } from 'undici';
import { RawJson } from '../domain/raw-json';

/** How the service connects to commercetools (config: CTP_HTTP_CONNECTIONS, CTP_HTTP_KEEP_ALIVE_MS). */
export interface UpstreamHttpOptions extends UpstreamPool {
  /** The call timeout (CTP_TIMEOUT_MS): for an API call, the whole answer from the moment of the call. */
  timeoutMs: number;
}

export interface UpstreamPool {
  /** Keep-alive connections per origin (the auth host and the API host each get a pool of this size). */
  connections: number;
  /** How long an idle connection is kept, unless the server's `Keep-Alive` hint says less. */
  keepAliveMs: number;
}

/**
 * Little's law sizes the pool: connections in use = calls per second × time per call. A busy
 * instance (≈ 2,000 listings/s, or ≈ 1,000 mints/s of two parallel queries each) against a region
 * 30–60 ms away needs 60–120; 256 leaves room for slow moments without opening sockets without end
 * (fetch's global agent has no limit). Idle connections are kept 30 s: under the idle timeouts of
 * the load balancers in front of the API (60 s and more), so a reused one is rarely found closed.
 */
export const DEFAULT_UPSTREAM_HTTP: UpstreamPool = { connections: 256, keepAliveMs: 30_000 };

/** What the ts-client's auth middleware passes to its `httpClient` (fetch's `RequestInit`, the part it uses). */
export interface UpstreamRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** What the ts-client (status, `text()`) and the token cache (`ok`, `json()`) read of fetch's `Response`. */
export interface UpstreamResponse {
  status: number;
  ok: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type UpstreamFetch = (url: string, init?: UpstreamRequestInit) => Promise<UpstreamResponse>;

/**
 * A request header key, never sent: asks for a successful answer as its bytes (RawJson), for a
 * listing passed on unchanged. Error answers are parsed as always. A symbol survives the
 * ts-client's header copies (object spread) and is skipped by undici.
 */
export const KEEP_JSON_AS_SENT = Symbol('keep JSON as sent');

export interface UpstreamHttpClient {
  /** For the ts-client's token requests after a 401 (its auth middleware's `httpClient` option). */
  fetch: UpstreamFetch;
  /** The ts-client's HTTP step for API calls, in place of its http middleware, on the same pool. */
  middleware(host: string): Middleware;
  /** Closes every pooled connection (graceful shutdown). */
  close(): Promise<void>;
}

// What fetch asks for (and decodes), so answers come as compressed as they did under fetch.
const ACCEPT_ENCODING = 'gzip, deflate, br';

const DECODERS: Record<string, (compressed: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** The whole body, decoded as its Content-Encoding says (undici's own decompress interceptor is experimental). */
async function decoded(body: Dispatcher.ResponseData['body'], encoding: string | null): Promise<Buffer> {
  const bytes = await body.bytes();
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!encoding || encoding === 'identity') return raw;
  const decode = DECODERS[encoding.trim().toLowerCase()];
  if (!decode) throw new Error(`commercetools answered in an unknown Content-Encoding: ${encoding}`);
  return decode(raw);
}

/**
 * commercetools over an undici `Agent` (one keep-alive pool per origin) instead of global fetch:
 * `request` skips the WHATWG streams and header lists, which cost the service more CPU per call
 * than all of its own work (bench/RESULTS.md). It keeps what fetch gives against the real API:
 * `Accept-Encoding` and gzip/deflate/br decoding, error answers as they came, the abort signal,
 * and a body timeout equal to the call timeout (fetch's would be undici's default, 300 s).
 */
export function createUpstreamHttpClient(options: UpstreamHttpOptions): UpstreamHttpClient {
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const send: UpstreamFetch = async (url, init = {}) => {
    // url is `{origin}{path}` as the ts-client builds it from CTP_AUTH_URL.
    const pathAt = url.indexOf('/', url.indexOf('//') + 2);
    const answer = await agent.request({
      origin: pathAt < 0 ? url : url.slice(0, pathAt),
      path: pathAt < 0 ? '/' : url.slice(pathAt),
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: { 'accept-encoding': ACCEPT_ENCODING, ...init.headers },
      body: init.body ?? null,
      signal: init.signal ?? null,
    });
    const status = answer.statusCode;
    const encoding = headerOf(answer.headers, 'content-encoding');
    const text = async () => (await decoded(answer.body, encoding)).toString('utf8');
    return { status, ok: status >= 200 && status < 300, text, json: async () => JSON.parse(await text()) };
  };

  /**
   * What the ts-client's http middleware does for an API call, in one step: the URL from the host,
   * a JSON body, `Content-Type: application/json` unless given, the call timeout from the moment
   * of the call (waiting for a pooled connection included) over the whole answer, and the answer
   * in the shapes its auth middleware and client read: `{ statusCode, body }`, an error with
   * `statusCode`, `message` and the parsed `body` for any other status, and `{ body: null, error }`
   * thrown for a network failure or a timeout. Without its retry (off here: the policy retries)
   * and its layers of copies, which cost more than the call itself (bench/RESULTS.md).
   */
  const middleware =
    (host: string): Middleware =>
    (next) =>
    async (request: MiddlewareRequest) => {
      const response = await callApi(host, request);
      return next({ ...request, response } as MiddlewareRequest);
    };

  const callApi = async (host: string, request: ClientRequest) => {
    const uri = request.uri ?? '/';
    const headers: Record<string, string> = {
      'accept-encoding': ACCEPT_ENCODING,
      'Content-Type': 'application/json',
      ...(request.headers as object),
    };
    const keep = KEEP_JSON_AS_SENT in headers;
    const method = request.method as Dispatcher.HttpMethod;
    const body =
      request.body === undefined || request.body === null
        ? null
        : typeof request.body === 'string' || Buffer.isBuffer(request.body)
          ? request.body
          : JSON.stringify(request.body);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    let status: number;
    let bytes: Buffer | undefined;
    try {
      const answer: Dispatcher.ResponseData = await agent.request({
        origin: host,
        path: uri,
        method,
        headers,
        body,
        signal: controller.signal,
      });
      status = answer.statusCode;
      bytes = method === 'HEAD' ? undefined : await decoded(answer.body, headerOf(answer.headers, 'content-encoding'));
    } catch (error) {
      throw networkFailure(error as Error, uri);
    } finally {
      clearTimeout(timer);
    }
    if (status >= 200 && status < 300) {
      if (bytes === undefined) return { statusCode: status, body: null };
      if (keep) return { statusCode: status, body: new RawJson(bytes) };
      return { statusCode: status, body: parseAnswer(bytes, status, uri) };
    }
    const data = bytes === undefined ? undefined : parseAnswer(bytes, status, uri);
    const error = httpFailure(status, data, request);
    return { ...error, error, statusCode: status, body: data };
  };

  return { fetch: send, middleware, close: () => agent.close() };
}

/** A header of an undici answer (lower-case names), repeated ones joined as fetch joins them. */
function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/** JSON as the ts-client reads it: an error answer that is not JSON (a load balancer's page) stays text. */
function parseAnswer(bytes: Buffer, status: number, uri: string): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (status > 399) return text;
    throw networkFailure(error as Error, uri);
  }
}

/** The ts-client's HttpError fields that matter: status, message, code and the answer's body. */
function httpFailure(status: number, data: unknown, request: ClientRequest) {
  const answer = (data && typeof data === 'object' ? data : {}) as {
    message?: unknown;
    errors?: Array<{ code?: unknown }>;
  };
  const message =
    status === 404
      ? `URI not found: ${request.uri}`
      : typeof answer.message === 'string'
        ? answer.message
        : 'Unexpected non-JSON error response';
  return Object.assign(new Error(message), {
    name: 'HttpError',
    code: answer.errors?.[0]?.code ?? status,
    statusCode: status,
    status,
    method: request.method,
    body: data,
    error: data,
    uri: request.uri,
  });
}

/** What the ts-client throws when no answer came: `{ body: null, error }`, the error naming the cause. */
function networkFailure(cause: Error, uri: string) {
  const error = Object.assign(new Error(cause.message), {
    name: 'NetworkError',
    code: 'NetworkError',
    statusCode: 0,
    status: 0,
    body: cause,
    error: cause,
    uri,
  });
  return { body: null, error };
}
