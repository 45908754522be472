"""What an employer may see of a trainee: masked contact, no ID number, no protected attributes.

PIPL and 人社部《网络招聘服务管理规定》: job seekers' ID numbers, contacts and addresses must not leak;
employers see only trainees who consented to be searched, and contact details stay masked until the
trainee accepts (contact release is the API's job, with an audit entry).
"""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """A mobile keeps its first 3 and last 4 digits (138****5678, as Chinese services show it); any other
    number keeps only its last 2 (*******34), so no format leaves enough to call or guess it."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits[0] == "1":
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:] if len(digits) > 6 else "*" * len(digits)


def mask_name(name: str | None) -> str | None:
    """张三丰 → 张**: the surname only."""
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1)


def employer_view_contact(personal: dict) -> dict:
    """The only personal data an employer ever receives, masked."""
    return {"name": mask_name(personal.get("name")), "phone": mask_phone(personal.get("phone"))}


# What an employer sees of a candidate result: profile facts and the fit, nothing else (the API's
# response models whitelist the same keys again).
CANDIDATE_FIT_KEYS = (
    "score",
    "features",
    "contributions",
    "distance_km",
    "commute_minutes",
    "river_crossings",
    "mandatory_ok",
    "reasons",
    "missing",
    "rank",
)


def employer_candidate(result: dict, contact: dict) -> dict:
    """A candidate result as an employer may see it: whitelisted profile facts, the `contact` it may see
    (masked unless released to it), and the fit."""
    t = result["trainee"]
    trainee = {
        "id": t["id"],
        "district": t["district"],
        "certificates": list(t.get("certificates", [])),
        "skills": list(t.get("skills", [])),
        "experience_years": t.get("experience_years"),
        "contact": contact,
    }
    return {"trainee": trainee, **{k: result[k] for k in CANDIDATE_FIT_KEYS if k in result}}
