"""Token counts: ``token_count``, the tokens a Hugging Face tokenizer makes of each text.

The user supplies the tokenizer file (a ``tokenizer.json``, as saved by the ``tokenizers``
library or shipped with a model); nothing is downloaded. A batch's texts are encoded in one
``encode_batch`` call (Rust, on the tokenizer's threads). Every row with a text is counted,
rejected ones too, so a run's statistics give the tokens kept and the tokens rejected; the
stage runs last, on the text the run writes. Special tokens (BOS/EOS) are not added unless the
options say so: the count is of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.registry import Signals, register

STAGE = "tokens"
TOKEN_COUNT = "token_count"
EXTRA = "tokens"

#: a column and no rule: counts are for statistics and for the user's own selection
SIGNALS = Signals(stage=STAGE, columns={TOKEN_COUNT: pa.int64()})


@dataclass(frozen=True, kw_only=True)
class TokenOptions:
    """The tokenizer file, and whether its special tokens are counted."""

    #: a Hugging Face ``tokenizer.json``; required
    tokenizer: str = ""
    add_special_tokens: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokenizer", str(self.tokenizer))
        if not self.tokenizer:
            raise InputError("token counts need a tokenizer file (a Hugging Face tokenizer.json)")
        if not Path(self.tokenizer).is_file():
            raise InputError(f"tokenizer file not found: {self.tokenizer}")


@cache
def load_tokenizer(path: str) -> Any:
    """The tokenizer saved at ``path``, loaded once per process."""
    try:
        from tokenizers import Tokenizer
    except ModuleNotFoundError:
        raise MissingExtraError("tokenizers", EXTRA) from None
    try:
        return Tokenizer.from_file(path)
    except Exception as exc:  # the Rust side raises a bare Exception for a bad file
        raise InputError(f"cannot load tokenizer {path}: {exc}") from None


def count_tokens(tokenizer: Any, texts: list[str], add_special_tokens: bool = False) -> list[int]:
    """The number of tokens of each text, encoded in one batch."""
    if not texts:
        return []
    # the fast form skips the character offsets, which a count does not need
    encode = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)
    return [len(e.ids) for e in encode(texts, add_special_tokens=add_special_tokens)]


def options_for(tokenizer: str | Path | TokenOptions) -> TokenOptions:
    """Options from a tokenizer path or given options."""
    if isinstance(tokenizer, TokenOptions):
        return tokenizer
    if not isinstance(tokenizer, str | Path):
        raise InputError(
            "tokenizer must be a tokenizer.json path or TokenOptions, "
            f"not {type(tokenizer).__name__}"
        )
    return TokenOptions(tokenizer=str(tokenizer))


@register(STAGE, TokenOptions, columns=tuple(SIGNALS.columns))
def tokens(table: pa.Table, *, opts: TokenOptions | None = None) -> pa.Table:
    """Count each text's tokens with a Hugging Face tokenizer: ``token_count``."""
    if opts is None:
        raise InputError("the tokens stage needs TokenOptions(tokenizer=...)")
    tokenizer = load_tokenizer(opts.tokenizer)
    text = pl.from_arrow(table.column(S.TEXT).combine_chunks().cast(pa.large_string()))
    assert isinstance(text, pl.Series)
    present = np.flatnonzero(text.is_not_null().to_numpy())
    counts = count_tokens(tokenizer, text.gather(present).to_list(), opts.add_special_tokens)
    column = np.zeros(len(text), np.int64)
    column[present] = counts
    mask = np.ones(len(text), bool)
    mask[present] = False
    return S.with_columns(table, {TOKEN_COUNT: pa.array(column, pa.int64(), mask=mask)})
