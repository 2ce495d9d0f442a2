"""One-page PDF of a certificate, for a buyer to read (reportlab, pure pip).

The page shows: issuer, customer, product, declared unit and the footprint per declared unit,
the order-line quantity and total, the fossil / biogenic / land-use split, the life-cycle
stages as a bar chart, boundary and standards, reference period, data quality, the
recycled-content rule and electricity accounting, certificate number, issue date, validity,
the SHA-256 of the canonical JSON, the signing key id and a QR code with the verification URL.
Everything is read from the signed document; only the status banner (revoked, superseded,
expired) and the verification URL come from outside it.

The PDF is deterministic for given inputs (reportlab ``invariant`` mode). Text uses the
standard Helvetica/Courier fonts (WinAnsi): characters outside Windows-1252 print as ``?``.
"""

from __future__ import annotations

import io
import math
from typing import Any

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

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


# --------------------------------------------------------------------------- drawing helpers


class _Page:
    def __init__(self, c: canvas.Canvas):
        self.c = c

    def text(self, x, y, s, size=9, font="Helvetica", color=INK, align="left"):
        c = self.c
        c.setFont(font, size)
        c.setFillColor(color)
        s = _t(s)
        if align == "right":
            c.drawRightString(x, y, s)
        elif align == "center":
            c.drawCentredString(x, y, s)
        else:
            c.drawString(x, y, s)

    def label(self, x, y, s):
        self.text(x, y, s.upper(), size=6.5, font="Helvetica-Bold", color=MUTED)

    def wrap(self, x, y, s, width, size=8.5, font="Helvetica", color=INK, leading=None,
             max_lines=3) -> float:
        """Draw ``s`` wrapped to ``width``; return the y below the last line."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        leading = leading or size * 1.25
        words = _t(s).split()
        lines, line = [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if stringWidth(trial, font, size) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            while lines[-1] and stringWidth(lines[-1] + " ...", font, size) > width:
                lines[-1] = lines[-1][:-1]
            lines[-1] += " ..."
        for ln in lines:
            self.text(x, y, ln, size=size, font=font, color=color)
            y -= leading
        return y

    def rule(self, y, x0=MARGIN, x1=PAGE_W - MARGIN):
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.6)
        self.c.line(x0, y, x1, y)

    def kv(self, x, y, key, value, width, key_w=92, size=8.3) -> float:
        """A key (muted) and its value wrapped to two lines; return the y of the next row."""
        self.text(x, y, key, size=size, color=MUTED)
        return self.wrap(x + key_w, y, value, width - key_w, size=size, max_lines=2,
                         leading=size * 1.42)


def _qr(c: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    cell = size / n
    c.setFillColor(colors.white)
    c.rect(x - 3, y - 3, size + 6, size + 6, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                c.rect(x + start * cell, y + size - (r + 1) * cell, (col - start) * cell,
                       cell, stroke=0, fill=1)
            else:
                col += 1


def _stage_chart(p: _Page, x: float, y: float, w: float, stages: list[dict], unit: str) -> float:
    """Horizontal bars, one per stage (kg CO2e per declared unit); return the y below."""
    values = [float(s["kgCO2ePerDeclaredUnit"]) for s in stages]
    total = sum(values)
    vmin, vmax = min(0.0, *values), max(0.0, *values)
    span = (vmax - vmin) or 1.0
    label_w, value_w = 130.0, 110.0
    bar_x, bar_w = x + label_w, w - label_w - value_w
    zero = bar_x + (0 - vmin) / span * bar_w
    row_h = 14.0
    for stage, value in zip(stages, values, strict=True):
        p.text(x, y + 3, stage["stage"], size=8.3)
        x0 = bar_x + (min(value, 0) - vmin) / span * bar_w
        x1 = bar_x + (max(value, 0) - vmin) / span * bar_w
        p.c.setFillColor(LIGHT)
        p.c.rect(bar_x, y, bar_w, row_h - 4, stroke=0, fill=1)
        p.c.setFillColor(BAR if value >= 0 else BAR_NEG)
        p.c.rect(x0, y, max(x1 - x0, 0.5), row_h - 4, stroke=0, fill=1)
        share = f"  ({100 * value / total:.0f} %)" if total else ""
        p.text(x + w, y + 3, f"{fmt_number(value)} kg CO2e{share}", size=8.3, align="right")
        y -= row_h
    p.c.setStrokeColor(MUTED)
    p.c.setLineWidth(0.5)
    p.c.line(zero, y + row_h - 2, zero, y + row_h * (len(stages) + 1) - 4)
    p.text(x, y + 2, f"per {unit}; bars to scale, sum = {fmt_number(total)} kg CO2e",
           size=6.8, color=MUTED)
    return y - 6


# --------------------------------------------------------------------------- the page


def render_pdf(envelope: dict, *, verification_url: str, status: str | None = None) -> bytes:
    """Render the certificate page.

    Parameters
    ----------
    envelope : dict
        The certificate file ``{"document", "sha256", "signature"}`` (or the API view).
    verification_url : str
        Absolute URL of ``GET /v1/certificates/{id}/verification`` (printed and in the QR).
    status : str, optional
        Current status (``active``, ``superseded``, ``revoked``, ``expired``); anything but
        ``active`` prints a banner and a watermark.

    Returns
    -------
    bytes
        The PDF (one A4 page).
    """
    document = envelope["document"]
    header = document["certificate"]
    pf = document["productFootprint"]
    pact = pf["pcf"]
    ext = _ext(document)
    calc, line, dq = ext["calculation"], ext["orderLine"], ext.get("dataQuality", {})
    unit = calc["declaredUnit"]
    per, tot = calc["kgCO2ePerDeclaredUnit"], line["kgCO2e"]

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"Product carbon footprint certificate {header['number']}")
    c.setAuthor(_t(header["issuer"]["name"]))
    c.setSubject(f"PACT v3 ProductFootprint {pf['id']}; sha256 {envelope['sha256']}")
    c.setCreator("pcf")
    p = _Page(c)
    left, right = MARGIN, PAGE_W - MARGIN
    width = right - left

    # header band
    band_h = 74
    c.setFillColor(ACCENT)
    c.rect(0, PAGE_H - band_h, PAGE_W, band_h, stroke=0, fill=1)
    p.text(left, PAGE_H - 34, "Product Carbon Footprint Certificate", size=19,
           font="Helvetica-Bold", color=colors.white)
    p.text(left, PAGE_H - 52, "Cradle-to-gate  |  ISO 14067  |  IPCC AR6 GWP100  |  "
           f"PACT Technical Specifications {pf['specVersion']}", size=8.5, color=colors.white)
    p.text(right, PAGE_H - 30, header["number"], size=13, font="Helvetica-Bold",
           color=colors.white, align="right")
    p.text(right, PAGE_H - 45, f"issued {_date(header['issuedAt'])}", size=8.5,
           color=colors.white, align="right")
    p.text(right, PAGE_H - 58, f"valid {_date(header['validFrom'])} to "
           f"{_date(header['validUntil'])}", size=8.5, color=colors.white, align="right")
    y = PAGE_H - band_h - 8

    if status and status != "active":
        c.setFillColor(WARN)
        c.rect(0, y - 16, PAGE_W, 20, stroke=0, fill=1)
        p.text(PAGE_W / 2, y - 10, f"{status.upper()}: this certificate is no longer valid; "
               "check the verification URL for its successor or revocation.", size=9,
               font="Helvetica-Bold", color=colors.white, align="center")
        y -= 24
        c.saveState()
        c.setFillColor(colors.Color(0.78, 0.12, 0.12, alpha=0.12))
        c.setFont("Helvetica-Bold", 90)
        c.translate(PAGE_W / 2, PAGE_H / 2)
        c.rotate(35)
        c.drawCentredString(0, 0, status.upper())
        c.restoreState()

    # parties
    y -= 14
    col = width / 3
    p.label(left, y, "Issuer (data owner)")
    p.label(left + col, y, "Customer")
    p.label(left + 2 * col, y, "Order line")
    y -= 12
    p.text(left, y, header["issuer"]["name"], size=10, font="Helvetica-Bold")
    p.text(left + col, y, header["customer"]["name"], size=10, font="Helvetica-Bold")
    p.text(left + 2 * col, y, f"order {header['orderId']}, line {header['lineId']}", size=10,
           font="Helvetica-Bold")
    y -= 11
    p.text(left, y, header["issuer"]["companyIds"][0], size=6.8, color=MUTED)
    p.text(left + col, y, f"ordered {_date(line.get('orderedAt'))}", size=7.5, color=MUTED)
    p.text(left + 2 * col, y, f"{fmt_quantity(line['quantity'])} {line['unit']}"
           f" = {fmt_quantity(line['quantityInDeclaredUnit'])} {unit}", size=7.5, color=MUTED)
    y -= 10
    p.rule(y)

    # product
    y -= 16
    p.label(left, y, "Product")
    y -= 14
    p.text(left, y, pf["productNameCompany"], size=12.5, font="Helvetica-Bold")
    y -= 12
    variant = calc.get("variant") or "none (product defaults)"
    p.text(left, y, f"{pf['productIds'][0]}   variant: {variant}   declared unit: 1 {unit}"
           f" ({pact['declaredUnitOfMeasurement']})", size=7.8, color=MUTED)
    y -= 11
    requested = calc.get("requestedParameters") or {}
    params = ", ".join(f"{k}={v}" for k, v in requested.items()) or "none beyond the variant"
    y = p.wrap(left, y, f"Parameters set for this line: {params}", width, size=7.8,
               color=MUTED, max_lines=2)
    y -= 4

    # headline figures
    box_h, gap = 62, 12
    box_w = (width - gap) / 2
    for i, (title, big, small) in enumerate((
            ("Footprint per declared unit", f"{fmt_number(per['total'])} kg CO2e",
             f"per 1 {unit} of product, cradle-to-gate"),
            ("Order-line total", fmt_mass_co2e(tot["total"]),
             f"for {fmt_quantity(line['quantity'])} {line['unit']} "
             f"({fmt_quantity(line['quantityInDeclaredUnit'])} {unit})"))):
        bx = left + i * (box_w + gap)
        c.setFillColor(LIGHT)
        c.roundRect(bx, y - box_h, box_w, box_h, 6, stroke=0, fill=1)
        p.label(bx + 10, y - 14, title)
        p.text(bx + 10, y - 38, big, size=21, font="Helvetica-Bold", color=ACCENT)
        p.text(bx + 10, y - 53, small, size=8, color=MUTED)
    y -= box_h + 16

    # split table
    p.label(left, y, "Split (IPCC 2021 GWP100)")
    y -= 13
    cols = [("", 150), ("Fossil", 95), ("Biogenic", 95), ("Land use", 95), ("Total", 88)]
    xs, xpos = [], left
    for _, w in cols:
        xs.append(xpos)
        xpos += w
    for (name, w), xx in zip(cols[1:], xs[1:], strict=True):
        p.text(xx + w - 6, y, name, size=8, font="Helvetica-Bold", align="right")
    rows = (("kg CO2e per " + unit, per), ("kg CO2e for the order line", tot))
    for label, parts in rows:
        y -= 12
        p.text(left, y, label, size=8.3)
        for key, xx, (_, w) in zip(("fossil", "biogenic", "landUse", "total"), xs[1:],
                                   cols[1:], strict=True):
            p.text(xx + w - 6, y, fmt_number(parts[key]), size=8.3,
                   font="Helvetica-Bold" if key == "total" else "Helvetica", align="right")
    y -= 8
    p.rule(y)

    # stages
    y -= 15
    p.label(left, y, "Life-cycle stages")
    y -= 16
    y = _stage_chart(p, left, y, width, calc["stages"], unit)
    p.rule(y)

    # method | data quality
    y -= 15
    half = (width - 18) / 2
    xl, xr = left, left + half + 18
    p.label(xl, y, "Method and boundary")
    p.label(xr, y, "Data quality")
    yl = yr = y - 13
    ref = f"{_date(pact['referencePeriodStart'])} to {_date(pact['referencePeriodEnd'])} (excl.)"
    geo = (pact.get("geographyCountrySubdivision") or pact.get("geographyCountry")
           or pact.get("geographyRegionOrSubregion") or "global")
    for key, value in (
            ("Boundary", f"{calc['boundary']}; packaging, distribution, use, end of life "
                         "excluded"),
            ("Standards", ", ".join(pact["crossSectoralStandards"]) + " (not third-party "
                                                                      "verified)"),
            ("Characterization", f"IPCC {', '.join(pact['ipccCharacterizationFactors'])} "
                                 "GWP100"),
            ("Recycled content", f"{calc['recycledContentMethod']} rule"),
            ("Electricity", f"{calc['electricityAccounting']}, life-cycle factors"),
            ("Reference period", ref),
            ("Geography", geo),
            ("Database / model", f"{calc['databaseVersion']} / {calc['modelVersion']}")):
        yl = p.kv(xl, yl, key, value, width=half)
    temporal = dq.get("temporalDQR")
    sources = pact.get("secondaryEmissionFactorSources") or []
    for key, value in (
            ("Primary data share", f"{fmt_number(float(pact['primaryDataShare']), 3)} %"
                                   f" of the footprint"),
            ("Temporal DQR", (f"{temporal} (1 best, 5 worst; reference year "
                              f"{dq.get('referenceYear')})" if temporal else "not rated")),
            ("Geogr./techn. DQR", "not rated (supply-chain geography and technology "
                                  "are not recorded)"),
            ("Assumptions", f"{fmt_number(dq.get('assumptionSharePercent', 0), 3)} % of the "
                            "footprint rests on pcf modelling assumptions"),
            ("Secondary sources", f"{max(len(sources) - 1, 0)} sources + pcf inventory "
                                  "(listed in the JSON)"),
            ("Fossil carbon", f"{fmt_number(float(pact['fossilCarbonContent']))} kg C per "
                              f"{unit} in the product"),
            ("Exempted", f"{pact['exemptedEmissionsPercent']} % (no cut-off exemption)")):
        yr = p.kv(xr, yr, key, value, width=half)
    y = min(yl, yr) - 2
    p.rule(y)

    # validity and supersession
    y -= 14
    p.label(left, y, "Certificate")
    y -= 12
    text = (f"{header['number']}, id {header['id']}, issued {header['issuedAt']} by "
            f"{header['issuer']['name']}; valid from {header['validFrom']} until "
            f"{header['validUntil']}.")
    if header.get("supersedes"):
        sup = header["supersedes"]
        text += f" Supersedes {sup['number']} ({sup.get('reason') or 'correction'})."
    y = p.wrap(left, y, text, width, size=8, max_lines=3)

    # notes: what the number covers and how it was made
    qr_size = 92.0
    foot_top = MARGIN + qr_size + 6
    y -= 6
    p.rule(y)
    y -= 14
    p.label(left, y, "Scope and rules")
    y -= 12
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
    for note in notes:
        room = int((y - foot_top - 8) // (7.6 * 1.3))
        if room < 1 or not note:
            continue
        y = p.wrap(left, y, note, width, size=7.6, color=INK, leading=7.6 * 1.3,
                   max_lines=min(room, 5)) - 3

    # footer: hash, signature, QR
    p.rule(foot_top + 2)
    _qr(c, verification_url, right - qr_size, MARGIN + 2, qr_size)
    tx = left
    ty = foot_top - 12
    tw = width - qr_size - 16
    p.label(tx, ty, "SHA-256 of the canonical JSON (RFC 8785)")
    ty -= 11
    p.text(tx, ty, envelope["sha256"], size=7.4, font="Courier-Bold")
    ty -= 13
    sig = envelope.get("signature") or {}
    p.label(tx, ty, "Signature")
    ty -= 11
    p.text(tx, ty, f"{sig.get('algorithm', 'Ed25519')}, key id {sig.get('keyId')} "
           "(public key: GET /v1/certificates/public-key)", size=7.6)
    ty -= 13
    p.label(tx, ty, "Verify")
    ty -= 11
    ty = p.wrap(tx, ty, verification_url, tw, size=7.4, font="Courier", max_lines=2)
    p.wrap(tx, ty - 1, "Scan the code, or check the JSON offline: pcf certificates verify "
           "FILE.json (signature, hash, and the footprint recomputed from the inputs stated "
           "in the certificate).", tw, size=7.2, color=MUTED, max_lines=2)
    c.showPage()
    c.save()
    return buf.getvalue()
