// The regions' names in the four languages, used until the hub's label catalogue answers
// (GET /api/v1/labels); the same names as the hub's region table (hub/model/regions.cpp).
export const REGION_NAMES = {
  "1735": { "uz-Latn": "Qoraqalpog'iston Respublikasi", "uz-Cyrl": "Қорақалпоғистон Республикаси", ru: "Республика Каракалпакстан", en: "Republic of Karakalpakstan" },
  "1703": { "uz-Latn": "Andijon viloyati", "uz-Cyrl": "Андижон вилояти", ru: "Андижанская область", en: "Andijan Region" },
  "1706": { "uz-Latn": "Buxoro viloyati", "uz-Cyrl": "Бухоро вилояти", ru: "Бухарская область", en: "Bukhara Region" },
  "1708": { "uz-Latn": "Jizzax viloyati", "uz-Cyrl": "Жиззах вилояти", ru: "Джизакская область", en: "Jizzakh Region" },
  "1710": { "uz-Latn": "Qashqadaryo viloyati", "uz-Cyrl": "Қашқадарё вилояти", ru: "Кашкадарьинская область", en: "Kashkadarya Region" },
  "1712": { "uz-Latn": "Navoiy viloyati", "uz-Cyrl": "Навоий вилояти", ru: "Навоийская область", en: "Navoiy Region" },
  "1714": { "uz-Latn": "Namangan viloyati", "uz-Cyrl": "Наманган вилояти", ru: "Наманганская область", en: "Namangan Region" },
  "1718": { "uz-Latn": "Samarqand viloyati", "uz-Cyrl": "Самарқанд вилояти", ru: "Самаркандская область", en: "Samarkand Region" },
  "1722": { "uz-Latn": "Surxondaryo viloyati", "uz-Cyrl": "Сурхондарё вилояти", ru: "Сурхандарьинская область", en: "Surkhandarya Region" },
  "1724": { "uz-Latn": "Sirdaryo viloyati", "uz-Cyrl": "Сирдарё вилояти", ru: "Сырдарьинская область", en: "Syrdarya Region" },
  "1727": { "uz-Latn": "Toshkent viloyati", "uz-Cyrl": "Тошкент вилояти", ru: "Ташкентская область", en: "Tashkent Region" },
  "1730": { "uz-Latn": "Farg'ona viloyati", "uz-Cyrl": "Фарғона вилояти", ru: "Ферганская область", en: "Fergana Region" },
  "1733": { "uz-Latn": "Xorazm viloyati", "uz-Cyrl": "Хоразм вилояти", ru: "Хорезмская область", en: "Khorezm Region" },
  "1726": { "uz-Latn": "Toshkent shahri", "uz-Cyrl": "Тошкент шаҳри", ru: "город Ташкент", en: "Tashkent City" },
  "17": { "uz-Latn": "Respublika", "uz-Cyrl": "Республика", ru: "Республика", en: "National" },
};
