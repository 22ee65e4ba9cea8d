"""Response and request shapes of the API. Views serialize through these classes, so the OpenAPI schema
drf-spectacular derives from them is exactly what is sent."""
