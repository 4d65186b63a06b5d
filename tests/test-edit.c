/* test-edit.c: editing point features with undo, and the import preview
 *
 * Every check reads the store back with its own SQL: the rows, the
 * registry's feature count and extent (against an independent full-table
 * computation), the spatial index (gis_store_check) and, around undo and
 * redo, the whole store's checksum.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-edit"

#include "config.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <sqlite3.h>
#include <string.h>

#include "gis.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "test-util.h"

#define N_CASES 60

typedef struct
{
  char      *dir;
  GisStore  *store;
  GisLayer  *cases;      /* point layer */
  GisLayer  *habitat;    /* polygon layer, role habitat */
  GisEditor *editor;
} Fixture;

/* ---- data ---------------------------------------------------------------- */

/* Habitat polygons: two overlapping squares, one with a hole, a
 * multipolygon, and one without a name. */
static const char habitat_csv[] =
  "nombre,code,wkt\n"
  "Sonoran Wildlife Refuge,S1,\"POLYGON((-112 31,-110 31,-110 33,-112 33,-112 31))\"\n"
  "Overlap Marsh,S2,\"POLYGON((-111 32,-109 32,-109 34,-111 34,-111 32))\"\n"
  "Ring Forest,R1,\"POLYGON((-100 40,-96 40,-96 44,-100 44,-100 40),(-99 41,-97 41,-97 43,-99 43,-99 41))\"\n"
  "Twin Lakes,T1,\"MULTIPOLYGON(((-90 30,-89 30,-89 31,-90 31,-90 30)),((-88 30,-87 30,-87 31,-88 31,-88 30)))\"\n"
  ",N1,\"POLYGON((-80 45,-79 45,-79 46,-80 46,-80 45))\"\n";

static char *
make_cases_csv (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240531);
  GString *csv = g_string_new ("name,count,weight,occurred_at,lon,lat\n");

  for (guint i = 0; i < N_CASES; i++)
    {
      char lon[G_ASCII_DTOSTR_BUF_SIZE], lat[G_ASCII_DTOSTR_BUF_SIZE], w[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_dtostr (lon, sizeof lon, g_rand_double_range (rand, -115.0, -75.0));
      g_ascii_dtostr (lat, sizeof lat, g_rand_double_range (rand, 28.0, 47.0));
      g_ascii_dtostr (w, sizeof w, g_rand_double_range (rand, 0.0, 100.0));
      g_string_append_printf (csv, "Case %u,%u,%s,2023-%02u-%02uT10:00:00Z,%s,%s\n",
                              i + 1, i * 3, w, 1 + i % 12, 1 + i % 28, lon, lat);
    }
  return g_string_free (csv, FALSE);
}

static GisLayer *
import_csv (GisStore     *store,
            const char   *dir,
            const char   *file_name,
            const char   *contents,
            const char   *layer_name,
            GisLayerRole  role)
{
  g_autofree char *path = test_write_file (dir, file_name, contents, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GError) error = NULL;
  GisLayer *layer;

  options->layer_name = g_strdup (layer_name);
  options->role = role;
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  return layer;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *cases = make_cases_csv ();

  f->dir = test_make_tmpdir ();
  f->store = test_new_store (f->dir, "edit.sqlite");
  f->cases = import_csv (f->store, f->dir, "cases.csv", cases, "Wildlife cases", GIS_LAYER_ROLE_INCIDENT);
  f->habitat = import_csv (f->store, f->dir, "habitat.csv", habitat_csv, "Critical habitat",
                           GIS_LAYER_ROLE_HABITAT);
  f->editor = gis_editor_new (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->editor);
  g_clear_object (&f->cases);
  g_clear_object (&f->habitat);
  g_clear_object (&f->store);
  test_rm_rf (f->dir);
  g_free (f->dir);
}

/* ---- reading back ---------------------------------------------------------- */

static sqlite3_stmt *
prepare (GisStore   *store,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (gis_store_get_db (store), sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (gis_store_get_db (store)));
  return stmt;
}

static gint64
query_int (GisStore   *store,
           const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
query_text (GisStore   *store,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static char *
checksum (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *sum = gis_store_checksum (f->store, &error);

  g_assert_no_error (error);
  return sum;
}

/* The registry row of @layer agrees with its table, computed here without
 * the editor's shortcuts; and the spatial index agrees with the rows. */
static void
assert_registry_true (Fixture  *f,
                      GisLayer *layer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) fresh = gis_store_get_layer (f->store, gis_layer_get_name (layer), &error);
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  g_autofree char *sql = NULL;
  g_autofree char *extent_text = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GisExtent expected;

  g_assert_no_error (error);

  sql = g_strdup_printf ("SELECT count(*) FROM %s", qt);
  g_assert_cmpint (gis_layer_get_feature_count (fresh), ==, query_int (f->store, sql));

  g_free (sql);
  sql = g_strdup_printf ("SELECT min(X(geom)), min(Y(geom)), max(X(geom)), max(Y(geom)) FROM %s", qt);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  gis_extent_init_empty (&expected);
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      expected.min_x = sqlite3_column_double (stmt, 0);
      expected.min_y = sqlite3_column_double (stmt, 1);
      expected.max_x = sqlite3_column_double (stmt, 2);
      expected.max_y = sqlite3_column_double (stmt, 3);
    }
  g_free (sql);
  sql = g_strdup_printf ("SELECT extent FROM atalaya_layers WHERE id = %" G_GINT64_FORMAT,
                         gis_layer_get_id (layer));
  extent_text = query_text (f->store, sql);
  {
    g_autofree char *expected_text = gis_extent_to_string (&expected);
    g_assert_cmpstr (extent_text != NULL ? extent_text : "", ==, expected_text);
  }

  gis_store_check (f->store, &error);
  g_assert_no_error (error);
}

static gint64
count_rows (Fixture    *f,
            const char *where)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s", qt, where);

  return query_int (f->store, sql);
}

/* The fid of the feature at the layer's western edge. */
static gint64
westernmost_fid (Fixture *f)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s ORDER BY X(geom) LIMIT 1", qt);

  return query_int (f->store, sql);
}

