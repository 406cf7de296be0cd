import type { Cart } from '@commercetools/platform-sdk';

/**
 * A small evaluator of Cart Predicates, enough for the sandbox's seed: the mock has none and reports
 * every Discount Code as `MatchesCart`. Supported (and combined with `and` / `or`, `and` binding
 * tighter, no parentheses):
 * - `1 = 1` and `true`: always true;
 * - `totalPrice <op> "12.34 EUR"` with `=`, `!=`, `<`, `<=`, `>`, `>=`: false for a Cart of another
 *   currency, as a money comparison only holds within one currency;
 * - `currency = "EUR"`.
 * Any other predicate answers undefined ("not understood"); callers then keep the mock's answer.
 * https://docs.commercetools.com/api/predicates/predicate-operators
 * https://docs.commercetools.com/api/projects/predicates#cart-predicates
 */
export function evaluateCartPredicate(predicate: string, cart: Cart): boolean | undefined {
  let anyTrue = false;
  for (const disjunct of predicate.split(/\s+or\s+/i)) {
    let allTrue = true;
    for (const atom of disjunct.split(/\s+and\s+/i)) {
      const value = evaluateAtom(atom.trim(), cart);
      if (value === undefined) return undefined;
      allTrue &&= value;
    }
    anyTrue ||= allTrue;
  }
  return anyTrue;
}

type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

function evaluateAtom(atom: string, cart: Cart): boolean | undefined {
  if (atom === '1 = 1' || atom === 'true') return true;
  const money = /^totalPrice\s*(=|!=|<=|>=|<|>)\s*"(\d+(?:\.\d{1,2})?) ([A-Z]{3})"$/.exec(atom);
  if (money) {
    const [, operator, amount, currency] = money;
    if (cart.totalPrice.currencyCode !== currency) return false;
    // Two fraction digits, as for EUR and USD (the seed's currencies).
    return compare(cart.totalPrice.centAmount, operator as Comparison, Math.round(Number(amount) * 100));
  }
  const currency = /^currency\s*=\s*"([A-Z]{3})"$/.exec(atom);
  if (currency) return cart.totalPrice.currencyCode === currency[1];
  return undefined;
}

function compare(left: number, operator: Comparison, right: number): boolean {
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}
