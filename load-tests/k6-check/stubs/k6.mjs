// Stub of `k6`: checks run their predicates (a throwing predicate fails, as in k6), nothing is recorded.
export function check(value, sets) {
  return Object.values(sets).every((predicate) =>
    typeof predicate === 'function' ? predicate(value) : predicate,
  );
}
export function group(_name, fn) {
  return fn();
}
export function sleep() {}
export function fail(message) {
  throw new Error(message);
}
