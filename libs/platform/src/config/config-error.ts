/** One variable that is missing or does not hold what its config class expects. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown once at start-up with every problem found, so an operator fixes them in one go. */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';

  constructor(
    readonly configName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map((p) => `  - ${p.variable}: ${p.message}`);
    super(`Invalid configuration (${configName}), ${problems.length} problem(s):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
  }
}
