"""The one way outreach turns a page into PDF: a layout under ``templates/`` -> HTML -> WeasyPrint.

Cards, the monthly report and the recording sheet all come through here, so
they share the sandbox (layouts are staff-edited: autoescaped, strict about
unknown names, budgeted like scripts), the letterhead every page may show
(county, station, hotlines, QR code, the shared CSS), the errors a broken
layout gives, and the one URL fetcher WeasyPrint may use: ``data:`` URLs and
files under the deployment's ``templates/`` or the package's assets, nothing
else (no other local file, no network), so a layout cannot leak or embed
what it should not.
"""

from __future__ import annotations


import re
import shutil
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from outreach.budget import LAYOUT_LIMITS
from outreach.datafile import display_path
from outreach.deployment import Deployment
from outreach.errors import PrintError, TemplateTooExpensive  # PrintError re-exported: its home was here
from outreach.i18n import _
from outreach.media import run, write_atomic
from outreach.print.qr import data_uri, qr_png
from outreach.sandbox import BudgetedSandbox

BASE_CSS = "print/base.css"
ASSETS = Path(__file__).resolve().parent / "assets"
"""Files the package itself may ship for layouts (fonts, images); served like the deployment's templates/."""


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    return BudgetedSandbox(
        limits=LAYOUT_LIMITS, loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
        undefined=jinja2.StrictUndefined, auto_reload=True,
    )


def letterhead(deployment: Deployment) -> dict[str, Any]:
    """What any printed page may show without its caller passing it: who speaks, how to reach them, the house CSS."""
    css = deployment.templates / BASE_CSS
    if not css.is_file():
        raise PrintError(_("{path} is missing: every printed layout shares it").format(path=display_path(css)))
    profile = deployment.profile
    return {
        "base_css": Markup(css.read_text(encoding="utf-8")),
        "qr": data_uri(qr_png(profile.qr_link)),
        "hotline": profile.hotlines.antifraud, "police": profile.hotlines.police,
        "station": profile.station.name, "station_phone": profile.station.phone or "",
        "county": profile.county.cmn, "county_pcc": profile.county.pcc or profile.county.cmn,
    }


def html_from_template(deployment: Deployment, template: str, context: Mapping[str, Any]) -> str:
    """Render ``templates/<template>`` (``print/card.html.j2``...) over the letterhead; errors are one line."""
    folder = deployment.templates
    try:
        return _environment(folder).get_template(template).render({**letterhead(deployment), **context})
    except jinja2.TemplateSyntaxError as exc:
        raise PrintError(f"{display_path(exc.filename or folder / template)}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        message = _("no layout '{name}' in {folder}").format(name=exc.name, folder=display_path(folder))
        raise PrintError(message) from None
    except TemplateTooExpensive as exc:
        raise TemplateTooExpensive(_("layout {template}: {reason}").format(template=template, reason=exc.reason),
                                   display_path(folder / template)) from None
    except (jinja2.UndefinedError, SecurityError) as exc:
        raise PrintError(f"{display_path(folder / template)}: {exc.message}") from None
    except (RecursionError, MemoryError):
        raise TemplateTooExpensive(_("layout {template}: nested too deeply or out of memory").format(
            template=template), display_path(folder / template)) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise PrintError(f"{display_path(folder / template)}: {exc}") from None


@lru_cache(maxsize=1)
def _font_config() -> Any:
    """One font configuration per process: WeasyPrint's default makes one per document, and each leaks a little
    (20,000 cards in one job grew memory by a fifth); the layouts use only system fonts, so one serves all."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def pdf_from_html(html: str, base_url: Path, allowed: Sequence[Path] = ()) -> bytes:
    """HTML to PDF with WeasyPrint (imported late: slow to import, and most commands never print).

    Resources are served only from ``allowed`` folders (default: ``base_url``) and the package's assets;
    any other URL fails the document with a PrintError naming it, even where WeasyPrint would only warn.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from outreach.print.fetcher import LocalFetcher, refused_error

    fetcher = LocalFetcher([*(allowed or [base_url]), ASSETS])
    try:
        pdf = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher).write_pdf(font_config=_font_config())
    except (Exception, FatalURLFetchingError):
        if fetcher.refused:
            raise refused_error(fetcher.refused) from None
        raise
    if fetcher.refused:
        raise refused_error(fetcher.refused)
    return pdf


def pdf_from_template(
    deployment: Deployment, template: str, context: Mapping[str, Any], out: Path | None = None
) -> bytes:
    """A layout rendered to PDF bytes, also written atomically to ``out`` when given."""
    html = html_from_template(deployment, template, context)
    pdf = pdf_from_html(html, (deployment.templates / template).parent, [deployment.templates])
    if out is not None:
        write_atomic(out, pdf)
    return pdf


def write_png(pdf: Path, folder: Path, dpi: int = 110) -> list[Path]:
    """One PNG preview a page (pdftoppm), for WeChat groups and for looking at it."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise PrintError(_("pdftoppm is not installed (apt-get install poppler-utils)"))
    folder.mkdir(parents=True, exist_ok=True)
    run([exe, "-png", "-r", str(dpi), str(pdf), str(folder / pdf.stem)])
    pattern = re.compile(re.escape(pdf.stem) + r"-\d+\.png$")
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))
