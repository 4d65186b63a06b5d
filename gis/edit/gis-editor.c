/* gis-editor.c: editing point features, with undo
 *
 * Every edit is one transaction on the store's connection: the row
 * change, the habitat link, and the registry's feature count and extent
 * commit together or not at all.  SpatiaLite's triggers keep the R*Tree
 * in step with the rows.
 *
 * Undo works on row snapshots.  A command remembers the whole row before
 * and after (every column but the fid, the geometry blob included), so
 * one function applies a command either way: no row -> row is an insert
 * with the same fid, row -> no row a delete, row -> row an update.  Before
 * it writes, it checks that the row still is what the command left, so an
 * undo never overwrites a change made elsewhere.
 *
 * The registry's extent stays exact: it grows with a new position, and is
 * recomputed when a feature on its boundary moves or goes.  The recompute
 * reads the R*Tree for the extreme boxes, then the exact bounds of only
 * the features whose boxes reach them (the R*Tree stores float32 boxes,
 * rounded monotonically, so the feature with the extreme coordinate is
 * always among those).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-editor"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "gis-blob-private.h"
#include "gis-date-private.h"
#include "gis-editor.h"
#include "gis-error.h"
#include "gis-layer-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

#define MAX_HISTORY 500

#define HABITAT_FID_COLUMN  "habitat_fid"
#define HABITAT_NAME_COLUMN "habitat_name"

/* ---- values and matches -------------------------------------------------- */

/**
 * gis_field_value_free:
 * @value: (nullable): a field value
 */
void
gis_field_value_free (GisFieldValue *value)
{
  if (value == NULL)
    return;

  g_free (value->name);
  g_clear_pointer (&value->value, g_variant_unref);
  g_free (value);
}

/* The shortest text that reads back as the same double. */
static char *
format_double (double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }
  return g_strdup (buf);
}

/**
 * gis_field_value_to_string:
 * @value: a field value
 *
 * Returns: (transfer full): the value as a form shows it: numbers in the
 *   C locale, the shortest text that reads back the same; "" for NULL
 */
char *
gis_field_value_to_string (const GisFieldValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (value->value == NULL)
    return g_strdup ("");
  if (g_variant_is_of_type (value->value, G_VARIANT_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value->value));
  if (g_variant_is_of_type (value->value, G_VARIANT_TYPE_DOUBLE))
    return format_double (g_variant_get_double (value->value));
  if (g_variant_is_of_type (value->value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value->value, NULL);
  if (g_variant_is_of_type (value->value, G_VARIANT_TYPE_BYTESTRING))
    {
      gsize n = g_variant_get_size (value->value);

      /* Translators: an attribute holding binary data, and its size */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "(%lu byte)", "(%lu bytes)", (gulong) n),
                              (gulong) n);
    }
  return g_variant_print (value->value, FALSE);
}

G_DEFINE_BOXED_TYPE (GisHabitatMatch, gis_habitat_match,
                     gis_habitat_match_copy, gis_habitat_match_free)

/**
 * gis_habitat_match_copy:
 * @match: a match
 *
 * Returns: (transfer full): a copy of @match
 */
GisHabitatMatch *
gis_habitat_match_copy (const GisHabitatMatch *match)
{
  GisHabitatMatch *copy;

  g_return_val_if_fail (match != NULL, NULL);

  copy = g_new0 (GisHabitatMatch, 1);
  copy->layer_id = match->layer_id;
  copy->layer_name = g_strdup (match->layer_name);
  copy->fid = match->fid;
  copy->name = g_strdup (match->name);
  return copy;
}

/**
 * gis_habitat_match_free:
 * @match: (nullable): a match
 */
void
gis_habitat_match_free (GisHabitatMatch *match)
{
  if (match == NULL)
    return;

  g_free (match->layer_name);
  g_free (match->name);
  g_free (match);
}

/**
 * gis_habitat_match_describe:
 * @match: a match
 *
 * Returns: (transfer full): "Sonoran Wildlife Refuge (habitat #12)", with
 *   the habitat layer's name, translated
 */
char *
gis_habitat_match_describe (const GisHabitatMatch *match)
{
  g_return_val_if_fail (match != NULL, NULL);

  if (match->name != NULL && *match->name != '\0')
    /* Translators: a habitat's name, then its layer and feature number */
    return g_strdup_printf (_("%s (%s #%" PRId64 ")"),
                            match->name, match->layer_name, match->fid);
  /* Translators: a habitat without a name: its layer and feature number */
  return g_strdup_printf (_("%s #%" PRId64), match->layer_name, match->fid);
}

/* ---- row snapshots --------------------------------------------------------- */

typedef struct
{
  int     type;     /* SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB or _NULL */
  gint64  i;
  double  d;
  GBytes *bytes;    /* text (without its NUL) or blob */
} Cell;

typedef struct
{
  GStrv  names;     /* every column but the fid */
  Cell  *cells;
  guint  n;
} Row;

static void
cell_clear (Cell *cell)
{
  g_clear_pointer (&cell->bytes, g_bytes_unref);
  cell->type = SQLITE_NULL;
}

static void
row_free (Row *row)
{
  if (row == NULL)
    return;

  for (guint i = 0; i < row->n; i++)
    cell_clear (&row->cells[i]);
  g_free (row->cells);
  g_strfreev (row->names);
  g_free (row);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Row, row_free)

static void
cell_from_column (Cell         *cell,
                  sqlite3_stmt *stmt,
                  int           col)
{
  cell->type = sqlite3_column_type (stmt, col);
  switch (cell->type)
    {
    case SQLITE_INTEGER:
      cell->i = sqlite3_column_int64 (stmt, col);
      break;
    case SQLITE_FLOAT:
      cell->d = sqlite3_column_double (stmt, col);
      break;
    case SQLITE_TEXT:
      {
        const unsigned char *text = sqlite3_column_text (stmt, col);

        cell->bytes = g_bytes_new (text, (gsize) sqlite3_column_bytes (stmt, col));
      }
      break;
    case SQLITE_BLOB:
      cell->bytes = g_bytes_new (sqlite3_column_blob (stmt, col),
                                 (gsize) sqlite3_column_bytes (stmt, col));
      break;
    case SQLITE_NULL:
    default:
      cell->type = SQLITE_NULL;
      break;
    }
}