static GHashTable *
attributes (const char *first_name,
            ...)
{
  GHashTable *table = gis_editor_attributes_new ();
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      GVariant *value = va_arg (args, GVariant *);

      g_hash_table_insert (table, g_strdup (name), value);
      name = va_arg (args, const char *);
    }
  va_end (args);
  return table;
}

/* ---- edits ------------------------------------------------------------------- */

static void
test_add_point (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autofree char *before = checksum (f);
  g_autofree char *after = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 fid = 0;
  gint64 fid_again = 0;

  values = attributes ("name", g_variant_new_string ("New case"),
                       "count", g_variant_new_string (" 17 "),
                       "weight", g_variant_new_double (2.5),
                       "occurred_at", g_variant_new_string ("2024-05-31"),
                       NULL);

  /* A point far east of every case: the extent must grow. */
  g_assert_true (gis_editor_add_point (f->editor, f->cases, -60.25, 50.5, values, &fid, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fid, ==, N_CASES + 1);

  sql = g_strdup_printf ("SELECT name, count, typeof(count), weight, occurred_at, X(geom), Y(geom), "
                         "lon, lat FROM %s WHERE fid = %" G_GINT64_FORMAT, qt, fid);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "New case");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, 17);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "integer");
  g_assert_cmpfloat (sqlite3_column_double (stmt, 3), ==, 2.5);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 4), ==, "2024-05-31T00:00:00Z");
  g_assert_cmpfloat (sqlite3_column_double (stmt, 5), ==, -60.25);
  g_assert_cmpfloat (sqlite3_column_double (stmt, 6), ==, 50.5);
  /* columns not given are NULL */
  g_assert_cmpint (sqlite3_column_type (stmt, 7), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_column_type (stmt, 8), ==, SQLITE_NULL);
  g_clear_pointer (&stmt, sqlite3_finalize);

  assert_registry_true (f, f->cases);
  {
    g_autoptr(GisLayer) fresh = gis_store_get_layer (f->store, "Wildlife cases", &error);
    g_assert_cmpint (gis_layer_get_feature_count (fresh), ==, N_CASES + 1);
    g_assert_cmpfloat (gis_layer_get_extent (fresh)->max_x, ==, -60.25);
    g_assert_cmpfloat (gis_layer_get_extent (fresh)->max_y, ==, 50.5);
  }
  after = checksum (f);
  g_assert_cmpstr (after, !=, before);

  /* Undo deletes that fid; the store is as before, extent included. */
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "fid = 61"), ==, 0);
  assert_registry_true (f, f->cases);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }

  /* Redo brings the same feature back with the same fid. */
  g_assert_true (gis_editor_redo (f->editor, &error));
  g_assert_no_error (error);
  assert_registry_true (f, f->cases);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, after);
  }

  /* A second add gets the next fid, and an empty attribute table works. */
  g_assert_true (gis_editor_add_point (f->editor, f->cases, -100.0, 35.0, NULL, &fid_again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fid_again, ==, fid + 1);
  assert_registry_true (f, f->cases);
}

static void
test_move_point (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = checksum (f);
  g_autofree char *after = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  gint64 west = westernmost_fid (f);
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* Moving the feature on the western edge inwards shrinks the extent. */
  g_assert_true (gis_editor_move_point (f->editor, f->cases, west, -95.125, 37.75, &error));
  g_assert_no_error (error);

  sql = g_strdup_printf ("SELECT X(geom), Y(geom), name FROM %s WHERE fid = %" G_GINT64_FORMAT, qt, west);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpfloat (sqlite3_column_double (stmt, 0), ==, -95.125);
  g_assert_cmpfloat (sqlite3_column_double (stmt, 1), ==, 37.75);
  g_assert_cmpint (sqlite3_column_type (stmt, 2), ==, SQLITE_TEXT);
  g_clear_pointer (&stmt, sqlite3_finalize);
  assert_registry_true (f, f->cases);
  {
    g_autoptr(GisLayer) fresh = gis_store_get_layer (f->store, "Wildlife cases", &error);
    g_assert_cmpfloat (gis_layer_get_extent (fresh)->min_x, >, gis_layer_get_extent (f->cases)->min_x);
  }
  after = checksum (f);

  /* The R*Tree follows: a box query finds it at the new place only. */
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM idx_%s_geom WHERE pkid = %" G_GINT64_FORMAT
                         " AND xmin <= -95.125 AND xmax >= -95.125 AND ymin <= 37.75 AND ymax >= 37.75",
                         gis_layer_get_table_name (f->cases), west);
  g_assert_cmpint (query_int (f->store, sql), ==, 1);

  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Move Point");
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  assert_registry_true (f, f->cases);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }
  g_assert_cmpstr (gis_editor_get_redo_label (f->editor), ==, "Redo Move Point");
  g_assert_true (gis_editor_redo (f->editor, &error));
  g_assert_no_error (error);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, after);
  }

  /* Moving outwards grows it. */
  g_assert_true (gis_editor_move_point (f->editor, f->cases, west, -170.0, -20.0, &error));
  g_assert_no_error (error);
  assert_registry_true (f, f->cases);
}

static void
test_delete_feature (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = checksum (f);
  g_autofree char *after = NULL;
  gint64 west = westernmost_fid (f);
  g_autofree char *where = g_strdup_printf ("fid = %" G_GINT64_FORMAT, west);

  g_assert_true (gis_editor_delete_feature (f->editor, f->cases, west, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, where), ==, 0);
  g_assert_cmpint (count_rows (f, "1"), ==, N_CASES - 1);
  assert_registry_true (f, f->cases);
  after = checksum (f);
  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Delete Feature");

  /* Undo puts back the same fid with every value. */
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, where), ==, 1);
  assert_registry_true (f, f->cases);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }

  /* Redo deletes it again; undo once more restores the same fid. */
  g_assert_true (gis_editor_redo (f->editor, &error));
  g_assert_no_error (error);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, after);
  }
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, where), ==, 1);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }

  /* Deleting every feature leaves an empty extent; undoing all of it
   * gives the store back. */
  for (gint64 fid = 1; fid <= N_CASES; fid++)
    {
      g_assert_true (gis_editor_delete_feature (f->editor, f->cases, fid, &error));
      g_assert_no_error (error);
    }
  assert_registry_true (f, f->cases);
  {
    g_autoptr(GisLayer) fresh = gis_store_get_layer (f->store, "Wildlife cases", &error);
    g_assert_cmpint (gis_layer_get_feature_count (fresh), ==, 0);
    g_assert_true (gis_extent_is_empty (gis_layer_get_extent (fresh)));
  }
  while (gis_editor_get_can_undo (f->editor))
    {
      g_assert_true (gis_editor_undo (f->editor, &error));
      g_assert_no_error (error);
    }
  assert_registry_true (f, f->cases);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }
}

