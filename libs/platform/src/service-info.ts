/** Which service this process is, for health answers, logs and the API document. */
export interface ServiceInfo {
  name: string;
  version: string;
}

/** Nest injection token for `ServiceInfo` (provided by `PlatformModule.forRoot`). */
export const SERVICE_INFO = Symbol.for('netpay.platform.service-info');
