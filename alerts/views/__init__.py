"""The Alerts pages: the board (fleet and per target), rule settings per target, channels, silences."""
