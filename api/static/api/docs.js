/* Starts Swagger UI (served from our static files) on the API docs page. Kept out of the page so the page
   needs no inline script: the schema URL and the CSRF token come from data attributes. Calls made from
   "Try it out" use the signed-in session; writes send the CSRF token, as the API requires. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var csrf = root.getAttribute("data-csrf-token") || "";
  window.dbconsoleApiDocs = window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      request.credentials = "same-origin";
      if (request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRFToken"] = csrf;
      }
      return request;
    }
  });
});
