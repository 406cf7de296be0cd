import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

type HeaderList = ReadonlyArray<readonly [string, string]>;

/** The headers a helmet middleware sets: they do not depend on the request, so they are read once at start. */
export function headersOf(middleware: (req: Request, res: Response, next: () => void) => void): HeaderList {
  const headers: Array<[string, string]> = [];
  const capture = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  middleware({} as Request, capture as unknown as Response, () => undefined);
  return headers;
}

/** helmet's default headers, computed once. */
export function securityHeaders(): HeaderList {
  return headersOf(helmet());
}

/**
 * Sets helmet's headers on every response from the list computed at start, without running
 * helmet's dozen middlewares per request (a measured hot path: bench/RESULTS.md).
 */
export function securityHeadersMiddleware(): RequestHandler {
  const headers = securityHeaders();
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
