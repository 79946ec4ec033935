import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export interface ApiDocsOptions {
  name: string;
  version: string;
  description?: string;
  docsPath: string;
  ui: boolean;
}

/** Swagger UI at `docsPath`, the OpenAPI JSON at `<docsPath>-json`. */
export function setupApiDocs(app: INestApplication, options: ApiDocsOptions): void {
  const config = new DocumentBuilder()
    .setTitle(options.name)
    .setVersion(options.version)
    .setDescription(
      options.description ??
        `${options.name} API. Errors are application/problem+json with a stable \`code\` (e.g. REQUEST.INVALID).`,
    )
    .addBearerAuth()
    .build();
  const path = options.docsPath.replace(/^\//, '');
  // A factory: the document is built on first request, after every module registered its routes.
  SwaggerModule.setup(path, app, () => SwaggerModule.createDocument(app, config), {
    ui: options.ui,
    raw: ['json'],
    jsonDocumentUrl: `${path}-json`,
  });
}