static void
test_set_attributes (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) same = NULL;
  g_autoptr(GPtrArray) feature = NULL;
  g_autofree char *before = checksum (f);
  g_autofree char *after = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  double lon, lat;

  values = attributes ("count", g_variant_new_int32 (42),
                       "WEIGHT", g_variant_new_string ("1e3"),
                       "name", g_variant_new_string ("Renamed — ñandú"),
                       "occurred_at", g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL),
                       NULL);
  g_assert_true (gis_editor_set_attributes (f->editor, f->cases, 7, values, &error));
  g_assert_no_error (error);

  sql = g_strdup_printf ("SELECT count, weight, name, occurred_at FROM %s WHERE fid = 7", qt);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 42);
  g_assert_cmpfloat (sqlite3_column_double (stmt, 1), ==, 1000.0);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "Renamed — ñandú");
  g_assert_cmpint (sqlite3_column_type (stmt, 3), ==, SQLITE_NULL);
  g_clear_pointer (&stmt, sqlite3_finalize);
  assert_registry_true (f, f->cases);
  after = checksum (f);
  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Edit Attributes");

  /* What the form reads */
  feature = gis_editor_get_feature (f->editor, f->cases, 7, &lon, &lat, &error);
  g_assert_no_error (error);
  g_assert_nonnull (feature);
  g_assert_cmpuint (feature->len, ==, 6);
  {
    GisFieldValue *count = g_ptr_array_index (feature, 1);
    GisFieldValue *weight = g_ptr_array_index (feature, 2);
    GisFieldValue *occurred = g_ptr_array_index (feature, 3);
    g_autofree char *count_text = gis_field_value_to_string (count);
    g_autofree char *weight_text = gis_field_value_to_string (weight);
    g_autofree char *occurred_text = gis_field_value_to_string (occurred);

    g_assert_cmpstr (count->name, ==, "count");
    g_assert_cmpint (count->type, ==, GIS_FIELD_INTEGER);
    g_assert_cmpstr (count_text, ==, "42");
    g_assert_cmpint (weight->type, ==, GIS_FIELD_REAL);
    g_assert_cmpstr (weight_text, ==, "1000");
    g_assert_null (occurred->value);
    g_assert_cmpstr (occurred_text, ==, "");
  }
  g_assert_true (isfinite (lon) && isfinite (lat));

  /* Setting the values they already have changes nothing and adds no step. */
  same = attributes ("count", g_variant_new_string ("42"), NULL);
  g_assert_true (gis_editor_set_attributes (f->editor, f->cases, 7, same, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Edit Attributes");
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, after);
  }

  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  g_assert_false (gis_editor_get_can_undo (f->editor));
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }
  g_assert_true (gis_editor_redo (f->editor, &error));
  g_assert_no_error (error);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, after);
  }
}

