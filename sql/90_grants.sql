-- Grants. Nothing in the schema is granted to PUBLIC: the installing role owns everything and
-- application roles receive the functions they need (grant helpers arrive with the roles
-- work). The public functions are `security definer`, so a role granted a function never
-- needs a grant on a table.

revoke all on all tables in schema steadfast from public;
revoke all on all sequences in schema steadfast from public;
revoke all on all functions in schema steadfast from public;
