"""Writing tables for French Excel and LibreOffice: CSV (UTF-8 BOM, `;`) and XLSX.

Every export of the project goes through here, so formula neutralisation,
date formats and encodings are decided once.
"""
import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%d/%m/%Y"
EXCEL_DATE_FORMAT = "DD/MM/YYYY"
EXCEL_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MIN_WIDTH = 10
LATE_FILL = PatternFill("solid", start_color="F4C7C3", end_color="F4C7C3")
LATE_FONT = Font(bold=True, color="9C0006")


def neutralize(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMAT + " %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)  # a negative number is a number, not a formula
    return neutralize(str(value))


def csv_bytes(headers, rows):
    """UTF-8 with BOM, `;` separator, CRLF line ends, dd/mm/yyyy dates."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_cell(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str):
        # Control characters (Word's Shift+Enter...) are not allowed in XLSX cells.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralize(value)


def _width(header, rows, index):
    """Readable width from the header and the first rows of a column."""
    sample = [len(str(header))] + [len(str(row[index] if row[index] is not None else ""))
                                   for row in rows[:200] if index < len(row)]
    return max(MIN_WIDTH, min(60, max(sample) + 2))


def add_sheet(workbook, title, headers, rows, widths=None, highlight=None):
    """One sheet of a write-only workbook: bold frozen header, autofilter, real dates, readable
    widths; cells of column `highlight` (0-based) holding a positive number are shown in red."""
    rows = [list(row) for row in rows]
    sheet = workbook.create_sheet(title=title[:31])
    for i, header in enumerate(headers, start=1):
        width = (widths or {}).get(i) or _width(header, rows, i - 1)
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"

    def bold(value):
        cell = WriteOnlyCell(sheet, value=neutralize(value))
        cell.font = Font(bold=True)
        return cell

    def styled(value, column):
        value = _xlsx_cell(value)
        late = column == highlight and isinstance(value, int) and not isinstance(value, bool) and value > 0
        if not (late or isinstance(value, dt.date)):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, dt.datetime):
            cell.number_format = EXCEL_DATETIME_FORMAT
        elif isinstance(value, dt.date):
            cell.number_format = EXCEL_DATE_FORMAT
        if late:
            cell.fill, cell.font = LATE_FILL, LATE_FONT
        return cell

    sheet.append([bold(h) for h in headers])
    for row in rows:
        sheet.append([styled(v, i) for i, v in enumerate(row)])
    return sheet


def xlsx_bytes(sheets, highlight=None):
    """A workbook from [(title, headers, rows)]; `highlight` maps a title to its days-late column."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        add_sheet(workbook, title, headers, rows, highlight=(highlight or {}).get(title))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