/* Each failing edit leaves the store as it was and says why. */
static void
test_failures (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *before = checksum (f);
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  struct {
    const char *name;
    GVariant   *value;
    GisError    code;
    const char *says;
  } bad_values[] = {
    { "count", g_variant_new_string ("abc"), GIS_ERROR_INVALID_INPUT, "“count”" },
    { "count", g_variant_new_string ("1.5"), GIS_ERROR_INVALID_INPUT, "whole number" },
    { "count", g_variant_new_double (2.5), GIS_ERROR_INVALID_INPUT, "“count”" },
    { "weight", g_variant_new_string ("12,5"), GIS_ERROR_INVALID_INPUT, "“weight”" },
    { "weight", g_variant_new_string ("nan"), GIS_ERROR_INVALID_INPUT, "“weight”" },
    { "occurred_at", g_variant_new_string ("last Tuesday"), GIS_ERROR_INVALID_INPUT, "ISO 8601" },
    { "nope", g_variant_new_string ("x"), GIS_ERROR_NOT_FOUND, "“nope”" },
    { "fid", g_variant_new_int64 (1000), GIS_ERROR_INVALID_INPUT, "feature id" },
    { "geom", g_variant_new_string ("POINT(0 0)"), GIS_ERROR_INVALID_INPUT, "“geom”" },
    { "name\" = 'x'; DROP TABLE atalaya_layers; --", g_variant_new_string ("x"),
      GIS_ERROR_NOT_FOUND, "DROP TABLE" },
    { "name = name, count", g_variant_new_int64 (1), GIS_ERROR_NOT_FOUND, "has no field" },
    { "weight", g_variant_new_strv (NULL, 0), GIS_ERROR_INVALID_INPUT, "“as”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_autoptr(GHashTable) values = attributes (bad_values[i].name, g_variant_ref_sink (bad_values[i].value),
                                                 "name", g_variant_new_string ("must not land"),
                                                 NULL);
      g_autoptr(GError) error = NULL;
      gint64 fid = -1;

      g_test_message ("bad value %u: %s", i, bad_values[i].name);
      g_assert_false (gis_editor_add_point (f->editor, f->cases, -100, 40, values, &fid, &error));
      g_assert_error (error, GIS_ERROR, (gint) bad_values[i].code);
      g_assert_nonnull (strstr (error->message, bad_values[i].says));
      g_assert_cmpint (fid, ==, -1);
      g_clear_error (&error);

      g_assert_false (gis_editor_set_attributes (f->editor, f->cases, 3, values, &error));
      g_assert_error (error, GIS_ERROR, (gint) bad_values[i].code);
      {
        g_autofree char *now = checksum (f);
        g_assert_cmpstr (now, ==, before);
      }
    }

  /* positions */
  {
    const double positions[][2] = {
      { -100, 95 }, { -100, -90.5 }, { -181, 40 }, { 180.001, 0 }, { NAN, 40 }, { -100, INFINITY },
    };

    for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
      {
        g_autoptr(GError) error = NULL;

        g_assert_false (gis_editor_add_point (f->editor, f->cases, positions[i][0], positions[i][1],
                                              NULL, NULL, &error));
        g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
        g_assert_true (strstr (error->message, "Latitude") != NULL ||
                       strstr (error->message, "Longitude") != NULL);
        g_clear_error (&error);
        g_assert_false (gis_editor_move_point (f->editor, f->cases, 1, positions[i][0], positions[i][1],
                                               &error));
        g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
      }
  }

  /* a polygon layer */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (gis_editor_add_point (f->editor, f->habitat, -100, 40, NULL, NULL, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "only point layers"));
    g_assert_nonnull (strstr (error->message, "Critical habitat"));
    g_clear_error (&error);
    g_assert_false (gis_editor_delete_feature (f->editor, f->habitat, 1, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    g_assert_false (gis_editor_move_point (f->editor, f->habitat, 1, -100, 40, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED);
  }

  /* unknown features */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) values = attributes ("count", g_variant_new_int64 (1), NULL);

    g_assert_false (gis_editor_move_point (f->editor, f->cases, 9999, -100, 40, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "#9999"));
    g_clear_error (&error);
    g_assert_false (gis_editor_delete_feature (f->editor, f->cases, 9999, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (gis_editor_set_attributes (f->editor, f->cases, -1, values, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  }

  /* nothing to undo or redo */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (gis_editor_undo (f->editor, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_false (gis_editor_redo (f->editor, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_FAILED);
  }

  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before);
  }
  g_assert_false (gis_editor_get_can_undo (f->editor));

  /* An injection attempt in a value is a value like any other. */
  {
    static const char evil[] = "x'); DROP TABLE atalaya_layers; --\"";
    g_autoptr(GHashTable) values = attributes ("name", g_variant_new_string (evil), NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *sql = NULL;
    g_autofree char *stored = NULL;
    gint64 fid = 0;

    g_assert_true (gis_editor_add_point (f->editor, f->cases, -100, 40, values, &fid, &error));
    g_assert_no_error (error);
    sql = g_strdup_printf ("SELECT name FROM %s WHERE fid = %" G_GINT64_FORMAT, qt, fid);
    stored = query_text (f->store, sql);
    g_assert_cmpstr (stored, ==, evil);
    g_assert_cmpint (query_int (f->store, "SELECT count(*) FROM atalaya_layers"), ==, 2);
    g_assert_true (gis_editor_undo (f->editor, &error));
    g_assert_no_error (error);
    {
      g_autofree char *now = checksum (f);
      g_assert_cmpstr (now, ==, before);
    }
  }

  /* A failure inside the transaction (a trigger refusing the row) rolls
   * back everything, registry included. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *trigger = g_strdup_printf ("CREATE TRIGGER refuse_big BEFORE INSERT ON %s "
                                                "WHEN NEW.count > 1000 BEGIN "
                                                "SELECT RAISE(ABORT, 'count too big'); END", qt);
    g_autoptr(GHashTable) values = attributes ("count", g_variant_new_int64 (5000), NULL);
    g_autofree char *with_trigger = NULL;

    g_assert_true (gis_sql_exec (gis_store_get_db (f->store), trigger, &error));
    g_assert_no_error (error);
    with_trigger = checksum (f);

    g_assert_false (gis_editor_add_point (f->editor, f->cases, -50, 60, values, NULL, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_SQL);
    g_assert_nonnull (strstr (error->message, "count too big"));
    {
      g_autofree char *now = checksum (f);
      g_assert_cmpstr (now, ==, with_trigger);
    }
    assert_registry_true (f, f->cases);
  }

  /* A read-only store refuses every edit. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisStore) ro = gis_store_open (gis_store_get_path (f->store), GIS_STORE_OPEN_READ_ONLY,
                                             &error);
    g_autoptr(GisEditor) ro_editor = NULL;

    g_assert_no_error (error);
    ro_editor = gis_editor_new (ro);
    g_assert_false (gis_editor_add_point (ro_editor, f->cases, -100, 40, NULL, NULL, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY);
  }
}

/* Undo refuses to overwrite a change made behind the editor's back. */
static void
test_undo_conflict (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  g_autofree char *sql = NULL;
  g_autofree char *changed = NULL;

  g_assert_true (gis_editor_move_point (f->editor, f->cases, 5, -90, 35, &error));
  g_assert_no_error (error);

  sql = g_strdup_printf ("UPDATE %s SET name = 'changed elsewhere' WHERE fid = 5", qt);
  g_assert_true (gis_sql_exec (gis_store_get_db (f->store), sql, &error));
  changed = checksum (f);

  g_assert_false (gis_editor_undo (f->editor, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "#5"));
  g_assert_true (gis_editor_get_can_undo (f->editor));
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, changed);
  }
}

typedef struct
{
  guint  n_changed;
  gint64 last_layer_id;
  gint64 last_fid;
  gint64 last_count;
  guint  n_can_undo;
} Signals;

static void
on_changed (GisEditor *editor,
            GisLayer  *layer,
            gint64     fid,
            Signals   *s)
{
  s->n_changed++;
  s->last_layer_id = gis_layer_get_id (layer);
  s->last_fid = fid;
  s->last_count = gis_layer_get_feature_count (layer);
}

static void
on_notify_can_undo (GObject    *object,
                    GParamSpec *pspec,
                    Signals    *s)
{
  s->n_can_undo++;
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Signals s = { 0 };
  gint64 fid = 0;
  gboolean can_undo = FALSE;
  g_autofree char *label = NULL;

  g_signal_connect (f->editor, "changed", G_CALLBACK (on_changed), &s);
  g_signal_connect (f->editor, "notify::can-undo", G_CALLBACK (on_notify_can_undo), &s);

  g_assert_false (gis_editor_get_can_undo (f->editor));
  g_assert_false (gis_editor_get_can_redo (f->editor));
  g_assert_null (gis_editor_get_undo_label (f->editor));

  g_assert_true (gis_editor_add_point (f->editor, f->cases, -101, 41, NULL, &fid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.n_changed, ==, 1);
  g_assert_cmpint (s.last_layer_id, ==, gis_layer_get_id (f->cases));
  g_assert_cmpint (s.last_fid, ==, fid);
  g_assert_cmpint (s.last_count, ==, N_CASES + 1);
  g_assert_cmpuint (s.n_can_undo, >=, 1);

  g_object_get (f->editor, "can-undo", &can_undo, "undo-label", &label, NULL);
  g_assert_true (can_undo);
  g_assert_cmpstr (label, ==, "Undo Add Point");

  g_assert_true (gis_editor_move_point (f->editor, f->cases, fid, -102, 42, &error));
  g_assert_true (gis_editor_delete_feature (f->editor, f->cases, 2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Delete Feature");

  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s.n_changed, ==, 5);
  g_assert_cmpint (s.last_fid, ==, fid);
  g_assert_true (gis_editor_get_can_redo (f->editor));
  g_assert_cmpstr (gis_editor_get_redo_label (f->editor), ==, "Redo Move Point");
  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Add Point");

  /* a new edit clears what could be redone */
  g_assert_true (gis_editor_move_point (f->editor, f->cases, 3, -103, 43, &error));
  g_assert_no_error (error);
  g_assert_false (gis_editor_get_can_redo (f->editor));
  g_assert_null (gis_editor_get_redo_label (f->editor));

  gis_editor_clear_history (f->editor);
  g_assert_false (gis_editor_get_can_undo (f->editor));
  assert_registry_true (f, f->cases);

  g_signal_handlers_disconnect_by_data (f->editor, &s);
}

/* ---- habitat ------------------------------------------------------------------ */

/* Every habitat containing the point, computed without the index. */
static GPtrArray *
brute_force_habitat (Fixture *f,
                     double   lon,
                     double   lat)
{
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->habitat));
  g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s WHERE ST_Contains(geom, MakePoint(?1, ?2, 4326)) = 1 "
                                          "ORDER BY fid", qt);
  g_autoptr(sqlite3_stmt) stmt = prepare (f->store, sql);
  GPtrArray *fids = g_ptr_array_new ();

  sqlite3_bind_double (stmt, 1, lon);
  sqlite3_bind_double (stmt, 2, lat);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (fids, GINT_TO_POINTER ((int) sqlite3_column_int64 (stmt, 0)));
  return fids;
}

static void
test_find_habitat (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  guint n_inside = 0, n_two = 0;
  /* fixed cases: inside one, inside two, in the hole, in the ring, the
   * second part of a multipolygon, the nameless one, nowhere, the edge */
  const struct { double lon, lat; guint n; const char *first; } fixed[] = {
    { -111.5, 31.5, 1, "Sonoran Wildlife Refuge (Critical habitat #1)" },
    { -110.5, 32.5, 2, "Sonoran Wildlife Refuge (Critical habitat #1)" },
    { -98, 42, 0, NULL },
    { -99.5, 42, 1, "Ring Forest (Critical habitat #3)" },
    { -87.5, 30.5, 1, "Twin Lakes (Critical habitat #4)" },
    { -79.5, 45.5, 1, "Critical habitat #5" },
    { 0, 0, 0, NULL },
    { -112, 32, 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_autoptr(GPtrArray) matches = gis_editor_find_habitat (f->store, fixed[i].lon, fixed[i].lat, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (matches->len, ==, fixed[i].n);
      if (fixed[i].first != NULL)
        {
          g_autofree char *text = gis_habitat_match_describe (g_ptr_array_index (matches, 0));
          g_assert_cmpstr (text, ==, fixed[i].first);
        }
    }

  /* random points against a brute-force ST_Contains without the index */
  for (guint i = 0; i < 3000; i++)
    {
      double lon = g_rand_double_range (rand, -113, -76);
      double lat = g_rand_double_range (rand, 29, 47);
      g_autoptr(GPtrArray) matches = gis_editor_find_habitat (f->store, lon, lat, &error);
      g_autoptr(GPtrArray) expected = brute_force_habitat (f, lon, lat);

      g_assert_no_error (error);
      g_assert_cmpuint (matches->len, ==, expected->len);
      for (guint k = 0; k < matches->len; k++)
        {
          GisHabitatMatch *m = g_ptr_array_index (matches, k);

          g_assert_cmpint (m->fid, ==, GPOINTER_TO_INT (g_ptr_array_index (expected, k)));
          g_assert_cmpint (m->layer_id, ==, gis_layer_get_id (f->habitat));
          g_assert_cmpstr (m->layer_name, ==, "Critical habitat");
        }
      n_inside += matches->len > 0;
      n_two += matches->len > 1;
    }
  /* the test exercised both outcomes */
  g_assert_cmpuint (n_inside, >, 30);
  g_assert_cmpuint (n_two, >, 0);

  /* out of range */
  g_assert_null (gis_editor_find_habitat (f->store, 0, 100, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
}

static void
test_habitat_columns (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *before_move = NULL;
  gint64 fid = 0;
  int rc;

  /* a polygon layer cannot be linked */
  g_assert_false (gis_editor_ensure_habitat_columns (f->editor, f->habitat, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  g_assert_true (gis_editor_move_point (f->editor, f->cases, 1, -111.5, 31.5, &error));
  g_assert_no_error (error);

  g_assert_true (gis_editor_ensure_habitat_columns (f->editor, f->cases, &error));
  g_assert_no_error (error);
  g_assert_false (gis_editor_get_can_undo (f->editor));
  g_assert_true (gis_sql_column_exists (gis_store_get_db (f->store),
                                        gis_layer_get_table_name (f->cases), "habitat_fid"));
  g_assert_true (gis_sql_column_exists (gis_store_get_db (f->store),
                                        gis_layer_get_table_name (f->cases), "habitat_name"));
  /* a second call is a no-op */
  {
    g_autofree char *sum = checksum (f);
    g_autofree char *again = NULL;

    g_assert_true (gis_editor_ensure_habitat_columns (f->editor, f->cases, &error));
    g_assert_no_error (error);
    again = checksum (f);
    g_assert_cmpstr (sum, ==, again);
  }

  /* every existing feature was linked to its (first) habitat */
  sql = g_strdup_printf ("SELECT fid, X(geom), Y(geom), habitat_fid, habitat_name FROM %s", qt);
  stmt = prepare (f->store, sql);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GPtrArray) matches = gis_editor_find_habitat (f->store,
                                                              sqlite3_column_double (stmt, 1),
                                                              sqlite3_column_double (stmt, 2),
                                                              &error);
      g_assert_no_error (error);
      if (matches->len == 0)
        {
          g_assert_cmpint (sqlite3_column_type (stmt, 3), ==, SQLITE_NULL);
          g_assert_cmpint (sqlite3_column_type (stmt, 4), ==, SQLITE_NULL);
        }
      else
        {
          GisHabitatMatch *m = g_ptr_array_index (matches, 0);

          g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, m->fid);
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 4), ==, m->name);
        }
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_free (sql);
  sql = g_strdup_printf ("SELECT habitat_fid, habitat_name FROM %s WHERE fid = 1", qt);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 1);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "Sonoran Wildlife Refuge");
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* add inside a habitat fills the link */
  g_assert_true (gis_editor_add_point (f->editor, f->cases, -87.5, 30.25, NULL, &fid, &error));
  g_assert_no_error (error);
  g_free (sql);
  sql = g_strdup_printf ("SELECT habitat_fid, habitat_name FROM %s WHERE fid = %" G_GINT64_FORMAT, qt, fid);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 4);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "Twin Lakes");
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* a move out of it clears the link; a move into the nameless one
   * links without a name; undo brings the link back */
  before_move = checksum (f);
  g_assert_true (gis_editor_move_point (f->editor, f->cases, fid, -60, 20, &error));
  g_assert_no_error (error);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_type (stmt, 0), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_column_type (stmt, 1), ==, SQLITE_NULL);
  g_clear_pointer (&stmt, sqlite3_finalize);

  g_assert_true (gis_editor_move_point (f->editor, f->cases, fid, -79.5, 45.5, &error));
  g_assert_no_error (error);
  stmt = prepare (f->store, sql);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 5);
  g_assert_cmpint (sqlite3_column_type (stmt, 1), ==, SQLITE_NULL);
  g_clear_pointer (&stmt, sqlite3_finalize);

  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  {
    g_autofree char *now = checksum (f);
    g_assert_cmpstr (now, ==, before_move);
  }

  /* an explicit value wins over the lookup */
  {
    g_autoptr(GHashTable) values = attributes ("habitat_name", g_variant_new_string ("Field note"), NULL);
    g_autofree char *name = NULL;

    g_assert_true (gis_editor_add_point (f->editor, f->cases, -87.5, 30.25, values, &fid, &error));
    g_assert_no_error (error);
    g_free (sql);
    sql = g_strdup_printf ("SELECT habitat_name || '/' || habitat_fid FROM %s WHERE fid = %" G_GINT64_FORMAT,
                           qt, fid);
    name = query_text (f->store, sql);
    g_assert_cmpstr (name, ==, "Field note/4");
  }
  assert_registry_true (f, f->cases);
}

