"""Importers: JSON Lines (the contract) and CSV files → validated records → the store.

Rules: every bad row is reported with file, line and field; one bad row never loses the good ones;
re-importing the same file is idempotent (upsert by `id`); the summary accounts for every line
(inserted + updated + unchanged + rejected = rows read).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.domain.schema import KINDS, Record
from matcher.storage.store import Store, UpsertResult, chunked

log = logging.getLogger(__name__)


@dataclass
class RowError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows a source adapter set aside on purpose (e.g. not in Chongqing)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)  # imported, but a value was kept unread

    @property
    def rejected(self) -> int:
        return len({e.line for e in self.errors})

    def add(self, result: UpsertResult) -> None:
        self.inserted += result.inserted
        self.updated += result.updated
        self.unchanged += result.unchanged

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "errors": [e.__dict__ for e in self.errors],
            "warnings": [w.__dict__ for w in self.warnings],
        }


def format_loc(loc: tuple) -> str:
    """('requirements', 'certificates', 0, 'level') → 'requirements.certificates[0].level'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(记录)"


def validation_errors(exc: ValidationError, file: str, line: int) -> list[RowError]:
    errors = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "未知字段（数据约定中没有这个字段）"
        elif err["type"] == "missing":
            msg = "缺少必填字段"
        errors.append(RowError(file, line, format_loc(err["loc"]), msg))
    return errors


def validate_rows(
    kind: str, rows: Iterable[tuple[int, dict | RowError | None]], file: str, report: ImportReport
) -> Iterator[Record]:
    """Validate (line, raw) pairs, yielding good records and appending errors to the report."""
    model = KINDS[kind]
    for line, raw in rows:
        report.read += 1
        if raw is None:
            report.skipped += 1
            continue
        if isinstance(raw, RowError):
            report.errors.append(raw)
            continue
        try:
            record = model.model_validate(raw)
        except ValidationError as exc:
            report.errors.extend(validation_errors(exc, file, line))
            continue
        report.warnings.extend(RowError(file, line, f, m) for f, m in record.warnings())
        yield record


def import_rows(
    store: Store,
    kind: str,
    rows: Iterable[tuple[int, dict | RowError | None]],
    file: str,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and upsert; good rows are committed batch by batch, so an error never loses them."""
    if kind not in KINDS:
        raise ValueError(f"未知的数据类型 {kind!r}；可选：{', '.join(KINDS)}")
    report = ImportReport(kind=kind, file=file)
    for batch in chunked(validate_rows(kind, rows, file, report), batch_size):
        report.add(store.upsert(kind, batch))
        if progress:
            progress(len(batch))
    log.info("import %s from %s: %s", kind, file, {k: v for k, v in report.as_dict().items() if k != "errors"})
    return report


# --- readers -------------------------------------------------------------------------------------


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig", newline="")


def jsonl_rows(lines: Iterable[bytes], file: str) -> Iterator[tuple[int, dict | RowError]]:
    """(line number, object) for each non-blank line of JSON Lines — the one reader behind `matcher ingest`
    and `POST /api/import`. Lines end at b"\\n" only (U+2028/U+0085 inside a string are data, as JSON says);
    a line that is not UTF-8, not JSON, nested too deeply or not an object becomes a RowError for that line
    alone."""
    for n, raw in enumerate(lines, start=1):
        if n == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # BOM
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield n, RowError(file, n, "(JSON)", f"不是 UTF-8 文本（第 {exc.start + 1} 字节）")
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield n, RowError(file, n, "(JSON)", f"不是合法的 JSON：{exc.msg}（第 {exc.colno} 列）")
            continue
        except RecursionError:
            yield n, RowError(file, n, "(JSON)", "JSON 嵌套层级过深")
            continue
        if not isinstance(obj, dict):
            yield n, RowError(file, n, "(JSON)", "每行必须是一个 JSON 对象")
            continue
        yield n, obj


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    """(line number, object) for each non-blank line of a JSON Lines file (optionally .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        yield from jsonl_rows(f, path.name)


_LIST_SPLIT = re.compile(r"[;；|、,，]\s*")


def _split(cell: str) -> list[str]:
    return [p.strip() for p in _LIST_SPLIT.split(cell) if p.strip()]


def _cert_items(cell: str, third: str) -> list[dict]:
    """'电工:四级:持证上岗; 焊工:初级工' → [{occupation, level, mandatory|issued_at}, …]."""
    items = []
    for part in re.split(r"[;；|]\s*", cell):
        if not part.strip():
            continue
        bits = [b.strip() for b in re.split(r"[:：]", part)]
        item: dict[str, Any] = {"occupation": bits[0]}
        if len(bits) > 1 and bits[1]:
            item["level"] = bits[1]
        if len(bits) > 2 and bits[2]:
            if third == "mandatory":
                item["mandatory"] = bits[2] in {"持证上岗", "必须", "mandatory", "true", "1", "是"}
            else:
                item["issued_at"] = bits[2]
        items.append(item)
    return items


_BOOL = {"true": True, "1": True, "是": True, "yes": True, "false": False, "0": False, "否": False, "no": False}


def csv_row_to_record(kind: str, row: dict[str, str]) -> dict:
    """Map a flat CSV row onto the contract's nested shape.

    CSV columns are the contract's field names; lists use ';' '、' or '|'; certificate cells are
    `occupation:level[:持证上岗]` (postings) or `occupation:level[:issued_at]` (trainees).
    Posting requirement fields may be given flat (certificates, skills, min_experience_years, education).
    """
    rec: dict[str, Any] = {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}
    for key, value in list(rec.items()):
        if value.lower() in _BOOL and key in {"consent_employer_search", "subsidised", "completed"}:
            rec[key] = _BOOL[value.lower()]
    if kind == "postings":
        req: dict[str, Any] = {}
        if "certificates" in rec:
            req["certificates"] = _cert_items(rec.pop("certificates"), "mandatory")
        if "skills" in rec:
            req["skills"] = _split(rec.pop("skills"))
        for key in ("min_experience_years", "education"):
            if key in rec:
                req[key] = rec.pop(key)
        if req:
            rec["requirements"] = req
    elif kind == "trainees":
        if "certificates" in rec:
            rec["certificates"] = _cert_items(rec["certificates"], "issued_at")
        if "skills" in rec:
            rec["skills"] = _split(rec["skills"])
    elif kind == "courses" and "skills" in rec:
        rec["skills"] = _split(rec["skills"])
    return rec


def read_csv(path: Path, kind: str) -> Iterator[tuple[int, dict | RowError]]:
    with _open_text(path) as f:
        reader = csv.DictReader(f)
        for row in reader:
            line = reader.line_num
            if None in row:
                yield line, RowError(path.name, line, "(CSV)", "列数多于表头")
                continue
            yield line, csv_row_to_record(kind, row)


def read_file(path: Path, kind: str) -> Iterator[tuple[int, dict | RowError]]:
    """Pick the reader by extension: .jsonl/.json(l).gz → JSON Lines, .csv(.gz) → CSV."""
    name = path.name.removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return read_jsonl(path)
    if name.endswith(".csv"):
        return read_csv(path, kind)
    raise ValueError(f"{path}: 不支持的文件类型（应为 .jsonl 或 .csv，可加 .gz）")


def import_file(store: Store, kind: str, path: Path, **kwargs: Any) -> ImportReport:
    if not path.exists():
        raise FileNotFoundError(f"找不到文件 {path}")
    return import_rows(store, kind, read_file(path, kind), path.name, **kwargs)
