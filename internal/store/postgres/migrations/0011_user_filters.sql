-- Indexes for ListUsers filters (FilterUsers, filterusers.go): one per
-- searchable attribute, on the key the filter compares, then sub, so an
-- exact or prefix filter reads only the matching users, in page order.
-- The expressions must stay identical to filterKeys in filterusers.go,
-- or PostgreSQL cannot use them. Keys compare in byte order (COLLATE
-- "C"), which makes a prefix a range whatever the database's collation,
-- and fold case for ASCII letters only (lower() under "C"). Attribute
-- values are indexed by their first 256 characters, which keeps every
-- entry under the B-tree's size limit. username has its index already
-- (users_pool_username_key_idx, username_key is COLLATE "C"); sub gets
-- one in byte order, for prefixes. Attribute indexes are partial: users
-- without the attribute take no space in them.
CREATE INDEX users_filter_sub ON users (pool_id, (sub COLLATE "C"));
CREATE INDEX users_filter_email ON users (pool_id, (left(lower((attributes ->> 'email') COLLATE "C"), 256)), sub)
    WHERE (attributes ->> 'email') IS NOT NULL;
CREATE INDEX users_filter_phone_number ON users (pool_id, (left((attributes ->> 'phone_number') COLLATE "C", 256)), sub)
    WHERE (attributes ->> 'phone_number') IS NOT NULL;
CREATE INDEX users_filter_name ON users (pool_id, (left((attributes ->> 'name') COLLATE "C", 256)), sub)
    WHERE (attributes ->> 'name') IS NOT NULL;
CREATE INDEX users_filter_given_name ON users (pool_id, (left((attributes ->> 'given_name') COLLATE "C", 256)), sub)
    WHERE (attributes ->> 'given_name') IS NOT NULL;
CREATE INDEX users_filter_family_name ON users (pool_id, (left((attributes ->> 'family_name') COLLATE "C", 256)), sub)
    WHERE (attributes ->> 'family_name') IS NOT NULL;
CREATE INDEX users_filter_preferred_username ON users (pool_id, (left((attributes ->> 'preferred_username') COLLATE "C", 256)), sub)
    WHERE (attributes ->> 'preferred_username') IS NOT NULL;
CREATE INDEX users_filter_user_status ON users (pool_id, (lower(status COLLATE "C")), sub);
CREATE INDEX users_filter_status ON users (pool_id, ((CASE WHEN enabled THEN 'enabled' ELSE 'disabled' END) COLLATE "C"), sub);