static void
cell_bind (const Cell   *cell,
           sqlite3_stmt *stmt,
           int           param)
{
  static const char empty[] = "";
  gsize len = 0;
  gconstpointer data = NULL;

  if (cell->bytes != NULL)
    data = g_bytes_get_data (cell->bytes, &len);
  /* a NULL pointer would bind SQL NULL instead of an empty value */
  if (data == NULL)
    data = empty;

  switch (cell->type)
    {
    case SQLITE_INTEGER:
      sqlite3_bind_int64 (stmt, param, cell->i);
      break;
    case SQLITE_FLOAT:
      sqlite3_bind_double (stmt, param, cell->d);
      break;
    case SQLITE_TEXT:
      sqlite3_bind_text (stmt, param, data, (int) len, SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_bind_blob (stmt, param, data, (int) len, SQLITE_TRANSIENT);
      break;
    case SQLITE_NULL:
    default:
      sqlite3_bind_null (stmt, param);
      break;
    }
}

static gboolean
cell_equal (const Cell *a,
            const Cell *b)
{
  if (a->type != b->type)
    return FALSE;
  switch (a->type)
    {
    case SQLITE_INTEGER:
      return a->i == b->i;
    case SQLITE_FLOAT:
      return memcmp (&a->d, &b->d, sizeof a->d) == 0;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return g_bytes_equal (a->bytes, b->bytes);
    case SQLITE_NULL:
    default:
      return TRUE;
    }
}

static int
row_find (const Row  *row,
          const char *name)
{
  for (guint i = 0; i < row->n; i++)
    if (g_ascii_strcasecmp (row->names[i], name) == 0)
      return (int) i;
  return -1;
}

/* Whether @current holds @expected's values in every column of @expected. */
static gboolean
row_matches (const Row *expected,
             const Row *current)
{
  for (guint i = 0; i < expected->n; i++)
    {
      int k = row_find (current, expected->names[i]);

      if (k < 0 || !cell_equal (&expected->cells[i], &current->cells[k]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
row_get_mbr (const Row *row,
             double     mbr[4])
{
  int k;
  const Cell *cell;
  gsize len;
  gconstpointer data;

  if (row == NULL || (k = row_find (row, "geom")) < 0)
    return FALSE;
  cell = &row->cells[k];
  if (cell->type != SQLITE_BLOB)
    return FALSE;
  data = g_bytes_get_data (cell->bytes, &len);
  return gis_blob_get_mbr (data, len, mbr);
}

/* Reads feature @fid of @qtable; *out_row is NULL when there is none. */
static gboolean
row_read (sqlite3     *db,
          const char  *qtable,
          gint64       fid,
          Row        **out_row,
          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE fid = ?1", qtable);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(Row) row = NULL;
  int rc, n_cols;
  guint n = 0;

  *out_row = NULL;

  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, fid);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      gis_sql_set_error (error, db, rc, NULL);
      return FALSE;
    }

  n_cols = sqlite3_column_count (stmt);
  row = g_new0 (Row, 1);
  row->cells = g_new0 (Cell, (gsize) MAX (n_cols, 1));
  for (int i = 0; i < n_cols; i++)
    {
      const char *name = sqlite3_column_name (stmt, i);

      if (g_ascii_strcasecmp (name, "fid") == 0)
        continue;
      g_strv_builder_add (names, name);
      cell_from_column (&row->cells[n++], stmt, i);
    }
  row->n = n;
  row->names = g_strv_builder_end (names);

  *out_row = g_steal_pointer (&row);
  return TRUE;
}

/* Writes the change @from -> @to of feature @fid (either may be NULL). */
static gboolean
row_write (sqlite3     *db,
           const char  *qtable,
           gint64       fid,
           const Row   *from,
           const Row   *to,
           GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (to == NULL)
    {
      g_string_append_printf (sql, "DELETE FROM %s WHERE fid = ?1", qtable);
      stmt = gis_sql_prepare (db, sql->str, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, fid);
    }
  else if (from == NULL)
    {
      g_string_append_printf (sql, "INSERT INTO %s (fid", qtable);
      for (guint i = 0; i < to->n; i++)
        {
          g_autofree char *qc = gis_sql_quote_ident (to->names[i]);

          g_string_append_printf (sql, ", %s", qc);
        }
      g_string_append (sql, ") VALUES (?");
      for (guint i = 0; i < to->n; i++)
        g_string_append (sql, ", ?");
      g_string_append (sql, ")");

      stmt = gis_sql_prepare (db, sql->str, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, fid);
      for (guint i = 0; i < to->n; i++)
        cell_bind (&to->cells[i], stmt, (int) i + 2);
    }
  else
    {
      g_string_append_printf (sql, "UPDATE %s SET ", qtable);
      for (guint i = 0; i < to->n; i++)
        {
          g_autofree char *qc = gis_sql_quote_ident (to->names[i]);

          g_string_append_printf (sql, "%s%s = ?%u", i > 0 ? ", " : "", qc, i + 2);
        }
      g_string_append (sql, " WHERE fid = ?1");

      stmt = gis_sql_prepare (db, sql->str, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, fid);
      for (guint i = 0; i < to->n; i++)
        cell_bind (&to->cells[i], stmt, (int) i + 2);
    }

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, _("Cannot write the feature"));
      return FALSE;
    }
  return TRUE;
}

/* ---- the layer being edited ------------------------------------------------ */

typedef struct
{
  gint64    id;
  GisLayer *layer;          /* fresh registry row */
  char     *qtable;
  GPtrArray *fields;        /* GisField, without fid and geom */
  GisExtent extent;
  gboolean  extent_known;
} LayerCtx;

static void
layer_ctx_free (LayerCtx *ctx)
{
  if (ctx == NULL)
    return;

  g_clear_object (&ctx->layer);
  g_free (ctx->qtable);
  g_clear_pointer (&ctx->fields, g_ptr_array_unref);
  g_free (ctx);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LayerCtx, layer_ctx_free)

static GisLayer *
read_layer (sqlite3  *db,
            gint64    id,
            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = gis_sql_prepare (db, "SELECT " GIS_LAYER_COLUMNS " FROM atalaya_layers WHERE id = ?1",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return gis_layer_new_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                 _("The layer no longer exists in the store"));
  else
    gis_sql_set_error (error, db, rc, NULL);
  return NULL;
}

/* Reads the layer's registry row afresh (the caller's #GisLayer may be
 * older than the last edit). */
static LayerCtx *
layer_ctx_new (GisStore  *store,
               gint64     layer_id,
               gboolean   for_edit,
               GError   **error)
{
  g_autoptr(LayerCtx) ctx = g_new0 (LayerCtx, 1);
  sqlite3 *db = gis_store_get_db (store);
  const char *table;
  g_autofree char *extent_text = NULL;

  ctx->id = layer_id;
  ctx->layer = read_layer (db, layer_id, error);
  if (ctx->layer == NULL)
    return NULL;

  table = gis_layer_get_table_name (ctx->layer);
  if (table == NULL || !gis_sql_table_exists (db, table) ||
      !gis_sql_column_exists (db, table, "geom"))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” has no features to edit"), gis_layer_get_name (ctx->layer));
      return NULL;
    }

  if (for_edit && !gis_layer_is_point_layer (ctx->layer))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED,
                   _("Layer “%s” holds %s geometries: only point layers can be edited"),
                   gis_layer_get_name (ctx->layer),
                   gis_layer_get_geometry_type (ctx->layer) != NULL
                     ? gis_layer_get_geometry_type (ctx->layer) : "?");
      return NULL;
    }

  ctx->qtable = gis_sql_quote_ident (table);
  ctx->fields = gis_store_get_fields (store, ctx->layer, error);
  if (ctx->fields == NULL)
    return NULL;

  /* The registry's extent as written, to grow or to test the boundary. */
  {
    g_autoptr(sqlite3_stmt) stmt = gis_sql_prepare (db, "SELECT extent FROM atalaya_layers WHERE id = ?1",
                                                    error);
    if (stmt == NULL)
      return NULL;
    sqlite3_bind_int64 (stmt, 1, layer_id);
    if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
      extent_text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  gis_extent_init_empty (&ctx->extent);
  if (extent_text != NULL && gis_extent_parse (extent_text, &ctx->extent))
    ctx->extent_known = TRUE;
  else
    ctx->extent_known = gis_layer_get_feature_count (ctx->layer) == 0;

  return g_steal_pointer (&ctx);
}

static const GisField *
layer_ctx_find_field (LayerCtx   *ctx,
                      const char *name)
{
  for (guint i = 0; i < ctx->fields->len; i++)
    {
      const GisField *f = g_ptr_array_index (ctx->fields, i);

      if (g_strcmp0 (f->name, name) == 0)
        return f;
    }
  for (guint i = 0; i < ctx->fields->len; i++)
    {
      const GisField *f = g_ptr_array_index (ctx->fields, i);

      if (g_ascii_strcasecmp (f->name, name) == 0)
        return f;
    }
  return NULL;
}

static gboolean
touches_boundary (const GisExtent *extent,
                  const double     mbr[4])
{
  if (gis_extent_is_empty (extent))
    return FALSE;
  return mbr[0] <= extent->min_x || mbr[1] <= extent->min_y ||
         mbr[2] >= extent->max_x || mbr[3] >= extent->max_y;
}

/* The exact extent of the table's geometries, after the change. */
static gboolean
compute_extent (sqlite3    *db,
                LayerCtx   *ctx,
                GisExtent  *out,
                GError    **error)
{
  g_autofree char *index = g_strdup_printf ("idx_%s_geom", gis_layer_get_table_name (ctx->layer));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  double box[4] = { 0.0, 0.0, 0.0, 0.0 };
  int rc;

  gis_extent_init_empty (out);

  if (gis_sql_table_exists (db, index))
    {
      g_autofree char *qi = gis_sql_quote_ident (index);
      g_autofree char *box_sql = g_strdup_printf ("SELECT min(xmin), min(ymin), max(xmax), max(ymax) "
                                                  "FROM %s", qi);

      stmt = gis_sql_prepare (db, box_sql, error);
      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          gis_sql_set_error (error, db, rc, NULL);
          return FALSE;
        }
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        return TRUE;
      for (int i = 0; i < 4; i++)
        box[i] = sqlite3_column_double (stmt, i);
      g_clear_pointer (&stmt, sqlite3_finalize);

      sql = g_strdup_printf ("SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), "
                             "max(MbrMaxX(geom)), max(MbrMaxY(geom)) FROM %s "
                             "WHERE fid IN (SELECT pkid FROM %s WHERE xmin <= ?1 OR ymin <= ?2 "
                             "OR xmax >= ?3 OR ymax >= ?4)",
                             ctx->qtable, qi);
    }
  else
    sql = g_strdup_printf ("SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), "
                           "max(MbrMaxX(geom)), max(MbrMaxY(geom)) FROM %s",
                           ctx->qtable);

  stmt = gis_sql_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) == 4)
    for (int i = 0; i < 4; i++)
      sqlite3_bind_double (stmt, i + 1, box[i]);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      gis_sql_set_error (error, db, rc, NULL);
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return TRUE;
  out->min_x = sqlite3_column_double (stmt, 0);
  out->min_y = sqlite3_column_double (stmt, 1);
  out->max_x = sqlite3_column_double (stmt, 2);
  out->max_y = sqlite3_column_double (stmt, 3);
  return TRUE;
}

