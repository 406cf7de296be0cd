import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { StoreError } from '../../domain/ports';
import type { Metrics } from '../metrics';
import { sendProblem, toDomainError } from '../problem';

/** Problems that are ours or our backends' to fix: logged with the error, never shown to the caller. */
const LOGGED = new Set(['InternalError', 'UpstreamError', 'StoreUnavailable']);

/** The one error path: anything thrown becomes problem+json with a stable code. */
export function errorHandler(logger: Logger, metrics: Metrics): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toDomainError(error);
    if (error instanceof StoreError) metrics.redisError('command');
    const correlationId = res.locals.correlationId as string | undefined;
    if (LOGGED.has(problem.code)) {
      logger.error({ req: { method: req.method, url: req.originalUrl }, correlationId, err: error }, 'request failed');
    }
    sendProblem(res, problem, correlationId ?? randomUUID());
  };
}
