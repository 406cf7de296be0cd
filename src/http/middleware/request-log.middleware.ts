import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';

/**
 * One JSON line per request, written when the response has gone out (or the client went away):
 * method, URL, status, duration, route template, clientId and correlation id. Built from these
 * fields only, so headers (Authorization) and bodies (passwords) never reach the log.
 */
/** Query parameters whose values are personal data (the back office's customer lookup): logged as `[redacted]`. */
const PERSONAL_QUERY = /([?&]email=)[^&#]*/gi;

function loggableUrl(url: string): string {
  return url.includes('?') ? url.replace(PERSONAL_QUERY, '$1[redacted]') : url;
}

function logRequest(logger: Logger, req: Request, res: Response, responseTime: number, completed: boolean): void {
  const status = res.statusCode;
  const facts = {
    req: { method: req.method, url: loggableUrl(req.originalUrl) },
    res: { statusCode: status },
    responseTime,
    correlationId: res.locals.correlationId as string,
    route: (res.locals.route as string | undefined) ?? 'unmatched',
    clientId: res.locals.clientId as string | undefined,
  };
  if (status >= 500) logger.error(facts, 'request errored');
  else logger.info(facts, completed ? 'request completed' : 'request aborted');
}

/** The request's log line and its metrics, from one `close` listener per request. */
export function requestLog(logger: Logger, metrics: Metrics): RequestHandler {
  // The line is built from fixed fields only: redaction has nothing to find in it and cost more
  // than the rest of the line together (measured), so this child skips it.
  const requestLogger = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const completed = res.writableFinished;
      // Only answered requests are counted; one whose client went away is logged as aborted.
      const route = (res.locals.route as string | undefined) ?? 'unmatched';
      if (completed) metrics.observeRequest(req.method, route, res.statusCode, seconds);
      logRequest(requestLogger, req, res, Math.round(seconds * 1000), completed);
    });
    next();
  };
}