/* Brings the registry's feature count and extent in line with the change
 * @from -> @to that was just written. */
static gboolean
update_registry (sqlite3    *db,
                 LayerCtx   *ctx,
                 const Row  *from,
                 const Row  *to,
                 GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *extent_text = NULL;
  gint64 count = gis_layer_get_feature_count (ctx->layer);
  GisExtent extent = ctx->extent;
  gboolean recompute = !ctx->extent_known;
  double mbr[4];

  if (from == NULL && to != NULL)
    count++;
  else if (from != NULL && to == NULL)
    count--;

  if (row_get_mbr (from, mbr) && touches_boundary (&extent, mbr))
    recompute = TRUE;

  if (recompute)
    {
      if (!compute_extent (db, ctx, &extent, error))
        return FALSE;
    }
  else if (row_get_mbr (to, mbr))
    {
      gis_extent_add_point (&extent, mbr[0], mbr[1]);
      gis_extent_add_point (&extent, mbr[2], mbr[3]);
    }

  extent_text = gis_extent_to_string (&extent);
  stmt = gis_sql_prepare (db, "UPDATE atalaya_layers SET feature_count = ?1, extent = ?2 WHERE id = ?3",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, MAX (count, 0));
  sqlite3_bind_text (stmt, 2, extent_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, ctx->id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, sqlite3_errcode (db), _("Cannot update the layer registry"));
      return FALSE;
    }
  return TRUE;
}

/* ---- habitat ----------------------------------------------------------------- */

/* Columns that name a habitat, in order of preference. */
static const char *const habitat_name_columns[] = {
  "name", "nombre", "nom", "name_en", "name_es", "name_fr", "nombre_es", "nom_fr",
  "site_name", "area_name", "label", "title", "titulo", "titre", "designation", NULL
};

typedef struct
{
  gint64        layer_id;
  char         *layer_name;
  sqlite3_stmt *stmt;       /* ?1 lon, ?2 lat -> fid, name */
} HabitatSource;

static void
habitat_source_free (gpointer data)
{
  HabitatSource *hs = data;

  g_free (hs->layer_name);
  sqlite3_finalize (hs->stmt);
  g_free (hs);
}

/* The first text column of @table named like a name. */
static char *
find_name_column (sqlite3    *db,
                  const char *table)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) text_columns = g_ptr_array_new_with_free_func (g_free);

  stmt = gis_sql_prepare (db, "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *decl = (const char *) sqlite3_column_text (stmt, 1);
      g_autofree char *type = g_ascii_strup (decl != NULL ? decl : "", -1);

      if (strstr (type, "CHAR") != NULL || strstr (type, "CLOB") != NULL ||
          strstr (type, "TEXT") != NULL)
        g_ptr_array_add (text_columns, g_strdup (name));
    }

  for (guint k = 0; habitat_name_columns[k] != NULL; k++)
    for (guint i = 0; i < text_columns->len; i++)
      if (g_ascii_strcasecmp (g_ptr_array_index (text_columns, i), habitat_name_columns[k]) == 0)
        return g_strdup (g_ptr_array_index (text_columns, i));

  for (guint i = 0; i < text_columns->len; i++)
    {
      g_autofree char *lower = g_ascii_strdown (g_ptr_array_index (text_columns, i), -1);

      if (strstr (lower, "name") != NULL || strstr (lower, "nom") != NULL)
        return g_strdup (g_ptr_array_index (text_columns, i));
    }
  return NULL;
}

/* Prepared lookups in every habitat layer, topmost layer first. */
static GPtrArray *
habitat_sources_new (sqlite3  *db,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (habitat_source_free);
  int rc;

  stmt = gis_sql_prepare (db,
                          "SELECT id, name, table_name FROM atalaya_layers "
                          "WHERE role = 'habitat' AND table_name IS NOT NULL "
                          "ORDER BY z_order DESC, id",
                          error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (stmt, 2);
      g_autofree char *qt = NULL;
      g_autofree char *index = NULL;
      g_autofree char *name_column = NULL;
      g_autofree char *qname = NULL;
      g_autofree char *sql = NULL;
      HabitatSource *hs;

      if (!gis_sql_table_exists (db, table) || !gis_sql_column_exists (db, table, "geom"))
        continue;

      qt = gis_sql_quote_ident (table);
      index = g_strdup_printf ("idx_%s_geom", table);
      name_column = find_name_column (db, table);
      if (name_column != NULL)
        {
          g_autofree char *qc = gis_sql_quote_ident (name_column);
          qname = g_strconcat ("t.", qc, NULL);
        }
      else
        qname = g_strdup ("NULL");

      if (gis_sql_table_exists (db, index))
        {
          g_autofree char *qi = gis_sql_quote_ident (index);

          /* The R*Tree boxes are rounded outwards: a safe first filter. */
          sql = g_strdup_printf ("SELECT t.fid, %s FROM %s AS t "
                                 "WHERE t.fid IN (SELECT pkid FROM %s "
                                 "  WHERE xmin <= ?1 AND xmax >= ?1 AND ymin <= ?2 AND ymax >= ?2) "
                                 "AND ST_Contains(t.geom, MakePoint(?1, ?2, 4326)) = 1 "
                                 "ORDER BY t.fid",
                                 qname, qt, qi);
        }
      else
        sql = g_strdup_printf ("SELECT t.fid, %s FROM %s AS t "
                               "WHERE MbrContains(t.geom, MakePoint(?1, ?2, 4326)) = 1 "
                               "AND ST_Contains(t.geom, MakePoint(?1, ?2, 4326)) = 1 "
                               "ORDER BY t.fid",
                               qname, qt);
      hs = g_new0 (HabitatSource, 1);
      hs->layer_id = sqlite3_column_int64 (stmt, 0);
      hs->layer_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      hs->stmt = gis_sql_prepare (db, sql, error);
      if (hs->stmt == NULL)
        {
          habitat_source_free (hs);
          return NULL;
        }
      g_ptr_array_add (sources, hs);
    }

  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, NULL);
      return NULL;
    }
  return g_steal_pointer (&sources);
}

/* Appends the habitats containing (lon, lat) to @out (GisHabitatMatch);
 * with @first_only, stops at the first. */
