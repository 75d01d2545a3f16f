"""A small streaming XLSX writer: the few features the project's exports use, written directly.

Each sheet has a bold frozen header row, an autofilter, column widths, real dates (shown
dd/mm/yyyy) and numbers, text as inline strings, and optionally one "days late" column whose
positive numbers are shown in red. Building cells as XML text is several times faster than a
general-purpose library (the weekly export at 5,000 groups writes ~100,000 rows); the files are
read back with openpyxl and LibreOffice in the tests.
"""
import datetime as dt
import io
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr

# Characters XML 1.0 cannot carry at all (control characters but tab, line feed, carriage return).
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EPOCH = dt.datetime(1899, 12, 30)
# Style indexes in STYLES' cellXfs, in order.
PLAIN, HEADER, DATE, DATETIME, LATE = range(5)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same content gives the same bytes

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
{sheets}</Types>"""
SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets>{sheets}</sheets>{names}</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sheets}\
<Relationship Id="rIdStyles" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
SHEET_REL = ('<Relationship Id="rId{n}" '
             'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
             'Target="worksheets/sheet{n}.xml"/>')
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/>\
<numFmt numFmtId="165" formatCode="DD/MM/YYYY HH:MM"/></numFmts>\
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid">\
<fgColor rgb="FFF4C7C3"/><bgColor rgb="FFF4C7C3"/></patternFill></fill>\
</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<sheetViews><sheetView workbookViewId="0">\
<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>"""


def column_letter(index):
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value):
    # XML turns a bare CR into LF when read back: write it as a character reference.
    return escape(ILLEGAL_XML.sub("", value)).replace("\r", "&#13;")


def _cell(ref, value, style=PLAIN):
    """One <c> element; `value` is already neutralised text, a number, a date or None."""
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        value = "oui" if value else "non"
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, dt.datetime):
        serial = (value - EPOCH) / dt.timedelta(days=1)
        return f'<c r="{ref}" s="{DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{DATE}"><v>{(value - EPOCH.date()).days}</v></c>'
    return f'<c r="{ref}"{s}><v>{value!r}</v></c>'


def _sheet_xml(headers, rows, widths, highlight):
    """The worksheet's XML, in pieces (rows already neutralised)."""
    width = max(len(headers), max((len(row) for row in rows), default=0))
    letters = [column_letter(i) for i in range(1, width + 1)]
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    parts = [SHEET_HEAD.format(cols=cols),
             '<row r="1">' + "".join(_cell(f"{letters[i]}1", h, HEADER) for i, h in enumerate(headers))
             + "</row>"]
    for n, row in enumerate(rows, start=2):
        cells = []
        for i, value in enumerate(row):
            late = (i == highlight and isinstance(value, int) and not isinstance(value, bool) and value > 0)
            cells.append(_cell(f"{letters[i]}{n}", value, LATE if late else PLAIN))
        parts.append(f'<row r="{n}">{"".join(cells)}</row>')
    parts.append("</sheetData>")
    if headers:
        parts.append(f'<autoFilter ref="A1:{letters[len(headers) - 1]}{len(rows) + 1}"/>')
    parts.append("</worksheet>")
    return parts


def write_xlsx(sheets):
    """Bytes of a workbook from [(title, headers, rows, widths, highlight column or None)]."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        def add(name, text):
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)

        add("[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))))
        add("_rels/.rels", ROOT_RELS)
        entries, names = [], []
        for n, (title, headers, rows, _, _) in enumerate(sheets, start=1):
            entries.append(f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>')
            if headers:
                ref = f"$A$1:${column_letter(len(headers))}${len(rows) + 1}"
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n - 1}" hidden="1">'
                             f"{escape(_quoted(title))}!{ref}</definedName>")
        add("xl/workbook.xml", WORKBOOK.format(
            sheets="".join(entries), names=f"<definedNames>{''.join(names)}</definedNames>" if names else ""))
        add("xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(sheets="".join(SHEET_REL.format(n=n) for n in range(1, len(sheets) + 1))))
        add("xl/styles.xml", STYLES)
        for n, (_, headers, rows, widths, highlight) in enumerate(sheets, start=1):
            add(f"xl/worksheets/sheet{n}.xml", "".join(_sheet_xml(headers, rows, widths, highlight)))
    return out.getvalue()


def _quoted(title):
    """A sheet name as formulas write it: 'En retard'."""
    return "'" + title.replace("'", "''") + "'"
