#!/usr/bin/env python3
"""Regional tracking sheets for the national picture (scripts/run.sh, config/national.xml).

Writes one CSV tracking sheet per region into OUT/<region>/, as a regional department would save
it from its spreadsheet, in the region's working language (Uzbek Latin, Uzbek Cyrillic, Russian,
English). Dates are relative to the day it runs, so that whenever it runs every region shows work
on track, at risk, overdue, done on time and done late (the status rules of README.md):

  on track      started 100 days ago, due in 200 days, 50 % done (ahead of time)
  at risk       started 200 days ago, due in 100 days, 20 % done (well behind time)
  overdue       due 15 days ago, 70 % done, still in progress
  done late     due 40 days ago, completed 10 days ago
  done on time  due in 30 days, completed 5 days ago

Usage: make_sheets.py --out DIR [--today YYYY-MM-DD]
"""
import argparse
import csv
import datetime
import os

# region SOATO code -> (sector, measure prefix, header row, status words (in progress, done),
# executor, titles of the five rows)
SHEETS = {
    "1706": ("education", "BUX-",
             ["Raqam", "Nomi", "Ijrochi", "Boshlanish sanasi", "Muddat", "Holati",
              "Bajarilish foizi", "Bajarilgan sana"],
             ("Jarayonda", "Bajarildi"), "Buxoro viloyati maktabgacha va maktab ta'limi boshqarmasi",
             ["Maktablarni internetga ulash", "Sinf xonalarini jihozlash",
              "O'qituvchilarni raqamli ko'nikmalarga o'qitish", "Elektron kundalikni joriy etish",
              "Maktab kutubxonalarini raqamlashtirish"]),
    "1710": ("health", "QAS-",
             ["Номер", "Наименование", "Исполнитель", "Дата начала", "Срок исполнения", "Статус",
              "Процент выполнения", "Дата исполнения"],
             ("В процессе", "Выполнено"), "Управление здравоохранения Кашкадарьинской области",
             ["Подключение поликлиник к электронной медкарте", "Оснащение ФАПов компьютерами",
              "Электронная очередь в областной больнице", "Телемедицина в районных больницах",
              "Электронные рецепты в аптеках"]),
    "1722": ("construction", "SUR-",
             ["Рақам", "Номи", "Ижрочи", "Бошланиш санаси", "Муддат", "Ҳолати",
              "Бажарилиш фоизи", "Бажарилган сана"],
             ("Жараёнда", "Бажарилди"), "Сурхондарё вилояти қурилиш бошқармаси",
             ["Оптик толали тармоқ қуриш", "Туман марказларида Wi-Fi нуқталари",
              "Қурилиш рухсатномаларини электрон бериш", "Кадастр маълумотларини рақамлаштириш",
              "Уй-жой фондини электрон ҳисобга олиш"]),
    "1708": ("education", "JIZ-",
             ["T/r", "Tadbir nomi", "Mas'ul ijrochi", "Boshlanish sanasi", "Ijro muddati",
              "Ijro holati", "Foiz", "Bajarilgan sana"],
             ("Ijroda", "Ijro etildi"), "Jizzax viloyati hokimligi",
             ["Mahallalarni internetga ulash", "Davlat xizmatlari markazini kengaytirish",
              "Elektron hujjat aylanishini joriy etish", "Hokimlik arxivini raqamlashtirish",
              "Yoshlar uchun IT markaz ochish"]),
    "1727": ("tax", "TSV-",
             ["№", "Мероприятие", "Ответственный", "Дата начала", "Срок", "Состояние",
              "% выполнения", "Дата выполнения"],
             ("В работе", "Исполнено"), "Управление налоговой службы Ташкентской области",
             ["Онлайн-кассы на рынках области", "Электронные счета-фактуры для малого бизнеса",
              "Мобильное приложение налогоплательщика", "Камеральные проверки онлайн",
              "Электронный реестр объектов торговли"]),
    "1730": ("other", "FAR-",
             ["Number", "Title", "Executor", "Start date", "Deadline", "Status", "Percent done",
              "Completed"],
             ("In progress", "Completed"), "Fergana Region Administration",
             ["Public services centre online queue", "Open data portal of the region",
              "Electronic document flow in district offices", "E-government training for staff",
              "Digital archive of the administration"]),
}


def rows(today, words):
    in_progress, done = words
    day = lambda n: (today + datetime.timedelta(days=n)).isoformat()
    # (start, deadline, status, percent, completed)
    return [
        (day(-100), day(200), in_progress, 50, ""),
        (day(-200), day(100), in_progress, 20, ""),
        (day(-300), day(-15), in_progress, 70, ""),
        (day(-300), day(-40), done, 100, day(-10)),
        (day(-150), day(30), done, 100, day(-5)),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--today", default=datetime.date.today().isoformat())
    args = ap.parse_args()
    today = datetime.date.fromisoformat(args.today)
    for region, (_, _, header, words, executor, titles) in SHEETS.items():
        folder = os.path.join(args.out, region)
        os.makedirs(folder, exist_ok=True)
        # Written under a temporary name and renamed, as the plugin expects of a saved file.
        path = os.path.join(folder, f"tracking-{region}.csv")
        with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for n, (title, (start, deadline, status, percent, completed)) in enumerate(
                    zip(titles, rows(today, words)), start=1):
                w.writerow([n, title, executor, start, deadline, status, percent, completed])
        os.replace(path + ".tmp", path)
        print(path)


if __name__ == "__main__":
    main()
