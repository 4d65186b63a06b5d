/* gis-query-result.c: what a query's features carry, result layers, saved
 * and ready queries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "gis-error.h"
#include "gis-query-plan.h"
#include "gis-query-result.h"
#include "gis-query-spatial-private.h"
#include "gis-runs.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

static void
variant_unref0 (gpointer v)
{
  if (v != NULL)
    g_variant_unref (v);
}

static GVariant *
column_variant (sqlite3_stmt *stmt,
                int           col)
{
  switch (sqlite3_column_type (stmt, col))
    {
    case SQLITE_INTEGER:
      return g_variant_ref_sink (g_variant_new_int64 (sqlite3_column_int64 (stmt, col)));
    case SQLITE_FLOAT:
      return g_variant_ref_sink (g_variant_new_double (sqlite3_column_double (stmt, col)));
    case SQLITE_TEXT:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, col);

        if (!g_utf8_validate (text, -1, NULL))
          return NULL;
        return g_variant_ref_sink (g_variant_new_string (text));
      }
    case SQLITE_NULL:
    case SQLITE_BLOB:
    default:
      return NULL;
    }
}

/* The field @name of @layer (any case), as the schema spells it; "fid" too. */
static gboolean
resolve_field (GisStore     *store,
               GisLayer     *layer,
               const char   *name,
               char        **out_name,
               GisFieldType *out_type,
               GError      **error)
{
  g_autoptr(GPtrArray) fields = NULL;

  if (g_ascii_strcasecmp (name, "fid") == 0)
    {
      *out_name = g_strdup ("fid");
      *out_type = GIS_FIELD_INTEGER;
      return TRUE;
    }
  fields = gis_store_get_fields (store, layer, error);
  if (fields == NULL)
    return FALSE;
  for (guint i = 0; i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);

      if (g_ascii_strcasecmp (f->name, name) == 0)
        {
          *out_name = g_strdup (f->name);
          *out_type = f->type;
          return TRUE;
        }
    }
  g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("Layer “%s” has no field “%s”"),
               gis_layer_get_name (layer), name);
  return FALSE;
}

static GisFieldType
annotation_type (GisStore                  *store,
                 const GisQueryAnnotation  *a)
{
  g_autoptr(GisLayer) layer = NULL;
  g_autofree char *name = NULL;
  GisFieldType type = GIS_FIELD_TEXT;

  switch (a->kind)
    {
    case GIS_ANNOTATE_COUNT:
      return GIS_FIELD_INTEGER;
    case GIS_ANNOTATE_NEAREST_KM:
      return GIS_FIELD_REAL;
    case GIS_ANNOTATE_CONTAINING:
    default:
      layer = gis_store_get_layer (store, a->layer, NULL);
      if (layer != NULL && resolve_field (store, layer, a->field, &name, &type, NULL))
        return type;
      return GIS_FIELD_TEXT;
    }
}

/**
 * gis_query_annotate:
 * @store: the store, used on this thread
 * @target: the layer of @fids
 * @fids: (element-type gint64): some of its features, ascending
 * @annotation: what to compute for each
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type GVariant): for each of @fids its
 *   value, or %NULL where there is none
 */
