import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { RawJson } from '../domain/raw-json';

/** How the service connects to commercetools (config: CTP_HTTP_CONNECTIONS, CTP_HTTP_KEEP_ALIVE_MS). */
export interface UpstreamHttpOptions extends UpstreamPool {
  /** The call timeout: waiting for the headers, and for each part of the body after them. */
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

/** What the ts-client passes to its `httpClient`: the subset of fetch's `RequestInit` it uses. */
export interface UpstreamRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** What the ts-client reads of fetch's `Response` (status, headers, `text()`), plus `ok` and `json()`. */
export interface UpstreamResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null; forEach(each: (value: string, name: string) => void): void };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * A successful answer kept as its bytes: without `text`, the ts-client takes `data` as the body as
 * it is (the path it has for axios), so a RawJson reaches the gateway unparsed.
 */
export interface KeptResponse {
  status: number;
  ok: true;
  headers: UpstreamResponse['headers'];
  data: RawJson<unknown>;
}

export type UpstreamFetch = (url: string, init?: UpstreamRequestInit) => Promise<UpstreamResponse | KeptResponse>;

/**
 * A request header key, never sent: asks for a 2xx answer as its bytes (RawJson) rather than text
 * for the ts-client to parse. Error answers are always text, parsed by the ts-client as before.
 * A symbol survives the ts-client's header copies (object spread) and is skipped by undici.
 */
export const KEEP_JSON_AS_SENT = Symbol('keep JSON as sent');

export interface UpstreamHttpClient {
  fetch: UpstreamFetch;
  /** Closes every pooled connection (graceful shutdown). */
  close(): Promise<void>;
}

// As fetch asks (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch); commercetools compresses
// answers with gzip (https://docs.commercetools.com/api/general-concepts#compression).
const ACCEPT_ENCODING = 'gzip, deflate, br';

class ResponseHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  forEach(each: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== null) each(value, name);
    }
  }
}

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
 * The ts-client's HTTP client on an undici `Agent` (one keep-alive pool per origin) instead of
 * global fetch: `request` skips the WHATWG streams and header lists, which cost the service more
 * CPU per call than all of its own work (bench/RESULTS.md). It keeps what fetch gives against the
 * real API: `Accept-Encoding` and gzip/deflate/br decoding, error answers passed on as they are
 * (the ts-client parses them), the caller's abort signal (the ts-client's call timeout), and a body
 * timeout equal to the call timeout (fetch's would be undici's default, 300 s).
 */
export function createUpstreamHttpClient(options: UpstreamHttpOptions): UpstreamHttpClient {
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const send: UpstreamFetch = async (url, init = {}) => {
    const keep = init.headers !== undefined && KEEP_JSON_AS_SENT in init.headers;
    // url is `{origin}{path}` as the ts-client builds it from CTP_API_URL / CTP_AUTH_URL.
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
    const headers = new ResponseHeaders(answer.headers);
    const body = () => decoded(answer.body, headers.get('content-encoding'));
    if (keep && status >= 200 && status < 300) return { status, ok: true, headers, data: new RawJson(await body()) };
    const text = async () => (await body()).toString('utf8');
    return { status, ok: status >= 200 && status < 300, headers, text, json: async () => JSON.parse(await text()) };
  };
  return { fetch: send, close: () => agent.close() };
}
