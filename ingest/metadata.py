"""Document metadata: read from the text where it says so, corrected by a sidecar or manifest.

Sidecar: `<file>.meta.json` next to the file. Manifest: `manifest.json` in the file's folder or up
to three folders above, a JSON list (or {"documents": [...]}) of objects with a `file` key
relative to the manifest's folder. Both accept: title, version, issuer, date, doc_number (文号),
the 红头文件 fields (secrecy 密级, secrecy_term, urgency, issuer_mark, signer, recipients, cc,
printed_by, printed_date),
status (现行有效 / 已修订 / 已废止, or a note such as 已被2023年修订版取代), doc_type.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.access import parse_groups
from ingest.dates import find_dates
from ingest.models import DOC_TYPES, DocumentMeta, NormalizedText
from ingest.red_header import DOC_NUMBER, RED_HEADER_FIELDS, RedHeader, normalize_doc_number

_SIGNATURE_DATE = re.compile(r"^.{0,20}(\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇零○]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$")
_EFFECTIVE = re.compile(r"自(\d{4}年\d{1,2}月\d{1,2}日)起施行")
_ISSUED = re.compile(
    r"日\s*([\u4e00-\u9fff、，,　 ]{2,40}?)(?:第[一二三四五六七八九十百]+次)?(?:全体)?(?:会议)?"
    r"(?:审议)?(?:批准|通过|印发|发布|公布|决定|修订|修正)"
)
_SPEECH_TITLE = re.compile(r"讲话|发言|致辞|论述|摘编|报告会")
_RULE_TITLE = re.compile(r"(条例|规定|办法|规则|细则|准则|章程|规范|法)(（[^）]*）)?(（示例）)?$|法（|规定（")
_OPINION_TITLE = re.compile(r"意见|方案|通知|决定|措施|要点")
_TERMINAL = ("。", "；", "：", "，", "！", "？")
_MANIFEST_FIELDS = ("title", "version", "issuer", "date", "doc_number", "status", "doc_type", "access",
                    *RED_HEADER_FIELDS)


def title_line(text: NormalizedText, file_name: str) -> tuple[str, int]:
    """The title (the first line when it reads as one, else the file name) and where it ends."""
    first = text.text.split("\n", 1)[0]
    if not first or len(first) > 80 or first.endswith(("。", "；", "：", ":", "，")) or re.match(r"^第.{1,6}[条章编]", first):
        return Path(file_name).stem, 0
    return first.strip("《》 "), len(first)


def infer_meta(text: NormalizedText, file_name: str, *, articles: int, outline: bool) -> DocumentMeta:
    """Metadata read from the text: title, date, version (year), issuer, 文号, doc_type."""
    lines = text.text.split("\n")
    title, title_end = title_line(text, file_name)
    title_lines = 1 if title_end else 0

    head = "\n".join(lines[title_lines: title_lines + 8])
    # The header note: text before the first article/chapter, e.g. （2023年12月19日中共中央发布）.
    head = re.split(r"\n第[零〇一二三四五六七八九十百千0-9]+[编章节条]", "\n" + head)[0]
    head_dates = find_dates(head)
    # Else a signature date on a line of its own at the end, else the date it takes effect.
    tail_dates = [find_dates(l)[0] for l in lines[-6:] if _SIGNATURE_DATE.match(l)]
    effective = [find_dates(m.group(1))[0] for m in _EFFECTIVE.finditer("\n".join(lines[-12:]))]
    date = max(head_dates) if head_dates else (tail_dates[-1] if tail_dates else (effective[-1] if effective else None))

    doc_number = None
    m = DOC_NUMBER.search("\n".join(lines[:15]))
    if m:
        doc_number = normalize_doc_number(m.group(0))

    issuer = None
    issued = [m.group(1).strip("，, 　、") for m in _ISSUED.finditer(head)]
    if issued:
        issuer = issued[-1]
    elif tail_dates:
        tail_lines = [l for l in lines[-6:] if l.strip()]
        for previous, line in zip(tail_lines, tail_lines[1:]):
            if _SIGNATURE_DATE.match(line) and len(previous) <= 30 and not previous.endswith(_TERMINAL):
                issuer = previous.strip()

    body_start = "".join(lines[title_lines: title_lines + 3])
    if _SPEECH_TITLE.search(title) or body_start.startswith(("同志们", "各位")):
        doc_type = "讲话"
    elif articles >= 2 or _RULE_TITLE.search(title):
        doc_type = "法规"
    elif _OPINION_TITLE.search(title) or outline:
        doc_type = "实施意见"
    else:
        doc_type = "其他"

    return DocumentMeta(
        title=title, version=date[:4] if date else None, issuer=issuer, date=date,
        doc_number=doc_number, doc_type=doc_type,
    )


def with_red_header(meta: DocumentMeta, header: RedHeader) -> DocumentMeta:
    """Metadata as a 红头文件's 版头 and 版记 state it: they win over what was inferred."""
    date = header.date or meta.date
    return meta.model_copy(update={
        "title": header.title, "issuer": header.issuer or meta.issuer, "date": date,
        "version": date[:4] if date else meta.version, "doc_number": header.doc_number,
        "secrecy": header.secrecy, "secrecy_term": header.secrecy_term, "urgency": header.urgency,
        "issuer_mark": header.issuer_mark, "signer": header.signer, "recipients": header.recipients,
        "cc": header.cc, "printed_by": header.printed_by, "printed_date": header.printed_date,
        "remark": header.remark, "attachments": header.attachments,
    })