GPtrArray *
gis_query_annotate (GisStore                  *store,
                    const char                *target,
                    GArray                    *fids,
                    const GisQueryAnnotation  *annotation,
                    GCancellable              *cancellable,
                    GError                   **error)
{
  g_autoptr(GisLayer) target_layer = NULL;
  g_autoptr(GisLayer) ref = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new_full (fids->len, variant_unref0);

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (annotation != NULL && annotation->layer != NULL, NULL);

  target_layer = gis_store_get_layer (store, target, error);
  if (target_layer == NULL)
    return NULL;
  ref = gis_store_get_layer (store, annotation->layer, error);
  if (ref == NULL)
    return NULL;
  if (gis_layer_get_geometry_type (target_layer) == NULL || gis_layer_get_geometry_type (ref) == NULL ||
      gis_layer_is_raster (target_layer) || gis_layer_is_raster (ref))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has no geometry: it cannot take part in a spatial condition"),
                   gis_layer_get_geometry_type (ref) == NULL ? gis_layer_get_name (ref)
                                                            : gis_layer_get_name (target_layer));
      return NULL;
    }

  if (annotation->kind == GIS_ANNOTATE_NEAREST_KM)
    {
      g_autofree double *d = g_new (double, MAX (fids->len, 1));

      if (!gis_query_nearest_distances (store, target_layer, fids, ref, annotation->mode, d,
                                        cancellable, error))
        return NULL;
      for (guint i = 0; i < fids->len; i++)
        g_ptr_array_add (values, d[i] >= 0 ? g_variant_ref_sink (g_variant_new_double (d[i] / 1000.0))
                                           : NULL);
      return g_steal_pointer (&values);
    }

  {
    GisSpatialSpec spec = { GIS_SPATIAL_INTERSECTS, GIS_DISTANCE_ANALYSIS, 0, 0, ref, NULL };
    g_autoptr(GArray) pairs = NULL;
    g_autoptr(sqlite3_stmt) fetch = NULL;
    g_autofree char *field = NULL;
    GisFieldType type;
    guint k = 0;

    if (annotation->kind == GIS_ANNOTATE_CONTAINING)
      {
        g_autofree char *qf = NULL;
        g_autofree char *qt = NULL;
        g_autofree char *sql = NULL;

        if (!resolve_field (store, ref, annotation->field, &field, &type, error))
          return NULL;
        qf = gis_sql_quote_ident (field);
        qt = gis_sql_quote_ident (gis_layer_get_table_name (ref));
        sql = g_strdup_printf ("SELECT %s FROM %s WHERE fid = ?1", qf, qt);
        fetch = gis_sql_prepare (gis_store_get_db (store), sql, error);
        if (fetch == NULL)
          return NULL;
      }

    pairs = gis_query_spatial_pairs (store, target_layer, &spec, cancellable, error);
    if (pairs == NULL)
      return NULL;

    /* both ascending: walk them together */
    for (guint i = 0; i < fids->len; i++)
      {
        gint64 fid = g_array_index (fids, gint64, i);
        gint64 first = -1, count = 0;

        while (k < pairs->len && g_array_index (pairs, GisFidPair, k).target < fid)
          k++;
        for (guint j = k; j < pairs->len && g_array_index (pairs, GisFidPair, j).target == fid; j++)
          {
            if (first < 0)
              first = g_array_index (pairs, GisFidPair, j).ref;
            count++;
          }

        if (annotation->kind == GIS_ANNOTATE_COUNT)
          g_ptr_array_add (values, g_variant_ref_sink (g_variant_new_int64 (count)));
        else if (first < 0)
          g_ptr_array_add (values, NULL);
        else
          {
            sqlite3_reset (fetch);
            sqlite3_bind_int64 (fetch, 1, first);
            g_ptr_array_add (values, sqlite3_step (fetch) == SQLITE_ROW ? column_variant (fetch, 0) : NULL);
          }
      }
  }
  return g_steal_pointer (&values);
}

/* ---- result layers ---------------------------------------------------------- */

static void
collect_layers (GisQueryNode *node,
                GPtrArray    *names)
{
  if (node == NULL)
    return;
  if (gis_query_node_get_kind (node) == GIS_QUERY_NODE_SPATIAL && gis_query_node_get_layer (node) != NULL)
    {
      const char *name = gis_query_node_get_layer (node);

      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, g_strdup (name));
    }
  for (guint i = 0; i < gis_query_node_get_n_children (node); i++)
    collect_layers (gis_query_node_get_child (node, i), names);
}

