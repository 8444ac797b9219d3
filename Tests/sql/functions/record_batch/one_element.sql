-- _parse_array takes an array of one object without its set query (a lone checkpoint, a single
-- start): the same records and the same errors as the set query, which parses that element as
-- the first of two. Each element below is parsed alone and followed by an empty object; the
-- answers (the first record, or the error's SQLSTATE and message) must match.
begin;
select plan(12);

-- parsed(array) → the first record as JSON, or 'SQLSTATE | message'.
create function pg_temp.parsed(p_array jsonb) returns text language plpgsql as $$
begin
    return (steadfast._parse_array(null::steadfast.batch_write, p_array, 'record_batch'))[1]::text;
exception when others then
    return sqlstate || ' | ' || sqlerrm;
end;
$$;

select is(pg_temp.parsed(jsonb_build_array(e)), pg_temp.parsed(jsonb_build_array(e, '{}'::jsonb)), what)
from (values
    ('{"kind": "step", "workflow_id": "w", "attempt": 1, "name": "s", "output": {"a": [1, 2]}, "options": {"occurrence": 2}}',
     'a step write'),
    ('{"kind": "complete", "workflow_id": "w", "attempt": 1, "output": 1, "step": {"name": "s", "output": null}}',
     'a completion with its last step'),
    ('{}', 'an empty object'),
    ('{"kind": "step", "workflow_id": "w", "attempt": 5.0}', 'an integer written with a zero fraction'),
    ('{"kind": "step", "workflow_id": "w", "attempt": "1"}', 'a number written as a string'),
    ('{"kind": "step", "workflow_id": "w", "attempt": 0.5}', 'a fraction where an integer goes'),
    ('{"kind": "step", "workflow_id": "w", "colour": "red"}', 'an unknown key'),
    ('{"kind": 1}', 'a number where a string goes'),
    ('{"workflow_id": null, "attempt": null}', 'JSON nulls')
) as c(e, what);

select is(pg_temp.parsed('["step"]'), 'SF005 | record_batch[1]: each element must be a JSON object, got string',
          'an element that is not an object is named as before');

-- A plain integer option says its range, not PostgreSQL's comment on the type.
select is(pg_temp.parsed('[{"kind": "step", "workflow_id": "w", "attempt": "1"}]'),
          'SF005 | record_batch[1]: option attempt must be an integer from -2147483648 to 2147483647, got "1"',
          'a plain integer option names its range');
select throws_ok($$select steadfast._parse_options(null::steadfast.step_options, '{"parallel": 1}', 'record_step')$$,
                 'SF005', 'record_step: option parallel must be true or false, got 1',
                 'a plain boolean option says true or false');

select * from finish();
rollback;