/* A long random sequence of edits, then undo of all of it. */
static void
test_random_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_autoptr(GPtrArray) sums = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (sums, checksum (f));
  for (guint step = 0; step < 80; step++)
    {
      g_autoptr(GPtrArray) fids = g_ptr_array_new ();
      g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (f->cases));
      g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s", qt);
      g_autoptr(sqlite3_stmt) stmt = prepare (f->store, sql);
      gint64 fid;
      gboolean ok = FALSE;

      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (fids, GINT_TO_POINTER ((int) sqlite3_column_int64 (stmt, 0)));
      fid = GPOINTER_TO_INT (g_ptr_array_index (fids, g_rand_int_range (rand, 0, (gint32) fids->len)));

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          ok = gis_editor_add_point (f->editor, f->cases,
                                     g_rand_double_range (rand, -130, -60),
                                     g_rand_double_range (rand, 20, 55), NULL, NULL, &error);
          break;
        case 1:
          ok = gis_editor_move_point (f->editor, f->cases, fid,
                                      g_rand_double_range (rand, -130, -60),
                                      g_rand_double_range (rand, 20, 55), &error);
          break;
        case 2:
          ok = gis_editor_delete_feature (f->editor, f->cases, fid, &error);
          break;
        default:
          {
            g_autoptr(GHashTable) values = attributes ("count", g_variant_new_int64 (g_rand_int (rand) % 1000),
                                                       NULL);
            ok = gis_editor_set_attributes (f->editor, f->cases, fid, values, &error);
          }
          break;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      assert_registry_true (f, f->cases);
      {
        char *sum = checksum (f);

        /* an attribute set to the value it had is no step */
        if (g_strcmp0 (sum, g_ptr_array_index (sums, sums->len - 1)) == 0)
          g_free (sum);
        else
          g_ptr_array_add (sums, sum);
      }
    }

  for (guint i = sums->len - 1; i > 0; i--)
    {
      g_autofree char *now = NULL;

      g_assert_true (gis_editor_undo (f->editor, &error));
      g_assert_no_error (error);
      now = checksum (f);
      g_assert_cmpstr (now, ==, g_ptr_array_index (sums, i - 1));
    }
  for (guint i = 1; i < sums->len; i++)
    {
      g_autofree char *now = NULL;

      g_assert_true (gis_editor_redo (f->editor, &error));
      g_assert_no_error (error);
      now = checksum (f);
      g_assert_cmpstr (now, ==, g_ptr_array_index (sums, i));
    }
  assert_registry_true (f, f->cases);
}

