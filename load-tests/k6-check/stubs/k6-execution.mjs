// Stub of `k6/execution`: VU 1 of the test, first iteration.
export default {
  vu: { idInTest: 1, idInInstance: 1, iterationInInstance: 0, iterationInScenario: 0 },
  scenario: { name: 'k6-check', executor: 'k6-check', iterationInTest: 0 },
  test: {
    abort: (reason) => {
      throw new Error(`k6 check: test.abort(${reason})`);
    },
  },
};
