-- The export query of the PostgreSQL recipe (docs/recipes/postgresql.md):
-- one row per profile, one column holding the profile as a JSON object
-- whose members are the fields of schema.json.  It is written for the
-- tables of example.sql; adapt the inner SELECT to your own tables.
--
-- export-profiles runs it as COPY (<this query>) TO STDOUT, so:
--   - a single SELECT, no trailing semicolon needed (one is removed);
--   - exactly one column, whose text must be one line of JSON.
--
-- Rules that keep every value intact (each is checked by t/postgresql.t):
--   - row_to_json() over a subquery: the subquery's column names become
--     the member names, so rename columns there (AS name).
--   - bigint, boolean, NULL, text[] and jsonb columns map to JSON by
--     themselves (every digit of a bigint is kept; NULL is null; an empty
--     array is []).
--   - timestamptz becomes "2024-05-01T08:00:00.5+00:00" (RFC 3339);
--     export-profiles sets TimeZone to UTC so the offset is always +00:00.
--     A timestamp WITHOUT time zone has no offset, which RFC 3339 needs:
--     format it with to_char(..., 'YYYY-MM-DD"T"HH24:MI:SS"Z"') if it
--     holds UTC (or use AT TIME ZONE to say which zone it holds).
--   - A json column is copied verbatim, with its whitespace and newlines,
--     and a newline would split the NDJSON line: cast it to jsonb.
--   - Aggregate the joined table with json_agg(json_build_object(...)),
--     never json_agg(row) or json_agg(table_alias): on rows json_agg puts
--     a newline between elements.  The FILTER drops the all-NULL row a
--     LEFT JOIN gives a user with no links, and COALESCE turns the
--     resulting NULL into [] (JSON has no "empty aggregate").
--   - numeric values wider than 64-bit integers or doubles, and the
--     float values NaN and Infinity (exported as strings), are not valid
--     for integer and number fields: cast them to text if you need them.

SELECT row_to_json(p)
FROM (
    SELECT u.id,
           u.display_name                      AS name,
           u.bio,
           u.avatar_url,
           u.is_verified                       AS verified,
           u.karma,
           u.rating,
           u.tags,
           COALESCE(json_agg(json_build_object('rel', l.rel,
                                               'href', l.href)
                             ORDER BY l.position, l.id)
                        FILTER (WHERE l.id IS NOT NULL),
                    '[]')                      AS links,
           u.preferences::jsonb                AS preferences,
           u.created_at,
           to_char(u.last_seen, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                                               AS last_seen_at,
           u.email
    FROM users AS u
    LEFT JOIN user_links AS l ON l.user_id = u.id
    WHERE u.deleted_at IS NULL
    GROUP BY u.id
    ORDER BY u.id
) AS p
