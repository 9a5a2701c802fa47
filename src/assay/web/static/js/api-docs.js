// The interactive API reference at /api/docs: Swagger UI served by assay itself
// (no CDN, works offline) on the OpenAPI document of this server.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
  });
});
