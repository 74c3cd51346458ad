"""URL and domain filtering before extraction: the ``url_filter`` stage and its lists."""
