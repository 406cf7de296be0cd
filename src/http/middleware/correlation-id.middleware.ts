import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../../request-context';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes the caller's `X-Correlation-ID` (when well-formed) or makes one, echoes it, and runs the
 * rest of the request in its context, so logs, upstream calls and problems all carry it.
 */
export function correlationId(): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-correlation-id'];
    const id = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    res.locals.correlationId = id;
    res.setHeader('X-Correlation-ID', id);
    requestContext.run({ correlationId: id }, next);
  };
}
