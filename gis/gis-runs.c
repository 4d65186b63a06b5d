/* gis-runs.c: result layers and their method records
 *
 * An analysis writes its result as a new layer of role "result" and a row
 * of atalaya_runs: what ran (kind), with which parameters, on which input
 * layers (with a fingerprint of their content, so a result can be told
 * stale), when, and which layer it made.  The caller holds the write
 * transaction: the layer and its record go in together or not at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "gis-error.h"
#include "gis-layer-private.h"
#include "gis-runs.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

/**
 * gis_store_register_layer:
 * @store: a store, in a write transaction
 * @name: the layer's name, not yet used
 * @table: its table, made and filled, with its geometry registered and
 *   its spatial index built (or no geometry)
 * @role: its role
 * @geometry_type: (nullable): e.g. "POINT", %NULL for a table without geometry
 * @source: (nullable): where it comes from, for people
 * @error: return location for an error
 *
 * Adds @table to the layer registry, on top of the others, with its
 * feature count and extent read from the table and its index.
 *
 * Returns: (transfer full) (nullable): the new layer
 */
GisLayer *
gis_store_register_layer (GisStore      *store,
                          const char    *name,
                          const char    *table,
                          GisLayerRole   role,
                          const char    *geometry_type,
                          const char    *source,
                          GError       **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autofree char *qt = gis_sql_quote_ident (table);
  g_autofree char *now = gis_sql_now_iso8601 ();
  g_autofree char *extent_text = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GisExtent extent;
  gint64 count = 0, id;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL && table != NULL, NULL);

  sql = g_strdup_printf ("SELECT count(*) FROM %s", qt);
  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  gis_extent_init_empty (&extent);
  if (geometry_type != NULL && count > 0)
    {
      g_autofree char *qi = NULL;
      g_autofree char *idx = g_strdup_printf ("idx_%s_geom", table);

      qi = gis_sql_quote_ident (idx);
      g_free (sql);
      sql = g_strdup_printf ("SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM %s", qi);
      stmt = gis_sql_prepare (db, sql, error);
      if (stmt == NULL)
        return NULL;
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          extent.min_x = sqlite3_column_double (stmt, 0);
          extent.min_y = sqlite3_column_double (stmt, 1);
          extent.max_x = sqlite3_column_double (stmt, 2);
          extent.max_y = sqlite3_column_double (stmt, 3);
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  extent_text = gis_extent_to_string (&extent);

  stmt = gis_sql_prepare (db,
                          "INSERT INTO atalaya_layers (name, table_name, role, geometry_type, "
                          "srid, source, imported_at, feature_count, extent, visible, z_order, "
                          "opacity) VALUES (?1, ?2, ?3, ?4, 4326, ?5, ?6, ?7, ?8, 1, ?9, 1.0)",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, table, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, gis_layer_role_to_string (role), -1, SQLITE_STATIC);
  if (geometry_type != NULL)
    sqlite3_bind_text (stmt, 4, geometry_type, -1, SQLITE_TRANSIENT);
  if (source != NULL)
    sqlite3_bind_text (stmt, 5, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, count);
  sqlite3_bind_text (stmt, 8, extent_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 9, gis_store_next_z_order (store));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), _("Cannot register the layer"));
      return NULL;
    }
  id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = gis_sql_prepare (db, "SELECT " GIS_LAYER_COLUMNS " FROM atalaya_layers WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
      return NULL;
    }
  return gis_layer_new_from_row (stmt);
}

/**
 * gis_store_layer_fingerprint:
 * @store: a store
 * @layer: one of its layers
 * @error: return location for an error
 *
 * A SHA-256 digest of every row of @layer: it changes with any edit.
 *
 * Returns: (transfer full) (nullable): the digest in hexadecimal
 */
char *
gis_store_layer_fingerprint (GisStore  *store,
                             GisLayer  *layer,
                             GError   **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *qt = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);

  if (gis_layer_get_table_name (layer) == NULL)
    {
      /* a raster: its grid */
      sql = g_strdup_printf ("SELECT width, height, geotransform, crs, nodata, data FROM atalaya_rasters "
                             "WHERE layer_id = %" PRId64, gis_layer_get_id (layer));
      if (!gis_store_checksum_query (sum, gis_store_get_db (store), sql, error))
        return NULL;
      return g_strdup (g_checksum_get_string (sum));
    }
  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1", qt);
  if (!gis_store_checksum_query (sum, gis_store_get_db (store), sql, error))
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

/**
 * gis_store_add_run:
 * @store: a store, in a write transaction
 * @kind: what ran: "query", "coverage"…
 * @params_json: its parameters, a JSON object
 * @inputs: (element-type GisLayer): the layers it read
 * @started_at: when it started (ISO 8601, UTC)
 * @result_layer: (nullable): the layer it made
 * @error: return location for an error
 *
 * Writes the method record of an analysis: @inputs each with its name,
 * role, feature count and content fingerprint.
 *
 * Returns: the record's id, or 0 with @error set
 */
gint64
gis_store_add_run (GisStore    *store,
                   const char  *kind,
                   const char  *params_json,
                   GPtrArray   *inputs,
                   const char  *started_at,
                   GisLayer    *result_layer,
                   GError     **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *inputs_json = NULL;
  g_autofree char *now = gis_sql_now_iso8601 ();
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), 0);
  g_return_val_if_fail (kind != NULL && params_json != NULL, 0);

  json_builder_begin_array (b);
  for (guint i = 0; inputs != NULL && i < inputs->len; i++)
    {
      GisLayer *layer = g_ptr_array_index (inputs, i);
      g_autofree char *fingerprint = gis_store_layer_fingerprint (store, layer, error);

      if (fingerprint == NULL)
        return 0;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, gis_layer_get_name (layer));
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, gis_layer_role_to_string (gis_layer_get_role (layer)));
      json_builder_set_member_name (b, "feature_count");
      json_builder_add_int_value (b, gis_layer_get_feature_count (layer));
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, fingerprint);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  inputs_json = json_generator_to_data (gen, NULL);

  stmt = gis_sql_prepare (db,
                          "INSERT INTO atalaya_runs (kind, params_json, inputs_json, started_at, "
                          "finished_at, result_layer) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, params_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, inputs_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, started_at != NULL ? started_at : now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  if (result_layer != NULL)
    sqlite3_bind_int64 (stmt, 6, gis_layer_get_id (result_layer));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), _("Cannot write the method record"));
      return 0;
    }
  return sqlite3_last_insert_rowid (db);
}
