"""The six rights of paragraph 3 of the Privacyreglement Veilig Thuis (art. 14-18)."""
from __future__ import annotations

import enum


class Right(str, enum.Enum):
    """A right of the data subject (Privacyreglement Veilig Thuis, art. 14-18).

    The values are stable machine codes (stored in the database and used in URLs).
    """

    ACCESS = "inzage"  # art. 14.1
    COPY = "afschrift"  # art. 14.1
    RECTIFICATION = "correctie"  # art. 15
    OWN_STATEMENT = "eigen_verklaring"  # art. 16
    DESTRUCTION = "vernietiging"  # art. 17
    ERASURE = "gegevenswissing"  # art. 18

    @property
    def article(self) -> str:
        """The article of the Privacyreglement that grants this right (art. 14-18)."""
        return ARTICLES[self]


ARTICLES: dict[Right, str] = {
    Right.ACCESS: "art. 14",
    Right.COPY: "art. 14",
    Right.RECTIFICATION: "art. 15",
    Right.OWN_STATEMENT: "art. 16",
    Right.DESTRUCTION: "art. 17",
    Right.ERASURE: "art. 18",
}
