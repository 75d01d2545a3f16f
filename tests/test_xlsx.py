"""The project's XLSX writer, read back with openpyxl (the library most Excel tooling uses)."""
import datetime as dt
import io

from openpyxl import load_workbook

from workflows.spreadsheet import xlsx_bytes


def read(body):
    book = load_workbook(io.BytesIO(body))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def test_values_come_back_as_written():
    rows = [["<b>Évry & Courcouronnes</b>", "L'Haÿ-les-Roses 🚲", "ligne 1\nligne 2", "a\rb", "\tx"],
            [dt.date(2026, 11, 22), dt.datetime(2026, 11, 22, 18, 30), -3, 2.5, True],
            ["=1+1", "", None, "x\x00y\x1b", 10**12]]
    sheets = read(xlsx_bytes([("Suivi d'un groupe, semaine 47 de 2026", ["A", "=B", "C", "D", "E"], rows)]))
    (title, values), = sheets.items()
    assert title == "Suivi d'un groupe, semaine 47 d"  # 31 characters at most
    assert values[0] == ["A", "'=B", "C", "D", "E"]
    assert values[1] == ["<b>Évry & Courcouronnes</b>", "L'Haÿ-les-Roses 🚲", "ligne 1\nligne 2", "a\rb",
                         "'\tx"]
    assert values[2] == [dt.datetime(2026, 11, 22), dt.datetime(2026, 11, 22, 18, 30), -3, 2.5, "oui"]
    assert values[3] == ["'=1+1", None, None, "xy", 10**12]


def test_several_sheets_keep_their_order_and_filters():
    body = xlsx_bytes([("Groupes", ["Nom"], [["A"], ["B"]]), ("En retard", ["Quoi", "Jours"], [["x", 3]])],
                      highlight={"En retard": 1})
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Groupes", "En retard"]
    assert book["Groupes"].auto_filter.ref == "A1:A3" and book["En retard"].auto_filter.ref == "A1:B2"
    late = book["En retard"]["B2"]
    assert late.font.bold and late.fill.fgColor.rgb.endswith("F4C7C3")
    assert book["Groupes"]["A1"].font.bold and not book["Groupes"]["A2"].font.bold


def test_same_content_gives_the_same_bytes():
    sheets = [("Groupes", ["Nom", "Date"], [["A", dt.date(2026, 1, 1)]])]
    assert xlsx_bytes(sheets) == xlsx_bytes(sheets)
