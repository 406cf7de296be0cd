import type { RequestHandler } from 'express';
import { DomainError } from '../../domain/errors';

/** Anything no route or file answered: 404 problem+json. */
export function notFound(): RequestHandler {
  return () => {
    throw new DomainError('NotFound', 'No such route.');
  };
}
