-- next_fire_times: a table of cron expressions and the occurrences they must give after
-- 2026-06-01 00:00 UTC (a Monday) — steps, ranges, lists, month and weekday names (any case),
-- Sunday as 0 or 7, the seconds field (first of six), @macros, the day-of-month/day-of-week
-- rule (either, when both are restricted; both, when one starts with *), leap days — and
-- the wall time each occurrence has in the zone.
begin;

create temp table cases (expression text, expected timestamptz[]);
insert into cases values
    ('*/15 * * * *',          '{2026-06-01 00:15Z, 2026-06-01 00:30Z, 2026-06-01 00:45Z}'),
    ('5 4 * * *',             '{2026-06-01 04:05Z, 2026-06-02 04:05Z}'),
    ('0 9-17/4 * * *',        '{2026-06-01 09:00Z, 2026-06-01 13:00Z, 2026-06-01 17:00Z, 2026-06-02 09:00Z}'),
    ('15,45 */6 * * *',       '{2026-06-01 00:15Z, 2026-06-01 00:45Z, 2026-06-01 06:15Z, 2026-06-01 06:45Z}'),
    ('1-3,58-59 0 * * *',     '{2026-06-01 00:01Z, 2026-06-01 00:02Z, 2026-06-01 00:03Z, 2026-06-01 00:58Z, 2026-06-01 00:59Z, 2026-06-02 00:01Z}'),
    ('0 0 * * mon-fri',       '{2026-06-02 00:00Z, 2026-06-03 00:00Z, 2026-06-04 00:00Z, 2026-06-05 00:00Z, 2026-06-08 00:00Z}'),
    ('0 8 * * MON-Wed',       '{2026-06-01 08:00Z, 2026-06-02 08:00Z, 2026-06-03 08:00Z, 2026-06-08 08:00Z}'),
    ('0 0 * * 7',             '{2026-06-07 00:00Z, 2026-06-14 00:00Z}'),
    ('0 0 * * 0',             '{2026-06-07 00:00Z, 2026-06-14 00:00Z}'),
    ('0 0 * * sat,sun',       '{2026-06-06 00:00Z, 2026-06-07 00:00Z, 2026-06-13 00:00Z}'),
    ('0 12 * * 1-7/2',        '{2026-06-01 12:00Z, 2026-06-03 12:00Z, 2026-06-05 12:00Z, 2026-06-07 12:00Z}'),
    ('0 12 * jan,JUL *',      '{2026-07-01 12:00Z, 2026-07-02 12:00Z}'),
    ('0 0 1 1-12/3 *',        '{2026-07-01 00:00Z, 2026-10-01 00:00Z, 2027-01-01 00:00Z}'),
    ('30 6 1 * *',            '{2026-06-01 06:30Z, 2026-07-01 06:30Z}'),
    ('0 0 31 * *',            '{2026-07-31 00:00Z, 2026-08-31 00:00Z, 2026-10-31 00:00Z}'),
    ('0 0 29 feb *',          '{2028-02-29 00:00Z, 2032-02-29 00:00Z}'),
    -- Both day fields restricted: either matches (the 1st and 15th, and every Friday).
    ('0 0 1,15 * 5',          '{2026-06-05 00:00Z, 2026-06-12 00:00Z, 2026-06-15 00:00Z, 2026-06-19 00:00Z}'),
    ('0 0 13 * fri',          '{2026-06-05 00:00Z, 2026-06-12 00:00Z, 2026-06-13 00:00Z, 2026-06-19 00:00Z}'),
    -- Day of month starting with *: both must match (days 1, 11, 21, 31 that are Fridays).
    ('0 0 */10 * 5',          '{2026-07-31 00:00Z, 2026-08-21 00:00Z}'),
    -- Day of week starting with *: both must match (a 15th that is a Sunday, Tuesday, Thursday or Saturday).
    ('0 0 15 * */2',          '{2026-08-15 00:00Z, 2026-09-15 00:00Z, 2026-10-15 00:00Z}'),
    -- Seconds come first in a 6-field expression.
    ('*/20 * * * * *',        '{2026-06-01 00:00:20Z, 2026-06-01 00:00:40Z, 2026-06-01 00:01:00Z}'),
    ('30 0 0 * * *',          '{2026-06-01 00:00:30Z, 2026-06-02 00:00:30Z}'),
    ('10-12 0 0 * * *',       '{2026-06-01 00:00:10Z, 2026-06-01 00:00:11Z, 2026-06-01 00:00:12Z, 2026-06-02 00:00:10Z}'),
    ('0 30 10/4 * * *',       '{2026-06-01 10:30Z, 2026-06-01 14:30Z, 2026-06-01 18:30Z, 2026-06-01 22:30Z, 2026-06-02 10:30Z}'),
    ('@hourly',               '{2026-06-01 01:00Z, 2026-06-01 02:00Z}'),
    ('@daily',                '{2026-06-02 00:00Z, 2026-06-03 00:00Z}'),
    ('@midnight',             '{2026-06-02 00:00Z}'),
    ('@weekly',               '{2026-06-07 00:00Z, 2026-06-14 00:00Z}'),
    ('@monthly',              '{2026-07-01 00:00Z, 2026-08-01 00:00Z}'),
    ('@yearly',               '{2027-01-01 00:00Z}'),
    ('@Annually',             '{2027-01-01 00:00Z}'),
    ('  0   0 *  * *  ',      '{2026-06-02 00:00Z}');

select plan((select count(*)::int from cases) + 4);

select is(array(select f.fire_at from steadfast.next_fire_times(c.expression, '2026-06-01 00:00Z',
                                                                 cardinality(c.expected)) f),
          c.expected, c.expression)
from cases c;

select is((select array_agg(f.fire_at) from steadfast.next_fire_times('0 0 1 1 *', '2026-12-31 23:59:59.999999Z', 1) f),
          '{2027-01-01 00:00Z}'::timestamptz[], 'strictly after: a microsecond before an occurrence gives it');
select is((select array_agg(f.fire_at) from steadfast.next_fire_times('0 0 1 1 *', '2027-01-01 00:00Z', 1) f),
          '{2028-01-01 00:00Z}'::timestamptz[], 'strictly after: an occurrence itself gives the next one');
select is((select array_agg(f.local_time order by f.fire_at)
           from steadfast.next_fire_times('0 9 * * *', '2026-06-01 00:00Z', 2, 'Asia/Tokyo') f),
          '{2026-06-02 09:00, 2026-06-03 09:00}'::timestamp[], 'local_time is the wall time of the zone (09:00 in Tokyo is midnight UTC)');
select is((select count(*)::int from steadfast.next_fire_times('*/5 * * * *', '2026-06-01 00:00Z', 1000) f),
          1000, 'up to 1000 at once');

select * from finish();
rollback;