static gboolean
habitat_sources_find (GPtrArray  *sources,
                      sqlite3    *db,
                      double      lon,
                      double      lat,
                      gboolean    first_only,
                      GPtrArray  *out,
                      GError    **error)
{
  for (guint i = 0; i < sources->len; i++)
    {
      HabitatSource *hs = g_ptr_array_index (sources, i);
      int rc;

      sqlite3_reset (hs->stmt);
      sqlite3_bind_double (hs->stmt, 1, lon);
      sqlite3_bind_double (hs->stmt, 2, lat);
      while ((rc = sqlite3_step (hs->stmt)) == SQLITE_ROW)
        {
          GisHabitatMatch *m = g_new0 (GisHabitatMatch, 1);
          const unsigned char *name = sqlite3_column_text (hs->stmt, 1);

          m->layer_id = hs->layer_id;
          m->layer_name = g_strdup (hs->layer_name);
          m->fid = sqlite3_column_int64 (hs->stmt, 0);
          m->name = name != NULL ? g_strdup ((const char *) name) : NULL;
          g_ptr_array_add (out, m);
          if (first_only)
            {
              sqlite3_reset (hs->stmt);
              return TRUE;
            }
        }
      sqlite3_reset (hs->stmt);
      if (rc != SQLITE_DONE)
        {
          gis_sql_set_error (error, db, rc, _("Cannot look up the habitat"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_position (double   lon,
                double   lat,
                GError **error)
{
  if (!isfinite (lon) || lon < -180.0 || lon > 180.0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Longitude %g is out of range: it must be between −180 and 180 degrees"), lon);
      return FALSE;
    }
  if (!isfinite (lat) || lat < -90.0 || lat > 90.0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Latitude %g is out of range: it must be between −90 and 90 degrees"), lat);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_editor_find_habitat:
 * @store: a store
 * @lon: longitude, degrees (WGS 84)
 * @lat: latitude, degrees
 * @error: return location for a #GIS_ERROR error
 *
 * Finds the habitat features (of layers with the habitat role) whose
 * polygon contains the point: the spatial index narrows the candidates,
 * then SpatiaLite's ST_Contains decides (a point on a polygon's boundary
 * is not inside it).  Topmost layer first, then by feature id.
 *
 * Returns: (transfer full) (element-type GisHabitatMatch) (nullable): the
 *   matches, possibly none
 */
GPtrArray *
gis_editor_find_habitat (GisStore  *store,
                         double     lon,
                         double     lat,
                         GError   **error)
{
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  sqlite3 *db;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_position (lon, lat, error))
    return NULL;

  db = gis_store_get_db (store);
  sources = habitat_sources_new (db, error);
  if (sources == NULL)
    return NULL;

  matches = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_habitat_match_free);
  if (!habitat_sources_find (sources, db, lon, lat, FALSE, matches, error))
    return NULL;
  return g_steal_pointer (&matches);
}

/* ---- commands ---------------------------------------------------------------- */

typedef enum
{
  EDIT_ADD,
  EDIT_MOVE,
  EDIT_DELETE,
  EDIT_ATTRIBUTES,
} EditKind;

typedef struct
{
  EditKind  kind;
  gint64    layer_id;
  gint64    fid;
  Row      *before;   /* NULL: the feature did not exist */
  Row      *after;    /* NULL: the feature does not exist */
} Command;

static void
command_free (gpointer data)
{
  Command *cmd = data;

  row_free (cmd->before);
  row_free (cmd->after);
  g_free (cmd);
}

static const char *
command_undo_label (const Command *cmd)
{
  switch (cmd->kind)
    {
    case EDIT_ADD:
      return _("Undo Add Point");
    case EDIT_MOVE:
      return _("Undo Move Point");
    case EDIT_DELETE:
      return _("Undo Delete Feature");
    case EDIT_ATTRIBUTES:
    default:
      return _("Undo Edit Attributes");
    }
}

static const char *
command_redo_label (const Command *cmd)
{
  switch (cmd->kind)
    {
    case EDIT_ADD:
      return _("Redo Add Point");
    case EDIT_MOVE:
      return _("Redo Move Point");
    case EDIT_DELETE:
      return _("Redo Delete Feature");
    case EDIT_ATTRIBUTES:
    default:
      return _("Redo Edit Attributes");
    }
}

/* ---- the editor -------------------------------------------------------------- */

struct _GisEditor
{
  GObject    parent_instance;

  /* Owned */
  GisStore  *store;
  GPtrArray *undo_stack;    /* Command, oldest first */
  GPtrArray *redo_stack;    /* Command, the next to redo last */
};

G_DEFINE_FINAL_TYPE (GisEditor, gis_editor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_UNDO_LABEL,
  PROP_REDO_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gis_editor_dispose (GObject *object)
{
  GisEditor *self = (GisEditor *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (gis_editor_parent_class)->dispose (object);
}

static void
gis_editor_finalize (GObject *object)
{
  GisEditor *self = (GisEditor *) object;

  g_clear_pointer (&self->undo_stack, g_ptr_array_unref);
  g_clear_pointer (&self->redo_stack, g_ptr_array_unref);

  G_OBJECT_CLASS (gis_editor_parent_class)->finalize (object);
}

static void
gis_editor_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GisEditor *self = GIS_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, gis_editor_get_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, gis_editor_get_can_redo (self));
      break;
    case PROP_UNDO_LABEL:
      g_value_set_string (value, gis_editor_get_undo_label (self));
      break;
    case PROP_REDO_LABEL:
      g_value_set_string (value, gis_editor_get_redo_label (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_editor_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GisEditor *self = GIS_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_editor_class_init (GisEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gis_editor_dispose;
  object_class->finalize = gis_editor_finalize;
  object_class->get_property = gis_editor_get_property;
  object_class->set_property = gis_editor_set_property;

  /**
   * GisEditor:store:
   *
   * The store edited, opened for writing.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, GIS_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * GisEditor:can-undo:
   *
   * Whether there is an edit to undo.
   */
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GisEditor:can-redo:
   *
   * Whether there is an undone edit to redo.
   */
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GisEditor:undo-label: (nullable)
   *
   * What undo would do, for a menu item: "Undo Move Point"; translated.
   */
  properties[PROP_UNDO_LABEL] =
    g_param_spec_string ("undo-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GisEditor:redo-label: (nullable)
   *
   * What redo would do: "Redo Move Point"; translated.
   */
  properties[PROP_REDO_LABEL] =
    g_param_spec_string ("redo-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GisEditor::changed:
   * @self: the editor
   * @layer: the layer's registry row as it is now (a new #GisLayer: compare
   *   layers by [method@GisLayer.get_id])
   * @fid: the feature changed, or 0 when many features of @layer changed
   *
   * Emitted after an edit, an undo or a redo was committed, so that the
   * map and the tables can refresh.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GIS_TYPE_LAYER, G_TYPE_INT64);
}

static void
gis_editor_init (GisEditor *self)
{
  self->undo_stack = g_ptr_array_new_with_free_func (command_free);
  self->redo_stack = g_ptr_array_new_with_free_func (command_free);
}

/**
 * gis_editor_new:
 * @store: a store opened for writing
 *
 * The editor uses @store's connection: call it on the thread that owns
 * @store.
 *
 * Returns: (transfer full): a new editor with an empty history
 */
GisEditor *
gis_editor_new (GisStore *store)
{
  g_return_val_if_fail (GIS_IS_STORE (store), NULL);

  return g_object_new (GIS_TYPE_EDITOR, "store", store, NULL);
}

/**
 * gis_editor_get_store:
 * @self: an editor
 *
 * Returns: (transfer none): the store edited
 */
GisStore *
gis_editor_get_store (GisEditor *self)
{
  g_return_val_if_fail (GIS_IS_EDITOR (self), NULL);

  return self->store;
}

/**
 * gis_editor_attributes_new:
 *
 * A table for gis_editor_add_point() and gis_editor_set_attributes():
 * insert column names (g_strdup()) and #GVariant values (the table owns
 * them, floating or not, and unrefs them).
 *
 * Values: a string ("s") is read as the column's type: "12" fills an
 * INTEGER column, "2.5" a REAL one ("abc" is refused, naming the field),
 * and an empty string means NULL in numeric columns.  Numbers ("x", "i",
 * "u", "t", "n", "q", "y", "d") and booleans ("b") are stored as the
 * column's type when they fit.  A maybe without a value ("ms" nothing)
 * stores NULL.
 *
 * Returns: (transfer full) (element-type utf8 GVariant): an empty table
 */
GHashTable *
gis_editor_attributes_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_variant_unref);
}

static void
gis_editor_notify_history (GisEditor *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDO_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDO_LABEL]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
gis_editor_emit_changed (GisEditor *self,
                         gint64     layer_id,
                         gint64     fid)
{
  g_autoptr(GisLayer) layer = read_layer (gis_store_get_db (self->store), layer_id, NULL);

  if (layer != NULL)
    g_signal_emit (self, signals[CHANGED], 0, layer, fid);
}

static void
gis_editor_push (GisEditor *self,
                 EditKind   kind,
                 gint64     layer_id,
                 gint64     fid,
                 Row       *before,
                 Row       *after)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->kind = kind;
  cmd->layer_id = layer_id;
  cmd->fid = fid;
  cmd->before = before;
  cmd->after = after;

  g_ptr_array_set_size (self->redo_stack, 0);
  g_ptr_array_add (self->undo_stack, cmd);
  if (self->undo_stack->len > MAX_HISTORY)
    g_ptr_array_remove_index (self->undo_stack, 0);

  gis_editor_notify_history (self);
}

/* -- transactions -- */

static gboolean
begin_edit (GisEditor  *self,
            GError    **error)
{
  sqlite3 *db = gis_store_get_db (self->store);

  if (gis_store_is_read_only (self->store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY,
                   _("“%s” is open read-only"), gis_store_get_path (self->store));
      return FALSE;
    }
  if (!sqlite3_get_autocommit (db))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED,
                   _("“%s” is in the middle of another change"), gis_store_get_path (self->store));
      return FALSE;
    }
  return gis_sql_exec (db, "BEGIN IMMEDIATE", error);
}

static void
rollback_edit (GisEditor *self)
{
  sqlite3 *db = gis_store_get_db (self->store);

  /* A RAISE(ROLLBACK) in a trigger may have ended it already. */
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit_edit (GisEditor  *self,
             GError    **error)
{
  if (!gis_sql_exec (gis_store_get_db (self->store), "COMMIT", error))
    {
      rollback_edit (self);
      return FALSE;
    }
  return TRUE;
}

/* -- values -- */

static gboolean
set_bad_value (GError         **error,
               const char      *layer_name,
               const GisField  *field,
               const char      *text)
{
  switch (field->type)
    {
    case GIS_FIELD_INTEGER:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Field “%s” of layer “%s” takes a whole number; “%s” is not one"),
                   field->name, layer_name, text);
      break;
    case GIS_FIELD_REAL:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Field “%s” of layer “%s” takes a number (with a decimal point); "
                     "“%s” is not one"),
                   field->name, layer_name, text);
      break;
    case GIS_FIELD_BLOB:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Field “%s” of layer “%s” holds binary data and cannot be edited"),
                   field->name, layer_name);
      break;
    case GIS_FIELD_TEXT:
    default:
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Field “%s” of layer “%s” cannot take “%s”"),
                   field->name, layer_name, text);
      break;
    }
  return FALSE;
}

