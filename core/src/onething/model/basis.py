"""监管依据 (basis): where a rule comes from, and how far that was checked."""

from __future__ import annotations

from typing import Literal

from attrs import frozen

#: How far a fact was checked against the legal text:
#: ``verified`` against an official text; ``secondary`` only in secondary sources;
#: ``unconfirmed`` not checked (a placeholder that must not be mistaken for law).
Status = Literal["verified", "secondary", "unconfirmed"]
STATUSES: tuple[str, ...] = ("verified", "secondary", "unconfirmed")


@frozen
class Basis:
    """One legal basis: a law, regulation, rule or standard and the article relied on."""

    law: str
    """Name of the law, regulation, rule or standard (e.g. 《食品安全法》, GB 38600-2019)."""
    article: str | None = None
    """Article, clause or section (e.g. 第四十五条, 4.2)."""
    revision: str | None = None
    """The revision cited, as its date or label (e.g. 2021-04-29, 2022修订)."""
    document: str | None = None
    """Document number (文号), e.g. 商务部令2012年第9号."""
    url: str | None = None
    status: Status = "unconfirmed"
    """How far this citation was checked against the text."""
    note: str | None = None

    def cite(self) -> str:
        """A one-line human citation: 《law》（revision）article."""
        law = (
            self.law if self.law.startswith(("《", "GB", "DB", "WS", "JGJ")) else f"《{self.law}》"
        )
        parts = [law]
        if self.revision:
            parts.append(f"（{self.revision}）")
        if self.article:
            parts.append(self.article)
        return "".join(parts)
