"""The languages outreach speaks, by ISO 639-3 code: the one list every module reads."""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["cmn", "pcc"]
LANGUAGE_CODES: tuple[str, ...] = get_args(Lang)
LANGUAGES: dict[str, str] = {"cmn": "普通话", "pcc": "Bouyei 布依语"}
