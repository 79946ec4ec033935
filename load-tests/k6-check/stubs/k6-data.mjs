// Stub of `k6/data`: a SharedArray is its callback's array, frozen (k6 requires an array).
export class SharedArray {
  constructor(name, build) {
    if (typeof name !== 'string' || name === '') throw new Error('k6 check: SharedArray needs a name');
    const items = build();
    if (!Array.isArray(items))
      throw new Error(`k6 check: SharedArray "${name}" callback must return an array`);
    return Object.freeze(items);
  }
}