static void
bind_variant (sqlite3_stmt *stmt,
              int           col,
              GVariant     *v)
{
  if (v == NULL)
    sqlite3_bind_null (stmt, col);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    sqlite3_bind_int64 (stmt, col, g_variant_get_int64 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    sqlite3_bind_double (stmt, col, g_variant_get_double (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    sqlite3_bind_text (stmt, col, g_variant_get_string (v, NULL), -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

static char *
params_json (GisQuery                  *query,
             const GisQueryAnnotation  *annotations,
             guint                      n_annotations)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *query_json = gis_query_to_json (query);
  g_autofree char *text = gis_query_to_string (query);

  json_parser_load_from_data (parser, query_json, -1, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "query");
  json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_set_member_name (b, "annotations");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_annotations; i++)
    {
      static const char *const kinds[] = { "containing", "count", "nearest_km" };

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kinds[annotations[i].kind]);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, annotations[i].layer);
      if (annotations[i].field != NULL)
        {
          json_builder_set_member_name (b, "field");
          json_builder_add_string_value (b, annotations[i].field);
        }
      json_builder_set_member_name (b, "column");
      json_builder_add_string_value (b, annotations[i].column);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/**
 * gis_query_save_result:
 * @store: a store opened for writing, used on this thread
 * @query: the query
 * @fids: (nullable) (element-type gint64): its result, ascending, or %NULL to run it
 * @name: the new layer's name
 * @annotations: (array length=n_annotations) (nullable): columns to add
 * @n_annotations: their number
 * @progress: (nullable): called now and then
 * @progress_data: its data
 * @cancellable: (nullable): stops the work
 * @error: return location for an error
 *
 * Materialises the result as a new layer of role "result": the target's
 * features with all their attributes (and their fid in the target as
 * source_fid), the annotation columns, a spatial index, and a method
 * record in atalaya_runs.  All in one transaction: on failure or cancel
 * the store is left as it was.
 *
 * Returns: (transfer full) (nullable): the new layer
 */
GisLayer *
gis_query_save_result (GisStore                  *store,
                       GisQuery                  *query,
                       GArray                    *fids,
                       const char                *name,
                       const GisQueryAnnotation  *annotations,
                       guint                      n_annotations,
                       GisProgressFunc            progress,
                       gpointer                   progress_data,
                       GCancellable              *cancellable,
                       GError                   **error)
{
  sqlite3 *db;
  g_autoptr(GArray) run_fids = NULL;
  g_autoptr(GisLayer) target = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ref_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) create = g_string_new (NULL);
  g_autoptr(GString) copy_cols = g_string_new (NULL);
  g_autoptr(GString) ann_cols = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *table = NULL;
  g_autofree char *qt = NULL;
  g_autofree char *qs = NULL;
  g_autofree char *started = gis_sql_now_iso8601 ();
  g_autofree char *params = NULL;
  g_autofree char *text = NULL;
  g_autofree char *source = NULL;
  g_autofree char *trimmed = NULL;
  const char *geometry_type;
  GisLayer *layer = NULL;
  gboolean in_transaction = FALSE;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL && name != NULL, NULL);

  db = gis_store_get_db (store);
  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
                   _("“%s” is open read-only: the result cannot be saved"), gis_store_get_path (store));
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A layer needs a name"));
      return NULL;
    }
  if (gis_store_layer_name_exists (store, name))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("A layer named “%s” already exists"), name);
      return NULL;
    }

  target = gis_store_get_layer (store, gis_query_get_target (query), error);
  if (target == NULL)
    return NULL;
  if (fids == NULL)
    {
      run_fids = gis_query_run (store, query, progress, progress_data, cancellable, error);
      if (run_fids == NULL)
        return NULL;
      fids = run_fids;
    }

  /* the annotations first: they only read */
  for (guint i = 0; i < n_annotations; i++)
    {
      GPtrArray *v;

      if (progress != NULL)
        progress (-1, _("Adding columns"), progress_data);
      v = gis_query_annotate (store, gis_query_get_target (query), fids, &annotations[i],
                              cancellable, error);
      if (v == NULL)
        return NULL;
      g_ptr_array_add (values, v);
    }

  fields = gis_store_get_fields (store, target, error);
  if (fields == NULL)
    return NULL;
  geometry_type = gis_layer_get_geometry_type (target);

  table = gis_store_make_table_name (store, name);
  qt = gis_sql_quote_ident (table);
  g_string_append_printf (create, "CREATE TABLE %s (fid INTEGER PRIMARY KEY, source_fid INTEGER NOT NULL", qt);
  for (guint i = 0; i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);
      g_autofree char *qc = gis_sql_quote_ident (f->name);

      g_string_append_printf (create, ", %s %s", qc, gis_field_type_to_sql (f->type));
      g_string_append_printf (copy_cols, ", t.%s", qc);
      g_ptr_array_add (columns, g_strdup (f->name));
    }
  for (guint i = 0; i < n_annotations; i++)
    {
      g_autofree char *column = g_strdup (annotations[i].column);
      g_autofree char *qc = NULL;

      /* a column of that name already: number it */
      for (guint n = 2; g_ptr_array_find_with_equal_func (columns, column, (GEqualFunc) g_str_equal, NULL) ||
                        g_ascii_strcasecmp (column, "fid") == 0 || g_ascii_strcasecmp (column, "geom") == 0 ||
                        g_ascii_strcasecmp (column, "source_fid") == 0; n++)
        {
          g_free (column);
          column = g_strdup_printf ("%s_%u", annotations[i].column, n);
        }
      qc = gis_sql_quote_ident (column);
      g_string_append_printf (create, ", %s %s", qc,
                              gis_field_type_to_sql (annotation_type (store, &annotations[i])));
      g_string_append_printf (ann_cols, ", a%u", i);
      g_ptr_array_add (columns, g_steal_pointer (&column));
    }
  g_string_append_c (create, ')');

  if (!gis_sql_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  in_transaction = TRUE;

  if (!gis_sql_exec (db, create->str, error))
    goto fail;
  if (geometry_type != NULL)
    {
      stmt = gis_sql_prepare (db, "SELECT AddGeometryColumn(?1, 'geom', 4326, ?2, 'XY'), "
                                  "CreateSpatialIndex(?1, 'geom')", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, geometry_type, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_int (stmt, 0) != 1 || sqlite3_column_int (stmt, 1) != 1)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_SQL,
                       _("SpatiaLite refused the geometry column of “%s”"), table);
          goto fail;
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  /* the fids and their annotations, then one INSERT … SELECT */
  {
    static gint counter;
    g_autofree char *tmp = g_strdup_printf ("atalaya_result_%d", g_atomic_int_add (&counter, 1));
    g_autoptr(GString) tmp_create = g_string_new (NULL);
    g_autoptr(GString) tmp_insert = g_string_new (NULL);
    g_autofree char *copy = NULL;
    int rc;

    qs = gis_sql_quote_ident (tmp);
    g_string_append_printf (tmp_create, "CREATE TEMP TABLE %s (fid INTEGER PRIMARY KEY", qs);
    g_string_append_printf (tmp_insert, "INSERT INTO temp.%s VALUES (?1", qs);
    for (guint i = 0; i < n_annotations; i++)
      {
        g_string_append_printf (tmp_create, ", a%u", i);
        g_string_append_printf (tmp_insert, ", ?%u", i + 2);
      }
    g_string_append_c (tmp_create, ')');
    g_string_append_c (tmp_insert, ')');
    if (!gis_sql_exec (db, tmp_create->str, error))
      goto fail;
    stmt = gis_sql_prepare (db, tmp_insert->str, error);
    if (stmt == NULL)
      goto fail;
    for (guint k = 0; k < fids->len; k++)
      {
        sqlite3_bind_int64 (stmt, 1, g_array_index (fids, gint64, k));
        for (guint i = 0; i < n_annotations; i++)
          bind_variant (stmt, (int) i + 2, g_ptr_array_index ((GPtrArray *) g_ptr_array_index (values, i), k));
        if (sqlite3_step (stmt) != SQLITE_DONE)
          {
            gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
            goto fail;
          }
        sqlite3_reset (stmt);
      }
    g_clear_pointer (&stmt, sqlite3_finalize);

    if (progress != NULL)
      progress (-1, _("Writing the result layer"), progress_data);
    /* the annotation columns read from the temporary table */
    {
      g_autoptr(GString) sql = g_string_new (NULL);
      g_autofree char *src = gis_sql_quote_ident (gis_layer_get_table_name (target));
      g_autoptr(GString) target_cols = g_string_new ("source_fid");

      for (guint i = 0; i < columns->len; i++)
        {
          g_autofree char *qc = gis_sql_quote_ident (g_ptr_array_index (columns, i));

          g_string_append_printf (target_cols, ", %s", qc);
        }
      if (geometry_type != NULL)
        g_string_append (target_cols, ", geom");
      g_string_append_printf (sql, "INSERT INTO %s (%s) SELECT t.fid%s", qt, target_cols->str, copy_cols->str);
      for (guint i = 0; i < n_annotations; i++)
        g_string_append_printf (sql, ", r.a%u", i);
      if (geometry_type != NULL)
        g_string_append (sql, ", t.geom");
      g_string_append_printf (sql, " FROM %s AS t JOIN temp.%s AS r ON r.fid = t.fid ORDER BY t.fid", src, qs);
      copy = g_string_free (g_steal_pointer (&sql), FALSE);
    }

    if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
      goto fail;
    rc = sqlite3_exec (db, copy, NULL, NULL, NULL);
    gis_sql_execf (db, NULL, "DROP TABLE IF EXISTS temp.%s", qs);
    if (rc != SQLITE_OK)
      {
        gis_sql_set_error (error, db, rc, NULL);
        goto fail;
      }
  }

  text = gis_query_to_string (query);
  source = g_strdup_printf ("%s: %s", gis_query_get_target (query), text);
  layer = gis_store_register_layer (store, name, table, GIS_LAYER_ROLE_RESULT, geometry_type, source, error);
  if (layer == NULL)
    goto fail;

  /* the method record: the query and every layer it read */
  g_ptr_array_add (inputs, g_object_ref (target));
  collect_layers (gis_query_get_where (query), ref_names);
  for (guint i = 0; i < n_annotations; i++)
    if (!g_ptr_array_find_with_equal_func (ref_names, annotations[i].layer, g_str_equal, NULL))
      g_ptr_array_add (ref_names, g_strdup (annotations[i].layer));
  for (guint i = 0; i < ref_names->len; i++)
    {
      GisLayer *ref = gis_store_get_layer (store, g_ptr_array_index (ref_names, i), error);

      if (ref == NULL)
        goto fail;
      if (gis_layer_get_id (ref) != gis_layer_get_id (target))
        g_ptr_array_add (inputs, ref);
      else
        g_object_unref (ref);
    }
  params = params_json (query, annotations, n_annotations);
  if (gis_store_add_run (store, "query", params, inputs, started, layer, error) == 0)
    goto fail;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  if (!gis_sql_exec (db, "COMMIT", error))
    goto fail;
  return layer;

fail:
  if (in_transaction)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  g_clear_object (&layer);
  return NULL;
}

