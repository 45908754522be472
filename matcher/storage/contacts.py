"""Contact requests: an employer asks, the trainee decides; full contact is released only on accept.

PIPL: a trainee who consented to be *searched* has not consented to hand out a phone number. The
employer sees a masked contact (张**, 138****5678) until the trainee accepts a request for one of that
employer's postings; from then on that employer (and no one else) sees the full name and phone.
Declining (or revoking an earlier acceptance) masks it again.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from matcher.domain.privacy import employer_view_contact
from matcher.domain.schema import Trainee
from matcher.storage.store import Store
from matcher.storage.tables import ContactRequestRow, iso, rowcount, utcnow

STATUSES = ("pending", "accepted", "declined")


class ContactRequests:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, posting_id: str, trainee_id: str, employer: str, message: str | None) -> tuple[dict, bool]:
        """(request, created). Asking again for the same posting and trainee returns the existing one
        (a declined request is re-opened as pending: the trainee decides again)."""
        try:
            return self._create(posting_id, trainee_id, employer, message)
        except IntegrityError:  # a concurrent identical request won the race: return that one
            return self._create(posting_id, trainee_id, employer, message)

    def _create(self, posting_id: str, trainee_id: str, employer: str, message: str | None) -> tuple[dict, bool]:
        with self.store.session() as s, s.begin():
            row = s.execute(
                select(ContactRequestRow).where(
                    ContactRequestRow.posting_id == posting_id, ContactRequestRow.trainee_id == trainee_id
                )
            ).scalar_one_or_none()
            if row is not None:
                if row.status == "declined":
                    row.status, row.decided_at, row.message = "pending", None, message
                    return describe(row), True
                return describe(row), False
            row = ContactRequestRow(
                id=secrets.token_hex(8),
                posting_id=posting_id,
                trainee_id=trainee_id,
                employer=employer,
                status="pending",
                message=message,
                created_at=utcnow(),
            )
            s.add(row)
        return describe(row), True

    def get(self, request_id: str) -> dict | None:
        with self.store.session() as s:
            row = s.get(ContactRequestRow, request_id)
            return describe(row) if row is not None else None

    def decide(self, request_id: str, status: str) -> dict | None:
        with self.store.session() as s, s.begin():
            row = s.get(ContactRequestRow, request_id)
            if row is None:
                return None
            row.status, row.decided_at = status, utcnow()
            return describe(row)

    def delete_for_trainee(self, trainee_id: str) -> int:
        with self.store.session() as s, s.begin():
            return rowcount(s.execute(delete(ContactRequestRow).where(ContactRequestRow.trainee_id == trainee_id)))

    def for_trainee(self, trainee_id: str, offset: int, limit: int) -> list[dict]:
        with self.store.session() as s:
            q = (
                select(ContactRequestRow)
                .where(ContactRequestRow.trainee_id == trainee_id)
                .order_by(ContactRequestRow.created_at.desc(), ContactRequestRow.id)
                .offset(offset)
                .limit(limit)
            )
            return [describe(r) for r in s.execute(q).scalars()]

    def for_employer(self, employer: str, offset: int, limit: int, status: str | None = None) -> list[dict]:
        with self.store.session() as s:
            q = select(ContactRequestRow).where(ContactRequestRow.employer == employer)
            if status:
                q = q.where(ContactRequestRow.status == status)
            q = q.order_by(ContactRequestRow.created_at.desc(), ContactRequestRow.id).offset(offset).limit(limit)
            return [describe(r) for r in s.execute(q).scalars()]

    def released_to(self, employer: str, trainee_ids: list[str]) -> set[str]:
        """Which of these trainees accepted a contact request from this employer."""
        if not trainee_ids:
            return set()
        with self.store.session() as s:
            q = select(ContactRequestRow.trainee_id).where(
                ContactRequestRow.employer == employer,
                ContactRequestRow.status == "accepted",
                ContactRequestRow.trainee_id.in_(trainee_ids),
            )
            return set(s.execute(q).scalars())

    def contacts_for(self, employer: str | None, trainee_ids: list[str]) -> dict[str, dict]:
        """The contact this employer may see per trainee: full after acceptance, masked before (None: masked).
        Two queries for a whole page, whatever its length."""
        trainees = self.store.get_many("trainees", trainee_ids)
        released = self.released_to(employer, trainee_ids) if employer is not None else set()
        out = {}
        for tid in trainee_ids:
            trainee = trainees.get(tid)
            personal = trainee.personal() if isinstance(trainee, Trainee) else {}
            consenting = isinstance(trainee, Trainee) and trainee.consent_employer_search  # withdrawing hides it
            if consenting and tid in released:
                out[tid] = {"name": personal.get("name"), "phone": personal.get("phone"), "released": True}
            else:
                out[tid] = {**employer_view_contact(personal), "released": False}
        return out


def describe(row: ContactRequestRow) -> dict:
    return {
        "id": row.id,
        "posting_id": row.posting_id,
        "trainee_id": row.trainee_id,
        "employer": row.employer,
        "status": row.status,
        "message": row.message,
        "created_at": iso(row.created_at),
        "decided_at": iso(row.decided_at),
    }


__all__ = ["ContactRequests", "STATUSES"]


def attach_masked_contacts(store: Store, results: list[dict]) -> None:
    """Add a masked `contact` to each candidate result, reading personal data for these ids only."""
    trainees = store.get_many("trainees", [r["trainee"]["id"] for r in results])
    for r in results:
        trainee = trainees.get(r["trainee"]["id"])
        r["trainee"]["contact"] = employer_view_contact(trainee.personal() if isinstance(trainee, Trainee) else {})
