"""A one-screen text summary of a run."""

from __future__ import annotations

from crawlsift.engine.local import RunSummary


def format_summary(summary: RunSummary) -> str:
    """Counts in, kept, rejected by reason and edits by reason, as aligned text."""
    s = summary.stats
    rate = s.bytes_in / max(summary.seconds, 1e-9) / 1e6
    lines = [
        f"output     {summary.output}",
        f"records    {s.records_in:,} in, {s.kept:,} kept, {s.rejected:,} rejected",
        f"input      {s.bytes_in / 1e6:,.1f} MB in {summary.seconds:,.1f} s ({rate:,.1f} MB/s)",
        f"files      {summary.tasks_total} ({summary.tasks_skipped} already done, skipped)",
    ]
    if s.tokens_kept is not None:
        lines.append(f"tokens     {s.tokens_kept:,} kept, {s.tokens_rejected or 0:,} rejected")
    if s.skipped_by_type:
        types = ", ".join(f"{t} {n:,}" for t, n in sorted(s.skipped_by_type.items()))
        total = sum(s.skipped_by_type.values())
        lines.append(f"skipped    {total:,} archive records that are not documents ({types})")
    if s.rejected_by_reason:
        lines.append("rejected by reason:")
        for reason, n in s.rejected_by_reason.most_common():
            lines.append(f"  {reason:<32} {n:>10,}")
    if s.edits_by_reason:
        lines.append("edits by reason:                       spans        chars")
        for reason, n in s.edits_by_reason.most_common():
            chars = s.chars_removed_by_reason[reason]
            lines.append(f"  {reason:<32} {n:>10,} {chars:>12,}")
    if summary.failed_files:
        lines.append(f"unreadable files ({len(summary.failed_files)}):")
        lines.extend(f"  {msg}" for msg in summary.failed_files)
    return "\n".join(lines)