/* ---- saved queries ---------------------------------------------------------- */

static gboolean
has_query_table (GisStore  *store,
                 GError   **error)
{
  if (gis_sql_table_exists (gis_store_get_db (store), "atalaya_queries"))
    return TRUE;
  g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
               _("“%s” keeps no saved queries yet: open it for writing once to update it"),
               gis_store_get_path (store));
  return FALSE;
}

/**
 * gis_store_save_query:
 * @store: a store opened for writing
 * @name: the query's name; a query of that name is replaced
 * @query: the query
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_store_save_query (GisStore  *store,
                      const char *name,
                      GisQuery  *query,
                      GError   **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *json = NULL;
  g_autofree char *now = gis_sql_now_iso8601 ();
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL && query != NULL, FALSE);

  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0' || !g_utf8_validate (trimmed, -1, NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A saved query needs a name"));
      return FALSE;
    }
  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
                   _("“%s” is open read-only: the query cannot be saved"), gis_store_get_path (store));
      return FALSE;
    }
  if (!has_query_table (store, error))
    return FALSE;

  json = gis_query_to_json (query);
  stmt = gis_sql_prepare (db,
                          "INSERT INTO atalaya_queries (name, query_json, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?3) ON CONFLICT (name) DO UPDATE "
                          "SET query_json = excluded.query_json, updated_at = excluded.updated_at",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_store_load_query:
 *
 * Returns: (transfer full) (nullable): the saved query named @name
 */
