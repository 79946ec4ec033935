import { registerDecorator } from 'class-validator';

/**
 * A web origin as browsers name it in `frame-ancestors` and `MessageEvent.origin`: `http` or
 * `https`, a host and an optional port, nothing else, written the way the URL parser writes it
 * (`https://shop.example`, `http://127.0.0.1:3101`; not `https://Shop.example/`, not a path,
 * not `*`). A source list of CSP is built from such strings, so nothing else may reach one.
 */
const ORIGIN_CHARACTERS = /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

export function isWebOrigin(value: unknown): value is string {
  // The URL parser lets `;`, `,` and quotes into a host; in a CSP they would end the directive.
  if (typeof value !== 'string' || value.length > 255 || !ORIGIN_CHARACTERS.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Each element is a web origin (`isWebOrigin`); REQUEST.INVALID names the field. */
export function IsWebOrigins(field: string): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isWebOrigins',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => Array.isArray(value) && value.every(isWebOrigin),
        defaultMessage: () =>
          `each of ${field} must be a web origin such as https://shop.example or http://127.0.0.1:3101 (scheme, host and port only)`,
      },
    });
}
