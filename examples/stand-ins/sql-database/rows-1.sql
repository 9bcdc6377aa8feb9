-- The database as first read: six measures of Andijan region (SOATO 1703) and its districts. One
-- row has its due date in the local DD.MM.YYYY form, which sql-query rejects naming the row and
-- the column.
INSERT INTO organisations (id, name) VALUES
  (1, 'Andijon viloyati hokimligi'),
  (2, 'Andijon viloyati xalq ta''limi boshqarmasi'),
  (3, 'Asaka tumani hokimligi'),
  (4, 'Andijon viloyati sog''liqni saqlash boshqarmasi');

INSERT INTO measures (id, title, organisation_id, soato, sector, decree_number, decree_date,
                      start_date, due_date, done_date, status, percent, remark, updated_at) VALUES
  ('AND-SQL-01', 'Tuman markazlarida yoritish tarmog''ini yangilash', 1, '1703', 'construction',
   'PQ-112', '2026-01-20', '2026-02-01', '2026-12-31', NULL, 'В работе', 35, 'Pudratchi tanlandi',
   '2026-11-02 09:15:00'),
  ('AND-SQL-02', 'Maktablarga kompyuter sinflari', 2, '1703', 'education',
   'PQ-112', '2026-01-20', '2026-01-25', '2026-11-30', NULL, 'В работе', 80, NULL,
   '2026-11-05 14:00:00'),
  ('AND-SQL-03', 'Asaka tumanida ichimlik suvi quvurlari', 3, '1703202', 'construction',
   'PQ-112', '2026-01-20', '2026-03-01', '2027-02-28', NULL, 'Не начато', 0, NULL,
   '2026-10-30 08:00:00'),
  ('AND-SQL-04', 'Qishloq oilaviy poliklinikalarini jihozlash', 4, '1703', 'health',
   'PQ-112', '2026-01-20', '2026-02-10', '2026-09-30', '2026-09-12', 'Выполнено', 100,
   'Dalolatnoma 12.09.2026', '2026-09-12 17:30:00'),
  ('AND-SQL-05', 'Yoshlar markazini qurish', 3, '1703202', 'construction',
   'PQ-112', '2026-01-20', '2026-04-01', '2026-12-15', NULL, 'Приостановлено', 20,
   'Moliyalashtirish kutilmoqda', '2026-11-10 11:00:00'),
  ('AND-SQL-06', 'Bog''cha binosini ta''mirlash', 2, '1703', 'education',
   'PQ-112', '2026-01-20', '2026-02-01', '31.12.2026', NULL, 'В работе', 10, NULL,
   '2026-11-11 10:00:00');