static gboolean
is_date_column (const char *name)
{
  return g_ascii_strcasecmp (name, "occurred_at") == 0;
}

static gboolean
text_to_cell (const char      *layer_name,
              const GisField  *field,
              const char      *text,
              Cell            *cell,
              GError         **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  switch (field->type)
    {
    case GIS_FIELD_INTEGER:
      {
        gint64 v;

        if (*stripped == '\0')
          {
            cell->type = SQLITE_NULL;
            return TRUE;
          }
        if (!g_ascii_string_to_signed (stripped, 10, G_MININT64, G_MAXINT64, &v, NULL))
          return set_bad_value (error, layer_name, field, text);
        cell->type = SQLITE_INTEGER;
        cell->i = v;
        return TRUE;
      }

    case GIS_FIELD_REAL:
      {
        char *end = NULL;
        double v;

        if (*stripped == '\0')
          {
            cell->type = SQLITE_NULL;
            return TRUE;
          }
        v = g_ascii_strtod (stripped, &end);
        if (end == stripped || *end != '\0' || !isfinite (v))
          return set_bad_value (error, layer_name, field, text);
        cell->type = SQLITE_FLOAT;
        cell->d = v;
        return TRUE;
      }

    case GIS_FIELD_TEXT:
      if (is_date_column (field->name) && *stripped != '\0')
        {
          char iso[GIS_DATE_ISO_LEN];

          if (!gis_date_parse (stripped, strlen (stripped), NULL, iso))
            {
              g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                           _("Field “%s” of layer “%s” takes an ISO 8601 date such as "
                             "2024-05-31 or 2024-05-31T14:05:00Z; “%s” is not one"),
                           field->name, layer_name, text);
              return FALSE;
            }
          cell->type = SQLITE_TEXT;
          cell->bytes = g_bytes_new (iso, strlen (iso));
          return TRUE;
        }
      cell->type = SQLITE_TEXT;
      cell->bytes = g_bytes_new (text, strlen (text));
      return TRUE;

    case GIS_FIELD_BLOB:
    default:
      return set_bad_value (error, layer_name, field, text);
    }
}

/* Converts @value (floating or not; NULL for SQL NULL) for @field. */
static gboolean
variant_to_cell (const char      *layer_name,
                 const GisField  *field,
                 GVariant        *value,
                 Cell            *cell,
                 GError         **error)
{
  g_autoptr(GVariant) inner = NULL;
  gboolean is_int = FALSE;
  gint64 iv = 0;

  cell->type = SQLITE_NULL;
  if (value == NULL)
    return TRUE;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_MAYBE))
    {
      inner = g_variant_get_maybe (value);
      if (inner == NULL)
        return TRUE;
      value = inner;
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *v = g_variant_get_variant (value);

      g_clear_pointer (&inner, g_variant_unref);
      inner = v;
      value = inner;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return text_to_cell (layer_name, field, g_variant_get_string (value, NULL), cell, error);

  is_int = TRUE;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    iv = g_variant_get_int64 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    iv = g_variant_get_int32 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    iv = g_variant_get_uint32 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT16))
    iv = g_variant_get_int16 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16))
    iv = g_variant_get_uint16 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTE))
    iv = g_variant_get_byte (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    iv = g_variant_get_boolean (value) ? 1 : 0;
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    {
      guint64 u = g_variant_get_uint64 (value);

      if (u > (guint64) G_MAXINT64)
        {
          g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, u);
          return set_bad_value (error, layer_name, field, text);
        }
      iv = (gint64) u;
    }
  else
    is_int = FALSE;

  if (is_int)
    {
      switch (field->type)
        {
        case GIS_FIELD_INTEGER:
          cell->type = SQLITE_INTEGER;
          cell->i = iv;
          return TRUE;
        case GIS_FIELD_REAL:
          cell->type = SQLITE_FLOAT;
          cell->d = (double) iv;
          return TRUE;
        case GIS_FIELD_TEXT:
          {
            g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, iv);
            return text_to_cell (layer_name, field, text, cell, error);
          }
        case GIS_FIELD_BLOB:
        default:
          {
            g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, iv);
            return set_bad_value (error, layer_name, field, text);
          }
        }
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    {
      double d = g_variant_get_double (value);
      g_autofree char *text = format_double (d);

      if (!isfinite (d))
        return set_bad_value (error, layer_name, field, text);
      switch (field->type)
        {
        case GIS_FIELD_INTEGER:
          if (d != floor (d) || fabs (d) > 9.0e15)
            return set_bad_value (error, layer_name, field, text);
          cell->type = SQLITE_INTEGER;
          cell->i = (gint64) d;
          return TRUE;
        case GIS_FIELD_REAL:
          cell->type = SQLITE_FLOAT;
          cell->d = d;
          return TRUE;
        case GIS_FIELD_TEXT:
          return text_to_cell (layer_name, field, text, cell, error);
        case GIS_FIELD_BLOB:
        default:
          return set_bad_value (error, layer_name, field, text);
        }
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING) && field->type == GIS_FIELD_BLOB)
    {
      cell->type = SQLITE_BLOB;
      cell->bytes = g_bytes_new (g_variant_get_data (value), g_variant_get_size (value));
      return TRUE;
    }

  g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
               _("Field “%s” of layer “%s” cannot take a value of type “%s”"),
               field->name, layer_name, g_variant_get_type_string (value));
  return FALSE;
}

typedef struct
{
  const GisField *field;
  Cell            cell;
} Assignment;

static void
assignments_free (GArray *assignments)
{
  for (guint i = 0; i < assignments->len; i++)
    cell_clear (&g_array_index (assignments, Assignment, i).cell);
  g_array_unref (assignments);
}

typedef GArray Assignments;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Assignments, assignments_free)

/* Checks @values (name -> GVariant) against the layer's columns and
 * converts them; the order is the columns' order. */
static GArray *
convert_values (LayerCtx    *ctx,
                GHashTable  *values,
                GError     **error)
{
  g_autoptr(Assignments) out = g_array_new (FALSE, TRUE, sizeof (Assignment));
  const char *layer_name = gis_layer_get_name (ctx->layer);
  GHashTableIter iter;
  gpointer key, value;

  if (values == NULL)
    return g_steal_pointer (&out);

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const GisField *field;
      Assignment a = { NULL, { SQLITE_NULL, 0, 0.0, NULL } };
      gboolean seen = FALSE;

      if (name == NULL || g_ascii_strcasecmp (name, "fid") == 0 ||
          g_ascii_strcasecmp (name, "geom") == 0)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                       _("Field “%s” of layer “%s” cannot be set: the feature id and "
                         "the geometry are kept by the editor"),
                       name != NULL ? name : "", layer_name);
          return NULL;
        }

      field = layer_ctx_find_field (ctx, name);
      if (field == NULL)
        {
          g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                       _("Layer “%s” has no field “%s”"), layer_name, name);
          return NULL;
        }

      if (!variant_to_cell (layer_name, field, value, &a.cell, error))
        return NULL;
      a.field = field;

      /* "Name" and "name" are one column */
      for (guint i = 0; i < out->len; i++)
        if (g_array_index (out, Assignment, i).field == field)
          {
            cell_clear (&g_array_index (out, Assignment, i).cell);
            g_array_index (out, Assignment, i).cell = a.cell;
            seen = TRUE;
          }
      if (!seen)
        g_array_append_val (out, a);
    }

  return g_steal_pointer (&out);
}

