"""Units → llama-index TextNodes: one per article (a long one split at 款/项, each piece keeping
the article header), one per outline item or paragraph group; never across articles."""

from __future__ import annotations

import re

from llama_index.core.schema import TextNode

from ingest.models import ParsedDocument, Unit

DEFAULT_MAX_CHARS = 600
HEADING_SEPARATOR = " › "
# Metadata that is for display and filtering, not for the embedding or the LLM prompt.
_NOT_EMBEDDED = [
    "doc_id", "issuer", "date", "doc_number", "status", "doc_type", "unit_kind", "article",
    "article_label", "clause_start", "clause_end", "page_start", "page_end", "start_char",
    "end_char", "prefix_chars", "source", "file_name", "chunk_index", "chunk_count",
    "unit_index", "piece", "pieces", "version", "access", "article_suffix", "table", "table_row",
    "table_caption", "table_header",
]
_SENTENCE_END = re.compile(r"(?<=[。；！？])")


def _segments(doc: ParsedDocument, unit: Unit) -> list[tuple[int, int, str]]:
    """Spans a unit may be cut between, each with the header a piece starting there repeats."""
    if unit.kind == "article":
        segments = []
        for clause in unit.clauses:
            if not clause.items or clause.end - clause.start <= 0:
                segments.append((clause.start, clause.end, unit.label))
                continue
            intro_end = clause.items[0].start - 1
            intro = doc.text[clause.start:intro_end]
            if clause.index == 1:
                intro = intro[len(unit.label):].strip()
            segments.append((clause.start, intro_end, unit.label))
            for item in clause.items:
                segments.append((item.start, item.end, f"{unit.label} {intro}".strip()))
        return segments
    first_line_end = doc.text.find("\n", unit.start, unit.end)
    first_line = doc.text[unit.start:first_line_end if first_line_end != -1 else unit.end]
    header = first_line if len(first_line) <= 40 else unit.label
    segments = []
    offset = unit.start
    for line in doc.text[unit.start:unit.end].split("\n"):
        segments.append((offset, offset + len(line), header))
        offset += len(line) + 1
    return segments


def _split_long(doc: ParsedDocument, start: int, end: int, header: str, max_chars: int):
    """A single paragraph longer than `max_chars`, cut at sentence ends."""
    pieces, piece_start, offset = [], start, start
    for sentence in _SENTENCE_END.split(doc.text[start:end]):
        if offset + len(sentence) - piece_start > max_chars and offset > piece_start:
            pieces.append((piece_start, offset, header))
            piece_start = offset
        offset += len(sentence)
    pieces.append((piece_start, end, header))
    return pieces


def split_unit(doc: ParsedDocument, unit: Unit, max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int, str]]:
    """(start, end, prefix) pieces of a unit; prefix is '' for the piece that starts the unit."""
    if unit.end - unit.start <= max_chars:
        return [(unit.start, unit.end, "")]
    segments: list[tuple[int, int, str]] = []
    for start, end, header in _segments(doc, unit):
        if end - start > max_chars:
            segments.extend(_split_long(doc, start, end, header, max_chars))
        elif end > start:
            segments.append((start, end, header))
    pieces: list[list] = []
    for start, end, header in segments:
        if pieces and end - pieces[-1][0] <= max_chars:
            pieces[-1][1] = end
        else:
            pieces.append([start, end, header])
    return [(s, e, "" if s == unit.start else h + "\n") for s, e, h in pieces]


def row_prefix(unit: Unit) -> str:
    """What a table row's chunk says before the row itself: its caption, then each value with its
    column's name ("表1 培训费综合定额标准（单位：元/人天）\n培训类别：一类培训；住宿费：500；…；合计：760\n")."""
    row = unit.table_row
    pairs = "；".join(f"{name}：{value}" for name, value in row.pairs() if value)
    return f"{row.caption or f'表{row.table}'}\n{pairs}\n"


def _row_node(doc: ParsedDocument, unit: Unit, unit_index: int, ordinal: int) -> TextNode:
    row = unit.table_row
    node = _node(doc, unit, unit_index, ordinal, unit.start, unit.end, row_prefix(unit), 0, 1)
    node.metadata.update({"table": row.table, "table_row": row.row, "table_caption": row.caption,
                          "table_header": list(row.header)})
    return node


def _node(doc: ParsedDocument, unit: Unit, unit_index: int, ordinal: int, start: int, end: int, prefix: str,
          piece: int, pieces: int) -> TextNode:
    meta = doc.meta
    clauses = [c.index for c in unit.clauses if c.start < end and c.end > start]
    return TextNode(
        id_=f"{doc.doc_id}-{ordinal:05d}",
        text=prefix + doc.text[start:end],
        start_char_idx=start,
        end_char_idx=end,
        metadata={
            "doc_id": doc.doc_id,
            "title": meta.title,
            "version": meta.version,
            "issuer": meta.issuer,
            "date": meta.date,
            "doc_number": meta.doc_number,
            "status": meta.status,
            "doc_type": meta.doc_type,
            "access": list(meta.access),
            "heading": HEADING_SEPARATOR.join(unit.heading),
            "unit_kind": unit.kind,
            "unit_index": unit_index,
            "article": unit.number if unit.kind == "article" else None,
            "article_label": unit.label,
            "article_suffix": unit.suffix if unit.kind == "article" else None,  # 之一 → 1
            "clause_start": clauses[0] if clauses else None,
            "clause_end": clauses[-1] if clauses else None,
            "page_start": doc.page_at(start),
            "page_end": doc.page_at(max(start, end - 1)),
            "start_char": start,
            "end_char": end,
            "prefix_chars": len(prefix),
            "piece": piece + 1,
            "pieces": pieces,
            "source": doc.source,
            "file_name": doc.source.replace("\\", "/").rsplit("/", 1)[-1],
        },
        excluded_embed_metadata_keys=list(_NOT_EMBEDDED),
        excluded_llm_metadata_keys=[k for k in _NOT_EMBEDDED if k not in ("version", "status", "article_label", "page_start")],
    )


def build_nodes(doc: ParsedDocument, max_chars: int = DEFAULT_MAX_CHARS) -> list[TextNode]:
    nodes: list[TextNode] = []
    for unit_index, unit in enumerate(doc.units):
        if unit.kind == "row":
            nodes.append(_row_node(doc, unit, unit_index, len(nodes)))
            continue
        pieces = split_unit(doc, unit, max_chars)
        for piece, (start, end, prefix) in enumerate(pieces):
            nodes.append(_node(doc, unit, unit_index, len(nodes), start, end, prefix, piece, len(pieces)))
    return nodes