GisQuery *
gis_store_load_query (GisStore    *store,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GisQuery *query;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!gis_sql_table_exists (gis_store_get_db (store), "atalaya_queries"))
    goto not_found;
  stmt = gis_sql_prepare (gis_store_get_db (store), "SELECT query_json FROM atalaya_queries WHERE name = ?1",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    goto not_found;
  query = gis_query_new_from_json ((const char *) sqlite3_column_text (stmt, 0), error);
  if (query == NULL)
    g_prefix_error (error, _("Saved query “%s”: "), name);
  return query;

not_found:
  g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("No saved query named “%s” in “%s”"),
               name, gis_store_get_path (store));
  return NULL;
}

/**
 * gis_store_list_queries:
 *
 * Returns: (transfer full): the names of the saved queries, by name
 */
char **
gis_store_list_queries (GisStore  *store,
                        GError   **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);

  if (!gis_sql_table_exists (gis_store_get_db (store), "atalaya_queries"))
    return g_strv_builder_end (names);
  stmt = gis_sql_prepare (gis_store_get_db (store), "SELECT name FROM atalaya_queries ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, gis_store_get_db (store), rc, NULL);
      return NULL;
    }
  return g_strv_builder_end (names);
}

gboolean
gis_store_delete_query (GisStore    *store,
                        const char  *name,
                        GError     **error)
{
  sqlite3 *db = gis_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);

  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
                   _("“%s” is open read-only: the query cannot be deleted"), gis_store_get_path (store));
      return FALSE;
    }
  if (!has_query_table (store, error))
    return FALSE;
  stmt = gis_sql_prepare (db, "DELETE FROM atalaya_queries WHERE name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), NULL);
      return FALSE;
    }
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("No saved query named “%s” in “%s”"),
                   name, gis_store_get_path (store));
      return FALSE;
    }
  return TRUE;
}

/* ---- ready queries ---------------------------------------------------------- */

struct _GisReadyPlan
{
  GisReadyQuery        ready;
  double               km;
  GisQuery            *query;
  GArray              *annotations;    /* GisQueryAnnotation, strings in @strings */
  GPtrArray           *strings;
  char                *group_column;
  GPtrArray           *refs;           /* names, for the description */
};

static const struct
{
  const char *id;
  const char *title;
  gboolean    takes_distance;
  double      default_km;
} ready_queries[] = {
  [GIS_READY_FACILITIES_UNCOVERED] = {
    "facilities-uncovered", N_("Facilities farther than D km from every port and resource"), TRUE, 50 },
  [GIS_READY_INCIDENTS_IN_HABITAT] = {
    "incidents-in-habitat", N_("Incidents inside habitat, with the habitat’s name"), FALSE, 0 },
  [GIS_READY_INCIDENTS_NEAR_BORDER] = {
    "incidents-near-border", N_("Incidents within D km of the international boundary, by side"), TRUE, 25 },
  [GIS_READY_HABITAT_UNPROTECTED] = {
    "habitat-unprotected", N_("Habitat with incidents but no resource within D km"), TRUE, 50 },
};

const char *
gis_ready_query_to_string (GisReadyQuery ready)
{
  g_return_val_if_fail (ready <= GIS_READY_QUERY_LAST, NULL);
  return ready_queries[ready].id;
}

