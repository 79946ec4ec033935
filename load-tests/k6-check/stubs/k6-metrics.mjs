// Stub of `k6/metrics`: metrics keep their name; adding to them is a no-op.
class Metric {
  constructor(name, isTime = false) {
    if (!/^[A-Za-z0-9_]{1,128}$/.test(name)) throw new Error(`k6 check: invalid metric name "${name}"`);
    this.name = name;
    this.isTime = isTime;
  }

  add() {}
}
export class Counter extends Metric {}
export class Gauge extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
