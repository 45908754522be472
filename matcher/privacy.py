"""What an employer may see of a trainee: masked contact, no ID number, no protected attributes.

PIPL and 人社部《网络招聘服务管理规定》: job seekers' ID numbers, contacts and addresses must not leak;
employers see only trainees who consented to be searched, and contact details stay masked until the
trainee accepts (contact release is the API's job, with an audit entry).
"""
from __future__ import annotations

from matcher.store import Store


def mask_phone(phone: str | None) -> str | None:
    """13800135678 → 138****5678; anything shorter than 7 digits is fully masked."""
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str | None:
    """张三丰 → 张**: the surname only."""
    if not name:
        return None
    return name[0] + "*" * (len(name) - 1)


def employer_view_contact(personal: dict) -> dict:
    """The only personal data an employer ever receives, masked."""
    return {"name": mask_name(personal.get("name")), "phone": mask_phone(personal.get("phone"))}


def attach_masked_contacts(store: Store, results: list[dict]) -> None:
    """Add a masked `contact` to each candidate result, reading personal data for these ids only."""
    for r in results:
        trainee = store.get("trainees", r["trainee"]["id"])
        r["trainee"]["contact"] = employer_view_contact(trainee.personal() if trainee else {})
