export { OpenApiModule } from './openapi.module.js';
export { buildOpenApiDocument, openApiJson } from './openapi.document.js';
