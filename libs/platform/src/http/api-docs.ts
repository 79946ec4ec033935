import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { guardProblemsByOperation } from './guard-problems.js';
import { completeApiDocument } from './openapi-complete.js';

export interface ApiDocsOptions {
  name: string;
  version: string;
  description?: string;
  docsPath: string;
  ui: boolean;
}

/**
 * The app's OpenAPI document: the decorators' document completed with the validation rules,
 * problem+json answers and one Idempotency-Key (`completeApiDocument`).
 */
export function buildApiDocument(
  app: INestApplication,
  options: Pick<ApiDocsOptions, 'name' | 'version' | 'description'>,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.name)
    .setVersion(options.version)
    .setDescription(
      options.description ??
        `${options.name} API. Errors are application/problem+json with a stable \`code\` (e.g. REQUEST.INVALID).`,
    )
    // Opaque tokens (customer, checkout and admin tokens are random strings compared as given), not JWTs.
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'An opaque bearer token (customer, checkout or admin token): a random string compared as given.',
    })
    .build();
  return completeApiDocument(SwaggerModule.createDocument(app, config), guardProblemsByOperation(app));
}

/** Swagger UI at `docsPath`, the OpenAPI JSON at `<docsPath>-json`. */
export function setupApiDocs(app: INestApplication, options: ApiDocsOptions): void {
  const path = options.docsPath.replace(/^\//, '');
  // A factory: the document is built on first request, after every module registered its routes.
  SwaggerModule.setup(path, app, () => buildApiDocument(app, options), {
    ui: options.ui,
    raw: ['json'],
    jsonDocumentUrl: `${path}-json`,
  });
}
