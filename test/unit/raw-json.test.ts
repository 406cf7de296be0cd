import { RawJson } from '../../src/domain/raw-json';

describe('RawJson, an answer of commercetools kept as the bytes that came', () => {
  const bytes = Buffer.from('{"results":[{"id":"c1","customerId":"u1"}],"count":1}');

  test('when its value is read, then it is the parsed document', () => {
    expect(new RawJson(bytes).value).toEqual({ results: [{ id: 'c1', customerId: 'u1' }], count: 1 });
  });

  test('when a property appears in it, then mayHave is true', () => {
    expect(new RawJson(bytes).mayHave('customerId')).toBe(true);
  });

  test('when a property appears nowhere, then mayHave is false', () => {
    expect(new RawJson(Buffer.from('{"results":[{"id":"c1","anonymousId":"a1"}]}')).mayHave('customerId')).toBe(false);
  });

  test('when the name appears only as a value, then mayHave is true: it errs on the side of parsing', () => {
    expect(new RawJson(Buffer.from('{"results":[{"id":"c1","note":"customerId"}]}')).mayHave('customerId')).toBe(true);
  });

  test('when it is part of a larger answer, then it serialises as its value', () => {
    expect(JSON.stringify({ page: new RawJson(bytes) })).toBe(`{"page":${bytes.toString()}}`);
  });

  test('when made from a value, then its bytes are that value serialised', () => {
    expect(RawJson.of({ a: 1 }).bytes.toString()).toBe('{"a":1}');
  });
});
