"""Writing tables for French Excel and LibreOffice: CSV (UTF-8 BOM, `;`) and XLSX.

Every export of the project goes through here, so formula neutralisation,
date formats and encodings are decided once.
"""
import csv
import datetime as dt
import io

from .xlsx import write_xlsx

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%d/%m/%Y"
MIN_WIDTH = 10


def neutralize(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value):
    if type(value) is str:  # most cells: checked first (the weekly export writes ~500,000 cells)
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):  # DATE_FORMAT, without strftime's cost
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
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
    return neutralize(value)


def _width(header, rows, index):
    """Readable width from the header and the first rows of a column."""
    sample = [len(str(header))] + [len(str(row[index] if row[index] is not None else ""))
                                   for row in rows[:200] if index < len(row)]
    return max(MIN_WIDTH, min(60, max(sample) + 2))


def xlsx_bytes(sheets, highlight=None):
    """A workbook from [(title, headers, rows)]: bold frozen header, autofilter, real dates,
    readable widths; `highlight` maps a title to its days-late column (positive numbers in red)."""
    prepared = []
    for title, headers, rows in sheets:
        rows = [[_xlsx_cell(v) for v in row] for row in rows]
        widths = [_width(h, rows, i) for i, h in enumerate(headers)]
        prepared.append((title[:31], [neutralize(h) for h in headers], rows, widths,
                         (highlight or {}).get(title)))
    return write_xlsx(prepared)
