// The hand-written JSON logger this file held is replaced by the pino-based `NetPayLogger`; the old
// names stay as aliases so that callers (and branches) written against them keep compiling.
export {
  NetPayLogger as JsonLogger,
  type NetPayLoggerOptions as JsonLoggerOptions,
  type LogFormat,
} from './netpay-logger.js';
