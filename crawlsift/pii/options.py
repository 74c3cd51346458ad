"""The options of the ``pii`` stage: which kinds of PII are redacted, and their tokens."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from crawlsift.errors import InputError
from crawlsift.reasons import PII_CARD, PII_EMAIL, PII_IBAN, PII_IP, PII_PHONE

#: every kind, with the reason code of its edits
KINDS: dict[str, str] = {
    "email": PII_EMAIL,
    "ip": PII_IP,
    "phone": PII_PHONE,
    "card": PII_CARD,
    "iban": PII_IBAN,
}
#: the kinds redacted unless others are chosen (cards and IBANs are opt-in)
DEFAULT_KINDS: tuple[str, ...] = ("email", "ip", "phone")
#: the optional dependency group phone redaction needs
PHONE_EXTRA = "pii"


def phonenumbers_installed() -> bool:
    """Whether ``phonenumbers`` can be imported (looked up, not imported)."""
    return importlib.util.find_spec("phonenumbers") is not None


@dataclass(frozen=True, kw_only=True)
class PiiOptions:
    """What the ``pii`` stage redacts and what it writes instead.

    The e-mail and IP tokens are the first of datatrove's ``PIIFormatter`` defaults (an
    ``example.com`` address; an address that answered no ping when datatrove listed it);
    datatrove redacts neither phones, cards nor IBANs, so those get placeholder tokens.
    ``default_region`` is the phone region used when neither the URL's country-code TLD
    nor the page's language suggests one (None: only numbers written with ``+`` and a
    country code are found there).
    """

    kinds: tuple[str, ...] = DEFAULT_KINDS
    email_token: str = "email@example.com"
    ip_token: str = "22.214.171.124"
    phone_token: str = "<PHONE>"
    card_token: str = "<CARD>"
    iban_token: str = "<IBAN>"
    default_region: str | None = "US"

    def __post_init__(self) -> None:
        kinds = (self.kinds,) if isinstance(self.kinds, str) else tuple(self.kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown or not kinds:
            raise InputError(
                f"pii kinds: {', '.join(unknown) or 'none given'}; choose from {', '.join(KINDS)}"
            )
        object.__setattr__(self, "kinds", tuple(k for k in KINDS if k in kinds))
        if "phone" in kinds and not phonenumbers_installed():
            raise InputError(
                "phone redaction needs the phonenumbers package: "
                f"pip install 'crawlsift[{PHONE_EXTRA}]' (or leave 'phone' out of the kinds)"
            )
        if self.default_region is not None and not (
            len(self.default_region) == 2 and self.default_region.isalpha()
        ):
            raise InputError(
                f"pii default_region must be a two-letter country code, not {self.default_region!r}"
            )

    def token(self, kind: str) -> str:
        """The replacement of one kind."""
        token: str = getattr(self, f"{kind}_token")
        return token
