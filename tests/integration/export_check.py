#!/usr/bin/env python3
"""Reads the hub's XLSX and CSV exports back (openpyxl, csv) and checks them against the API's
JSON of the same query: the same rows in the same order, cells of the right type (dates are
dates, numbers numbers, yes/no booleans), headers and sheet names from the label catalogue
(GET /api/v1/labels) in the export's language, rows filled in their RAG colour, the header
frozen and filtered; the CSV starts with a byte order mark, ends lines with CRLF and parses to
the same rows; the export command's files hold the API's rows.

usage: export_check.py DIR   (the files the integration test downloaded; see export_test.cpp)
Exits 0 when every check holds, else 1 listing each failure."""

import csv
import datetime
import io
import json
import sys
from pathlib import Path

import openpyxl

MEASURE_COLUMNS = [
    "column.measure", "column.title", "column.act", "column.actDate", "column.source",
    "column.region", "column.regionName", "column.district", "column.organisation",
    "column.sector", "column.start", "column.originalDeadline", "column.deadline",
    "column.completed", "column.status", "column.rag", "column.delayDays", "column.progress",
    "column.earlyWarning", "column.tasksTotal", "column.tasksOverdue", "column.tasksDoneLate",
]
STATUSES = ["NOT_STARTED", "ON_TRACK", "AT_RISK", "OVERDUE", "DONE_ON_TIME", "DONE_LATE",
            "CANCELLED", "SUSPENDED"]
STATUS_NAMES = ["notStarted", "onTrack", "atRisk", "overdue", "doneOnTime", "doneLate",
                "cancelled", "suspended"]
SUMMARY_COLUMNS = (["column.key", "column.name", "column.total", "column.rag"]
                   + ["status." + s for s in STATUSES]
                   + ["column.done", "column.doneLate", "column.dueOrFinished",
                      "column.shareDoneLateOfDueOrFinished", "column.shareDoneLateOfFinished",
                      "column.earlyWarnings", "column.tasksTotal", "column.tasksOverdue",
                      "column.tasksDoneLate"])
FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def load_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def day(text):
    return None if text is None else datetime.date.fromisoformat(text)


def sheet_rows(path):
    book = openpyxl.load_workbook(path)
    check(len(book.worksheets) == 1, f"{path}: {len(book.worksheets)} sheets, expected 1")
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows()]
    return sheet, rows


def value(cell):
    v = cell.value
    if isinstance(v, datetime.datetime):
        return v.date()
    return v


def check_types(path, sheet, rows, date_columns, number_columns, bool_columns):
    """Dates are dates (a date number format, read as datetime), numbers numbers, booleans
    booleans; nothing is text that should not be."""
    for r, row in enumerate(rows[1:], start=2):
        for c, cell in enumerate(row):
            if cell.value is None:
                continue
            where = f"{path}: {cell.coordinate}"
            if c in date_columns:
                check(isinstance(cell.value, datetime.datetime) and cell.is_date,
                      f"{where}: {cell.value!r} is not a date")
            elif c in number_columns:
                check(isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool),
                      f"{where}: {cell.value!r} is not a number")
            elif c in bool_columns:
                check(isinstance(cell.value, bool), f"{where}: {cell.value!r} is not a boolean")
            else:
                check(isinstance(cell.value, str), f"{where}: {cell.value!r} is not text")
    check(sheet.freeze_panes == "A2", f"{path}: header not frozen ({sheet.freeze_panes})")
    check(sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:"),
          f"{path}: no autofilter over the table ({sheet.auto_filter.ref})")


def check_fill(path, row, rag):
    want = FILLS.get(rag)
    for cell in row:
        rgb = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
        got = rgb[-6:].upper() if isinstance(rgb, str) else None
        if not check(got == want, f"{path}: {cell.coordinate} fill {got}, expected {want} ({rag})"):
            return


