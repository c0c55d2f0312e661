"""Who may read a document: its access groups.

A document with no groups is open (to every signed-in user, and to anonymous visitors where the
web app allows them). A document with groups is read only by readers in at least one of them.
A reader is described by a set of groups, or by None for one who may read everything (an admin,
or the CLI run without --groups: it has the files in reach anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.errors import IngestError

# A reader of open documents only: a visitor who has not signed in (the web app's chat, API, quiz,
# FAQ and article browser until user accounts sign in).
OPEN_ONLY: frozenset[str] = frozenset()

_SEPARATORS = re.compile(r"[,，、;；\s]+")
MAX_GROUP_CHARS = 40


class BadGroupName(IngestError):
    """A group name that cannot be used; the message says why, in Chinese. A file whose sidecar
    or manifest names one is not ingested (never opened to everyone by mistake)."""

    code = "bad_access"


def parse_groups(value: str | Iterable[str] | None) -> list[str]:
    """'纪检监察室, 领导班子' or ['纪检监察室', '领导班子'] → sorted distinct names. Names are split
    on commas (half or full width), 、, semicolons and spaces."""
    if value is None:
        return []
    parts = _SEPARATORS.split(value) if isinstance(value, str) else [p for v in value for p in _SEPARATORS.split(str(v))]
    groups = sorted({p.strip() for p in parts if p.strip()})
    for group in groups:
        if len(group) > MAX_GROUP_CHARS or any(ch in group for ch in "<>\"'`\\/"):
            raise BadGroupName(f"访问组名称“{group[:MAX_GROUP_CHARS]}”不可用：不超过 {MAX_GROUP_CHARS} 个字，不含 < > \" ' ` \\ /。")
    return groups


def may_read(access: Iterable[str] | None, groups: frozenset[str] | None) -> bool:
    """Whether a reader in `groups` (None: everything) may read a document with `access` groups."""
    if groups is None:
        return True
    access = list(access or [])
    return not access or any(g in groups for g in access)


def describe(access: Iterable[str] | None) -> str:
    """How the document table shows a document's groups."""
    access = list(access or [])
    return "、".join(access) if access else "公开"
