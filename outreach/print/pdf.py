"""The one way outreach turns a page into PDF: a layout under ``templates/`` -> HTML -> WeasyPrint.

Cards, the monthly report and the recording sheet all come through here, so
they share the sandbox (layouts are staff-edited: autoescaped, strict about
unknown names), the letterhead every page may show (county, station,
hotlines, QR code, the shared CSS) and the errors a broken layout gives.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup

from outreach.datafile import display_path
from outreach.deployment import Deployment
from outreach.errors import PrintError  # re-exported: its home was here
from outreach.media import run, write_atomic
from outreach.print.qr import data_uri, qr_png

BASE_CSS = "print/base.css"


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, undefined=jinja2.StrictUndefined,
        auto_reload=True,
    )


def letterhead(deployment: Deployment) -> dict[str, Any]:
    """What any printed page may show without its caller passing it: who speaks, how to reach them, the house CSS."""
    css = deployment.templates / BASE_CSS
    if not css.is_file():
        raise PrintError(f"{display_path(css)} is missing: every printed layout shares it")
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
        raise PrintError(f"no layout '{exc.name}' in {display_path(folder)}") from None
    except (jinja2.UndefinedError, SecurityError) as exc:
        raise PrintError(f"{display_path(folder / template)}: {exc.message}") from None


def pdf_from_html(html: str, base_url: Path) -> bytes:
    """WeasyPrint, imported late: it is slow to import and most commands never print."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(base_url)).write_pdf()


def pdf_from_template(
    deployment: Deployment, template: str, context: Mapping[str, Any], out: Path | None = None
) -> bytes:
    """A layout rendered to PDF bytes, also written atomically to ``out`` when given."""
    html = html_from_template(deployment, template, context)
    pdf = pdf_from_html(html, (deployment.templates / template).parent)
    if out is not None:
        write_atomic(out, pdf)
    return pdf


def render_html(deployment: Deployment, layout: str, context: Mapping[str, Any]) -> str:
    """The recording sheet's old entry point; remove once it calls ``pdf_from_template``."""
    return html_from_template(deployment, f"print/{layout}.html.j2", context)


def write_png(pdf: Path, folder: Path, dpi: int = 110) -> list[Path]:
    """One PNG preview a page (pdftoppm), for WeChat groups and for looking at it."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise PrintError("pdftoppm is not installed (apt-get install poppler-utils)")
    folder.mkdir(parents=True, exist_ok=True)
    run([exe, "-png", "-r", str(dpi), str(pdf), str(folder / pdf.stem)])
    pattern = re.compile(re.escape(pdf.stem) + r"-\d+\.png$")
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))
