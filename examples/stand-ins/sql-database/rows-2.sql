-- Later changes: one measure completed, one added. Both carry a later updated_at, so the next
-- poll of sql-query reads these two rows and no other.
UPDATE measures SET status = 'Выполнено', percent = 100, done_date = '2026-11-20',
                    remark = 'Topshirildi', updated_at = '2026-11-21 09:00:00'
 WHERE id = 'AND-SQL-02';

INSERT INTO measures (id, title, organisation_id, soato, sector, decree_number, decree_date,
                      start_date, due_date, done_date, status, percent, remark, updated_at) VALUES
  ('AND-SQL-07', 'Tibbiyot xodimlari malakasini oshirish', 4, '1703', 'health',
   'PQ-112', '2026-01-20', '2026-11-15', '2027-05-31', NULL, 'В работе', 5, NULL,
   '2026-11-21 10:00:00');
