import { getMetadataStorage, IS_OPTIONAL } from 'class-validator';

/** Whether the config class marks the property `@IsOptional()` (then it may stay unset). */
export function isOptionalProperty(configClass: abstract new () => object, property: string): boolean {
  return getMetadataStorage()
    .getTargetValidationMetadatas(configClass, '', true, false)
    .some((m) => m.propertyName === property && m.name === IS_OPTIONAL);
}
