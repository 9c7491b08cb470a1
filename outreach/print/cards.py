"""What goes to print: every chosen script rendered (print mode) for every chosen village.

Unapproved text is refused here, before any layout work, unless the run is a
marked proof (``allow_draft``): a card handed out in a village cannot be recalled.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.catalog import Script
from outreach.deployment import Deployment, Village
from outreach.errors import PrintError
from outreach.i18n import N_, _
from outreach.languages.codes import LANGUAGES
from outreach.render import Mode, RenderedText, render

STATUS = {"draft": N_("draft"), "reviewed": N_("reviewed"), "returned": N_("returned"), "approved": N_("approved")}
"""Review statuses as the refusal names them (the values stay English in files)."""


@dataclass
class CardData:
    """One script for one village: the text of each language that village reads."""

    script: Script
    village: Village
    texts: dict[str, RenderedText]

    @property
    def drafts(self) -> list[str]:
        return [lang for lang, r in self.texts.items() if not r.approved]


def languages_for(script: Script, village: Village) -> list[str]:
    """The languages both the script has and the village reads, in the one fixed order (Mandarin side first)."""
    return [lang for lang in LANGUAGES if lang in script.languages and lang in village.languages]


def collect(
    deployment: Deployment, scripts: list[Script], villages: list[Village], allow_draft: bool
) -> list[CardData]:
    """Render every script for every village (print mode); refuse drafts unless allowed."""
    profile = deployment.profile
    cards = []
    for script in scripts:
        for village in villages:
            if script.meta.villages is not None and village.id not in script.meta.villages:
                continue
            langs = languages_for(script, village) or ["cmn"]
            texts = {lang: render(script, lang, profile, village, None, Mode.PRINT) for lang in langs}
            cards.append(CardData(script, village, texts))
    drafts = sorted({(c.script.id, lang, c.texts[lang].status) for c in cards for lang in c.drafts})
    if drafts and not allow_draft:
        listed = ", ".join(f"{script} ({lang}: {_(STATUS.get(status, status))})" for script, lang, status in drafts)
        raise PrintError(
            _("not approved for print: {drafts}. Get the text reviewed, or print a marked proof with --allow-draft")
            .format(drafts=listed)
        )
    return cards
