export { Audit, type AuditOptions } from './audit.js';
export type { AuditReport, ChainReport, MoneyReport } from './report.js';
export type { Violation, Warning, EventRef } from './findings.js';
export { RULES, WARNINGS, type RuleCode, type WarningCode } from './rules.js';
export { PaywordHasher } from './hash/payword-hasher.js';
