// The dashboard's own texts in its four languages, the hub's labels (statuses, RAG, regions,
// sectors, columns: GET /api/v1/labels) and formatting of dates and numbers per language.
import { REGION_NAMES } from "./regions.js";

export const LANGUAGES = ["uz-Latn", "uz-Cyrl", "ru", "en"];
export const LANGUAGE_NAMES = {
  "uz-Latn": "Oʻzbekcha",
  "uz-Cyrl": "Ўзбекча",
  ru: "Русский",
  en: "English",
};

const TEXTS = {
  en: {
    "app.title": "Execution monitoring",
    "nav.overview": "Overview",
    "nav.overdue": "Overdue",
    "nav.atRisk": "At risk",
    "nav.all": "All work",
    "nav.trend": "Trend",
    "nav.logout": "Sign out",
    "nav.language": "Language",
    "nav.asOf": "As of",
    "login.title": "Sign in",
    "login.token": "Access token",
    "login.help": "Enter the read token the hub operator gave you. It is kept in this browser tab only.",
    "login.submit": "Sign in",
    "login.empty": "Enter a token.",
    "ov.title": "Overview",
    "ov.totals": "National totals",
    "ov.implementations": "Implementations",
    "ov.shareDoneLate": "Done late (share of work due)",
    "ov.matrix": "Regions and sectors",
    "ov.earlyWarnings": "Due in the next 30 days",
    "ov.freshness": "Freshness of data",
    "ov.lastReport": "Last report",
    "ov.age": "Age",
    "ov.daysLeft": "Days left",
    "ov.none": "Nothing to show.",
    "ov.fallback": "The overview resource is not available on this hub; totals by region are shown.",
    "ov.allSectors": "All sectors",
    "ov.total": "Total",
    "list.title": "Work",
    "list.filters": "Filters",
    "list.apply": "Apply",
    "list.reset": "Reset",
    "list.exportXlsx": "Export XLSX",
    "list.exportCsv": "Export CSV",
    "list.prev": "Previous",
    "list.next": "Next",
    "list.page": "Page {page} of {pages}",
    "list.count": "{n} found",
    "list.empty": "No work matches.",
    "list.any": "Any",
    "col.measure": "Measure",
    "col.title": "Title",
    "col.region": "Region",
    "col.district": "District (SOATO)",
    "col.organisation": "Organisation",
    "col.sector": "Sector",
    "col.decree": "Decree",
    "col.deadline": "Deadline",
    "col.delay": "Delay, days",
    "col.minDelay": "Delay at least, days",
    "col.status": "Status",
    "col.rag": "RAG",
    "col.progress": "Progress",
    "col.total": "Total",
    "m.title": "Measure",
    "m.act": "Act",
    "m.item": "Item",
    "m.implementations": "Implementation by region",
    "m.tasks": "Assignments",
    "m.assignee": "Assignee",
    "m.control": "Control",
    "m.indicators": "Indicators",
    "m.baseline": "Baseline",
    "m.target": "Target",
    "m.actual": "Actual",
    "m.evidence": "Evidence",
    "m.download": "Download",
    "m.comments": "Comments",
    "m.deadlineChanges": "Deadline changes",
    "m.previous": "Previous",
    "m.requested": "Asked for",
    "m.decision": "Decision",
    "m.by": "By",
    "m.on": "On",
    "m.reason": "Reason",
    "m.controlEvents": "Control events",
    "m.history": "History",
    "m.receivedAt": "Received",
    "m.source": "Source",
    "m.revision": "Revision",
    "m.changes": "Changes",
    "m.none": "None.",
    "m.notFound": "No implementation of this measure is visible with your token.",
    "act.title": "Actions",
    "act.submit": "Submit completion",
    "act.completed": "Completed on",
    "act.request": "Request an extension",
    "act.newDeadline": "New deadline",
    "act.reason": "Reason",
    "act.upload": "Upload evidence",
    "act.file": "File",
    "act.verify": "Verify",
    "act.return": "Return",
    "act.approve": "Approve extension",
    "act.reject": "Reject extension",
    "act.comment": "Comment",
    "act.done": "Saved.",
    "act.refused": "Refused",
    "region.title": "Region",
    "region.bySector": "By sector",
    "region.byOrganisation": "By organisation",
    "region.work": "Work in the region",
    "trend.title": "Trend",
    "trend.from": "From",
    "trend.to": "To",
    "trend.step": "Step",
    "trend.month": "Month",
    "trend.week": "Week",
    "trend.show": "Show",
    "trend.shareOverdue": "Share overdue",
    "trend.shareDoneLate": "Share done late",
    "err.title": "Could not load",
    "err.network": "The hub did not answer: check the connection and try again.",
    "loading": "Loading…",
    "age.minutes": "{n} min ago",
    "age.hours": "{n} h ago",
    "age.days": "{n} d ago",
    "days": "{n} d",
  },
  ru: {
    "app.title": "Мониторинг исполнения",
    "nav.overview": "Обзор",
    "nav.overdue": "Просроченные",
    "nav.atRisk": "Под угрозой",
    "nav.all": "Все работы",
    "nav.trend": "Динамика",
    "nav.logout": "Выйти",
    "nav.language": "Язык",
    "nav.asOf": "На дату",
    "login.title": "Вход",
    "login.token": "Токен доступа",
    "login.help": "Введите токен чтения, выданный оператором хаба. Он хранится только в этой вкладке браузера.",
    "login.submit": "Войти",
    "login.empty": "Введите токен.",
    "ov.title": "Обзор",
    "ov.totals": "Итоги по республике",
    "ov.implementations": "Исполнений",
    "ov.shareDoneLate": "Исполнено с опозданием (доля от наступивших сроков)",
    "ov.matrix": "Регионы и отрасли",
    "ov.earlyWarnings": "Сроки в ближайшие 30 дней",
    "ov.freshness": "Актуальность данных",
    "ov.lastReport": "Последний отчёт",
    "ov.age": "Давность",
    "ov.daysLeft": "Осталось дней",
    "ov.none": "Нет данных.",
    "ov.fallback": "Ресурс обзора на этом хабе недоступен; показаны итоги по регионам.",
    "ov.allSectors": "Все отрасли",
    "ov.total": "Всего",
    "list.title": "Работы",
    "list.filters": "Фильтры",
    "list.apply": "Применить",
    "list.reset": "Сбросить",
    "list.exportXlsx": "Выгрузить XLSX",
    "list.exportCsv": "Выгрузить CSV",
    "list.prev": "Назад",
    "list.next": "Далее",
    "list.page": "Страница {page} из {pages}",
    "list.count": "Найдено: {n}",
    "list.empty": "Ничего не найдено.",
    "list.any": "Любой",
    "col.measure": "Мера",
    "col.title": "Наименование",
    "col.region": "Регион",
    "col.district": "Район (СОАТО)",
    "col.organisation": "Организация",
    "col.sector": "Отрасль",
    "col.decree": "Документ",
    "col.deadline": "Срок",
    "col.delay": "Просрочка, дней",
    "col.minDelay": "Просрочка не менее, дней",
    "col.status": "Статус",
    "col.rag": "Светофор",
    "col.progress": "Прогресс",
    "col.total": "Всего",
    "m.title": "Мера",
    "m.act": "Документ",
    "m.item": "Пункт",
    "m.implementations": "Исполнение по регионам",
    "m.tasks": "Поручения",
    "m.assignee": "Исполнитель",
    "m.control": "Контроль",
    "m.indicators": "Показатели",
    "m.baseline": "Базовое значение",
    "m.target": "План",
    "m.actual": "Факт",
    "m.evidence": "Подтверждающие документы",
    "m.download": "Скачать",
    "m.comments": "Комментарии",
    "m.deadlineChanges": "Переносы сроков",
    "m.previous": "Прежний срок",
    "m.requested": "Запрошен",
    "m.decision": "Решение",
    "m.by": "Кто",
    "m.on": "Дата",
    "m.reason": "Причина",
    "m.controlEvents": "Контрольные отметки",
    "m.history": "История",
    "m.receivedAt": "Получено",
    "m.source": "Источник",
    "m.revision": "Версия",
    "m.changes": "Изменения",
    "m.none": "Нет.",
    "m.notFound": "С вашим токеном исполнение этой меры не видно.",
    "act.title": "Действия",
    "act.submit": "Отчитаться об исполнении",
    "act.completed": "Дата исполнения",
    "act.request": "Запросить перенос срока",
    "act.newDeadline": "Новый срок",
    "act.reason": "Причина",
    "act.upload": "Загрузить документ",
    "act.file": "Файл",
    "act.verify": "Подтвердить",
    "act.return": "Вернуть",
    "act.approve": "Одобрить перенос",
    "act.reject": "Отклонить перенос",
    "act.comment": "Комментарий",
    "act.done": "Сохранено.",
    "act.refused": "Отказано",
    "region.title": "Регион",
    "region.bySector": "По отраслям",
    "region.byOrganisation": "По организациям",
    "region.work": "Работы в регионе",
    "trend.title": "Динамика",
    "trend.from": "С",
    "trend.to": "По",
    "trend.step": "Шаг",
    "trend.month": "Месяц",
    "trend.week": "Неделя",
    "trend.show": "Показать",
    "trend.shareOverdue": "Доля просроченных",
    "trend.shareDoneLate": "Доля исполненных с опозданием",
    "err.title": "Не удалось загрузить",
    "err.network": "Хаб не ответил: проверьте соединение и повторите.",
    "loading": "Загрузка…",
    "age.minutes": "{n} мин назад",
    "age.hours": "{n} ч назад",
    "age.days": "{n} дн. назад",
    "days": "{n} дн.",
  },
  "uz-Latn": {
    "app.title": "Ijro monitoringi",
    "nav.overview": "Umumiy holat",
    "nav.overdue": "Muddati oʻtgan",
    "nav.atRisk": "Xavf ostida",
    "nav.all": "Barcha ishlar",
    "nav.trend": "Dinamika",
    "nav.logout": "Chiqish",
    "nav.language": "Til",
    "nav.asOf": "Sana holatiga",
    "login.title": "Kirish",
    "login.token": "Kirish tokeni",
    "login.help": "Hub operatori bergan oʻqish tokenini kiriting. U faqat shu brauzer oynasida saqlanadi.",
    "login.submit": "Kirish",
    "login.empty": "Tokenni kiriting.",
    "ov.title": "Umumiy holat",
    "ov.totals": "Respublika boʻyicha jami",
    "ov.implementations": "Ijrolar",
    "ov.shareDoneLate": "Kechikib bajarilgan (muddati kelganlardan ulushi)",
    "ov.matrix": "Hududlar va tarmoqlar",
    "ov.earlyWarnings": "Keyingi 30 kunda muddati keladiganlar",
    "ov.freshness": "Maʼlumotlarning yangiligi",
    "ov.lastReport": "Oxirgi hisobot",
    "ov.age": "Qancha oldin",
    "ov.daysLeft": "Qolgan kunlar",
    "ov.none": "Maʼlumot yoʻq.",
    "ov.fallback": "Bu hubda umumiy holat resursi yoʻq; hududlar boʻyicha jami koʻrsatildi.",
    "ov.allSectors": "Barcha tarmoqlar",
    "ov.total": "Jami",
    "list.title": "Ishlar",
    "list.filters": "Saralash",
    "list.apply": "Qoʻllash",
    "list.reset": "Tozalash",
    "list.exportXlsx": "XLSX yuklab olish",
    "list.exportCsv": "CSV yuklab olish",
    "list.prev": "Oldingi",
    "list.next": "Keyingi",
    "list.page": "{page}-sahifa, jami {pages}",
    "list.count": "Topildi: {n}",
    "list.empty": "Hech narsa topilmadi.",
    "list.any": "Har qanday",
    "col.measure": "Chora",
    "col.title": "Nomi",
    "col.region": "Hudud",
    "col.district": "Tuman (SOATO)",
    "col.organisation": "Tashkilot",
    "col.sector": "Tarmoq",
    "col.decree": "Hujjat",
    "col.deadline": "Muddat",
    "col.delay": "Kechikish, kun",
    "col.minDelay": "Kechikish kamida, kun",
    "col.status": "Holat",
    "col.rag": "Svetofor",
    "col.progress": "Bajarilish",
    "col.total": "Jami",
    "m.title": "Chora",
    "m.act": "Hujjat",
    "m.item": "Band",
    "m.implementations": "Hududlar boʻyicha ijro",
    "m.tasks": "Topshiriqlar",
    "m.assignee": "Ijrochi",
    "m.control": "Nazorat",
    "m.indicators": "Koʻrsatkichlar",
    "m.baseline": "Boshlangʻich qiymat",
    "m.target": "Reja",
    "m.actual": "Haqiqatda",
    "m.evidence": "Tasdiqlovchi hujjatlar",
    "m.download": "Yuklab olish",
    "m.comments": "Izohlar",
    "m.deadlineChanges": "Muddat oʻzgarishlari",
    "m.previous": "Avvalgi muddat",
    "m.requested": "Soʻralgan",
    "m.decision": "Qaror",
    "m.by": "Kim",
    "m.on": "Sana",
    "m.reason": "Sabab",
    "m.controlEvents": "Nazorat belgilari",
    "m.history": "Tarix",
    "m.receivedAt": "Qabul qilingan",
    "m.source": "Manba",
    "m.revision": "Versiya",
    "m.changes": "Oʻzgarishlar",
    "m.none": "Yoʻq.",
    "m.notFound": "Tokeningiz bilan bu choraning ijrosi koʻrinmaydi.",
    "act.title": "Amallar",
    "act.submit": "Bajarilganini topshirish",
    "act.completed": "Bajarilgan sana",
    "act.request": "Muddatni uzaytirishni soʻrash",
    "act.newDeadline": "Yangi muddat",
    "act.reason": "Sabab",
    "act.upload": "Hujjat yuklash",
    "act.file": "Fayl",
    "act.verify": "Tasdiqlash",
    "act.return": "Qaytarish",
    "act.approve": "Uzaytirishni maʼqullash",
    "act.reject": "Uzaytirishni rad etish",
    "act.comment": "Izoh",
    "act.done": "Saqlandi.",
    "act.refused": "Rad etildi",
    "region.title": "Hudud",
    "region.bySector": "Tarmoqlar boʻyicha",
    "region.byOrganisation": "Tashkilotlar boʻyicha",
    "region.work": "Hududdagi ishlar",
    "trend.title": "Dinamika",
    "trend.from": "Dan",
    "trend.to": "Gacha",
    "trend.step": "Qadam",
    "trend.month": "Oy",
    "trend.week": "Hafta",
    "trend.show": "Koʻrsatish",
    "trend.shareOverdue": "Muddati oʻtganlar ulushi",
    "trend.shareDoneLate": "Kechikib bajarilganlar ulushi",
    "err.title": "Yuklab boʻlmadi",
    "err.network": "Hub javob bermadi: ulanishni tekshirib, qayta urinib koʻring.",
    "loading": "Yuklanmoqda…",
    "age.minutes": "{n} daqiqa oldin",
    "age.hours": "{n} soat oldin",
    "age.days": "{n} kun oldin",
    "days": "{n} kun",
  },
  "uz-Cyrl": {
    "app.title": "Ижро мониторинги",
    "nav.overview": "Умумий ҳолат",
    "nav.overdue": "Муддати ўтган",
    "nav.atRisk": "Хавф остида",
    "nav.all": "Барча ишлар",
    "nav.trend": "Динамика",
    "nav.logout": "Чиқиш",
    "nav.language": "Тил",
    "nav.asOf": "Сана ҳолатига",
    "login.title": "Кириш",
    "login.token": "Кириш токени",
    "login.help": "Хаб оператори берган ўқиш токенини киритинг. У фақат шу браузер ойнасида сақланади.",
    "login.submit": "Кириш",
    "login.empty": "Токенни киритинг.",
    "ov.title": "Умумий ҳолат",
    "ov.totals": "Республика бўйича жами",
    "ov.implementations": "Ижролар",
    "ov.shareDoneLate": "Кечикиб бажарилган (муддати келганлардан улуши)",
    "ov.matrix": "Ҳудудлар ва тармоқлар",
    "ov.earlyWarnings": "Кейинги 30 кунда муддати келадиганлар",
    "ov.freshness": "Маълумотларнинг янгилиги",
    "ov.lastReport": "Охирги ҳисобот",
    "ov.age": "Қанча олдин",
    "ov.daysLeft": "Қолган кунлар",
    "ov.none": "Маълумот йўқ.",
    "ov.fallback": "Бу хабда умумий ҳолат ресурси йўқ; ҳудудлар бўйича жами кўрсатилди.",
    "ov.allSectors": "Барча тармоқлар",
    "ov.total": "Жами",
    "list.title": "Ишлар",
    "list.filters": "Саралаш",
    "list.apply": "Қўллаш",
    "list.reset": "Тозалаш",
    "list.exportXlsx": "XLSX юклаб олиш",
    "list.exportCsv": "CSV юклаб олиш",
    "list.prev": "Олдинги",
    "list.next": "Кейинги",
    "list.page": "{page}-саҳифа, жами {pages}",
    "list.count": "Топилди: {n}",
    "list.empty": "Ҳеч нарса топилмади.",
    "list.any": "Ҳар қандай",
    "col.measure": "Чора",
    "col.title": "Номи",
    "col.region": "Ҳудуд",
    "col.district": "Туман (СОАТО)",
    "col.organisation": "Ташкилот",
    "col.sector": "Тармоқ",
    "col.decree": "Ҳужжат",
    "col.deadline": "Муддат",
    "col.delay": "Кечикиш, кун",
    "col.minDelay": "Кечикиш камида, кун",
    "col.status": "Ҳолат",
    "col.rag": "Светофор",
    "col.progress": "Бажарилиш",
    "col.total": "Жами",
    "m.title": "Чора",
    "m.act": "Ҳужжат",
    "m.item": "Банд",
    "m.implementations": "Ҳудудлар бўйича ижро",
    "m.tasks": "Топшириқлар",
    "m.assignee": "Ижрочи",
    "m.control": "Назорат",
    "m.indicators": "Кўрсаткичлар",
    "m.baseline": "Бошланғич қиймат",
    "m.target": "Режа",
    "m.actual": "Ҳақиқатда",
    "m.evidence": "Тасдиқловчи ҳужжатлар",
    "m.download": "Юклаб олиш",
    "m.comments": "Изоҳлар",
    "m.deadlineChanges": "Муддат ўзгаришлари",
    "m.previous": "Аввалги муддат",
    "m.requested": "Сўралган",
    "m.decision": "Қарор",
    "m.by": "Ким",
    "m.on": "Сана",
    "m.reason": "Сабаб",
    "m.controlEvents": "Назорат белгилари",
    "m.history": "Тарих",
    "m.receivedAt": "Қабул қилинган",
    "m.source": "Манба",
    "m.revision": "Версия",
    "m.changes": "Ўзгаришлар",
    "m.none": "Йўқ.",
    "m.notFound": "Токенингиз билан бу чоранинг ижроси кўринмайди.",
    "act.title": "Амаллар",
    "act.submit": "Бажарилганини топшириш",
    "act.completed": "Бажарилган сана",
    "act.request": "Муддатни узайтиришни сўраш",
    "act.newDeadline": "Янги муддат",
    "act.reason": "Сабаб",
    "act.upload": "Ҳужжат юклаш",
    "act.file": "Файл",
    "act.verify": "Тасдиқлаш",
    "act.return": "Қайтариш",
    "act.approve": "Узайтиришни маъқуллаш",
    "act.reject": "Узайтиришни рад этиш",
    "act.comment": "Изоҳ",
    "act.done": "Сақланди.",
    "act.refused": "Рад этилди",
    "region.title": "Ҳудуд",
    "region.bySector": "Тармоқлар бўйича",
    "region.byOrganisation": "Ташкилотлар бўйича",
    "region.work": "Ҳудуддаги ишлар",
    "trend.title": "Динамика",
    "trend.from": "Дан",
    "trend.to": "Гача",
    "trend.step": "Қадам",
    "trend.month": "Ой",
    "trend.week": "Ҳафта",
    "trend.show": "Кўрсатиш",
    "trend.shareOverdue": "Муддати ўтганлар улуши",
    "trend.shareDoneLate": "Кечикиб бажарилганлар улуши",
    "err.title": "Юклаб бўлмади",
    "err.network": "Хаб жавоб бермади: уланишни текшириб, қайта уриниб кўринг.",
    "loading": "Юкланмоқда…",
    "age.minutes": "{n} дақиқа олдин",
    "age.hours": "{n} соат олдин",
    "age.days": "{n} кун олдин",
    "days": "{n} кун",
  },
};