gboolean
gis_ready_query_from_string (const char    *str,
                             GisReadyQuery *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (ready_queries); i++)
    if (g_strcmp0 (str, ready_queries[i].id) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_ready_query_get_title:
 *
 * Returns: the query's title, translated
 */
const char *
gis_ready_query_get_title (GisReadyQuery ready)
{
  g_return_val_if_fail (ready <= GIS_READY_QUERY_LAST, NULL);
  return _(ready_queries[ready].title);
}

gboolean
gis_ready_query_takes_distance (GisReadyQuery ready)
{
  g_return_val_if_fail (ready <= GIS_READY_QUERY_LAST, FALSE);
  return ready_queries[ready].takes_distance;
}

double
gis_ready_query_default_km (GisReadyQuery ready)
{
  g_return_val_if_fail (ready <= GIS_READY_QUERY_LAST, 0);
  return ready_queries[ready].default_km;
}

typedef enum
{
  GEOM_ANY,
  GEOM_POINTS,
  GEOM_LINES,
  GEOM_AREAS,
} GeomWant;

static gboolean
geometry_is (GisLayer *layer,
             GeomWant  want)
{
  const char *type = gis_layer_get_geometry_type (layer);

  if (type == NULL)
    return FALSE;
  switch (want)
    {
    case GEOM_POINTS:
      return strstr (type, "POINT") != NULL;
    case GEOM_LINES:
      return strstr (type, "LINESTRING") != NULL;
    case GEOM_AREAS:
      return strstr (type, "POLYGON") != NULL;
    case GEOM_ANY:
    default:
      return TRUE;
    }
}

/* The layers of @role and geometry, top first. */
static GPtrArray *
layers_of (GListModel   *layers,
           GisLayerRole  role,
           GeomWant      want)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = g_list_model_get_n_items (layers); i > 0; i--)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i - 1);

      if (gis_layer_get_role (layer) == role && geometry_is (layer, want))
        g_ptr_array_add (out, g_steal_pointer (&layer));
    }
  return out;
}

static GisLayer *
first_layer (GListModel    *layers,
             GisLayerRole   role,
             GeomWant       want,
             const char    *what,
             GisStore      *store,
             GError       **error)
{
  g_autoptr(GPtrArray) found = layers_of (layers, role, want);

  if (found->len == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND, _("“%s” has no %s layer (role “%s”)"),
                   gis_store_get_path (store), what, gis_layer_role_to_string (role));
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (found, 0));
}

/* A field naming the features: "name", else the first text field. */
static char *
name_field (GisStore *store,
            GisLayer *layer)
{
  g_autoptr(GPtrArray) fields = gis_store_get_fields (store, layer, NULL);
  const char *text_field = NULL;

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);

      if (g_ascii_strcasecmp (f->name, "name") == 0)
        return g_strdup (f->name);
      if (text_field == NULL && f->type == GIS_FIELD_TEXT)
        text_field = f->name;
    }
  return text_field != NULL ? g_strdup (text_field) : g_strdup ("fid");
}

