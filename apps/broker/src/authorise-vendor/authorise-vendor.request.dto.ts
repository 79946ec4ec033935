import { VendorIdParam } from '../vendor/vendor-id.param.js';

/** `{ vendorId }`: the vendor the customer lets check out their server-side wallet. */
export class AuthoriseVendorRequest extends VendorIdParam {}
