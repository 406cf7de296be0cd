/**
 * A JSON answer of commercetools kept as the bytes that came. Listings are passed on unchanged,
 * so parsing and serialising them again would be work for nothing: on a page of carts it was a
 * sixth of the service's CPU per request (bench/RESULTS.md). `value` parses on first use;
 * `mayHave` tells, without parsing, when a property appears nowhere in it.
 */
export class RawJson<T> {
  #value: T | undefined;

  constructor(readonly bytes: Buffer) {}

  /** A value already at hand (another HTTP client, the in-memory fakes). */
  static of<T>(value: T): RawJson<T> {
    const raw = new RawJson<T>(Buffer.from(JSON.stringify(value)));
    raw.#value = value;
    return raw;
  }

  get value(): T {
    return (this.#value ??= JSON.parse(this.bytes.toString('utf8')) as T);
  }

  /** False when no property of this name is anywhere in the document; true when one may be. */
  mayHave(property: string): boolean {
    return this.bytes.includes(needleOf(property));
  }

  /** Inside a larger answer (or a log line) it is its value. */
  toJSON(): T {
    return this.value;
  }
}

/** `"name"` as bytes, made once per property name (a string needle is encoded on every search). */
const needles = new Map<string, Buffer>();
function needleOf(property: string): Buffer {
  let needle = needles.get(property);
  if (!needle) needles.set(property, (needle = Buffer.from(`"${property}"`)));
  return needle;
}