static gboolean
assignments_have (GArray     *assignments,
                  const char *name)
{
  for (guint i = 0; i < assignments->len; i++)
    if (g_ascii_strcasecmp (g_array_index (assignments, Assignment, i).field->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* Adds the habitat link of (lon, lat) to @assignments, for the layer's
 * habitat_fid / habitat_name columns that were not given explicitly. */
static gboolean
add_habitat_link (GisEditor  *self,
                  LayerCtx   *ctx,
                  double      lon,
                  double      lat,
                  GArray     *assignments,
                  GError    **error)
{
  const GisField *fid_field = layer_ctx_find_field (ctx, HABITAT_FID_COLUMN);
  const GisField *name_field = layer_ctx_find_field (ctx, HABITAT_NAME_COLUMN);
  sqlite3 *db = gis_store_get_db (self->store);
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  GisHabitatMatch *m = NULL;

  if (fid_field != NULL && (fid_field->type != GIS_FIELD_INTEGER ||
                            assignments_have (assignments, fid_field->name)))
    fid_field = NULL;
  if (name_field != NULL && (name_field->type != GIS_FIELD_TEXT ||
                             assignments_have (assignments, name_field->name)))
    name_field = NULL;
  if (fid_field == NULL && name_field == NULL)
    return TRUE;

  sources = habitat_sources_new (db, error);
  if (sources == NULL)
    return FALSE;
  matches = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_habitat_match_free);
  if (!habitat_sources_find (sources, db, lon, lat, TRUE, matches, error))
    return FALSE;
  if (matches->len > 0)
    m = g_ptr_array_index (matches, 0);

  if (fid_field != NULL)
    {
      Assignment a = { fid_field, { SQLITE_NULL, 0, 0.0, NULL } };

      if (m != NULL)
        {
          a.cell.type = SQLITE_INTEGER;
          a.cell.i = m->fid;
        }
      g_array_append_val (assignments, a);
    }
  if (name_field != NULL)
    {
      Assignment a = { name_field, { SQLITE_NULL, 0, 0.0, NULL } };

      if (m != NULL && m->name != NULL)
        {
          a.cell.type = SQLITE_TEXT;
          a.cell.bytes = g_bytes_new (m->name, strlen (m->name));
        }
      g_array_append_val (assignments, a);
    }
  return TRUE;
}

static gboolean
read_existing (GisEditor  *self,
               LayerCtx   *ctx,
               gint64      fid,
               Row       **out_row,
               GError    **error)
{
  if (!row_read (gis_store_get_db (self->store), ctx->qtable, fid, out_row, error))
    return FALSE;
  if (*out_row == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("Layer “%s” has no feature #%" PRId64),
                   gis_layer_get_name (ctx->layer), fid);
      return FALSE;
    }
  return TRUE;
}

/* UPDATE @qtable SET <assignments> [, geom = ?] WHERE fid = ? */
static gboolean
update_feature (sqlite3     *db,
                LayerCtx    *ctx,
                gint64       fid,
                GArray      *assignments,
                const guint8 *geom_blob,
                GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int param = 2;
  int rc;

  g_string_append_printf (sql, "UPDATE %s SET ", ctx->qtable);
  if (geom_blob != NULL)
    g_string_append (sql, "geom = ?2");
  for (guint i = 0; i < assignments->len; i++)
    {
      const Assignment *a = &g_array_index (assignments, Assignment, i);
      g_autofree char *qc = gis_sql_quote_ident (a->field->name);

      g_string_append_printf (sql, "%s%s = ?%u",
                              (i > 0 || geom_blob != NULL) ? ", " : "", qc,
                              i + (geom_blob != NULL ? 3 : 2));
    }
  g_string_append (sql, " WHERE fid = ?1");

  stmt = gis_sql_prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, fid);
  if (geom_blob != NULL)
    sqlite3_bind_blob (stmt, param++, geom_blob, GIS_POINT_BLOB_SIZE, SQLITE_TRANSIENT);
  for (guint i = 0; i < assignments->len; i++)
    cell_bind (&g_array_index (assignments, Assignment, i).cell, stmt, param++);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot change feature #%" PRId64
                                                 " of layer “%s”"),
                                               fid, gis_layer_get_name (ctx->layer));
      gis_sql_set_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

/* -- the edits -- */

/**
 * gis_editor_add_point:
 * @self: an editor
 * @layer: a point layer of the store
 * @lon: longitude, degrees (WGS 84), -180 to 180
 * @lat: latitude, degrees, -90 to 90
 * @attributes: (nullable) (element-type utf8 GVariant): column name ->
 *   value, see gis_editor_attributes_new(); columns not given are NULL
 * @out_fid: (out) (optional): the new feature's id
 * @error: return location for a #GIS_ERROR error
 *
 * Adds a point in one transaction; the layer's feature count and extent
 * follow, and its habitat_fid / habitat_name columns, if it has them and
 * they are not given, are filled from the habitat containing the point.
 * On failure the store is left exactly as it was.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_add_point (GisEditor   *self,
                      GisLayer    *layer,
                      double       lon,
                      double       lat,
                      GHashTable  *attributes,
                      gint64      *out_fid,
                      GError     **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  g_autoptr(Assignments) assignments = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(Row) after = NULL;
  guint8 blob[GIS_POINT_BLOB_SIZE];
  sqlite3 *db;
  gint64 fid;
  gint64 layer_id;
  int rc;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_position (lon, lat, error) || !begin_edit (self, error))
    return FALSE;

  db = gis_store_get_db (self->store);
  layer_id = gis_layer_get_id (layer);

  ctx = layer_ctx_new (self->store, layer_id, TRUE, error);
  if (ctx == NULL)
    goto fail;
  assignments = convert_values (ctx, attributes, error);
  if (assignments == NULL || !add_habitat_link (self, ctx, lon, lat, assignments, error))
    goto fail;

  g_string_append_printf (sql, "INSERT INTO %s (geom", ctx->qtable);
  for (guint i = 0; i < assignments->len; i++)
    {
      g_autofree char *qc = gis_sql_quote_ident (g_array_index (assignments, Assignment, i).field->name);

      g_string_append_printf (sql, ", %s", qc);
    }
  g_string_append (sql, ") VALUES (?");
  for (guint i = 0; i < assignments->len; i++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ")");

  stmt = gis_sql_prepare (db, sql->str, error);
  if (stmt == NULL)
    goto fail;
  gis_blob_write_point (blob, 4326, lon, lat);
  sqlite3_bind_blob (stmt, 1, blob, GIS_POINT_BLOB_SIZE, SQLITE_TRANSIENT);
  for (guint i = 0; i < assignments->len; i++)
    cell_bind (&g_array_index (assignments, Assignment, i).cell, stmt, (int) i + 2);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot add a point to layer “%s”"),
                                               gis_layer_get_name (ctx->layer));
      gis_sql_set_error (error, db, rc, what);
      goto fail;
    }
  fid = sqlite3_last_insert_rowid (db);

  if (!read_existing (self, ctx, fid, &after, error) ||
      !update_registry (db, ctx, NULL, after, error) ||
      !commit_edit (self, error))
    goto fail;

  if (out_fid != NULL)
    *out_fid = fid;
  gis_editor_push (self, EDIT_ADD, layer_id, fid, NULL, g_steal_pointer (&after));
  gis_editor_emit_changed (self, layer_id, fid);
  return TRUE;

fail:
  rollback_edit (self);
  return FALSE;
}

/**
 * gis_editor_move_point:
 * @self: an editor
 * @layer: a point layer of the store
 * @fid: a feature of @layer
 * @lon: the new longitude, degrees (WGS 84)
 * @lat: the new latitude, degrees
 * @error: return location for a #GIS_ERROR error
 *
 * Moves a point in one transaction, updating the layer's extent and the
 * feature's habitat link (see gis_editor_add_point()).
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_move_point (GisEditor  *self,
                       GisLayer   *layer,
                       gint64      fid,
                       double      lon,
                       double      lat,
                       GError    **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  g_autoptr(Assignments) assignments = NULL;
  g_autoptr(Row) before = NULL;
  g_autoptr(Row) after = NULL;
  guint8 blob[GIS_POINT_BLOB_SIZE];
  sqlite3 *db;
  gint64 layer_id;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_position (lon, lat, error) || !begin_edit (self, error))
    return FALSE;

  db = gis_store_get_db (self->store);
  layer_id = gis_layer_get_id (layer);

  ctx = layer_ctx_new (self->store, layer_id, TRUE, error);
  if (ctx == NULL || !read_existing (self, ctx, fid, &before, error))
    goto fail;

  assignments = g_array_new (FALSE, TRUE, sizeof (Assignment));
  gis_blob_write_point (blob, 4326, lon, lat);
  if (!add_habitat_link (self, ctx, lon, lat, assignments, error) ||
      !update_feature (db, ctx, fid, assignments, blob, error) ||
      !read_existing (self, ctx, fid, &after, error) ||
      !update_registry (db, ctx, before, after, error) ||
      !commit_edit (self, error))
    goto fail;

  gis_editor_push (self, EDIT_MOVE, layer_id, fid, g_steal_pointer (&before), g_steal_pointer (&after));
  gis_editor_emit_changed (self, layer_id, fid);
  return TRUE;

fail:
  rollback_edit (self);
  return FALSE;
}

/**
 * gis_editor_delete_feature:
 * @self: an editor
 * @layer: a point layer of the store
 * @fid: a feature of @layer
 * @error: return location for a #GIS_ERROR error
 *
 * Deletes a feature in one transaction.  Undo puts it back with the same
 * id and values.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_delete_feature (GisEditor  *self,
                           GisLayer   *layer,
                           gint64      fid,
                           GError    **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  g_autoptr(Row) before = NULL;
  sqlite3 *db;
  gint64 layer_id;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_edit (self, error))
    return FALSE;

  db = gis_store_get_db (self->store);
  layer_id = gis_layer_get_id (layer);

  ctx = layer_ctx_new (self->store, layer_id, TRUE, error);
  if (ctx == NULL ||
      !read_existing (self, ctx, fid, &before, error) ||
      !row_write (db, ctx->qtable, fid, before, NULL, error) ||
      !update_registry (db, ctx, before, NULL, error) ||
      !commit_edit (self, error))
    goto fail;

  gis_editor_push (self, EDIT_DELETE, layer_id, fid, g_steal_pointer (&before), NULL);
  gis_editor_emit_changed (self, layer_id, fid);
  return TRUE;

fail:
  rollback_edit (self);
  return FALSE;
}

/**
 * gis_editor_set_attributes:
 * @self: an editor
 * @layer: a point layer of the store
 * @fid: a feature of @layer
 * @values: (element-type utf8 GVariant): column name -> new value, see
 *   gis_editor_attributes_new()
 * @error: return location for a #GIS_ERROR error
 *
 * Changes attributes of a feature in one transaction.  A change that
 * leaves every value as it was writes nothing and adds no undo step.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_set_attributes (GisEditor   *self,
                           GisLayer    *layer,
                           gint64       fid,
                           GHashTable  *values,
                           GError     **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  g_autoptr(Assignments) assignments = NULL;
  g_autoptr(Row) before = NULL;
  g_autoptr(Row) after = NULL;
  sqlite3 *db;
  gint64 layer_id;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_edit (self, error))
    return FALSE;

  db = gis_store_get_db (self->store);
  layer_id = gis_layer_get_id (layer);

  ctx = layer_ctx_new (self->store, layer_id, TRUE, error);
  if (ctx == NULL || !read_existing (self, ctx, fid, &before, error))
    goto fail;
  assignments = convert_values (ctx, values, error);
  if (assignments == NULL)
    goto fail;

  if (assignments->len > 0 &&
      (!update_feature (db, ctx, fid, assignments, NULL, error) ||
       !read_existing (self, ctx, fid, &after, error)))
    goto fail;

  if (after == NULL || row_matches (before, after))
    {
      /* nothing changed: nothing to commit or undo */
      rollback_edit (self);
      return TRUE;
    }

  if (!update_registry (db, ctx, before, after, error) ||
      !commit_edit (self, error))
    goto fail;

  gis_editor_push (self, EDIT_ATTRIBUTES, layer_id, fid,
                   g_steal_pointer (&before), g_steal_pointer (&after));
  gis_editor_emit_changed (self, layer_id, fid);
  return TRUE;