// Statuses and RAG until the hub's label catalogue answers.
const FALLBACK_LABELS = {
  en: {
    notStarted: "Not started", onTrack: "On track", atRisk: "At risk", overdue: "Overdue",
    doneOnTime: "Done on time", doneLate: "Done late", cancelled: "Cancelled", suspended: "Suspended",
    green: "Green", amber: "Amber", red: "Red",
    submitted: "Submitted", verified: "Verified", returned: "Returned", removed: "Removed",
    pending: "Pending", approved: "Approved", rejected: "Rejected",
    onControl: "On control", none: "Not rated",
  },
  ru: {
    notStarted: "Не начато", onTrack: "В срок", atRisk: "Под угрозой", overdue: "Просрочено",
    doneOnTime: "Исполнено в срок", doneLate: "Исполнено с опозданием", cancelled: "Отменено",
    suspended: "Приостановлено", green: "Зелёный", amber: "Жёлтый", red: "Красный",
    submitted: "Представлено", verified: "Подтверждено", returned: "Возвращено", removed: "Снято",
    pending: "На рассмотрении", approved: "Одобрено", rejected: "Отклонено",
    onControl: "На контроле", none: "Без оценки",
  },
  "uz-Latn": {
    notStarted: "Boshlanmagan", onTrack: "Muddatida", atRisk: "Xavf ostida", overdue: "Muddati oʻtgan",
    doneOnTime: "Muddatida bajarilgan", doneLate: "Kechikib bajarilgan", cancelled: "Bekor qilingan",
    suspended: "Toʻxtatilgan", green: "Yashil", amber: "Sariq", red: "Qizil",
    submitted: "Topshirilgan", verified: "Tasdiqlangan", returned: "Qaytarilgan", removed: "Nazoratdan olingan",
    pending: "Koʻrib chiqilmoqda", approved: "Maʼqullangan", rejected: "Rad etilgan",
    onControl: "Nazoratda", none: "Baholanmagan",
  },
  "uz-Cyrl": {
    notStarted: "Бошланмаган", onTrack: "Муддатида", atRisk: "Хавф остида", overdue: "Муддати ўтган",
    doneOnTime: "Муддатида бажарилган", doneLate: "Кечикиб бажарилган", cancelled: "Бекор қилинган",
    suspended: "Тўхтатилган", green: "Яшил", amber: "Сариқ", red: "Қизил",
    submitted: "Топширилган", verified: "Тасдиқланган", returned: "Қайтарилган", removed: "Назоратдан олинган",
    pending: "Кўриб чиқилмоқда", approved: "Маъқулланган", rejected: "Рад этилган",
    onControl: "Назоратда", none: "Баҳоланмаган",
  },
};

