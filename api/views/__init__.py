"""The API's views: thin, one module per resource; reads through the selectors, writes through the
services the pages use. Imported only by ``api.urls``."""
