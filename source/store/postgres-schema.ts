// The team store's schema, set up once by its owner and used by every member's own role.
//
// Each row belongs to the role that created it (`owner`, filled in by the database). Row-level
// security decides what another role sees, in the database itself (so `psql` as that role sees
// the same): stacks and components are the team's; a code repository is visible when it is
// public; a module when its code repository is public (or, without a repository that knows its
// visibility, when it was published public); a run, a log and a snapshot when what they belong
// to is; a blob (log chunk, snapshot) when a record the reader may see uses it. Visibility is
// computed when a row is read, as SPEC asks: a repository turned public shows its modules and
// runs at once.
//
// Members get access through one role: `GRANT berth_member TO alice;`. The owner (who ran the
// set-up) owns the tables and, as PostgreSQL does for owners, is not subject to the policies:
// use that role for set-up, not for daily work.
import {checkFieldName, indexedFields} from './profile-store.js';

export const schemaVersion = 3;
export const memberRole = 'berth_member';

/**
 * The column holding an indexed field. A stored generated column rather than an expression
 * index: under row-level security the planner may use an index for a condition only when its
 * functions are leakproof, and `data->>'field'` is not, while `column = ANY(…)` is. So members'
 * lookups by location key stay index scans.
 */
export function fieldColumn(field: string): string {
  return `field_${checkFieldName(field).toLowerCase()}`;
}

const fieldColumns = indexedFields
  .map(
    (field) => `
ALTER TABLE berth_records ADD COLUMN IF NOT EXISTS ${fieldColumn(field)} text
  GENERATED ALWAYS AS (data->>'${field}') STORED;
DROP INDEX IF EXISTS berth_records_${field.toLowerCase()};
CREATE INDEX IF NOT EXISTS berth_records_by_${field.toLowerCase()}
  ON berth_records (collection, ${fieldColumn(field)});`,
  )
  .join('\n');

// SECURITY DEFINER: they run as the owner, so their look-ups at other rows are not themselves
// filtered (a policy querying its own table would recurse). `who` is the reading role.
const visibilityFunctions = `
-- PL/pgSQL rather than SQL: its plans are cached for the session, several times faster per row.
CREATE OR REPLACE FUNCTION berth_module_public(d jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  repository_visibility text;
BEGIN
  IF d IS NULL THEN RETURN false; END IF;
  SELECT r.data->>'visibility' INTO repository_visibility FROM berth_records r
   WHERE r.collection = 'repositories'
     AND (r.data->>'id') = d->'codeReference'->>'repositoryId' LIMIT 1;
  RETURN coalesce(repository_visibility, d->>'visibility', 'private') = 'public';
END
$$;

CREATE OR REPLACE FUNCTION berth_visible(c text, d jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  other jsonb;
BEGIN
  CASE c
    WHEN 'stacks', 'components' THEN
      RETURN true;
    WHEN 'repositories' THEN
      RETURN coalesce(d->>'visibility' = 'public', false);
    WHEN 'modules' THEN
      RETURN berth_module_public(d);
    WHEN 'runs' THEN
      SELECT m.data INTO other FROM berth_records m
       WHERE m.collection = 'modules' AND m.key = (d->>'module') || '@' || (d->>'version');
      RETURN berth_module_public(other);
    WHEN 'snapshots' THEN
      SELECT r.data INTO other FROM berth_records r
       WHERE r.collection = 'repositories' AND (r.data->>'id') = d->>'repositoryId' LIMIT 1;
      RETURN coalesce(other->>'visibility' = 'public', false);
    WHEN 'logs' THEN
      IF d->>'kind' = 'publish' THEN
        SELECT m.data INTO other FROM berth_records m
         WHERE m.collection = 'modules' AND m.key = d->>'subject';
        RETURN berth_module_public(other);
      ELSIF d->>'kind' = 'run' THEN
        SELECT r.data INTO other FROM berth_records r
         WHERE r.collection = 'runs' AND r.key = d->>'subject';
        RETURN other IS NOT NULL AND berth_visible('runs', other);
      END IF;
      RETURN false;
    ELSE
      RETURN false;
  END CASE;
END
$$;

-- A blob is visible to a role where a record that role may see uses it: its own, or a visible one.
CREATE OR REPLACE FUNCTION berth_blob_visible(dg text, who text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT EXISTS (
      SELECT 1 FROM berth_records r
       WHERE r.collection = 'logs'
         AND r.data->'chunks' @> jsonb_build_array(jsonb_build_object('digest', dg))
         AND (r.owner = who OR berth_visible('logs', r.data)))
    OR EXISTS (
      SELECT 1 FROM berth_records r
       WHERE r.collection = 'snapshots' AND r.key = dg
         AND (r.owner = who OR berth_visible('snapshots', r.data)))
$$;

-- The owner of a row never changes, whoever updates it.
CREATE OR REPLACE FUNCTION berth_keep_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.owner := OLD.owner;
  RETURN NEW;
END
$$;
`;

