/** Nest injection token of the `VendorConfig` the app was built with. */
export const VENDOR_CONFIG = Symbol.for('netpay.vendor.config');
