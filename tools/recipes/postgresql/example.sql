-- Example tables for the PostgreSQL recipe (docs/recipes/postgresql.md).
--
-- A typical relational layout: one row per user, plus a joined table of
-- links (zero or more per user).  The rows are chosen to carry every value
-- that is easy to get wrong on the way to JSON: 64-bit ids and counters,
-- NULLs, empty arrays, quotes, backslashes, newlines, control characters,
-- non-ASCII text, a legacy pretty-printed `json` column, a timestamp
-- without time zone, and a soft-deleted user who must not be exported.
--
-- t/postgresql.t loads this file into a throw-away cluster and checks the
-- stored records.  To try the recipe by hand:
--
--     createdb profiles_example
--     psql -X -v ON_ERROR_STOP=1 -d profiles_example -f example.sql
--
-- Needs a database with UTF8 encoding (for the non-ASCII rows) and
-- standard_conforming_strings on (the default since PostgreSQL 9.1).

BEGIN;

CREATE TABLE users (
    id            bigint PRIMARY KEY,
    display_name  text NOT NULL,
    bio           text,
    avatar_url    text,
    email         text,
    is_verified   boolean NOT NULL DEFAULT false,
    karma         bigint,
    rating        double precision,
    tags          text[] NOT NULL DEFAULT '{}',
    preferences   json,           -- legacy: kept exactly as the app sent it
    created_at    timestamptz NOT NULL,
    last_seen     timestamp,      -- legacy: UTC, without time zone
    deleted_at    timestamptz     -- soft delete: not exported
);

CREATE TABLE user_links (
    id        bigserial PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES users (id),
    position  integer NOT NULL,
    rel       text NOT NULL,
    href      text NOT NULL
);

CREATE INDEX user_links_user_id ON user_links (user_id);


-- The hand-written rows: each one exercises something.

-- 2^53 + 1: a JavaScript number would print 9007199254740992.
INSERT INTO users VALUES (
    9007199254740993,
    'Quentin "Q" O''Brien',
    'Paths like C:\Users\q\ and a literal \n, then a real
newline and a	tab.',
    'https://cdn.example.com/a/q.png?s=64&r=g',
    'q@example.com',
    true,
    9223372036854775807,
    0.1,
    '{"a \"quoted\" tag","back\\slash",hiking}',
    E'{\n  "theme": "dark",\n  "beta": true,\n  "langs": ["en", "ga"]\n}',
    '2024-05-01 10:00:00.5+02',
    '2024-05-02 03:04:05',
    NULL
);

-- Everything optional is NULL; no links, no tags.
INSERT INTO users (id, display_name, created_at)
VALUES (1, 'Nul Lable', '2020-01-01 00:00:00+00');

-- The largest bigint as the id; the smallest as a counter; non-ASCII,
-- control characters, U+2028 and a closing script tag in the text.
INSERT INTO users VALUES (
    9223372036854775807,
    'Ægir 東京 Łukasz 😀',
    E'bell\x07 unit-sep\x1f cr\r del\x7f ls\u2028 </script>',
    NULL,
    'ægir@example.org',
    false,
    -9223372036854775808,
    -2.5e-7,
    '{東京,"",NULL}',
    '{"nested": {"deep": [1, 2.5, null, {"x": "y"}]}, "empty": {}, "list": []}',
    '1999-12-31 23:59:59+00',
    '1970-01-01 00:00:00',
    NULL
);

-- Soft-deleted: the export leaves it out.
INSERT INTO users (id, display_name, email, created_at, deleted_at)
VALUES (42, 'Gone Away', 'gone@example.com',
        '2021-06-01 12:00:00+00', '2023-01-01 00:00:00+00');

-- Links, inserted out of order: the export sorts them by position.
INSERT INTO user_links (user_id, position, rel, href) VALUES
    (9007199254740993, 2, 'blog', 'https://example.org/q/blog?a=1&b="2"'),
    (9007199254740993, 1, 'home', 'https://example.org/~q/'),
    (9007199254740993, 3, 'odd', 'C:\links\q'),
    (42, 1, 'home', 'https://example.org/gone'),
    (9223372036854775807, 1, 'home', 'https://例え.jp/ægir');


-- 48 ordinary users (ids 1000001..1000048), every third with links,
-- every fifth unverified with no email, every seventh deleted.
INSERT INTO users
SELECT 1000000 + g,
       'User ' || g,
       CASE WHEN g % 4 = 0 THEN NULL ELSE 'Bio of user ' || g END,
       'https://cdn.example.com/a/' || g || '.png',
       CASE WHEN g % 5 = 0 THEN NULL ELSE 'user' || g || '@example.com' END,
       g % 5 <> 0,
       g * 1000,
       (g % 10) / 2.0,
       CASE WHEN g % 2 = 0 THEN ARRAY['even'] ELSE '{}' END,
       CASE WHEN g % 6 = 0 THEN json '{"theme":"light"}' END,
       timestamptz '2015-01-01 00:00:00+00' + g * interval '17 days 3 hours',
       timestamp '2025-01-01 00:00:00' + g * interval '1 hour 1 second',
       CASE WHEN g % 7 = 0 THEN timestamptz '2024-01-01 00:00:00+00' END
FROM generate_series(1, 48) AS g;

INSERT INTO user_links (user_id, position, rel, href)
SELECT 1000000 + g, p, 'link' || p, 'https://example.net/u' || g || '/' || p
FROM generate_series(3, 48, 3) AS g, generate_series(1, 2) AS p;

COMMIT;
