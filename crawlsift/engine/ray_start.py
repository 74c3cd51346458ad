"""The one place crawlsift starts Ray (an optional extra: ``pip install 'crawlsift[ray]'``).

``clean --engine ray`` and ``dedup --engine ray`` both join the cluster at ``address``
(``"auto"``, ``"ray://host:10001"``) or start a local Ray instance, quietly: no
dashboard, worker logs kept on the workers. A Ray already started by the caller (a
notebook, a test) is used as it is.
"""

from __future__ import annotations

from typing import Any

from crawlsift.errors import MissingExtraError


def ray_module(*, data: bool = False) -> Any:
    """The ``ray`` module (with ``ray.data`` imported when ``data``), or
    :class:`MissingExtraError` when Ray is not installed."""
    try:
        import ray

        if data:
            import ray.data
    except ImportError:
        raise MissingExtraError("ray", "ray") from None
    return ray


def start_ray(address: str | None = None, *, data: bool = False) -> Any:
    """Ray, connected to ``address`` (None: a local instance) unless already started."""
    ray = ray_module(data=data)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, logging_level="ERROR",
                 log_to_driver=False)  # fmt: skip
    return ray
