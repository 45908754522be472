"""The text each record is embedded and indexed by — one place, so indexes and queries agree."""
from __future__ import annotations

from matcher.catalogues.occupations import load_occupations


def occupation_name(code: str) -> str:
    return load_occupations().get(code).name


def posting_text(p: dict) -> str:
    """Title, required certificates, skills and the start of the description."""
    req = p.get("requirements") or {}
    certs = "、".join(
        f"{occupation_name(c['occupation'])}{('（' + c['level'] + '）') if c.get('level') else ''}"
        for c in req.get("certificates", [])
    )
    parts = [p["title"], certs, "、".join(req.get("skills", [])), (p.get("description") or "")[:80]]
    return "。".join(x for x in parts if x)


def trainee_text(t: dict) -> str:
    """Certificates with levels and skills: what the person can do (no personal data)."""
    certs = "、".join(
        f"{occupation_name(c['occupation'])}{('（' + c['level'] + '）') if c.get('level') else ''}"
        for c in t.get("certificates", [])
    )
    return "。".join(x for x in [certs, "、".join(t.get("skills", []))] if x)


def course_text(c: dict) -> str:
    parts = [c["title"], occupation_name(c["occupation"]), "、".join(c.get("skills", []))]
    return "。".join(x for x in parts if x)


TEXT_OF = {"postings": posting_text, "trainees": trainee_text, "courses": course_text}