export const STATUSES = ["notStarted", "onTrack", "atRisk", "overdue", "doneOnTime", "doneLate",
  "cancelled", "suspended"];

let current = "en";
let hubLabels = {};  // from GET /api/v1/labels for the current language

// The language: the one chosen before (this browser), else the first of the browser's languages
// the dashboard speaks (Uzbek without a script is Latin), else English.
export function pickLanguage(stored, browserLanguages) {
  if (LANGUAGES.includes(stored)) return stored;
  for (const raw of browserLanguages || []) {
    const tag = String(raw).toLowerCase();
    if (tag.startsWith("uz-cyrl")) return "uz-Cyrl";
    if (tag === "uz" || tag.startsWith("uz-")) return "uz-Latn";
    if (tag === "ru" || tag.startsWith("ru-")) return "ru";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return "en";
}

export function language() { return current; }

export function setLanguage(lang, labels) {
  current = LANGUAGES.includes(lang) ? lang : "en";
  hubLabels = labels || {};
  document.documentElement.lang = current;
}

// A UI text, with {name} placeholders filled from vars.
export function t(key, vars) {
  let s = TEXTS[current][key] ?? TEXTS.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

// A hub label (GET /api/v1/labels keys: "status.OVERDUE", "rag.RED", "region.1703", ...).
function hubLabel(kind, code) {
  const variants = [code, code.toUpperCase(), code.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()];
  for (const v of variants) {
    const hit = hubLabels[`${kind}.${v}`];
    if (hit) return hit;
  }
  return null;
}

export function statusLabel(status) {
  if (!status) return "";
  return hubLabel("status", status) ?? FALLBACK_LABELS[current][status] ?? status;
}
export function ragLabel(rag) {
  if (!rag) return "";
  return hubLabel("rag", rag) ?? FALLBACK_LABELS[current][rag] ?? rag;
}
export function controlLabel(state) {
  if (!state) return "";
  return hubLabel("control", state) ?? FALLBACK_LABELS[current][state] ?? state;
}
// A deadline change's decision: pending, approved or rejected.
export function decisionLabel(decision) {
  if (!decision) return "";
  return hubLabel("decision", decision) ?? FALLBACK_LABELS[current][decision] ?? decision;
}
// A region by SOATO code: the hub's label, else the built-in table, else the name the API gave.
export function regionLabel(code, apiName) {
  if (!code) return "";
  const region = code.length > 4 && code !== "17" ? code.slice(0, 4) : code;
  const name = hubLabel("region", code) ?? REGION_NAMES[code]?.[current] ?? apiName;
  if (name) return name;
  const parent = hubLabel("region", region) ?? REGION_NAMES[region]?.[current];
  return parent ? `${parent} (${code})` : code;
}
export function sectorLabel(code, apiName) {
  if (!code) return apiName || "";
  return hubLabel("sector", code) ?? apiName ?? code;
}
// A column by the catalogue's name (column.<name>), else the dashboard's own text.
const OWN_COLUMN = { regionName: "region", delayDays: "delay" };
export function columnLabel(name) {
  return hubLabel("column", name) ?? t(`col.${OWN_COLUMN[name] ?? name}`);
}

// Formatting per language. Dates are calendar dates (YYYY-MM-DD), shown in UTC so the day never
// shifts with the browser's time zone. A browser whose Intl data lacks Uzbek in Latin script
// (Chromium ships uz-Cyrl but formats uz as the root locale: "2026 M08 31") gets the CLDR
// patterns of uz-Latn from here: its numbers are uz-Cyrl's (the same digits and separators), its
// dates are written out with the Latin month names.
const UZ_LATN_MONTHS = ["yan", "fev", "mar", "apr", "may", "iyn", "iyl", "avg", "sen", "okt", "noy", "dek"];
const lacking = new Map();
function lacksData(tag) {
  if (!lacking.has(tag)) {
    const jan = new Date(Date.UTC(2026, 0, 15));
    const o = { month: "short", timeZone: "UTC" };
    // The root locale names months by number ("M01").
    lacking.set(tag, /^M\d{2}$/.test(new Intl.DateTimeFormat(tag, o).format(jan)));
  }
  return lacking.get(tag);
}
const ownUzLatn = () => current === "uz-Latn" && lacksData("uz-Latn");
function numberTag() { return ownUzLatn() ? "uz-Cyrl" : current; }

export function formatNumber(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return new Intl.NumberFormat(numberTag()).format(n);
}
export function formatShare(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return new Intl.NumberFormat(numberTag(), { style: "percent", maximumFractionDigits: 1 }).format(x);
}
function uzLatnDate(d) {
  return `${d.getUTCDate()}-${UZ_LATN_MONTHS[d.getUTCMonth()]}, ${d.getUTCFullYear()}`;
}
const two = (n) => String(n).padStart(2, "0");
export function formatDate(iso) {
  if (!iso) return "–";
  const d = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return String(iso);
  if (ownUzLatn()) return uzLatnDate(d);
  return new Intl.DateTimeFormat(current, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(d);
}
export function formatDateTime(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  if (ownUzLatn()) return `${uzLatnDate(d)}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(d);
}
// An age in seconds as the largest whole unit ("3 d ago"), in the dashboard's own words: the
// browser's relative-time data is missing for Uzbek in some builds.
export function formatAge(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  const [n, unit] = s < 3600 ? [Math.floor(s / 60), "minutes"] : s < 86400 ? [Math.floor(s / 3600), "hours"] : [Math.floor(s / 86400), "days"];
  return t(`age.${unit}`, { n: formatNumber(n) });
}
