-- next_fire_times across DST transitions: a wall time skipped by spring-forward fires shifted
-- by the gap (as PostgreSQL reads it), once; a wall time repeated by fall-back fires once, at
-- its first pass, unless the hour field starts with * (then both passes: the schedule keeps
-- its rhythm in real time). America/New_York (2026-03-08 02:00 EST → 03:00 EDT, 2026-11-01
-- 02:00 EDT → 01:00 EST), Europe/Berlin (2026-03-29 and 2026-10-25), Australia/Sydney
-- (southern hemisphere) and Australia/Lord_Howe (a 30-minute shift).
begin;

create temp table cases (what text, expression text, time_zone text, after timestamptz, expected timestamptz[]);
insert into cases values
    ('New York spring forward: 02:30 does not exist on 03-08, fires at 03:30 EDT',
     '30 2 * * *', 'America/New_York', '2026-03-07 05:00Z',
     '{2026-03-07 07:30Z, 2026-03-08 07:30Z, 2026-03-09 06:30Z}'),
    ('New York spring forward: hourly, 02:00 lands on 03:00 EDT and fires once',
     '0 * * * *', 'America/New_York', '2026-03-08 05:00Z',
     '{2026-03-08 06:00Z, 2026-03-08 07:00Z, 2026-03-08 08:00Z}'),
    ('New York spring forward: 02:00-02:59 every 20 minutes, shifted by the hour',
     '*/20 2 * * *', 'America/New_York', '2026-03-08 05:00Z',
     '{2026-03-08 07:00Z, 2026-03-08 07:20Z, 2026-03-08 07:40Z, 2026-03-09 06:00Z}'),
    ('New York fall back: 01:30 happens twice on 11-01, a fixed hour fires at the first (EDT)',
     '30 1 * * *', 'America/New_York', '2026-10-31 12:00Z',
     '{2026-11-01 05:30Z, 2026-11-02 06:30Z}'),
    ('New York fall back: an hour field of * fires in both passes',
     '*/30 * * * *', 'America/New_York', '2026-11-01 04:40Z',
     '{2026-11-01 05:00Z, 2026-11-01 05:30Z, 2026-11-01 06:00Z, 2026-11-01 06:30Z, 2026-11-01 07:00Z}'),
    ('New York fall back: hour 1 named, minutes */30: the first pass only',
     '*/30 1 * * *', 'America/New_York', '2026-11-01 04:40Z',
     '{2026-11-01 05:00Z, 2026-11-01 05:30Z, 2026-11-02 06:00Z}'),
    ('New York fall back: from inside the second pass',
     '*/30 * * * *', 'America/New_York', '2026-11-01 06:10Z',
     '{2026-11-01 06:30Z, 2026-11-01 07:00Z}'),
    ('New York fall back: with seconds, across the repeated hour',
     '0 0 1 * * *', 'America/New_York', '2026-11-01 04:00Z',
     '{2026-11-01 05:00Z, 2026-11-02 06:00Z}'),
    ('Berlin spring forward: 02:30 on 03-29 fires at 03:30 CEST',
     '30 2 * * *', 'Europe/Berlin', '2026-03-28 12:00Z',
     '{2026-03-29 01:30Z, 2026-03-30 00:30Z}'),
    ('Berlin fall back: 02:30 on 10-25 fires once, in CEST',
     '30 2 * * *', 'Europe/Berlin', '2026-10-24 12:00Z',
     '{2026-10-25 00:30Z, 2026-10-26 01:30Z}'),
    ('Berlin fall back: hourly fires at 02:00 CEST, 02:00 CET and 03:00 CET',
     '0 * * * *', 'Europe/Berlin', '2026-10-24 23:30Z',
     '{2026-10-25 00:00Z, 2026-10-25 01:00Z, 2026-10-25 02:00Z}'),
    ('Berlin: a weekday schedule keeps its wall time across the change',
     '0 9 * * mon', 'Europe/Berlin', '2026-03-20 00:00Z',
     '{2026-03-23 08:00Z, 2026-03-30 07:00Z}'),
    ('Sydney fall back (April): 02:30 fires at its first pass (AEDT)',
     '30 2 * * *', 'Australia/Sydney', '2026-04-04 00:00Z',
     '{2026-04-04 15:30Z, 2026-04-05 16:30Z}'),
    ('Sydney spring forward (October): 02:30 fires at 03:30 AEDT',
     '30 2 * * *', 'Australia/Sydney', '2026-10-03 00:00Z',
     '{2026-10-03 16:30Z, 2026-10-04 15:30Z}'),
    ('Lord Howe falls back 30 minutes: 01:45 fires once; every 15 minutes fires in both passes',
     '45 1 * * *', 'Australia/Lord_Howe', '2026-04-04 12:00Z',
     '{2026-04-04 14:45Z, 2026-04-05 15:15Z}'),
    ('Lord Howe: every 15 minutes through the repeated half hour',
     '*/15 * * * *', 'Australia/Lord_Howe', '2026-04-04 14:20Z',
     '{2026-04-04 14:30Z, 2026-04-04 14:45Z, 2026-04-04 15:00Z, 2026-04-04 15:15Z, 2026-04-04 15:30Z}'),
    ('Lord Howe springs forward 30 minutes: 02:15 does not exist, fires at 02:45',
     '15 2 * * *', 'Australia/Lord_Howe', '2026-10-03 12:00Z',
     '{2026-10-03 15:45Z, 2026-10-04 15:15Z}');