def normalize_status(value: str) -> str:
    """Map a free status note to 现行有效 / 已修订 / 已废止. A remark in brackets is about something
    else ("以官方公布为准（引用的行政监察法已废止）": the law it cites was repealed, not this one)."""
    if value in ("现行有效", "已修订", "已废止"):
        return value
    value = re.sub(r"（[^（）]*）|\([^()]*\)", "", value) or value
    if "可能" in value or "需核对" in value:
        return "现行有效"
    if "废止" in value or "失效" in value:
        return "已废止"
    if any(word in value for word in ("取代", "已修订", "已修正", "旧版", "superseded")):
        return "已修订"
    return "现行有效"


def normalize_version(value: str) -> str | None:
    """'2023 (current)' → '2023'; '十八届版 (superseded)' → '十八届版'; 'n/a' → None."""
    value = str(value).strip()
    if not value or value.lower() in ("n/a", "none", "null", "-", "—"):
        return None
    m = re.search(r"(19|20)\d{2}", value)
    if m:
        return m.group(0)
    return re.sub(r"\s*\(.*\)$", "", value) or None


def _clean_overrides(raw: dict) -> dict:
    out = {}
    for key in _MANIFEST_FIELDS:
        value = raw.get(key, raw.get("文号") if key == "doc_number" else None)
        if value in (None, "", []):
            continue
        # access: a list or a comma-separated string; a bad group name raises (the file is not ingested)
        out[key] = ",".join(parse_groups(value)) if key == "access" else str(value).strip()
    return out


def find_overrides(path: Path) -> dict:
    """Metadata set for `path` by its manifest and sidecar (sidecar wins), as a plain dict."""
    path = path.resolve()
    overrides: dict = {}
    folder = path.parent
    for _ in range(4):
        manifest = folder / "manifest.json"
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
            entries = data.get("documents", []) if isinstance(data, dict) else data or []
            for entry in entries:
                if isinstance(entry, dict) and entry.get("file") and (folder / entry["file"]).resolve() == path:
                    overrides.update(_clean_overrides(entry))
                    break
            else:
                entry = None
            if entry is not None:
                break
        if folder.parent == folder:
            break
        folder = folder.parent
    for sidecar in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        if sidecar != path and sidecar.is_file():
            try:
                raw = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = None
            if isinstance(raw, dict):
                overrides.update(_clean_overrides(raw))
            break
    return overrides


def apply_overrides(meta: DocumentMeta, overrides: dict) -> DocumentMeta:
    data = meta.model_dump()
    explicit = []
    for key, value in overrides.items():
        if key == "status":
            data["status"] = normalize_status(value)
            data["status_note"] = value
        elif key == "version":
            data["version"] = normalize_version(value)
        elif key == "doc_type":
            if value not in DOC_TYPES:
                continue
            data["doc_type"] = value
        elif key == "access":
            data["access"] = parse_groups(value)
        elif key == "doc_number":
            data["doc_number"] = normalize_doc_number(value)
        else:
            data[key] = value
        explicit.append(key)
    data["explicit"] = sorted(set(explicit))
    return DocumentMeta(**data)


# An editorial note in a title: （2018年修订）, （含2018年修正案，第三章第七节 监察委员会）. Not （试行）
# or （示例）, which are part of the name.
_TITLE_NOTE = re.compile(r"\s*[（(]((?:\d{4}年|含)[^）)]*)[）)]")


def split_title_note(title: str) -> tuple[str, str | None]:
    """'中华人民共和国公务员法（2018年修订）' → ('中华人民共和国公务员法', '2018年修订')."""
    notes = [m.group(1).strip() for m in _TITLE_NOTE.finditer(title)]
    clean = _TITLE_NOTE.sub("", title).strip()
    if not notes or not clean:
        return title, None
    return clean, "；".join(notes)


def clean_title(meta: DocumentMeta) -> DocumentMeta:
    """The title without its editorial note; the note kept in `title_note` (and its year as the
    version when none was found)."""
    title, note = split_title_note(meta.title)
    if note is None:
        return meta
    version = meta.version
    if version is None:
        m = re.search(r"(19|20)\d{2}", note)
        version = m.group(0) if m else None
    return meta.model_copy(update={"title": title, "title_note": note, "version": version})


def title_key(title: str) -> str:
    """One key for all versions of a document: no spaces, no notes like （2018年修订）/（含…修正案…）."""
    return re.sub(r"\s+", "", _TITLE_NOTE.sub("", title))