fail:
  rollback_edit (self);
  return FALSE;
}

/**
 * gis_editor_get_feature:
 * @self: an editor
 * @layer: a layer of the store (of any geometry type)
 * @fid: a feature of @layer
 * @out_lon: (out) (optional): the point's longitude, NAN if not a point
 * @out_lat: (out) (optional): the point's latitude, NAN if not a point
 * @error: return location for a #GIS_ERROR_NOT_FOUND error
 *
 * Returns: (transfer full) (element-type GisFieldValue) (nullable): the
 *   feature's attributes in column order, without the fid and geometry
 */
GPtrArray *
gis_editor_get_feature (GisEditor  *self,
                        GisLayer   *layer,
                        gint64      fid,
                        double     *out_lon,
                        double     *out_lat,
                        GError    **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  g_autoptr(Row) row = NULL;
  g_autoptr(GPtrArray) values = NULL;
  double x = NAN, y = NAN;
  int k;

  g_return_val_if_fail (GIS_IS_EDITOR (self), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ctx = layer_ctx_new (self->store, gis_layer_get_id (layer), FALSE, error);
  if (ctx == NULL || !read_existing (self, ctx, fid, &row, error))
    return NULL;

  values = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_field_value_free);
  for (guint i = 0; i < ctx->fields->len; i++)
    {
      const GisField *f = g_ptr_array_index (ctx->fields, i);
      GisFieldValue *v = g_new0 (GisFieldValue, 1);
      const Cell *cell;

      v->name = g_strdup (f->name);
      v->type = f->type;
      g_ptr_array_add (values, v);

      k = row_find (row, f->name);
      if (k < 0)
        continue;
      cell = &row->cells[k];
      switch (cell->type)
        {
        case SQLITE_INTEGER:
          v->value = g_variant_ref_sink (g_variant_new_int64 (cell->i));
          break;
        case SQLITE_FLOAT:
          v->value = g_variant_ref_sink (g_variant_new_double (cell->d));
          break;
        case SQLITE_TEXT:
          {
            gsize len;
            const char *data = g_bytes_get_data (cell->bytes, &len);
            g_autofree char *text = g_strndup (data != NULL ? data : "", len);

            if (!g_utf8_validate (text, -1, NULL))
              {
                char *valid = g_utf8_make_valid (text, -1);

                g_free (text);
                text = valid;
              }
            v->value = g_variant_ref_sink (g_variant_new_string (text));
          }
          break;
        case SQLITE_BLOB:
          {
            gsize len;
            gconstpointer data = g_bytes_get_data (cell->bytes, &len);

            v->value = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                                      data, len, 1));
          }
          break;
        case SQLITE_NULL:
        default:
          break;
        }
    }

  k = row_find (row, "geom");
  if (k >= 0 && row->cells[k].type == SQLITE_BLOB)
    {
      gsize len;
      gconstpointer data = g_bytes_get_data (row->cells[k].bytes, &len);

      if (!gis_blob_get_point (data, len, &x, &y))
        x = y = NAN;
    }
  if (out_lon != NULL)
    *out_lon = x;
  if (out_lat != NULL)
    *out_lat = y;

  return g_steal_pointer (&values);
}

/* ---- undo and redo ----------------------------------------------------------- */

/* Applies @cmd forwards (redo) or backwards (undo) in one transaction. */
static gboolean
gis_editor_apply (GisEditor  *self,
                  Command    *cmd,
                  gboolean    forwards,
                  GError    **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  g_autoptr(Row) current = NULL;
  const Row *from = forwards ? cmd->before : cmd->after;
  const Row *to = forwards ? cmd->after : cmd->before;
  sqlite3 *db = gis_store_get_db (self->store);

  if (!begin_edit (self, error))
    return FALSE;

  ctx = layer_ctx_new (self->store, cmd->layer_id, FALSE, error);
  if (ctx == NULL || !row_read (db, ctx->qtable, cmd->fid, &current, error))
    goto fail;

  if ((from == NULL) != (current == NULL) ||
      (from != NULL && !row_matches (from, current)))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED,
                   _("Feature #%" PRId64 " of layer “%s” was changed outside "
                     "the editor: the edit cannot be undone or redone"),
                   cmd->fid, gis_layer_get_name (ctx->layer));
      goto fail;
    }

  if (!row_write (db, ctx->qtable, cmd->fid, from, to, error) ||
      !update_registry (db, ctx, from, to, error) ||
      !commit_edit (self, error))
    goto fail;

  return TRUE;

fail:
  rollback_edit (self);
  return FALSE;
}