def approx(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def measure_row(item, labels):
    region = item["region"][:4] if len(item["region"]) == 7 else item["region"]
    region_name = labels.get("region." + region)
    return {
        "column.measure": item["measure"],
        "column.title": item["title"],
        "column.source": item["source"],
        "column.region": region,
        "column.regionName": region_name,
        "column.district": item["region"] if len(item["region"]) == 7 else None,
        "column.organisation": item["organisationName"],
        "column.sector": labels.get("sector." + item["sector"], item["sector"]),
        "column.start": day(item["start"]),
        "column.originalDeadline": day(item["originalDeadline"]),
        "column.deadline": day(item["deadline"]),
        "column.completed": day(item["completed"]),
        "column.status": labels["status." + item["status"]],
        "column.rag": labels["rag." + item["rag"]],
        "column.delayDays": item["delayDays"],
        "column.progress": item["progress"],
        "column.earlyWarning": item["earlyWarning"],
        "column.tasksTotal": item["taskSummary"]["total"],
        "column.tasksOverdue": item["taskSummary"]["overdue"],
        "column.tasksDoneLate": item["taskSummary"]["doneLate"],
    }


def check_measures_xlsx(path, items, labels):
    sheet, rows = sheet_rows(path)
    check(sheet.title == labels["sheet.measures"],
          f"{path}: sheet {sheet.title!r}, expected {labels['sheet.measures']!r}")
    header = [c.value for c in rows[0]]
    check(header == [labels[k] for k in MEASURE_COLUMNS], f"{path}: header {header}")
    check(len(rows) - 1 == len(items), f"{path}: {len(rows) - 1} rows, the API lists {len(items)}")
    dates = {MEASURE_COLUMNS.index(k) for k in ("column.actDate", "column.start",
                                                  "column.originalDeadline", "column.deadline",
                                                  "column.completed")}
    numbers = {MEASURE_COLUMNS.index(k) for k in ("column.delayDays", "column.progress",
                                                    "column.tasksTotal", "column.tasksOverdue",
                                                    "column.tasksDoneLate")}
    bools = {MEASURE_COLUMNS.index("column.earlyWarning")}
    check_types(path, sheet, rows, dates, numbers, bools)
    for n, (row, item) in enumerate(zip(rows[1:], items), start=2):
        want = measure_row(item, labels)
        for key, expected in want.items():
            got = value(row[MEASURE_COLUMNS.index(key)])
            same = approx(got, expected) if key == "column.progress" else got == expected
            check(same, f"{path}: row {n} {key} is {got!r}, the API says {expected!r}")
        check_fill(path, row, item["rag"])
    return rows


def summary_row(group, by, labels):
    counts = group["byStatus"]
    row = {"column.key": group["key"], "column.total": group["total"],
           "column.rag": labels["rag." + group["rag"]]}
    if by == "region":
        row["column.name"] = labels.get("region." + group["key"])
    for status, name in zip(STATUSES, STATUS_NAMES):
        row["status." + status] = counts.get(name, 0)
    row.update({
        "column.done": group["done"], "column.doneLate": group["doneLate"],
        "column.dueOrFinished": group["dueOrFinished"],
        "column.shareDoneLateOfDueOrFinished": group["shareDoneLateOfDueOrFinished"],
        "column.shareDoneLateOfFinished": group["shareDoneLateOfFinished"],
        "column.earlyWarnings": group["earlyWarnings"],
        "column.tasksTotal": group["tasks"]["total"],
        "column.tasksOverdue": group["tasks"]["overdue"],
        "column.tasksDoneLate": group["tasks"]["doneLate"],
    })
    return row


def check_summary_xlsx(path, summary, labels):
    sheet, rows = sheet_rows(path)
    check(sheet.title == labels["sheet.summary"], f"{path}: sheet {sheet.title!r}")
    header = [c.value for c in rows[0]]
    check(header == [labels[k] for k in SUMMARY_COLUMNS], f"{path}: header {header}")
    groups = summary["groups"]
    check(len(rows) - 1 == len(groups), f"{path}: {len(rows) - 1} rows, {len(groups)} groups")
    numbers = {i for i, k in enumerate(SUMMARY_COLUMNS)
               if k not in ("column.key", "column.name", "column.rag")}
    check_types(path, sheet, rows, set(), numbers, set())
    for n, (row, group) in enumerate(zip(rows[1:], groups), start=2):
        for key, expected in summary_row(group, summary["by"], labels).items():
            got = value(row[SUMMARY_COLUMNS.index(key)])
            same = approx(got, expected) if key.startswith("column.share") else got == expected
            check(same, f"{path}: row {n} {key} is {got!r}, the API says {expected!r}")
        check_fill(path, row, group["rag"])
    return rows


def csv_text(cell):
    """A cell as the CSV writes it."""
    v = value(cell)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def check_csv(path, xlsx_rows):
    data = Path(path).read_bytes()
    check(data.startswith(b"\xef\xbb\xbf"), f"{path}: no UTF-8 byte order mark")
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    check(text.endswith("\r\n"), f"{path}: the last line does not end with CRLF")
    check("\n" not in text.replace("\r\n", ""), f"{path}: a line ends without CR")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(len(rows) == len(xlsx_rows), f"{path}: {len(rows)} rows, the XLSX has {len(xlsx_rows)}")
    for n, (got, cells) in enumerate(zip(rows, xlsx_rows), start=1):
        for c, (field, cell) in enumerate(zip(got, cells)):
            want = csv_text(cell)
            same = (approx(float(field), want) if isinstance(want, (int, float)) and field
                    else field == want)
            check(same, f"{path}: line {n} field {c + 1} is {field!r}, the XLSX has {want!r}")


def check_same_rows(path, rows, reference, what):
    got = [[value(c) for c in r] for r in rows]
    want = [[value(c) for c in r] for r in reference]
    check(got == want, f"{path}: rows differ from {what}")


def main():
    d = Path(sys.argv[1])
    items = load_json(d / "measures-ru.json")["items"]
    items_cyrl = load_json(d / "measures-uz-Cyrl.json")["items"]
    check(len(items) > 0, "the API lists no implementation: nothing was compared")
    ru = load_json(d / "labels-ru.json")
    cyrl = load_json(d / "labels-uz-Cyrl.json")
    check(ru["lang"] == "ru" and cyrl["lang"] == "uz-Cyrl", "labels in the wrong language")

    rows = check_measures_xlsx(d / "measures-ru.xlsx", items, ru["labels"])
    check_measures_xlsx(d / "measures-uz-Cyrl.xlsx", items_cyrl, cyrl["labels"])
    check_csv(d / "measures-ru.csv", rows)

    summary = load_json(d / "summary.json")
    check(len(summary["groups"]) > 0, "the summary has no group: nothing was compared")
    srows = check_summary_xlsx(d / "summary-ru.xlsx", summary, ru["labels"])
    check_csv(d / "summary-ru.csv", srows)

    # The export command's files: the same rows as the API's.
    _, cli_rows = sheet_rows(d / "cli-measures-ru.xlsx")
    check_same_rows(d / "cli-measures-ru.xlsx", cli_rows, rows, "GET /api/v1/export/measures")
    check_csv(d / "cli-summary-ru.csv", srows)

    for f in failures:
        print("FAIL:", f)
    print(f"export_check: {len(items)} implementations, {len(summary['groups'])} groups, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
