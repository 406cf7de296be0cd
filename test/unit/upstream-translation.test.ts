import { translateUpstreamError } from '../../src/clients/commercetools.client';
import {
  AnonymousIdUsedUp,
  DuplicateValue,
  InvalidCredentials,
  InvalidOperation,
  mayHaveHappened,
  NotFound,
  ReferencedResourceNotFound,
  Refused,
  UnexpectedAnswer,
  Unavailable,
  VersionConflict,
} from '../../src/domain/ports';

/** What the ts-client throws for an answer with an error body. */
const answered = (statusCode: number, ...errors: Array<Record<string, unknown>>) => ({
  statusCode,
  message: String(errors[0]?.message ?? `status ${statusCode}`),
  body: { statusCode, message: errors[0]?.message, errors },
});
/** What the ts-client throws when no answer came. */
const noAnswer = (message: string) => ({ body: null, error: { message } });

const USED_UP_MESSAGE = "The anonymousId 'a-1' was already used for sign-in or sign-up.";

describe('translateUpstreamError: commercetools answers into typed failures', () => {
  test('when commercetools answers ConcurrentModification, then it is a VersionConflict with the current version', () => {
    const thrown = answered(409, { code: 'ConcurrentModification', message: 'stale', currentVersion: 7 });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(VersionConflict);
    expect(failure).toMatchObject({ currentVersion: 7 });
  });

  test('when commercetools answers DuplicateField, then it is a DuplicateValue naming the field and value', () => {
    const thrown = answered(400, {
      code: 'DuplicateField',
      message: 'dup',
      field: 'orderNumber',
      duplicateValue: 'N-1',
    });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(DuplicateValue);
    expect(failure).toMatchObject({ field: 'orderNumber', duplicateValue: 'N-1', code: 'DuplicateField' });
  });

  test('when commercetools answers AnonymousIdAlreadyInUse, then it is AnonymousIdUsedUp by the code alone', () => {
    const thrown = answered(400, {
      code: 'AnonymousIdAlreadyInUse',
      message: 'The given anonymous ID is already in use.',
    });

    expect(translateUpstreamError(thrown)).toBeInstanceOf(AnonymousIdUsedUp);
  });

  test('when an InvalidOperation names the anonymousId as its field, then it is AnonymousIdUsedUp whatever the message', () => {
    const thrown = answered(400, {
      code: 'InvalidOperation',
      message: 'Anonyme ID bereits verwendet.',
      field: 'anonymousId',
    });

    expect(translateUpstreamError(thrown)).toBeInstanceOf(AnonymousIdUsedUp);
  });

  test('when an InvalidOperation only says in its message that the anonymousId was already used, then it is AnonymousIdUsedUp', () => {
    const thrown = answered(400, { code: 'InvalidOperation', message: USED_UP_MESSAGE });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(AnonymousIdUsedUp);
    expect(failure).toMatchObject({ reasons: [{ code: 'InvalidOperation', message: USED_UP_MESSAGE }] });
  });

  test('when another code carries that message, then it is no AnonymousIdUsedUp', () => {
    const thrown = answered(400, { code: 'InvalidInput', message: USED_UP_MESSAGE });

    const failure = translateUpstreamError(thrown);

    expect(failure).not.toBeInstanceOf(AnonymousIdUsedUp);
    expect(failure).toMatchObject({ code: 'InvalidInput' });
  });

  test('when an InvalidOperation is about something else, then it is an InvalidOperation only', () => {
    const thrown = answered(400, {
      code: 'InvalidOperation',
      message: "The cart cannot be ordered in state 'Ordered'.",
    });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(InvalidOperation);
    expect(failure).not.toBeInstanceOf(AnonymousIdUsedUp);
  });

  test('when commercetools answers InvalidCredentials, then it is InvalidCredentials', () => {
    const thrown = answered(400, {
      code: 'InvalidCredentials',
      message: 'Account with the given credentials not found.',
    });

    expect(translateUpstreamError(thrown)).toBeInstanceOf(InvalidCredentials);
  });

  test('when commercetools answers ReferencedResourceNotFound, then it is a Refused of that code naming the typeId', () => {
    const thrown = answered(400, {
      code: 'ReferencedResourceNotFound',
      message: "The referenced object of type 'customer' with id 'c-1' was not found.",
      typeId: 'customer',
      id: 'c-1',
    });

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(ReferencedResourceNotFound);
    expect(failure).toMatchObject({ code: 'ReferencedResourceNotFound', typeId: 'customer' });
  });

  test('when commercetools refuses with other codes, then it is Refused with the first code and every reason', () => {
    const thrown = answered(
      400,
      { code: 'DiscountCodeNonApplicable', message: 'no such code' },
      { code: 'InvalidInput', message: 'bad' },
    );

    const failure = translateUpstreamError(thrown);

    expect(failure).toBeInstanceOf(Refused);
    expect(failure).toMatchObject({
      code: 'DiscountCodeNonApplicable',
      reasons: [
        { code: 'DiscountCodeNonApplicable', message: 'no such code' },
        { code: 'InvalidInput', message: 'bad' },
      ],
    });
  });

  test('when commercetools answers 404, then it is NotFound', () => {
    expect(translateUpstreamError(answered(404, { code: 'ResourceNotFound', message: 'gone' }))).toBeInstanceOf(
      NotFound,
    );
  });

  test('when no answer came, then it is a retryable Unavailable that may have happened', () => {
    const failure = translateUpstreamError(noAnswer('fetch failed'));

    expect(failure).toBeInstanceOf(Unavailable);
    expect(failure).toMatchObject({ timedOut: false, retryable: true, circuitOpen: false });
    expect(mayHaveHappened(failure)).toBe(true);
  });

  test('when the call timed out, then it is a timed-out Unavailable that may have happened', () => {
    const failure = translateUpstreamError(noAnswer('The operation was aborted due to timeout'));

    expect(failure).toMatchObject({ timedOut: true, retryable: true });
    expect(mayHaveHappened(failure)).toBe(true);
  });

  test('when commercetools answers 500, then it is an Unavailable that may have happened but is not retried', () => {
    const failure = translateUpstreamError(answered(500, { code: 'General', message: 'boom' }));

    expect(failure).toMatchObject({ timedOut: false, retryable: false });
    expect(mayHaveHappened(failure)).toBe(true);
  });

  test('when commercetools answers 503 or 504, then it is a retryable Unavailable (504 timed out)', () => {
    expect(translateUpstreamError(answered(503))).toMatchObject({ retryable: true, timedOut: false });
    expect(translateUpstreamError(answered(504))).toMatchObject({ retryable: true, timedOut: true });
  });

  test('when the circuit is open, then the call did not happen and is not retried', () => {
    const failure = new Unavailable('paused', { circuitOpen: true, retryable: true, retryAfterSeconds: 5 });

    expect(mayHaveHappened(failure)).toBe(false);
    expect(failure.retryable).toBe(false);
  });

  test('when commercetools refuses the token (401/403), then it is an UnexpectedAnswer that did not happen', () => {
    const failure = translateUpstreamError(answered(403, { code: 'insufficient_scope', message: 'no scope' }));

    expect(failure).toBeInstanceOf(UnexpectedAnswer);
    expect(mayHaveHappened(failure)).toBe(false);
  });

  test('when a refusal or a conflict is answered, then it did not happen', () => {
    const refusals = [answered(400, { code: 'InvalidInput', message: 'x' }), answered(409), answered(404)];

    expect(refusals.map((thrown) => mayHaveHappened(translateUpstreamError(thrown)))).toEqual([false, false, false]);
  });
});