/* ---- import preview --------------------------------------------------------- */

static void
test_preview_csv (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = test_write_file (dir, "sightings.csv",
                                           "id;species;Latitud;Longitud;fecha;peso\n"
                                           "1;Lynx;31,5;-110,25;05/03/2023;12,5\n"
                                           "2;\"Ocelot; young\";27,1;-99,5;06/03/2023;\n"
                                           "3;Jaguar;29;-108;07/03/2023;30\n",
                                           -1);
  g_autoptr(GisImportPreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_file_get_contents (path, &before, NULL, NULL);
  preview = gis_import_preview (path, NULL, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (preview);

  g_assert_true (gis_import_preview_is_csv (preview));
  g_assert_cmpint (gis_import_preview_get_delimiter (preview), ==, ';');
  g_assert_true (gis_import_preview_get_decimal_comma (preview));
  g_assert_cmpstr (gis_import_preview_get_x_field (preview), ==, "Longitud");
  g_assert_cmpstr (gis_import_preview_get_y_field (preview), ==, "Latitud");
  g_assert_null (gis_import_preview_get_wkt_field (preview));
  g_assert_cmpstr (gis_import_preview_get_geometry_type (preview), ==, "POINT");
  g_assert_cmpstr (gis_import_preview_get_layer_name (preview), ==, "sightings");
  g_assert_cmpint (gis_import_preview_get_feature_count (preview), ==, 3);
  g_assert_null (gis_import_preview_get_crs_name (preview));

  g_assert_cmpuint (gis_import_preview_get_n_columns (preview), ==, 6);
  g_assert_cmpstr (gis_import_preview_get_column_name (preview, 1), ==, "species");
  g_assert_cmpint (gis_import_preview_get_column_type (preview, 0), ==, GIS_FIELD_INTEGER);
  g_assert_cmpint (gis_import_preview_get_column_type (preview, 1), ==, GIS_FIELD_TEXT);
  g_assert_cmpint (gis_import_preview_get_column_type (preview, 2), ==, GIS_FIELD_REAL);
  g_assert_cmpint (gis_import_preview_get_column_type (preview, 5), ==, GIS_FIELD_REAL);

  g_assert_cmpuint (gis_import_preview_get_n_rows (preview), ==, 2);
  g_assert_cmpstr (gis_import_preview_get_value (preview, 0, 1), ==, "Lynx");
  g_assert_cmpstr (gis_import_preview_get_value (preview, 1, 1), ==, "Ocelot; young");
  g_assert_cmpstr (gis_import_preview_get_value (preview, 1, 5), ==, "");
  {
    const char * const *layers = gis_import_preview_get_source_layers (preview);
    g_assert_cmpuint (g_strv_length ((char **) layers), ==, 1);
  }

  /* The preview wrote nothing. */
  g_file_get_contents (path, &after, NULL, NULL);
  g_assert_cmpstr (before, ==, after);

  /* The date example uses the importer's parser */
  {
    g_autofree char *iso = gis_import_preview_parse_date ("05/03/2023", "%d/%m/%Y", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (iso, ==, "2023-03-05T00:00:00Z");
    g_assert_null (gis_import_preview_parse_date ("2023-03-05", "%d/%m/%Y", &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    g_assert_null (gis_import_preview_parse_date ("05/03/2023", "%d/%Q/%Y", &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "%Q"));
  }

  test_rm_rf (dir);
}

static void
test_preview_csv_no_geometry (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = test_write_file (dir, "table.csv", "a,b,shape_wkt\n1,x,POINT(1 2)\n", -1);
  g_autoptr(GisImportPreview) preview = NULL;
  g_autoptr(GError) error = NULL;

  /* no recognisable geometry column is not an error for a preview */
  preview = gis_import_preview (path, NULL, 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gis_import_preview_get_x_field (preview));
  g_assert_null (gis_import_preview_get_wkt_field (preview));
  g_assert_cmpstr (gis_import_preview_get_geometry_type (preview), ==, "NONE");
  g_assert_cmpuint (gis_import_preview_get_n_columns (preview), ==, 3);
  g_assert_cmpuint (gis_import_preview_get_n_rows (preview), ==, 1);
  g_clear_pointer (&preview, gis_import_preview_unref);

  /* naming the WKT column, as the importer would */
  {
    g_autoptr(GisImportOptions) options = gis_import_options_new ();

    options->wkt_field = g_strdup ("shape_wkt");
    preview = gis_import_preview (path, options, 20, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (gis_import_preview_get_wkt_field (preview), ==, "shape_wkt");
    g_assert_cmpstr (gis_import_preview_get_geometry_type (preview), ==, "POINT");
    g_assert_true (gis_import_preview_column_is_geometry (preview, 2));
  }

  test_rm_rf (dir);
}

static void
test_preview_ogr (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = test_write_file (dir, "zones.geojson",
                                           "{\"type\":\"FeatureCollection\",\"features\":["
                                           "{\"type\":\"Feature\",\"properties\":{\"name\":\"A\",\"n\":1},"
                                           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-100,40]}},"
                                           "{\"type\":\"Feature\",\"properties\":{\"name\":\"B\",\"n\":2},"
                                           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-101,41]}}]}",
                                           -1);
  g_autoptr(GisImportPreview) preview = NULL;
  g_autoptr(GError) error = NULL;

  preview = gis_import_preview (path, NULL, 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (gis_import_preview_is_csv (preview));
  g_assert_cmpint (gis_import_preview_get_delimiter (preview), ==, 0);
  g_assert_cmpuint (gis_import_preview_get_n_columns (preview), ==, 2);
  g_assert_cmpstr (gis_import_preview_get_column_name (preview, 0), ==, "name");
  g_assert_cmpint (gis_import_preview_get_column_type (preview, 1), ==, GIS_FIELD_INTEGER);
  g_assert_cmpuint (gis_import_preview_get_n_rows (preview), ==, 2);
  g_assert_cmpstr (gis_import_preview_get_value (preview, 1, 0), ==, "B");
  g_assert_cmpstr (gis_import_preview_get_geometry_type (preview), ==, "POINT");
  g_assert_nonnull (strstr (gis_import_preview_get_crs_name (preview), "4326"));
  g_assert_cmpint (gis_import_preview_get_feature_count (preview), ==, 2);

  test_rm_rf (dir);
}