create temp table day_counts (what text, expression text, time_zone text, day date, expected integer);
insert into day_counts values
    ('*/5 on New York''s 23-hour day',  '*/5 * * * *',  'America/New_York', '2026-03-08', 276),
    ('*/5 on New York''s 25-hour day',  '*/5 * * * *',  'America/New_York', '2026-11-01', 300),
    ('*/5 on an ordinary New York day', '*/5 * * * *',  'America/New_York', '2026-06-01', 288),
    ('@daily on the 23-hour day',       '@daily',       'America/New_York', '2026-03-08', 1),
    ('@daily on the 25-hour day',       '@daily',       'America/New_York', '2026-11-01', 1),
    ('02:30 on the 23-hour day',        '30 2 * * *',   'America/New_York', '2026-03-08', 1),
    ('01:30 on the 25-hour day',        '30 1 * * *',   'America/New_York', '2026-11-01', 1),
    ('*/15 on Berlin''s 23-hour day',   '*/15 * * * *', 'Europe/Berlin',    '2026-03-29', 92),
    ('*/15 on Berlin''s 25-hour day',   '*/15 * * * *', 'Europe/Berlin',    '2026-10-25', 100),
    ('hourly on Berlin''s 25-hour day', '0 * * * *',    'Europe/Berlin',    '2026-10-25', 25);

select plan((select count(*)::int from cases) + (select count(*)::int from day_counts) + 2);

select is(array(select f.fire_at from steadfast.next_fire_times(c.expression, c.after, cardinality(c.expected), c.time_zone) f),
          c.expected, c.what)
from cases c;

-- Occurrences whose instant falls within the local day (from its midnight to the next).
select is((select count(*)::int
           from steadfast.next_fire_times(d.expression, (d.day::timestamp at time zone d.time_zone) - interval '1 microsecond',
                                          400, d.time_zone) f
           where f.fire_at < ((d.day + 1)::timestamp at time zone d.time_zone)),
          d.expected, d.what)
from day_counts d;

select is((select array_agg(f.local_time order by f.fire_at)
           from steadfast.next_fire_times('*/30 * * * *', '2026-11-01 04:40Z', 4, 'America/New_York') f),
          '{2026-11-01 01:00, 2026-11-01 01:30, 2026-11-01 01:00, 2026-11-01 01:30}'::timestamp[],
          'the repeated wall times show twice in local_time');
select is((select array_agg(f.fire_at order by f.fire_at)
           from steadfast.next_fire_times('30 2 * * *', '2026-03-07 05:00Z', 3, 'america/new_york') f),
          '{2026-03-07 07:30Z, 2026-03-08 07:30Z, 2026-03-09 06:30Z}'::timestamptz[],
          'time zone names match in any case');

select * from finish();
rollback;
