"""One-page PDF of a certificate, for a buyer to read (reportlab, pure pip).

The page shows: issuer, customer, product, declared unit and the footprint per declared unit,
the order-line quantity and total, the fossil / biogenic / land-use split, the life-cycle
stages as a bar chart, boundary and standards, reference period, data quality, the
recycled-content rule and electricity accounting, certificate number, issue date, validity,
the SHA-256 of the canonical JSON, the signing key id and a QR code with the verification URL.
Everything is read from the signed document; only the status banner (revoked, superseded,
expired) and the verification URL come from outside it.

Layout is reportlab platypus: paragraphs and tables flow in a body frame between the header
band and the footer (hash, signature, QR code from reportlab's own ``QrCodeWidget``). Every
text of variable length wraps over as many lines as it needs, nothing is cut; when the body
would overflow, it is laid out wider and drawn scaled down (:class:`ShrinkToFit`), so the page
never overflows to a second one.

The QR code and the printed "Verify" URL lead to the public verification page
(``/verify/{id}``); the API's verification URL is printed beside it. The signed PDF
(:mod:`pcf.certificates.pdfsign`) carries the certificate file as an attachment.

The PDF is deterministic for given inputs (reportlab ``invariant`` mode). Text uses the
standard Helvetica/Courier fonts (WinAnsi): characters outside Windows-1252 print as ``?``.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing, Line, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

PAGE_W, PAGE_H = A4
MARGIN = 36.0
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
ACCENT = colors.HexColor("#0b6e4f")
LIGHT = colors.HexColor("#e6f2ed")
RULE = colors.HexColor("#cbd2d9")
BAR = colors.HexColor("#2f8f6b")
BAR_NEG = colors.HexColor("#c05621")
WARN = colors.HexColor("#c81e1e")

BAND_H = 74.0
"""Height of the header band, points."""
QR_SIZE = 92.0
"""Side of the QR code, points."""


# --------------------------------------------------------------------------- formatting


def fmt_number(value: float, significant: int = 4) -> str:
    """Format with ``significant`` significant digits, thousands separators, no exponent.

    ``17.28461`` -> ``"17.28"``, ``2218.64`` -> ``"2,219"``, ``0.012345`` -> ``"0.01235"``.
    """
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    digits = max(0, significant - 1 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def fmt_quantity(value: float) -> str:
    """Up to 6 significant digits without trailing zeros: ``1.5``, ``24,000``."""
    return format(float(value), ",.6g")


def fmt_mass_co2e(kg: float) -> str:
    """``"412.4 kg CO2e"`` below one tonne, ``"41.24 t CO2e"`` from one tonne."""
    if abs(kg) >= 1000:
        return f"{fmt_number(kg / 1000)} t CO2e"
    return f"{fmt_number(kg)} kg CO2e"


def per_unit_text(document: dict) -> str:
    """The headline figure as printed, e.g. ``"17.28 kg CO2e per kg"``."""
    calc = _ext(document)["calculation"]
    return (f"{fmt_number(calc['kgCO2ePerDeclaredUnit']['total'])} kg CO2e per "
            f"{calc['declaredUnit']}")


def _t(text: Any) -> str:
    return str(text).encode("cp1252", "replace").decode("cp1252")


def _ext(document: dict) -> dict:
    for ext in (document.get("productFootprint") or {}).get("extensions") or []:
        data = ext.get("data") or {}
        if "calculation" in data:
            return data
    raise ValueError("the document has no pcf extension")


def _date(iso: str | None) -> str:
    return (iso or "")[:10]


# --------------------------------------------------------------------------- styles


def _style(name: str, size: float, *, font: str = "Helvetica", color=INK, leading=None,
           align: int = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.25,
                          textColor=color, alignment=align)


LABEL = _style("label", 6.5, font="Helvetica-Bold", color=MUTED, leading=9)
TEXT = _style("text", 8.3, leading=10.4)
TEXT_R = _style("text-right", 8.3, leading=10.4, align=TA_RIGHT)
BOLD_R = _style("bold-right", 8.3, font="Helvetica-Bold", leading=10.4, align=TA_RIGHT)
KEY = _style("key", 8.3, color=MUTED, leading=10.4)
PARTY = _style("party", 10, font="Helvetica-Bold", leading=12.5)
PARTY_SUB = _style("party-sub", 7.5, color=MUTED, leading=9.2)
PRODUCT = _style("product", 12.5, font="Helvetica-Bold", leading=15)
META = _style("meta", 7.8, color=MUTED, leading=9.8)
BIG = _style("big", 21, font="Helvetica-Bold", color=ACCENT, leading=25)
CAPTION = _style("caption", 6.8, color=MUTED, leading=8.5)
CERT = _style("cert", 8, leading=10)
NOTE = _style("note", 7.6, leading=7.6 * 1.3)
HASH = _style("hash", 7.4, font="Courier-Bold", leading=9.2)
URL = _style("url", 7.4, font="Courier", leading=9.2)
SMALL = _style("small", 7.2, color=MUTED, leading=8.8)
BAND_TITLE = _style("band-title", 19, font="Helvetica-Bold", color=colors.white, leading=23)
BAND_TEXT = _style("band-text", 8.5, color=colors.white, leading=16)
BAND_NUMBER = _style("band-number", 13, font="Helvetica-Bold", color=colors.white,
                     leading=16, align=TA_RIGHT)
BAND_TEXT_R = _style("band-text-right", 8.5, color=colors.white, leading=13, align=TA_RIGHT)
BANNER = _style("banner", 9, font="Helvetica-Bold", color=colors.white, leading=11,
                align=TA_CENTER)


# --------------------------------------------------------------------------- flowables


def _markup(text: Any) -> str:
    """``text`` as Paragraph markup: WinAnsi characters only, ``& < >`` escaped."""
    return escape(_t(text))


def _lines(text: str, style: ParagraphStyle, width: float) -> int:
    para = Paragraph(_markup(text), style)
    para.wrap(width, 1e9)
    return len(para.blPara.lines)


def _cut(text: str, n: int) -> str:
    """The first ``n`` characters of ``text`` and an ellipsis; at a word end if one is near."""
    head = text[:n]
    if n < len(text) and text[n] != " " and not head.endswith(" "):
        space = head.rfind(" ")
        if space < 0 or n - space > 12:
            return head + "..."  # inside a long word (an id, a URL): keep what fits
        head = head[:space]
    return head.rstrip() + " ..."


def fit_paragraph(text: Any, style: ParagraphStyle, width: float,
                  max_lines: int) -> Paragraph:
    """A paragraph of ``text`` cut to at most ``max_lines`` lines at ``width``.

    Parameters
    ----------
    text : Any
        Plain text (not markup); converted to Windows-1252 and escaped. Runs of spaces and
        line breaks count as one space; no-break spaces are kept.
    style : reportlab.lib.styles.ParagraphStyle
    width : float
        Width the paragraph is laid out in, points.
    max_lines : int
        Most lines to keep; at least 1.

    Returns
    -------
    reportlab.platypus.Paragraph
        The whole text if it fits, else the longest start of it that fits with an ellipsis,
        cut at the end of a word unless a long word (an id, a URL) would be lost.
    """
    text = re.sub(r"[ \t\r\n]+", " ", _t(text)).strip()
    if _lines(text, style, width) <= max_lines:
        return Paragraph(_markup(text), style)
    lo, hi = 0, len(text) - 1  # the most characters that fit with the ellipsis
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _lines(_cut(text, mid), style, width) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    return Paragraph(_markup(_cut(text, lo)), style)


class ShrinkToFit(Flowable):
    """Flowables stacked top down, scaled down as a whole if taller than ``max_height``.

    When they do not fit, they are built again for a proportionally wider width (so that text
    and ``"*"`` table columns reflow) and drawn at the scale that brings them back to the
    width offered, so the result fills the width and keeps its alignment.

    Parameters
    ----------
    build : callable
        ``build() -> list of Flowable``, fresh objects on every call (tables keep the widths
        of their first layout). Space between them is given with ``Spacer``;
        ``spaceBefore``/``spaceAfter`` are not applied.
    max_height : float
        Most height to take, points.
    """

    def __init__(self, build, max_height: float):
        super().__init__()
        self.build, self.max_height = build, max_height
        self.scale, self._inner = 1.0, (0.0, 0.0)
        self._content: list[Flowable] = []

    def _stack(self, width: float) -> float:
        self._content = self.build()
        height = sum(f.wrapOn(self.canv, width, 1e9)[1] for f in self._content)
        self._inner = (width, height)
        return height

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        limit = min(self.max_height, availHeight)
        scale, height = 1.0, self._stack(availWidth)
        for _ in range(4):
            if height * scale <= limit or height <= 0:
                break
            scale = limit / height  # wider layout at this scale: no taller, so it fits
            height = self._stack(availWidth / scale)
        scale = min(scale, limit / height) if height > 0 else 1.0
        self.scale = scale
        self.width, self.height = availWidth, height * scale
        return self.width, self.height

    def draw(self):
        width, height = self._inner
        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        y = height
        for flowable in self._content:
            w, h = flowable.wrapOn(self.canv, width, 1e9)
            y -= h
            flowable.drawOn(self.canv, 0, y, _sW=width - w)
        self.canv.restoreState()


_GAP = " \u00a0\u00a0"
"""Wide gap between items on one line (no-break spaces are not collapsed)."""
_SEP = "\u00a0 | \u00a0"


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_markup(text), style)


def _wrap(text: Any, style: ParagraphStyle, max_lines: int | None = None) -> Paragraph:
    """A paragraph of ``text`` that wraps over as many lines as it needs (never cut; the body
    shrinks to fit the page instead, :class:`ShrinkToFit`). ``max_lines`` is ignored: it
    documents how many lines the text usually takes."""
    return Paragraph(_markup(re.sub(r"[ \t\r\n]+", " ", _t(text)).strip()), style)


def _label(text: str) -> Paragraph:
    return _p(text.upper(), LABEL)


def _rule(before: float = 6, after: float = 8) -> list[Flowable]:
    return [Spacer(1, before), HRFlowable(width="100%", thickness=0.6, color=RULE,
                                          spaceBefore=0, spaceAfter=0), Spacer(1, after)]


def _grid(rows, col_widths, *commands, pad: float = 0, row_heights=None) -> Table:
    """A table with no padding or lines unless ``commands`` add them.

    ``col_widths`` may hold ``"*"`` for columns that share the width the table is given, so
    that the body reflows (rather than leaving a margin) when it is shrunk to fit the page.
    """
    table = Table(rows, colWidths=col_widths, rowHeights=row_heights, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), *commands]))
    return table


def qr_drawing(value: str, size: float = QR_SIZE) -> Drawing:
    """A QR code (error correction M, no quiet zone) of ``value``, ``size`` points square.

    Parameters
    ----------
    value : str
        The text to encode (here the verification URL).
    size : float
        Side of the square, points.

    Returns
    -------
    reportlab.graphics.shapes.Drawing
        A flowable drawing of reportlab's ``QrCodeWidget``.
    """
    drawing = Drawing(size, size)
    drawing.add(QrCodeWidget(value, barLevel="M", barBorder=0, barWidth=size, barHeight=size))
    return drawing


# --------------------------------------------------------------------------- page parts


def _band(header: dict, pf: dict) -> Table:
    """Full-width coloured header: title and standards left, number and dates right."""
    right_w = 200.0
    left = [_p("Product Carbon Footprint Certificate", BAND_TITLE),
            _wrap(f"Cradle-to-gate{_SEP}ISO 14067{_SEP}IPCC AR6 GWP100{_SEP}"
                    f"PACT Technical Specifications {pf['specVersion']}", BAND_TEXT)]
    right = [_wrap(header["number"], BAND_NUMBER),
             _p(f"issued {_date(header['issuedAt'])}", BAND_TEXT_R),
             _p(f"valid {_date(header['validFrom'])} to {_date(header['validUntil'])}",
                BAND_TEXT_R)]
    return _grid([[left, right]], [PAGE_W - right_w, right_w],
                 ("BACKGROUND", (0, 0), (-1, -1), ACCENT),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("LEFTPADDING", (0, 0), (0, 0), MARGIN),
                 ("RIGHTPADDING", (-1, 0), (-1, 0), MARGIN),
                 row_heights=[BAND_H])


def _banner(status: str) -> Table:
    return _grid([[_p(f"{status.upper()}: this certificate is no longer valid; check the "
                      "verification URL for its successor or revocation.", BANNER)]],
                 [PAGE_W], ("BACKGROUND", (0, 0), (-1, -1), WARN),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), row_heights=[20])


def _parties(header: dict, line: dict, unit: str) -> Table:
    return _grid(
        [[_label("Issuer (data owner)"), _label("Customer"), _label("Order line")],
         [_wrap(header["issuer"]["name"], PARTY, 2),
          _wrap(header["customer"]["name"], PARTY, 2),
          _wrap(f"order {header['orderId']}, line {header['lineId']}", PARTY, 2)],
         [_wrap(header["issuer"]["companyIds"][0], _style("id", 6.8, color=MUTED), 2),
          _wrap(f"ordered {_date(line.get('orderedAt'))}", PARTY_SUB),
          _wrap(f"{fmt_quantity(line['quantity'])} {line['unit']} = "
                  f"{fmt_quantity(line['quantityInDeclaredUnit'])} {unit}", PARTY_SUB, 2)]],
        ["*"] * 3, ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 1.5))


def _product(pf: dict, pact: dict, calc: dict, unit: str) -> list[Flowable]:
    variant = calc.get("variant") or "none (product defaults)"
    requested = calc.get("requestedParameters") or {}
    params = ", ".join(f"{k}={v}" for k, v in requested.items()) or "none beyond the variant"
    return [_label("Product"), Spacer(1, 1.5),
            _wrap(pf["productNameCompany"], PRODUCT, 2), Spacer(1, 1),
            _wrap(f"{pf['productIds'][0]}{_GAP}variant: {variant}{_GAP}declared unit: "
                    f"1 {unit} ({pact['declaredUnitOfMeasurement']})", META, 2),
            _wrap(f"Parameters set for this line: {params}", META, 2)]


def _headlines(per: dict, tot: dict, line: dict, unit: str) -> Table:
    def box(title: str, big: str, small: str) -> Table:
        return _grid([[_label(title)], [_wrap(big, BIG)], [_wrap(small, META)]], ["*"],
                     ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                     ("ROUNDEDCORNERS", [6, 6, 6, 6]),
                     ("LEFTPADDING", (0, 0), (-1, -1), 10),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                     ("TOPPADDING", (0, 0), (-1, 0), 8), ("BOTTOMPADDING", (0, -1), (-1, -1), 8))

    return _grid([[box("Footprint per declared unit", f"{fmt_number(per['total'])} kg CO2e",
                       f"per 1 {unit} of product, cradle-to-gate"),
                   "",
                   box("Order-line total", fmt_mass_co2e(tot["total"]),
                       f"for {fmt_quantity(line['quantity'])} {line['unit']} "
                       f"({fmt_quantity(line['quantityInDeclaredUnit'])} {unit})")]],
                 ["*", 12, "*"])


def _split(per: dict, tot: dict, unit: str) -> Table:
    keys = ("fossil", "biogenic", "landUse", "total")
    rows = [["", *(_p(name, BOLD_R) for name in ("Fossil", "Biogenic", "Land use", "Total"))]]
    for label, parts in ((f"kg CO2e per {unit}", per), ("kg CO2e for the order line", tot)):
        rows.append([_wrap(label, TEXT), *(_p(fmt_number(parts[k]), BOLD_R if k == "total"
                                                else TEXT_R) for k in keys)])
    return _grid(rows, ["*"] + [93.0] * 4, ("RIGHTPADDING", (1, 0), (-1, -1), 6),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6))


class StageBar(Flowable):
    """One stage's bar, as wide as its cell, on the scale shared by all stages.

    Parameters
    ----------
    value : float
        The stage's kg CO2e per declared unit.
    vmin, span : float
        Left end of the scale (0 or the most negative stage) and its length.
    height : float
        Row height, points; the zero line runs over all of it so that rows join up.
    """

    def __init__(self, value: float, vmin: float, span: float, height: float):
        super().__init__()
        self.value, self.vmin, self.span, self.bar_height = value, vmin, span, height

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        self.width, self.height = availWidth, self.bar_height
        return self.width, self.height

    def draw(self):
        w, h = self.width, self.height
        x0 = (min(self.value, 0) - self.vmin) / self.span * w
        x1 = (max(self.value, 0) - self.vmin) / self.span * w
        zero = (0 - self.vmin) / self.span * w
        drawing = Drawing(w, h)
        drawing.add(Rect(0, 2, w, h - 4, fillColor=LIGHT, strokeColor=None))
        drawing.add(Rect(x0, 2, max(x1 - x0, 0.5), h - 4,
                         fillColor=BAR if self.value >= 0 else BAR_NEG, strokeColor=None))
        drawing.add(Line(zero, 0, zero, h, strokeColor=MUTED, strokeWidth=0.5))
        drawing.drawOn(self.canv, 0, 0)


def _stage_chart(stages: list[dict], unit: str) -> list[Flowable]:
    """Horizontal bars, one per stage (kg CO2e per declared unit), and a caption."""
    values = [float(s["kgCO2ePerDeclaredUnit"]) for s in stages]
    total = sum(values)
    vmin, vmax = min(0.0, *values), max(0.0, *values)
    span = (vmax - vmin) or 1.0
    row_h = 14.0
    rows = []
    for stage, value in zip(stages, values, strict=True):
        share = f"\u00a0 ({100 * value / total:.0f} %)" if total else ""
        rows.append([_wrap(stage["stage"], TEXT), StageBar(value, vmin, span, row_h),
                     _wrap(f"{fmt_number(value)} kg CO2e{share}", TEXT_R)])
    chart = _grid(rows, [130.0, "*", 110.0], ("VALIGN", (0, 0), (-1, -1), "MIDDLE"))
    return [chart, Spacer(1, 3),
            _p(f"per {unit}; bars to scale, sum = {fmt_number(total)} kg CO2e", CAPTION)]


def _key_values(title: str, pairs: list[tuple[str, str]]) -> list[Flowable]:
    table = _grid([[_p(k, KEY), _wrap(v, TEXT, 2)] for k, v in pairs], [92.0, "*"],
                  ("BOTTOMPADDING", (0, 0), (-1, -1), 1.4))
    return [_label(title), Spacer(1, 2), table]


def _method_and_quality(pact: dict, calc: dict, dq: dict, unit: str,
                        band: dict | None = None) -> Table:
    ref = f"{_date(pact['referencePeriodStart'])} to {_date(pact['referencePeriodEnd'])} (excl.)"
    geo = (pact.get("geographyCountrySubdivision") or pact.get("geographyCountry")
           or pact.get("geographyRegionOrSubregion") or "global")
    method = [
        ("Boundary", f"{calc['boundary']}; packaging, distribution, use, end of life excluded"),
        ("Standards", ", ".join(pact["crossSectoralStandards"]) + " (not third-party verified)"),
        ("Characterization", f"IPCC {', '.join(pact['ipccCharacterizationFactors'])} GWP100"),
        ("Recycled content", f"{calc['recycledContentMethod']} rule"),
        ("Electricity", f"{calc['electricityAccounting']}, life-cycle factors"),
        ("Reference period", ref),
        ("Geography", geo),
        ("Database / model", f"{calc['databaseVersion']} / {calc['modelVersion']}")]
    temporal = dq.get("temporalDQR")
    sources = pact.get("secondaryEmissionFactorSources") or []
    quality = [
        ("Primary data share",
         f"{fmt_number(float(pact['primaryDataShare']), 3)} % of the footprint"),
        ("Temporal DQR", (f"{temporal} (1 best, 5 worst; reference year "
                          f"{dq.get('referenceYear')})" if temporal else "not rated")),
        ("Geogr./techn. DQR",
         f"{dq.get('geographicalDQR') or 'not rated'} / "
         f"{dq.get('technologicalDQR') or 'not rated'} (pedigree of the inputs)"),
        ("Compl./reliab. DQR",
         f"{dq.get('completenessDQR') or 'not rated'} / "
         f"{dq.get('reliabilityDQR') or 'not rated'}"),
        ("Assumptions", f"{fmt_number(dq.get('assumptionSharePercent', 0), 3)} % of the "
                        "footprint rests on pcf modelling assumptions"),
        ("Secondary sources",
         f"{max(len(sources) - 1, 0)} sources + pcf inventory (listed in the JSON)"),
        ("Fossil carbon",
         f"{fmt_number(float(pact['fossilCarbonContent']))} kg C per {unit} in the product"),
        ("Exempted", f"{pact['exemptedEmissionsPercent']} % (no cut-off exemption)")]
    if band:
        quality.insert(0, ("95 % interval",
                           f"{fmt_number(band['p2_5'])} .. {fmt_number(band['p97_5'])} kg CO2e "
                           f"per {unit}, median {fmt_number(band['median'])} (Monte Carlo)"))
    return _grid([[_key_values("Method and boundary", method), "",
                   _key_values("Data quality", quality)]], ["*", 18, "*"])


def _certificate_text(header: dict) -> str:
    text = (f"{header['number']}, id {header['id']}, issued {header['issuedAt']} by "
            f"{header['issuer']['name']}; valid from {header['validFrom']} until "
            f"{header['validUntil']}.")
    if header.get("supersedes"):
        sup = header["supersedes"]
        text += f" Supersedes {sup['number']} ({sup.get('reason') or 'correction'})."
    return text


def _notes(pact: dict, calc: dict, line: dict) -> list[str]:
    """What the number covers and how it was made, most specific first."""
    notes = [
        pact.get("allocationRulesDescription", ""),
        "Biogenic CO2 uptake is not modelled (metal and battery products); the land-use "
        "part is reported as land-use change. Offsets are never part of the footprint. "
        "Status (active, superseded, revoked) is not part of the signed document: check it "
        "at the verification URL.",
        pact.get("boundaryProcessesDescription", ""),
    ]
    scored = line.get("asScored") or {}
    if scored.get("databaseVersion") and scored["databaseVersion"] != calc["databaseVersion"]:
        notes.insert(0, f"When the order was placed it was scored with database "
                        f"{scored['databaseVersion']}: {fmt_mass_co2e(scored['kgCO2eTotal'])} "
                        "for this line; this certificate uses the data current at issue.")
    return notes


def _footer(envelope: dict, verification_url: str, width: float,
            api_url: str | None = None) -> Table:
    """Hash, signature and verification URL on the left, the QR code on the right."""
    sig = envelope.get("signature") or {}
    api = [Spacer(1, 1), _wrap(f"With an API key: {api_url}", SMALL)] if api_url else []
    text = [_label("SHA-256 of the canonical JSON (RFC 8785)"), _p(envelope["sha256"], HASH),
            Spacer(1, 3), _label("Signature"),
            _wrap(f"{sig.get('algorithm', 'Ed25519')}, key id {sig.get('keyId')} "
                    "(public key: GET /v1/certificates/public-key)", _style("sig", 7.6), 2),
            Spacer(1, 3), _label("Verify"), _wrap(verification_url, URL, 2), *api,
            Spacer(1, 1),
            _wrap("Scan the code for the current status, or check this PDF offline: pcf "
                  "certificates verify FILE.pdf (PDF signature, the attached certificate file, "
                  "and the footprint recomputed from the inputs it states).", SMALL, 2)]
    return _grid([[text, qr_drawing(verification_url)]], [width - QR_SIZE, QR_SIZE],
                 ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
                 ("TOPPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (0, 0), 16),
                 ("VALIGN", (1, 0), (1, 0), "BOTTOM"))


def _watermark(c: canvas.Canvas, status: str) -> None:
    c.saveState()
    c.setFillColor(colors.Color(0.78, 0.12, 0.12, alpha=0.12))
    c.setFont("Helvetica-Bold", 90)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(35)
    c.drawCentredString(0, 0, status.upper())
    c.restoreState()


# --------------------------------------------------------------------------- the page


def render_pdf(envelope: dict, *, verification_url: str, status: str | None = None,
               api_verification_url: str | None = None) -> bytes:
    """Render the certificate page.

    Parameters
    ----------
    envelope : dict
        The certificate file ``{"document", "sha256", "signature"}`` (or the API view).
    verification_url : str
        Absolute URL of the public verification page ``/verify/{id}`` (printed and in the
        QR code).
    status : str, optional
        Current status (``active``, ``superseded``, ``revoked``, ``expired``); anything but
        ``active`` prints a banner and a watermark.
    api_verification_url : str, optional
        Absolute URL of ``GET /v1/certificates/{id}/verification``, printed under it.

    Returns
    -------
    bytes
        The PDF (one A4 page); the same bytes for the same arguments.

    Raises
    ------
    KeyError
        If the document lacks a field the page prints.
    ValueError
        If the document has no pcf extension (``calculation`` and ``orderLine``).
    """
    document = envelope["document"]
    header = document["certificate"]
    pf = document["productFootprint"]
    pact = pf["pcf"]
    ext = _ext(document)
    calc, line, dq = ext["calculation"], ext["orderLine"], ext.get("dataQuality", {})
    unit = calc["declaredUnit"]
    per, tot = calc["kgCO2ePerDeclaredUnit"], line["kgCO2e"]
    width = PAGE_W - 2 * MARGIN
    flag = status if status and status != "active" else ""
    flagged = bool(flag)

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"Product carbon footprint certificate {header['number']}")
    c.setAuthor(_t(header["issuer"]["name"]))
    c.setSubject(f"PACT v3 ProductFootprint {pf['id']}; sha256 {envelope['sha256']}")
    c.setCreator("pcf")

    # fixed parts: header band (and status banner) at the top, footer at the bottom
    top = PAGE_H
    for part, gap in [(_band(header, pf), 0.0)] + ([(_banner(flag), 4.0)] if flagged else []):
        _, height = part.wrapOn(c, PAGE_W, PAGE_H)
        top -= gap + height
        part.drawOn(c, 0, top)
    if flagged:
        _watermark(c, flag)
    footer = _footer(envelope, verification_url, width, api_verification_url)
    _, footer_h = footer.wrapOn(c, width, PAGE_H)
    footer.drawOn(c, MARGIN, MARGIN)

    # the body flows between them, notes included; it shrinks as a whole if it is too tall
    frame_top = top - 14
    frame_bottom = MARGIN + footer_h + 6

    def sections() -> list[Flowable]:
        return [
            _parties(header, line, unit), *_rule(),
            *_product(pf, pact, calc, unit), Spacer(1, 8),
            _headlines(per, tot, line, unit), Spacer(1, 12),
            _label("Split (IPCC 2021 GWP100)"), Spacer(1, 2), _split(per, tot, unit),
            *_rule(4),
            _label("Life-cycle stages"), Spacer(1, 4), *_stage_chart(calc["stages"], unit),
            *_rule(4),
            _method_and_quality(
                pact, calc, dq, unit,
                (ext.get("uncertainty") or {}).get("kgCO2ePerDeclaredUnit")), *_rule(4),
            _label("Certificate"), Spacer(1, 1.5), _wrap(_certificate_text(header), CERT, 3),
            *_rule(), _label("Scope and rules"), Spacer(1, 2),
            *[part for text in _notes(pact, calc, line) if text
              for part in (_wrap(text, NOTE), Spacer(1, 3))],
        ]

    body = [ShrinkToFit(sections, frame_top - frame_bottom)]
    frame = Frame(MARGIN, frame_bottom, width, frame_top - frame_bottom, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0)
    frame.addFromList(body, c)
    c.showPage()
    c.save()
    return buf.getvalue()