// The cheap cases first (OR is evaluated in order): a member listing a collection pays for a
// function call only on other roles' modules, runs, logs and snapshots.
const readable = `owner = current_user
    OR collection IN ('stacks', 'components')
    OR (collection = 'repositories' AND data->>'visibility' = 'public')
    OR (collection IN ('modules', 'runs', 'logs', 'snapshots') AND berth_visible(collection, data))`;

/** Everything, idempotent: a first set-up and an upgrade from a store made before owners. */
export const setupSql = `
CREATE TABLE IF NOT EXISTS berth_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS berth_records (
  collection text NOT NULL,
  key text NOT NULL,
  data jsonb NOT NULL,
  seq bigserial,
  PRIMARY KEY (collection, key)
);
ALTER TABLE berth_records ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT current_user;
CREATE TABLE IF NOT EXISTS berth_blobs (digest text PRIMARY KEY, data bytea NOT NULL);
ALTER TABLE berth_blobs ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT current_user;
${fieldColumns}
CREATE INDEX IF NOT EXISTS berth_records_id ON berth_records (collection, (data->>'id'));
CREATE INDEX IF NOT EXISTS berth_records_chunks ON berth_records
  USING gin ((data->'chunks') jsonb_path_ops) WHERE collection = 'logs';
${visibilityFunctions}
DROP TRIGGER IF EXISTS berth_keep_owner ON berth_records;
CREATE TRIGGER berth_keep_owner BEFORE UPDATE ON berth_records
  FOR EACH ROW EXECUTE FUNCTION berth_keep_owner();

ALTER TABLE berth_records ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS berth_read ON berth_records;
DROP POLICY IF EXISTS berth_insert ON berth_records;
DROP POLICY IF EXISTS berth_update ON berth_records;
DROP POLICY IF EXISTS berth_delete ON berth_records;
CREATE POLICY berth_read ON berth_records FOR SELECT USING (${readable});
CREATE POLICY berth_insert ON berth_records FOR INSERT WITH CHECK (owner = current_user);
CREATE POLICY berth_update ON berth_records FOR UPDATE USING (${readable}) WITH CHECK (${readable});
CREATE POLICY berth_delete ON berth_records FOR DELETE USING (${readable});

ALTER TABLE berth_blobs ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS berth_read ON berth_blobs;
DROP POLICY IF EXISTS berth_insert ON berth_blobs;
CREATE POLICY berth_read ON berth_blobs FOR SELECT
  USING (owner = current_user OR berth_blob_visible(digest, current_user));
CREATE POLICY berth_insert ON berth_blobs FOR INSERT WITH CHECK (owner = current_user);

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${memberRole}') THEN
    CREATE ROLE ${memberRole} NOLOGIN;
  END IF;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON berth_records TO ${memberRole};
GRANT SELECT, INSERT ON berth_blobs TO ${memberRole};
GRANT SELECT ON berth_meta TO ${memberRole};
GRANT USAGE ON SEQUENCE berth_records_seq_seq TO ${memberRole};
REVOKE ALL ON FUNCTION berth_visible(text, jsonb), berth_module_public(jsonb),
  berth_blob_visible(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION berth_visible(text, jsonb), berth_module_public(jsonb),
  berth_blob_visible(text, text) TO ${memberRole};
INSERT INTO berth_meta (key, value) VALUES ('schema', '${schemaVersion}')
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
`;

/** Is the store set up, at which version, and may this role use it? */
export const checkSql = `
SELECT current_user AS role,
       (SELECT pg_get_userbyid(relowner) FROM pg_class
         WHERE oid = to_regclass('berth_records')) AS owner,
       to_regclass('berth_records') IS NOT NULL AS has_records,
       to_regclass('berth_meta') IS NOT NULL AS has_meta,
       to_regclass('berth_records') IS NOT NULL
         AND has_table_privilege('berth_records', 'SELECT, INSERT, UPDATE, DELETE') AS can_use`;

/** The schema version recorded by the set-up, or 0. */
export const versionSql = `SELECT coalesce((SELECT value::int FROM berth_meta WHERE key = 'schema'), 0) AS version`;
