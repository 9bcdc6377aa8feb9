-- The roll-up of GET /api/v1/summary?by=region as one SQL statement over the same store:
-- execution status from the deadline rules (the benchmark's implementations carry no
-- indicators), D being the last approved deadline change or the original deadline.
WITH d AS (
  SELECT i.region, i.lifecycle, i.start_date, i.completed,
         COALESCE((SELECT dc.deadline FROM deadline_change dc
                   WHERE dc.implementation_id = i.id AND dc.decision = 'approved'
                   ORDER BY dc.pos DESC LIMIT 1), i.deadline) AS dl
  FROM implementation i
), s AS (
  SELECT CASE WHEN length(region) = 7 THEN substr(region, 1, 4) ELSE region END AS rk,
         CASE
           WHEN lifecycle = 'cancelled' THEN 'cancelled'
           WHEN lifecycle = 'suspended' THEN 'suspended'
           WHEN completed IS NOT NULL THEN
             CASE WHEN completed <= dl THEN 'doneOnTime' ELSE 'doneLate' END
           WHEN '@ASOF@' > dl THEN 'overdue'
           WHEN '@ASOF@' < start_date THEN 'notStarted'
           WHEN julianday(dl) - julianday('@ASOF@') <= 30 THEN 'atRisk'
           ELSE 'onTrack'
         END AS st
  FROM d
)
SELECT rk, count(*),
       sum(st = 'notStarted'), sum(st = 'onTrack'), sum(st = 'atRisk'), sum(st = 'overdue'),
       sum(st = 'doneOnTime'), sum(st = 'doneLate'), sum(st = 'cancelled'), sum(st = 'suspended')
FROM s GROUP BY rk ORDER BY rk;