/* A GeoPackage of two layers: "ports" (points, name) and "zones"
 * (polygons, code). */
static char *
make_two_layer_gpkg (const char *dir)
{
  char *path = g_build_filename (dir, "two.gpkg", NULL);
  GDALDatasetH ds = GDALCreate (GDALGetDriverByName ("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
  OGRSpatialReferenceH srs = OSRNewSpatialReference (NULL);
  OGRLayerH layer;
  OGRFieldDefnH field;
  OGRFeatureH feature;
  OGRGeometryH geom = NULL;
  char *wkt;

  g_assert_nonnull (ds);
  OSRImportFromEPSG (srs, 4326);

  layer = GDALDatasetCreateLayer (ds, "ports", srs, wkbPoint, NULL);
  field = OGR_Fld_Create ("name", OFTString);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  for (int i = 0; i < 3; i++)
    {
      feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
      OGR_F_SetFieldString (feature, 0, i == 0 ? "Laredo" : i == 1 ? "Nogales" : "Calexico");
      geom = OGR_G_CreateGeometry (wkbPoint);
      OGR_G_SetPoint_2D (geom, 0, -100.0 - i, 30.0 + i);
      OGR_F_SetGeometryDirectly (feature, geom);
      g_assert_cmpint (OGR_L_CreateFeature (layer, feature), ==, OGRERR_NONE);
      OGR_F_Destroy (feature);
    }

  layer = GDALDatasetCreateLayer (ds, "zones", srs, wkbPolygon, NULL);
  field = OGR_Fld_Create ("code", OFTInteger);
  OGR_L_CreateField (layer, field, TRUE);
  OGR_Fld_Destroy (field);
  feature = OGR_F_Create (OGR_L_GetLayerDefn (layer));
  OGR_F_SetFieldInteger (feature, 0, 7);
  wkt = (char *) "POLYGON((-101 29,-99 29,-99 31,-101 31,-101 29))";
  OGR_G_CreateFromWkt (&wkt, NULL, &geom);
  OGR_F_SetGeometryDirectly (feature, geom);
  g_assert_cmpint (OGR_L_CreateFeature (layer, feature), ==, OGRERR_NONE);
  OGR_F_Destroy (feature);

  OSRDestroySpatialReference (srs);
  GDALClose (ds);
  return path;
}

static void
test_preview_layers (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = make_two_layer_gpkg (dir);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportPreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *layers;

  /* without a choice, the first layer */
  preview = gis_import_preview (path, NULL, 20, NULL, &error);
  g_assert_no_error (error);
  layers = gis_import_preview_get_source_layers (preview);
  g_assert_cmpuint (g_strv_length ((char **) layers), ==, 2);
  g_assert_true (g_strv_contains (layers, "ports"));
  g_assert_true (g_strv_contains (layers, "zones"));
  g_assert_cmpstr (gis_import_preview_get_source_layer (preview), ==, layers[0]);
  g_clear_pointer (&preview, gis_import_preview_unref);

  options->source_layer = g_strdup ("zones");
  preview = gis_import_preview (path, options, 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gis_import_preview_get_source_layer (preview), ==, "zones");
  g_assert_cmpstr (gis_import_preview_get_layer_name (preview), ==, "zones");
  g_assert_cmpuint (gis_import_preview_get_n_columns (preview), ==, 1);
  g_assert_cmpstr (gis_import_preview_get_column_name (preview, 0), ==, "code");
  g_assert_cmpstr (gis_import_preview_get_value (preview, 0, 0), ==, "7");
  g_assert_cmpstr (gis_import_preview_get_geometry_type (preview), ==, "MULTIPOLYGON");
  g_assert_cmpint (gis_import_preview_get_feature_count (preview), ==, 1);
  g_assert_nonnull (strstr (gis_import_preview_get_crs_name (preview), "4326"));
  g_clear_pointer (&preview, gis_import_preview_unref);

  /* a stated CRS is checked and named */
  g_free (options->src_crs);
  options->src_crs = g_strdup ("EPSG:32614");
  preview = gis_import_preview (path, options, 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (gis_import_preview_get_crs_name (preview), "UTM zone 14N"));
  g_clear_pointer (&preview, gis_import_preview_unref);
  g_free (options->src_crs);
  options->src_crs = g_strdup ("EPSG:999999");
  g_assert_null (gis_import_preview (path, options, 20, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_CRS);
  g_clear_error (&error);

  /* a layer that is not there */
  g_free (options->src_crs);
  options->src_crs = NULL;
  g_free (options->source_layer);
  options->source_layer = g_strdup ("nowhere");
  g_assert_null (gis_import_preview (path, options, 20, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "two.gpkg"));

  test_rm_rf (dir);
}

static void
test_preview_bad_files (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autofree char *empty = test_write_file (dir, "empty.csv", "", 0);
  g_autofree char *junk = test_write_file (dir, "junk.gpkg", "not a geopackage at all", -1);
  const char *paths[] = { missing, empty, junk };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisImportPreview) preview = gis_import_preview (paths[i], NULL, 20, NULL, &error);
      g_autofree char *base = g_path_get_basename (paths[i]);

      g_assert_null (preview);
      g_assert_nonnull (error);
      g_assert_true (error->domain == GIS_ERROR);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, base));
    }

  /* cancelled before it starts */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;
    g_autofree char *big = NULL;
    GString *csv = g_string_new ("x,y\n");

    for (guint i = 0; i < 200000; i++)
      g_string_append (csv, "1.5,2.5\n");
    big = test_write_file (dir, "big.csv", csv->str, (gssize) csv->len);
    g_string_free (csv, TRUE);
    g_cancellable_cancel (cancellable);
    g_assert_null (gis_import_preview (big, NULL, 20, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

#define ADD(name, func) \
  g_test_add ("/edit/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("add-point", test_add_point);
  ADD ("move-point", test_move_point);
  ADD ("delete-feature", test_delete_feature);
  ADD ("set-attributes", test_set_attributes);
  ADD ("failures", test_failures);
  ADD ("undo-conflict", test_undo_conflict);
  ADD ("history", test_history);
  ADD ("find-habitat", test_find_habitat);
  ADD ("habitat-columns", test_habitat_columns);
  ADD ("random-round-trip", test_random_round_trip);
#undef ADD

  g_test_add_func ("/edit/preview/csv", test_preview_csv);
  g_test_add_func ("/edit/preview/csv-no-geometry", test_preview_csv_no_geometry);
  g_test_add_func ("/edit/preview/ogr", test_preview_ogr);
  g_test_add_func ("/edit/preview/layers", test_preview_layers);
  g_test_add_func ("/edit/preview/bad-files", test_preview_bad_files);

  return g_test_run ();
}
