-- FerretDB 1.x on PostgreSQL pushes an equality filter down as `_jsonb -> 'field' @> '"value"'`, but builds the
-- indexes that createIndexes asks for as B-trees over `(_jsonb -> 'field')`, and a B-tree cannot answer `@>`:
-- every pushed-down query (by _id too) is a sequential scan. These event triggers give each such index a GIN
-- sibling (jsonb_path_ops) over the same expressions, which can, and drop the sibling with its index.
-- Applied at every start (idempotent); the server runs with plan_cache_mode = force_custom_plan so that the
-- field name, a bind parameter in FerretDB's statement, is a constant the planner matches to the index.

CREATE OR REPLACE FUNCTION local_infra_sibling_name(index_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT left(index_name, 50) || '_' || left(md5(index_name), 8) || '_gin'
$$;

CREATE OR REPLACE FUNCTION local_infra_add_gin_sibling() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
  idx record;
  columns text;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    SELECT ic.relname AS index_name, tc.relname AS table_name, n.nspname AS schema_name, am.amname, i.indnkeyatts
      INTO idx
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_class tc ON tc.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = tc.relnamespace
      JOIN pg_am am ON am.oid = ic.relam
     WHERE i.indexrelid = cmd.objid;
    -- B-trees only (the siblings themselves are GIN), and not FerretDB's own metadata tables.
    CONTINUE WHEN idx.amname <> 'btree' OR idx.table_name LIKE '\_ferretdb\_%';
    SELECT string_agg(format('(%s) jsonb_path_ops', pg_get_indexdef(cmd.objid, k, false)), ', ' ORDER BY k)
      INTO columns
      FROM generate_series(1, idx.indnkeyatts) AS k
     WHERE pg_get_indexdef(cmd.objid, k, false) LIKE '%\_jsonb%';
    CONTINUE WHEN columns IS NULL;
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s)',
      local_infra_sibling_name(idx.index_name), idx.schema_name, idx.table_name, columns);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION local_infra_drop_gin_sibling() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  dropped record;
BEGIN
  FOR dropped IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
                  WHERE object_type = 'index' AND object_name NOT LIKE '%\_gin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', dropped.schema_name, local_infra_sibling_name(dropped.object_name));
  END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS local_infra_add_gin_sibling;
CREATE EVENT TRIGGER local_infra_add_gin_sibling ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION local_infra_add_gin_sibling();

DROP EVENT TRIGGER IF EXISTS local_infra_drop_gin_sibling;
CREATE EVENT TRIGGER local_infra_drop_gin_sibling ON sql_drop WHEN TAG IN ('DROP INDEX')
  EXECUTE FUNCTION local_infra_drop_gin_sibling();
