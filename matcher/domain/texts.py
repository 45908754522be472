"""The text each record is embedded and indexed by — one place, so indexes and queries agree."""

from __future__ import annotations

import re
import unicodedata

from matcher.catalogues.licences import SKILL, load_licences
from matcher.catalogues.occupations import load_occupations


def text_key(text: str) -> str:
    """NFKC, no whitespace, lower case: two spellings of one title share a key (training and eval use it too,
    so what they hold out is exactly what the normaliser would match)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def occupation_name(code: str) -> str:
    return load_occupations().get(code).name


def cert_text(c: dict) -> str:
    """A certificate as text: 'occupation（level）' for a skill certificate, the licence's name otherwise."""
    if c.get("recognised") is False:
        return " ".join(str(c[k]) for k in ("occupation", "item", "level") if c.get(k))
    if (c.get("type") or SKILL) == SKILL:
        return f"{occupation_name(c['occupation'])}{('（' + c['level'] + '）') if c.get('level') else ''}"
    lic = load_licences().get(c["type"], c.get("item"))
    return lic.label() if lic is not None else "".join(x for x in (c["type"], c.get("item")) if x)


def posting_text(p: dict) -> str:
    """Title, required certificates, skills and the start of the description."""
    req = p.get("requirements") or {}
    certs = "、".join(cert_text(c) for c in req.get("certificates", []))
    parts = [p["title"], certs, "、".join(req.get("skills", [])), (p.get("description") or "")[:80]]
    return "。".join(x for x in parts if x)


def trainee_text(t: dict) -> str:
    """Certificates with levels and skills: what the person can do (no personal data)."""
    certs = "、".join(cert_text(c) for c in t.get("certificates", []))
    return "。".join(x for x in [certs, "、".join(t.get("skills", []))] if x)


def course_text(c: dict) -> str:
    parts = [c["title"], occupation_name(c["occupation"]), "、".join(c.get("skills", []))]
    return "。".join(x for x in parts if x)


TEXT_OF = {"postings": posting_text, "trainees": trainee_text, "courses": course_text}
