"""The order of the question pages, from the answers given so far.

Pure: no Flask. `steps(answers)` lists the pages that apply; a page is done when its
name is in answers["done"]. The check-your-answers page needs every applicable page
done; otherwise the person is sent to the first one that is not.
"""
from __future__ import annotations

from datetime import date

from ..rules.eligibility import ForWhom, is_adult
from ..rules.rights import Right

ORDER = (
    "voor-wie",
    "vertegenwoordiging",
    "betrokkene",
    "over-u",
    "rechten",
    "afschrift",
    "correctie",
    "eigen-verklaring",
    "vernietiging",
    "wissing",
    "tweede-persoon",
    "identiteit",
    "bewijs",
    "contact",
    "contact-gegevens",
)

RIGHT_STEPS = {
    "afschrift": Right.COPY.value,
    "correctie": Right.RECTIFICATION.value,
    "eigen-verklaring": Right.OWN_STATEMENT.value,
    "vernietiging": Right.DESTRUCTION.value,
    "wissing": Right.ERASURE.value,
}

# Pages whose answers depend on "for whom": changing that answer reopens them.
DEPENDS_ON_FOR_WHOM = ("vertegenwoordiging", "betrokkene", "over-u", "tweede-persoon", "bewijs")


def for_whom(answers: dict) -> ForWhom | None:
    value = answers.get("for_whom")
    return ForWhom(value) if value else None


def is_joint(answers: dict) -> bool:
    return bool((answers.get("assessment") or {}).get("joint"))


def applies(step: str, answers: dict) -> bool:
    fw = for_whom(answers)
    if step == "voor-wie":
        return True
    if fw is None:
        return False
    if step in ("vertegenwoordiging", "betrokkene", "bewijs"):
        return fw is not ForWhom.SELF
    if step in RIGHT_STEPS:
        return RIGHT_STEPS[step] in (answers.get("rights") or [])
    if step == "tweede-persoon":
        return is_joint(answers)
    if step == "contact-gegevens":
        # Only the details of the ways chosen on "contact"; none: no page.
        return bool(answers.get("contact_ways"))
    return True


def steps(answers: dict) -> list[str]:
    return [s for s in ORDER if applies(s, answers)]


def is_done(step: str, answers: dict) -> bool:
    return step in (answers.get("done") or [])


def first_incomplete(answers: dict) -> str | None:
    return next((s for s in steps(answers) if not is_done(s, answers)), None)


def next_step(current: str, answers: dict) -> str | None:
    """The page after `current`, or None when the check page comes next."""
    seq = steps(answers)
    if current in seq:
        later = seq[seq.index(current) + 1:]
        return later[0] if later else None
    return first_incomplete(answers)


def previous_step(current: str, answers: dict) -> str | None:
    seq = steps(answers)
    if current in seq and seq.index(current) > 0:
        return seq[seq.index(current) - 1]
    if current not in seq and seq:
        return seq[-1]
    return None


def mark_done(step: str, answers: dict) -> None:
    done = [s for s in (answers.get("done") or []) if s != step]
    done.append(step)
    answers["done"] = done


def reopen(answers: dict, names: tuple[str, ...]) -> None:
    answers["done"] = [s for s in (answers.get("done") or []) if s not in names]


def young_reader(answers: dict, today: date) -> bool:
    """The person filling in is a young person (under 18, filing for themselves): the
    pages say "je" (portal/young.py; issue 15, item 2)."""
    born = (answers.get("requester") or {}).get("birth_date")
    if answers.get("for_whom") != ForWhom.SELF.value or not born:
        return False
    return not is_adult(date.fromisoformat(born), today)
