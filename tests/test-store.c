/* test-store.c: creating, opening, migrating and refusing stores
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "gis.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "test-util.h"

static const char points_csv[] =
  "name,longitude,latitude,kind\n"
  "Nogales,-110.94,31.33,land\n"
  "Laredo,-99.51,27.50,land\n"
  "Detroit,-83.05,42.32,bridge\n";

static GisLayer *
import_points (GisStore   *store,
               const char *dir,
               const char *name)
{
  g_autofree char *csv = test_write_file (dir, "points.csv", points_csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  GError *error = NULL;
  GisLayer *layer;

  options->layer_name = g_strdup (name);
  options->role = GIS_LAYER_ROLE_PORT;
  layer = gis_store_import (store, csv, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return layer;
}

static void
test_store_create_open (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "a.sqlite", NULL);
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GListModel) layers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *journal = NULL;

  store = gis_store_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_store_get_schema_version (store), ==, GIS_STORE_SCHEMA_VERSION);
  layer = import_points (store, dir, "ports");
  g_clear_object (&store);

  /* creating over an existing file is refused */
  store = gis_store_create (path, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_EXISTS);
  g_assert_null (store);
  g_clear_error (&error);

  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  version = gis_store_get_meta (store, "schema_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (GIS_STORE_SCHEMA_VERSION));

  layers = gis_store_list_layers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 1);
  {
    g_autoptr(GisLayer) l = g_list_model_get_item (layers, 0);
    const GisExtent *e = gis_layer_get_extent (l);

    g_assert_cmpstr (gis_layer_get_name (l), ==, "ports");
    g_assert_cmpint (gis_layer_get_role (l), ==, GIS_LAYER_ROLE_PORT);
    g_assert_cmpstr (gis_layer_get_geometry_type (l), ==, "POINT");
    g_assert_cmpint (gis_layer_get_feature_count (l), ==, 3);
    g_assert_cmpfloat_with_epsilon (e->min_x, -110.94, 1e-12);
    g_assert_cmpfloat_with_epsilon (e->max_y, 42.32, 1e-12);
  }

  /* the store is in WAL mode, with its tables registered for SpatiaLite */
  {
    sqlite3 *db = gis_store_get_db (store);
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    journal = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    sqlite3_finalize (stmt);
    g_assert_cmpstr (journal, ==, "wal");

    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT geometry_type, srid, spatial_index_enabled "
                                         "FROM geometry_columns WHERE f_table_name = 'ports'",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);       /* POINT */
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 4326);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 1);       /* R*Tree */
    sqlite3_finalize (stmt);
  }

  g_assert_true (gis_store_check (store, &error));
  g_assert_no_error (error);

  /* remove the layer: table, index and registry row go together */
  g_assert_true (gis_store_remove_layer (store, layer, &error));
  g_assert_no_error (error);
  g_clear_object (&layers);
  layers = gis_store_list_layers (store, &error);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 0);
  g_assert_false (gis_sql_table_exists (gis_store_get_db (store), "ports"));
  g_assert_false (gis_sql_table_exists (gis_store_get_db (store), "idx_ports_geom"));

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_store_layer_properties (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "a.sqlite");
  g_autoptr(GisLayer) layer = import_points (store, dir, "ports");
  g_autoptr(GisLayer) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (gis_store_get_path (store));

  gis_layer_set_visible (layer, FALSE);
  gis_layer_set_opacity (layer, 0.25);
  gis_layer_set_z_order (layer, 7);
  gis_layer_set_style_json (layer, "{\"kind\":\"single\",\"color\":\"#ff0000\"}");
  g_assert_true (gis_store_save_layer_properties (store, layer, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  again = gis_store_get_layer (store, "ports", &error);
  g_assert_no_error (error);
  g_assert_false (gis_layer_get_visible (again));
  g_assert_cmpfloat (gis_layer_get_opacity (again), ==, 0.25);
  g_assert_cmpint (gis_layer_get_z_order (again), ==, 7);
  g_assert_cmpstr (gis_layer_get_style_json (again), ==, "{\"kind\":\"single\",\"color\":\"#ff0000\"}");

  g_clear_object (&again);
  again = gis_store_get_layer (store, "no such layer", &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_null (again);

  g_clear_object (&store);
  test_rm_rf (dir);
}

static void
test_store_migration (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "old.sqlite", NULL);
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *before = NULL;

  /* a store as the first schema made it */
  store = gis_store_create_at_version (path, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_store_get_schema_version (store), ==, 1);
  g_assert_false (gis_sql_table_exists (gis_store_get_db (store), "atalaya_rasters"));
  layer = import_points (store, dir, "ports");
  g_clear_object (&store);

  /* read-only: refused, and left as it was */
  store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY);
  g_assert_null (store);
  g_clear_error (&error);

  /* read-write: upgraded in place, data kept */
  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_store_get_schema_version (store), ==, GIS_STORE_SCHEMA_VERSION);
  version = gis_store_get_meta (store, "schema_version");
  g_assert_cmpstr (version, ==, G_STRINGIFY (GIS_STORE_SCHEMA_VERSION));
  g_assert_true (gis_sql_table_exists (gis_store_get_db (store), "atalaya_rasters"));
  g_clear_object (&layer);
  layer = gis_store_get_layer (store, "ports", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 3);
  before = gis_store_checksum (store, &error);
  g_clear_object (&store);

  /* opening again changes nothing */
  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  {
    g_autofree char *after = gis_store_checksum (store, &error);
    g_assert_cmpstr (before, ==, after);
  }

  g_clear_object (&store);
  test_rm_rf (dir);
}