/**
 * gis_editor_undo:
 * @self: an editor
 * @error: return location for a #GIS_ERROR error
 *
 * Undoes the last edit in one transaction.  When it cannot (nothing to
 * undo, or the feature was changed elsewhere), the store and the history
 * stay as they were.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_undo (GisEditor  *self,
                 GError    **error)
{
  Command *cmd;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->undo_stack->len == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("There is nothing to undo"));
      return FALSE;
    }

  cmd = g_ptr_array_index (self->undo_stack, self->undo_stack->len - 1);
  if (!gis_editor_apply (self, cmd, FALSE, error))
    return FALSE;

  g_ptr_array_add (self->redo_stack, g_ptr_array_steal_index (self->undo_stack,
                                                              self->undo_stack->len - 1));
  gis_editor_notify_history (self);
  gis_editor_emit_changed (self, cmd->layer_id, cmd->fid);
  return TRUE;
}

/**
 * gis_editor_redo:
 * @self: an editor
 * @error: return location for a #GIS_ERROR error
 *
 * Redoes the last undone edit; a deleted feature is deleted again, an
 * added one comes back with the same id.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_redo (GisEditor  *self,
                 GError    **error)
{
  Command *cmd;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->redo_stack->len == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_FAILED, _("There is nothing to redo"));
      return FALSE;
    }

  cmd = g_ptr_array_index (self->redo_stack, self->redo_stack->len - 1);
  if (!gis_editor_apply (self, cmd, TRUE, error))
    return FALSE;

  g_ptr_array_add (self->undo_stack, g_ptr_array_steal_index (self->redo_stack,
                                                              self->redo_stack->len - 1));
  gis_editor_notify_history (self);
  gis_editor_emit_changed (self, cmd->layer_id, cmd->fid);
  return TRUE;
}

/**
 * gis_editor_get_can_undo:
 * @self: an editor
 *
 * Returns: whether there is an edit to undo
 */
gboolean
gis_editor_get_can_undo (GisEditor *self)
{
  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);

  return self->undo_stack->len > 0;
}

/**
 * gis_editor_get_can_redo:
 * @self: an editor
 *
 * Returns: whether there is an undone edit to redo
 */
gboolean
gis_editor_get_can_redo (GisEditor *self)
{
  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);

  return self->redo_stack->len > 0;
}

/**
 * gis_editor_get_undo_label:
 * @self: an editor
 *
 * Returns: (nullable): "Undo Move Point", translated; %NULL when there is
 *   nothing to undo
 */
const char *
gis_editor_get_undo_label (GisEditor *self)
{
  g_return_val_if_fail (GIS_IS_EDITOR (self), NULL);

  if (self->undo_stack->len == 0)
    return NULL;
  return command_undo_label (g_ptr_array_index (self->undo_stack, self->undo_stack->len - 1));
}

/**
 * gis_editor_get_redo_label:
 * @self: an editor
 *
 * Returns: (nullable): "Redo Move Point", translated; %NULL when there is
 *   nothing to redo
 */
const char *
gis_editor_get_redo_label (GisEditor *self)
{
  g_return_val_if_fail (GIS_IS_EDITOR (self), NULL);

  if (self->redo_stack->len == 0)
    return NULL;
  return command_redo_label (g_ptr_array_index (self->redo_stack, self->redo_stack->len - 1));
}

/**
 * gis_editor_clear_history:
 * @self: an editor
 *
 * Forgets every edit to undo or redo.
 */
void
gis_editor_clear_history (GisEditor *self)
{
  g_return_if_fail (GIS_IS_EDITOR (self));

  if (self->undo_stack->len == 0 && self->redo_stack->len == 0)
    return;
  g_ptr_array_set_size (self->undo_stack, 0);
  g_ptr_array_set_size (self->redo_stack, 0);
  gis_editor_notify_history (self);
}

/* ---- habitat columns ---------------------------------------------------------- */

/* Fills habitat_fid / habitat_name of every feature of the layer. */
static gboolean
link_all_features (GisEditor  *self,
                   LayerCtx   *ctx,
                   GError    **error)
{
  sqlite3 *db = gis_store_get_db (self->store);
  g_autoptr(GPtrArray) sources = habitat_sources_new (db, error);
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_habitat_match_free);
  int rc;

  if (sources == NULL)
    return FALSE;
  if (sources->len == 0)
    return TRUE;

  sql = g_strdup_printf ("SELECT fid, X(geom), Y(geom) FROM %s WHERE geom IS NOT NULL", ctx->qtable);
  select = gis_sql_prepare (db, sql, error);
  if (select == NULL)
    return FALSE;
  g_free (sql);
  sql = g_strdup_printf ("UPDATE %s SET " HABITAT_FID_COLUMN " = ?2, " HABITAT_NAME_COLUMN " = ?3 "
                         "WHERE fid = ?1", ctx->qtable);
  update = gis_sql_prepare (db, sql, error);
  if (update == NULL)
    return FALSE;

  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      GisHabitatMatch *m;

      if (sqlite3_column_type (select, 1) == SQLITE_NULL)
        continue;
      g_ptr_array_set_size (matches, 0);
      if (!habitat_sources_find (sources, db,
                                 sqlite3_column_double (select, 1),
                                 sqlite3_column_double (select, 2),
                                 TRUE, matches, error))
        return FALSE;
      if (matches->len == 0)
        continue;

      m = g_ptr_array_index (matches, 0);
      sqlite3_bind_int64 (update, 1, sqlite3_column_int64 (select, 0));
      sqlite3_bind_int64 (update, 2, m->fid);
      if (m->name != NULL)
        sqlite3_bind_text (update, 3, m->name, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (update, 3);
      rc = sqlite3_step (update);
      sqlite3_reset (update);
      if (rc != SQLITE_DONE)
        {
          gis_sql_set_error (error, db, rc, _("Cannot link the features to their habitat"));
          return FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    {
      gis_sql_set_error (error, db, rc, NULL);
      return FALSE;
    }
  return TRUE;
}

/**
 * gis_editor_ensure_habitat_columns:
 * @self: an editor
 * @layer: a point layer of the store
 * @error: return location for a #GIS_ERROR error
 *
 * Gives @layer the columns habitat_fid (INTEGER) and habitat_name (TEXT)
 * that link each feature to the habitat polygon it falls in, and fills
 * them for the features it has, in one transaction.  From then on adding
 * or moving a point fills them too.  Columns already there are kept
 * (and must have those types).  Adding columns forgets the undo history,
 * whose row snapshots do not have them.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_editor_ensure_habitat_columns (GisEditor  *self,
                                   GisLayer   *layer,
                                   GError    **error)
{
  g_autoptr(LayerCtx) ctx = NULL;
  const GisField *fid_field, *name_field;
  sqlite3 *db;
  gint64 layer_id;

  g_return_val_if_fail (GIS_IS_EDITOR (self), FALSE);
  g_return_val_if_fail (GIS_IS_LAYER (layer), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_edit (self, error))
    return FALSE;

  db = gis_store_get_db (self->store);
  layer_id = gis_layer_get_id (layer);
  ctx = layer_ctx_new (self->store, layer_id, TRUE, error);
  if (ctx == NULL)
    goto fail;

  fid_field = layer_ctx_find_field (ctx, HABITAT_FID_COLUMN);
  name_field = layer_ctx_find_field (ctx, HABITAT_NAME_COLUMN);
  if (fid_field != NULL && fid_field->type != GIS_FIELD_INTEGER)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has a column “%s” that does not hold whole numbers: "
                     "it cannot link features to habitat"),
                   gis_layer_get_name (ctx->layer), fid_field->name);
      goto fail;
    }
  if (name_field != NULL && name_field->type != GIS_FIELD_TEXT)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("Layer “%s” has a column “%s” that does not hold text: "
                     "it cannot link features to habitat"),
                   gis_layer_get_name (ctx->layer), name_field->name);
      goto fail;
    }
  if (fid_field != NULL && name_field != NULL)
    {
      rollback_edit (self);
      return TRUE;
    }

  if ((fid_field == NULL &&
       !gis_sql_execf (db, error, "ALTER TABLE %s ADD COLUMN " HABITAT_FID_COLUMN " INTEGER",
                       ctx->qtable)) ||
      (name_field == NULL &&
       !gis_sql_execf (db, error, "ALTER TABLE %s ADD COLUMN " HABITAT_NAME_COLUMN " TEXT",
                       ctx->qtable)) ||
      !link_all_features (self, ctx, error) ||
      !commit_edit (self, error))
    goto fail;

  gis_editor_clear_history (self);
  gis_editor_emit_changed (self, layer_id, 0);
  return TRUE;

fail:
  rollback_edit (self);
  return FALSE;
}
