"""PII redaction: e-mail addresses, public IP addresses, phone numbers and (optionally)
payment-card numbers and IBANs in kept text, each replaced by a token as an edit.

``options.py`` holds the options and kinds, ``find.py`` the finders that need no extra,
``phones.py`` the phone finder (``phonenumbers``, the ``pii`` extra) and its region rule,
``stage.py`` the ``pii`` stage that runs them on a batch and records the edits.
"""
