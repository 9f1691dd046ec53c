-- Indexes for ListUsers filters (FilterUsers, filterusers.go): one per
-- searchable attribute, on the key the filter compares, then sub, so an
-- exact or prefix filter reads only the matching users, in page order.
-- The expressions must stay identical to filterKeys in filterusers.go,
-- or SQLite cannot use them. username and sub already have theirs (the
-- UNIQUE constraint and the primary key). Attribute indexes are partial:
-- users without the attribute take no space in them.
CREATE INDEX users_filter_email ON users (pool_id, substr(lower(json_extract(attributes, '$.email')), 1, 256), sub)
	WHERE json_extract(attributes, '$.email') IS NOT NULL;
CREATE INDEX users_filter_phone_number ON users (pool_id, substr(json_extract(attributes, '$.phone_number'), 1, 256), sub)
	WHERE json_extract(attributes, '$.phone_number') IS NOT NULL;
CREATE INDEX users_filter_name ON users (pool_id, substr(json_extract(attributes, '$.name'), 1, 256), sub)
	WHERE json_extract(attributes, '$.name') IS NOT NULL;
CREATE INDEX users_filter_given_name ON users (pool_id, substr(json_extract(attributes, '$.given_name'), 1, 256), sub)
	WHERE json_extract(attributes, '$.given_name') IS NOT NULL;
CREATE INDEX users_filter_family_name ON users (pool_id, substr(json_extract(attributes, '$.family_name'), 1, 256), sub)
	WHERE json_extract(attributes, '$.family_name') IS NOT NULL;
CREATE INDEX users_filter_preferred_username ON users (pool_id, substr(json_extract(attributes, '$.preferred_username'), 1, 256), sub)
	WHERE json_extract(attributes, '$.preferred_username') IS NOT NULL;
CREATE INDEX users_filter_user_status ON users (pool_id, lower(status), sub);
CREATE INDEX users_filter_status ON users (pool_id, CASE WHEN enabled THEN 'enabled' ELSE 'disabled' END, sub);
