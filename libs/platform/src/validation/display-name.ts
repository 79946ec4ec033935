import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches } from 'class-validator';

/**
 * Characters a display name may not hold: controls (Cc), format characters (Cf: the bidi
 * embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F,
 * U+061C, the zero-width U+200B–U+200D, U+2060, U+FEFF, soft hyphen), line and paragraph
 * separators, surrogates and private-use characters. A name with them can read differently from
 * what it is (an order reversed, two names that look alike) in a page, a history or a log line.
 */
export const UNSAFE_NAME_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]/u;

const SAFE_NAME = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]*$/u;

/** The first unsafe character of `name`, as `U+XXXX at position n`, or undefined. */
export function unsafeNameCharacter(name: string): string | undefined {
  const match = UNSAFE_NAME_CHARACTERS.exec(name);
  if (match === null) return undefined;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} at position ${match.index}`;
}

/**
 * A customer's or vendor's display name: a string of 1–`max` characters without control, bidi or
 * zero-width characters (REQUEST.INVALID, naming the field and what is wrong).
 */
export function IsDisplayName(field: string, max = 100): PropertyDecorator {
  return applyDecorators(
    IsString({ message: `${field} must be a string` }),
    Length(1, max, { message: `${field} must be 1-${max} characters long` }),
    Matches(SAFE_NAME, {
      message: `${field} must not contain control, bidi-override or zero-width characters`,
    }),
  );
}