static gboolean
has_field (GisStore   *store,
           GisLayer   *layer,
           const char *name)
{
  g_autoptr(GPtrArray) fields = gis_store_get_fields (store, layer, NULL);

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    if (g_ascii_strcasecmp (((GisField *) g_ptr_array_index (fields, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

static const char *
keep (GisReadyPlan *plan,
      char         *s)
{
  g_ptr_array_add (plan->strings, s);
  return s;
}

static void
annotate (GisReadyPlan      *plan,
          GisAnnotationKind  kind,
          GisLayer          *layer,
          char              *field,
          const char        *column,
          GisDistanceMode    mode)
{
  GisQueryAnnotation a = {
    kind, keep (plan, g_strdup (gis_layer_get_name (layer))),
    field != NULL ? keep (plan, field) : NULL, keep (plan, g_strdup (column)), mode,
  };

  g_array_append_val (plan->annotations, a);
}

static GisQueryNode *
not_within_all (GisReadyPlan    *plan,
                GPtrArray       *refs,
                double           km,
                GisDistanceMode  mode)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);

  for (guint i = 0; i < refs->len; i++)
    {
      GisLayer *ref = g_ptr_array_index (refs, i);
      g_autoptr(GisQueryNode) within = gis_query_node_new_spatial (GIS_SPATIAL_WITHIN, gis_layer_get_name (ref),
                                                                   NULL, km, 0, mode);

      g_ptr_array_add (parts, gis_query_node_new_not (within));
      g_ptr_array_add (plan->refs, g_strdup (gis_layer_get_name (ref)));
    }
  if (parts->len == 1)
    return gis_query_node_ref (g_ptr_array_index (parts, 0));
  return gis_query_node_new_group (GIS_QUERY_NODE_AND, (GisQueryNode *const *) parts->pdata, parts->len);
}

/**
 * gis_ready_plan_new:
 * @store: a store
 * @ready: which enforcement query
 * @distance_km: its distance, for those that take one
 * @mode: how distances are measured
 * @error: return location for an error naming the missing layer
 *
 * Builds the query from the store's layers, found by their roles.
 *
 * Returns: (transfer full) (nullable): the plan
 */
GisReadyPlan *
gis_ready_plan_new (GisStore         *store,
                    GisReadyQuery     ready,
                    double            distance_km,
                    GisDistanceMode   mode,
                    GError          **error)
{
  g_autoptr(GisReadyPlan) plan = g_new0 (GisReadyPlan, 1);
  g_autoptr(GListModel) layers = NULL;
  g_autoptr(GisQueryNode) where = NULL;
  g_autoptr(GisLayer) target = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (ready <= GIS_READY_QUERY_LAST, NULL);

  plan->ready = ready;
  plan->km = distance_km;
  plan->annotations = g_array_new (FALSE, FALSE, sizeof (GisQueryAnnotation));
  plan->strings = g_ptr_array_new_with_free_func (g_free);
  plan->refs = g_ptr_array_new_with_free_func (g_free);

  if (ready_queries[ready].takes_distance && !(distance_km > 0 && distance_km <= GIS_QUERY_MAX_DISTANCE_KM))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("A distance must be from 0 to %g km, not %g"), GIS_QUERY_MAX_DISTANCE_KM, distance_km);
      return NULL;
    }

  layers = gis_store_list_layers (store, error);
  if (layers == NULL)
    return NULL;

  switch (ready)
    {
    case GIS_READY_FACILITIES_UNCOVERED:
      {
        g_autoptr(GPtrArray) covering = layers_of (layers, GIS_LAYER_ROLE_PORT, GEOM_ANY);
        g_autoptr(GPtrArray) resources = layers_of (layers, GIS_LAYER_ROLE_RESOURCE, GEOM_ANY);

        target = first_layer (layers, GIS_LAYER_ROLE_FACILITY, GEOM_ANY, _("facility"), store, error);
        if (target == NULL)
          return NULL;
        for (guint i = 0; i < resources->len; i++)
          g_ptr_array_add (covering, g_object_ref (g_ptr_array_index (resources, i)));
        if (covering->len == 0)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                         _("“%s” has no port or resource layer (role “port” or “resource”)"),
                         gis_store_get_path (store));
            return NULL;
          }
        where = not_within_all (plan, covering, distance_km, mode);
        for (guint i = 0; i < covering->len; i++)
          {
            GisLayer *c = g_ptr_array_index (covering, i);
            g_autofree char *column = g_strdup_printf ("nearest_%s_km", gis_layer_get_name (c));

            annotate (plan, GIS_ANNOTATE_NEAREST_KM, c, NULL, column, mode);
          }
      }
      break;

    case GIS_READY_INCIDENTS_IN_HABITAT:
      {
        g_autoptr(GisLayer) habitat = NULL;

        target = first_layer (layers, GIS_LAYER_ROLE_INCIDENT, GEOM_ANY, _("incident"), store, error);
        if (target == NULL)
          return NULL;
        habitat = first_layer (layers, GIS_LAYER_ROLE_HABITAT, GEOM_AREAS, _("habitat"), store, error);
        if (habitat == NULL)
          return NULL;
        where = gis_query_node_new_spatial (GIS_SPATIAL_INSIDE, gis_layer_get_name (habitat), NULL, 0, 0, mode);
        g_ptr_array_add (plan->refs, g_strdup (gis_layer_get_name (habitat)));
        annotate (plan, GIS_ANNOTATE_CONTAINING, habitat, g_strdup ("fid"), "habitat_fid", mode);
        annotate (plan, GIS_ANNOTATE_CONTAINING, habitat, name_field (store, habitat), "habitat_name", mode);
        plan->group_column = g_strdup ("habitat_name");
      }
      break;

    case GIS_READY_INCIDENTS_NEAR_BORDER:
      {
        g_autoptr(GisLayer) boundary = NULL;
        g_autoptr(GPtrArray) areas = layers_of (layers, GIS_LAYER_ROLE_BOUNDARY, GEOM_AREAS);
        GisLayer *countries = NULL;

        target = first_layer (layers, GIS_LAYER_ROLE_INCIDENT, GEOM_ANY, _("incident"), store, error);
        if (target == NULL)
          return NULL;
        boundary = first_layer (layers, GIS_LAYER_ROLE_BOUNDARY, GEOM_LINES, _("boundary line"), store, error);
        if (boundary == NULL)
          return NULL;
        where = gis_query_node_new_spatial (GIS_SPATIAL_WITHIN, gis_layer_get_name (boundary), NULL,
                                            distance_km, 0, mode);
        g_ptr_array_add (plan->refs, g_strdup (gis_layer_get_name (boundary)));

        /* the side: the country polygon it lies in (the bottom-most
         * boundary layer with a country field: the countries) */
        for (guint i = areas->len; i > 0 && countries == NULL; i--)
          if (has_field (store, g_ptr_array_index (areas, i - 1), "country"))
            countries = g_ptr_array_index (areas, i - 1);
        if (countries != NULL)
          {
            annotate (plan, GIS_ANNOTATE_CONTAINING, countries, g_strdup ("country"), "side", mode);
            plan->group_column = g_strdup ("side");
          }
        else if (has_field (store, target, "country"))
          plan->group_column = g_strdup ("country");
        annotate (plan, GIS_ANNOTATE_NEAREST_KM, boundary, NULL, "border_km", mode);
      }
      break;

    case GIS_READY_HABITAT_UNPROTECTED:
    default:
      {
        g_autoptr(GisLayer) incidents = NULL;
        g_autoptr(GPtrArray) covering = layers_of (layers, GIS_LAYER_ROLE_RESOURCE, GEOM_ANY);
        g_autoptr(GisQueryNode) with_incidents = NULL;
        g_autoptr(GisQueryNode) uncovered = NULL;

        target = first_layer (layers, GIS_LAYER_ROLE_HABITAT, GEOM_AREAS, _("habitat"), store, error);
        if (target == NULL)
          return NULL;
        incidents = first_layer (layers, GIS_LAYER_ROLE_INCIDENT, GEOM_ANY, _("incident"), store, error);
        if (incidents == NULL)
          return NULL;
        /* ports of entry are staffed: they count as resources */
        {
          g_autoptr(GPtrArray) ports = layers_of (layers, GIS_LAYER_ROLE_PORT, GEOM_ANY);

          for (guint i = 0; i < ports->len; i++)
            g_ptr_array_add (covering, g_object_ref (g_ptr_array_index (ports, i)));
        }
        if (covering->len == 0)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                         _("“%s” has no port or resource layer (role “port” or “resource”)"),
                         gis_store_get_path (store));
            return NULL;
          }
        with_incidents = gis_query_node_new_spatial (GIS_SPATIAL_INTERSECTS, gis_layer_get_name (incidents),
                                                     NULL, 0, 0, mode);
        g_ptr_array_add (plan->refs, g_strdup (gis_layer_get_name (incidents)));
        uncovered = not_within_all (plan, covering, distance_km, mode);
        where = gis_query_node_new_and (with_incidents, uncovered);
        annotate (plan, GIS_ANNOTATE_COUNT, incidents, NULL, "incidents", mode);
      }
      break;
    }

  plan->query = gis_query_new (gis_layer_get_name (target), where);
  return g_steal_pointer (&plan);
}

