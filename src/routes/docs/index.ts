import type { Context } from "hono";

/** Swagger UI over /openapi.json; its script and styles are this Worker's own static assets. */
export function swaggerPage(c: Context) {
  return c.html(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Konversio API</title>
  <link rel="icon" href="/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger-ui/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
  </script>
</body>
</html>`);
}
