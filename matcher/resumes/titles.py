"""Job titles in a resume: short phrases ending in a role word ("Senior Data Engineer",
"Développeur Python"), taken from dated work-history lines first (most recent first), then
from title lines such as the real data's "Data Scientist - Ernst & Young LLP".
"""

from __future__ import annotations

import re

from matcher.resumes.sections import fold

_ROLE_WORDS = """
engineer developer analyst manager scientist consultant designer architect administrator
admin lead intern associate executive specialist officer tester programmer director
coordinator technician advocate lawyer trainer accountant assistant head supervisor president
founder cto ceo cio vp owner instructor teacher lecturer professor researcher representative
strategist writer editor artist nurse dietitian nutritionist auditor recruiter partner
chef ingenieur ingenieure developpeur developpeuse analyste gestionnaire conseiller conseillere
directeur directrice programmeur programmeuse technicien technicienne concepteur conceptrice
stagiaire responsable
""".split()
_ROLE = re.compile(r"\b(?:" + "|".join(_ROLE_WORDS) + r")s?\b")
# Where a title stops: the employer, the dates, or a description begins.
_TITLE_END = re.compile(
    r"\s+(?:-|at|@|chez|with|for|since|depuis|from|in)\s+|[,|(:]|\.\s|\s{2,}|\s(?=(?:19|20)\d\d)"
)
_LEADING = re.compile(r"^[\s\-*•\u25aa\u25cf>·o]+")
_NOT_TITLES = re.compile(r"\b(?:responsible|responsibilities|worked|working|i am|we |the |my )")
MAX_TITLE_WORDS = 7
MAX_TITLES = 5


def title_in_line(text: str) -> str | None:
    """The job title a line opens with, or None when it does not open with one."""
    head = _TITLE_END.split(_LEADING.sub("", text), maxsplit=1)[0].strip(" .-")
    words = head.split()
    if not words or len(words) > MAX_TITLE_WORDS or len(head) > 70:
        return None
    folded = fold(head)
    if _NOT_TITLES.search(folded + " ") or not _ROLE.search(folded):
        return None
    if not (head[0].isupper() or head[0].isdigit()):
        return None
    return head


def distinct_titles(titles: list[str]) -> tuple[str, ...]:
    """The titles without repeats (case and accents ignored), at most `MAX_TITLES`."""
    seen: dict[str, str] = {}
    for title in titles:
        seen.setdefault(fold(title), title)
    return tuple(seen.values())[:MAX_TITLES]