void
gis_ready_plan_free (GisReadyPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->query, gis_query_unref);
  g_clear_pointer (&plan->annotations, g_array_unref);
  g_clear_pointer (&plan->strings, g_ptr_array_unref);
  g_clear_pointer (&plan->refs, g_ptr_array_unref);
  g_free (plan->group_column);
  g_free (plan);
}

/**
 * gis_ready_plan_get_query:
 *
 * Returns: (transfer none): the query
 */
GisQuery *
gis_ready_plan_get_query (GisReadyPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->query;
}

/**
 * gis_ready_plan_get_annotations:
 * @n: (out): their number
 *
 * Returns: (transfer none) (array length=n): the columns its result carries
 */
const GisQueryAnnotation *
gis_ready_plan_get_annotations (GisReadyPlan *plan,
                                guint        *n)
{
  g_return_val_if_fail (plan != NULL, NULL);
  *n = plan->annotations->len;
  return (const GisQueryAnnotation *) (gpointer) plan->annotations->data;
}

/**
 * gis_ready_plan_get_group_column:
 *
 * Returns: (nullable): the annotation or field its counts are broken down by
 */
const char *
gis_ready_plan_get_group_column (GisReadyPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->group_column;
}

/**
 * gis_ready_plan_describe:
 *
 * Returns: (transfer full): the title with its distance and the query's text
 */
char *
gis_ready_plan_describe (GisReadyPlan *plan)
{
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (plan != NULL, NULL);

  if (ready_queries[plan->ready].takes_distance)
    switch (plan->ready)
      {
      case GIS_READY_FACILITIES_UNCOVERED:
        title = g_strdup_printf (_("Facilities farther than %g km from every port and resource"), plan->km);
        break;
      case GIS_READY_INCIDENTS_NEAR_BORDER:
        title = g_strdup_printf (_("Incidents within %g km of the international boundary, by side"), plan->km);
        break;
      case GIS_READY_HABITAT_UNPROTECTED:
      case GIS_READY_INCIDENTS_IN_HABITAT:
      default:
        title = g_strdup_printf (_("Habitat with incidents but no resource within %g km"), plan->km);
        break;
      }
  else
    title = g_strdup (gis_ready_query_get_title (plan->ready));
  text = gis_query_to_string (plan->query);
  return g_strdup_printf ("%s — %s: %s", title, gis_query_get_target (plan->query), text);
}
