"""A small installed app that plugs into the API's extension points the way the alerts app will: its
``AppConfig`` names ``api_urls`` and provides ``api_metric_families`` — and the API imports nothing of it."""
