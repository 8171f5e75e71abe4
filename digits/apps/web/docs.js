// Start Swagger UI on /openapi.json: a file of its own, as the Content-Security-Policy requires.
"use strict";

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,  // no badge fetched from the validator's site
});
