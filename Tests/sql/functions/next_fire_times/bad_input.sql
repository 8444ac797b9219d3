-- Bad cron expressions raise SF005 (invalid_argument) and change nothing: a wrong number of
-- fields, values out of range, bad steps, unknown names and macros, backwards ranges, empty
-- list items, unsupported syntax, expressions that never fire; so do bad time zones and counts.
begin;

-- message_of(sql) → the message of the error sql raises.
create function pg_temp.message_of(p_sql text) returns text language plpgsql as $$
begin
    execute p_sql;
    return null;
exception when others then
    return sqlerrm;
end;
$$;

create temp table bad (expression text, why text);
insert into bad values
    (null,                     'no expression'),
    ('',                       'an empty expression'),
    ('   ',                    'only spaces'),
    ('* * * *',                'four fields'),
    ('* * * * * * *',          'seven fields'),
    ('60 * * * *',             'minute 60'),
    ('* 24 * * *',             'hour 24'),
    ('* * 0 * *',              'day of month 0'),
    ('* * 32 * *',             'day of month 32'),
    ('* * * 13 *',             'month 13'),
    ('* * * 0 *',              'month 0'),
    ('* * * * 8',              'day of week 8'),
    ('60 * * * * *',           'second 60'),
    ('-1 * * * *',             'a negative value'),
    ('*/0 * * * *',            'a step of 0'),
    ('*/60 * * * *',           'a step larger than the field'),
    ('*/x * * * *',            'a step that is not a number'),
    ('1/2/3 * * * *',          'two steps'),
    ('/5 * * * *',             'a step without a start'),
    ('* * * foo *',            'an unknown month name'),
    ('* * * * funday',         'an unknown weekday name'),
    ('* * * * january',        'a month name in the weekday field'),
    ('* * jan * *',            'a name in the day-of-month field'),
    ('* * * * fri-mon',        'a range that wraps around'),
    ('30-10 * * * *',          'a backwards range'),
    ('1-2-3 * * * *',          'a range of three'),
    ('1,,2 * * * *',           'an empty list item'),
    ('1, * * * *',             'a trailing comma'),
    ('0 0 L * *',              'L (last day) is not supported'),
    ('0 0 ? * *',              '? is not supported'),
    ('0 0 * * 5#3',            '# is not supported'),
    ('@reboot',                '@reboot'),
    ('@fortnightly',           'an unknown macro'),
    ('0 0 30 feb *',           'February 30th never comes'),
    ('0 0 31 4,6,9,11 *',      'the 31st of a 30-day month never comes');

select plan((select count(*)::int from bad) * 2 + 22);

select steadfast_test.rejects(
    pg_catalog.format('select * from steadfast.next_fire_times(%L)', b.expression), 'SF005', 'next_fire_times: ' || b.why)
from bad b;

select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('* * * * *', null, 5, 'Mars/Olympus')$$,
                                     'SF005', 'an unknown time zone');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('* * * * *', null, 5, 'CEST')$$,
                                     'SF005', 'an abbreviation is not a time zone (it has no DST rules)');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('* * * * *', null, 0)$$,
                                     'SF005', 'a count of 0');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('* * * * *', null, 1001)$$,
                                     'SF005', 'a count over 1000');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('* * * * *', null, 1, null)$$,
                                     'SF005', 'a null time zone');

-- `after` must be finite and within 1970 … 3000: 'infinity' looped for ever, year 294276
-- overflowed (22008).
set local statement_timeout = '5s';
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('*/5 * * * *', 'infinity')$$,
                                     'SF005', 'after = infinity');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('*/5 * * * *', '-infinity')$$,
                                     'SF005', 'after = -infinity');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('*/5 * * * *', '294276-12-31')$$,
                                     'SF005', 'after in year 294276');
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('*/5 * * * *', '3000-01-01 00:00:01Z')$$,
                                     'SF005', 'after past 3000');
select results_eq($$select fire_at from steadfast.next_fire_times('0 0 1 1 *', '2999-06-01Z', 2)$$,
                  $$values ('3000-01-01 00:00Z'::timestamptz), ('3001-01-01 00:00Z'::timestamptz)$$,
                  'an after within the range may have occurrences past it');
-- A time zone name of 1 MiB is refused at once (it was compared with every zone's name).
select * from steadfast_test.rejects($$select * from steadfast.next_fire_times('* * * * *', null, 1, repeat('Europe/', 149797))$$,
                                     'SF005', 'a 1 MiB time zone name');
select cmp_ok((select max(length(m)) from (select pg_temp.message_of(
                   $$select * from steadfast.next_fire_times('* * * * *', null, 1, repeat('Europe/', 149797))$$) m) x),
              '<', 300, 'and its message does not echo it whole');

select * from finish();
rollback;