/* a schema-2 store reads as it is; saving a query needs the upgrade */
static char *file_digest (const char *path);

static void
test_read_only_schema_2 (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "two.sqlite", NULL);
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisQuery) query = gis_query_new ("ports", NULL);
  g_auto(GStrv) names = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  store = gis_store_create_at_version (path, 2, &error);
  g_assert_no_error (error);
  layer = import_points (store, dir, "ports");
  g_clear_object (&store);
  before = file_digest (path);

  store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_store_get_schema_version (store), ==, 2);
  names = gis_store_list_queries (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_assert_false (gis_store_save_query (store, "q", query, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY);
  g_clear_object (&store);
  after = file_digest (path);
  g_assert_cmpstr (before, ==, after);
  test_rm_rf (dir);
}

static char *
file_digest (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return g_strdup ("missing");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static void
assert_refused (const char *path,
                int         code)
{
  g_autofree char *before = file_digest (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_null (store);
  g_assert_error (error, GIS_ERROR, code);
  /* the message names the file */
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s", error->message);

  /* and the file is exactly as it was */
  {
    g_autofree char *after = file_digest (path);
    g_assert_cmpstr (before, ==, after);
  }
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS) &&
                  !g_str_has_suffix (path, "good.sqlite"));
}

static void
test_store_refuses (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *good = g_build_filename (dir, "good.sqlite", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.sqlite", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GisStore) store = gis_store_create (good, &error);
    g_autoptr(GisLayer) layer = import_points (store, dir, "ports");

    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8192);

  /* missing */
  {
    g_autoptr(GisStore) store = gis_store_open (missing, GIS_STORE_OPEN_READ_WRITE, &error);
    g_assert_null (store);
    g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }

  /* empty */
  {
    g_autofree char *p = test_write_file (dir, "empty.sqlite", "", 0);
    assert_refused (p, GIS_ERROR_NOT_A_STORE);
  }

  /* text */
  {
    g_autofree char *p = test_write_file (dir, "text.sqlite", "name,lon,lat\na,1,2\n", -1);
    assert_refused (p, GIS_ERROR_NOT_A_STORE);
  }

  /* a SQLite database that is not a store */
  {
    g_autofree char *p = g_build_filename (dir, "plain.sqlite", NULL);
    sqlite3 *db;

    g_assert_cmpint (sqlite3_open (p, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (a); INSERT INTO t VALUES (1)",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    assert_refused (p, GIS_ERROR_NOT_A_STORE);
  }

  /* truncated: half the file */
  {
    g_autofree char *p = test_write_file (dir, "half.sqlite", contents, (gssize) (len / 2));
    assert_refused (p, GIS_ERROR_CORRUPT);
  }

  /* truncated inside the header */
  {
    g_autofree char *p = test_write_file (dir, "head.sqlite", contents, 60);
    assert_refused (p, GIS_ERROR_CORRUPT);
  }

  /* garbage over the schema page */
  {
    g_autofree char *copy = g_memdup2 (contents, len);
    g_autofree char *p = NULL;

    memset (copy + 100, 0x5A, 3000);
    p = test_write_file (dir, "garbled.sqlite", copy, (gssize) len);
    assert_refused (p, GIS_ERROR_CORRUPT);
  }

  /* written by a newer Atalaya */
  {
    g_autofree char *p = g_build_filename (dir, "newer.sqlite", NULL);
    sqlite3 *db;

    g_assert_true (g_file_set_contents (p, contents, (gssize) len, NULL));
    g_assert_cmpint (sqlite3_open (p, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE atalaya_meta SET value = '99' "
                                   "WHERE key = 'schema_version'", NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    assert_refused (p, GIS_ERROR_NEWER_VERSION);
  }

  test_rm_rf (dir);
}

/* Two processes read while a third writes: WAL readers see the last
 * committed state and are never blocked by the writer. */
static void
test_store_concurrent (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "shared.sqlite", NULL);
  g_autoptr(GisStore) writer = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  writer = gis_store_create (path, &error);
  g_assert_no_error (error);
  layer = import_points (writer, dir, "ports");
  db = gis_store_get_db (writer);

  /* an open write transaction with an uncommitted row */
  g_assert_true (gis_sql_exec (db, "BEGIN IMMEDIATE", &error));
  g_assert_true (gis_sql_exec (db, "INSERT INTO ports (name, geom) "
                                   "VALUES ('Tijuana', MakePoint(-117.03, 32.54, 4326))", &error));
  g_assert_no_error (error);

  for (int reader = 0; reader < 2; reader++)
    {
      const char *args[] = { "sql", "--csv", path, "SELECT count(*) AS n FROM ports", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GTimer) timer = g_timer_new ();
      int rc = test_run_cli (args, &out, &err);

      g_assert_cmpint (rc, ==, 0);
      g_assert_cmpstr (out, ==, "n\n3\n");
      /* not blocked behind the writer's busy timeout */
      g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
    }

  g_assert_true (gis_sql_exec (db, "COMMIT", &error));
  g_assert_no_error (error);

  {
    const char *args[] = { "sql", "--csv", path, "SELECT count(*) AS n FROM ports", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, "n\n4\n");
  }

  /* and a second process can write while this one holds a read cursor */
  {
    g_autoptr(GisCursor) cursor = gis_store_query (writer, "SELECT name FROM ports", &error);
    g_autofree char *csv = test_write_file (dir, "more.csv", points_csv, -1);
    const char *args[] = { "import", path, csv, "--name", "more", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_no_error (error);
    g_assert_true (gis_cursor_next (cursor, NULL, &error));
    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    g_assert_true (gis_cursor_next (cursor, NULL, &error));
  }

  g_clear_object (&writer);
  test_rm_rf (dir);
}

static void
test_table_names (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "a.sqlite");
  static const struct { const char *name; const char *table; } cases[] = {
    { "Ports of entry", "ports_of_entry" },
    { "Épaves & décharges", "epaves_decharges" },
    { "2024 incidents", "l_2024_incidents" },
    { "sqlite_master", "l_sqlite_master" },
    { "idx_x", "l_idx_x" },
    { "\"; DROP TABLE atalaya_layers; --", "drop_table_atalaya_layers" },
    { "", "l_" },
    { "atalaya_layers", "l_atalaya_layers" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *t = gis_store_make_table_name (store, cases[i].name);
      g_assert_cmpstr (t, ==, cases[i].table);
    }

  g_clear_object (&store);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add_func ("/store/create-open", test_store_create_open);
  g_test_add_func ("/store/layer-properties", test_store_layer_properties);
  g_test_add_func ("/store/migration", test_store_migration);
  g_test_add_func ("/store/read-only-schema-2", test_read_only_schema_2);
  g_test_add_func ("/store/refuses", test_store_refuses);
  g_test_add_func ("/store/concurrent", test_store_concurrent);
  g_test_add_func ("/store/table-names", test_table_names);

  return g_test_run ();
}
