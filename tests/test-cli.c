/* test-cli.c: atalaya-cli end to end
 *
 * Exit codes: 0 success, 1 a user error in one line naming the file, row
 * or field, 2 a usage error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

static int
run (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  const char *arg;
  int rc;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  rc = test_run_cli ((const char *const *) args->pdata, out, err);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", rc, out ? *out : "", err ? *err : "");
  return rc;
}

static guint
count_lines (const char *s)
{
  guint n = 0;

  for (; *s; s++)
    if (*s == '\n')
      n++;
  return n;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_usage (void)
{
  static const char *const commands[] = { "init", "import", "layers", "info", "export", "sql",
                                          "render", "style", "identify", "edit", "query", "coverage",
                                          "hotspots", "export-map", "indicators" };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run (&out, &err, NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "frobnicate", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "frobnicate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "--help", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (out, commands[i]));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run (&out, &err, commands[i], "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (out, commands[i]));
      g_assert_nonnull (strstr (out, "--"));

      /* missing arguments and unknown options are usage errors */
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run (&out, &err, commands[i], NULL), ==, 2);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run (&out, &err, commands[i], "--no-such-option", "x", NULL), ==, 2);
    }
}

static void
test_round_trip (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *store = g_build_filename (dir, "cli.sqlite", NULL);
  g_autofree char *csv = test_write_file (dir, "incidents.csv",
                                          "id,when,kind,sev,lon,lat\n"
                                          "1,03/05/2021,hazardous_waste,3,-117.0,32.5\n"
                                          "2,04/05/2021,ods_smuggling,5,-106.4,31.7\n", -1);
  g_autofree char *geojson = g_build_filename (dir, "out.geojson", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;

  g_assert_cmpint (run (&out, &err, "init", store, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* init over an existing file: a user error, one line naming the file */
  g_assert_cmpint (run (&out, &err, "init", store, NULL), ==, 1);
  g_assert_cmpuint (count_lines (err), ==, 1);
  g_assert_nonnull (strstr (err, store));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "import", store, csv, "--name", "incidents", "--role", "incident",
                        "--date-field", "when", "--date-format", "%d/%m/%Y",
                        "--category-field", "kind", "--severity-field", "sev", "--json", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (obj, "ok"));
  g_assert_cmpint (json_object_get_int_member (obj, "rows_imported"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (obj, "layer"), ==, "incidents");
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "layers", store, "--json", NULL), ==, 0);
  root = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  obj = json_array_get_object_element (json_node_get_array (root), 0);
  g_assert_cmpstr (json_object_get_string_member (obj, "role"), ==, "incident");
  g_assert_cmpint (json_object_get_int_member (obj, "feature_count"), ==, 2);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "info", store, "incidents", "--json", NULL), ==, 0);
  root = parse_json (out);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "geometry_type"), ==, "POINT");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "fields")), ==, 9);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "sql", store, "--json",
                        "SELECT occurred_at, category, severity, AsText(geom) FROM incidents ORDER BY fid",
                        NULL), ==, 0);
  root = parse_json (out);
  {
    JsonArray *rows = json_object_get_array_member (json_node_get_object (root), "rows");
    JsonArray *row0 = json_array_get_array_element (rows, 0);

    g_assert_cmpuint (json_array_get_length (rows), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (row0, 0), ==, "2021-05-03T00:00:00Z");
    g_assert_cmpstr (json_array_get_string_element (row0, 1), ==, "hazardous_waste");
    g_assert_cmpint (json_array_get_int_element (row0, 2), ==, 3);
    g_assert_cmpstr (json_array_get_string_element (row0, 3), ==, "POINT(-117 32.5)");
  }
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "export", store, "incidents", geojson, "--crs", "EPSG:3857",
                        NULL), ==, 0);
  g_assert_true (g_file_test (geojson, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run (&out, &err, "info", store, "--check", "--checksum", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Check:          ok"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  test_rm_rf (dir);
}

static void
test_user_errors (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *store = g_build_filename (dir, "e.sqlite", NULL);
  g_autofree char *bad = test_write_file (dir, "bad.csv",
                                          "name,lon,lat\nok,-100,30\nbad,-100,95\nbad2,x,30\n", -1);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *before = NULL, *after = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (run (&out, &err, "init", store, NULL), ==, 0);
  before = test_store_checksum (store);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* rejected rows: exit 1; first line is the error, then one line per row */
  g_assert_cmpint (run (&out, &err, "import", store, bad, NULL), ==, 1);
  lines = g_strsplit (err, "\n", -1);
  g_assert_nonnull (strstr (lines[0], "bad.csv"));
  g_assert_nonnull (strstr (lines[0], "nothing was imported"));
  g_assert_nonnull (strstr (lines[1], "line 3"));
  g_assert_nonnull (strstr (lines[1], "latitude 95"));
  g_assert_nonnull (strstr (lines[2], "line 4"));
  g_assert_nonnull (strstr (lines[2], "“lon”"));
  after = test_store_checksum (store);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* with --skip-bad-rows the good row goes in */
  g_assert_cmpint (run (&out, &err, "import", store, bad, "--skip-bad-rows", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Imported 1 feature into"));
  g_assert_nonnull (strstr (err, "2 rows were rejected"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the SQL console only reads */
  {
    static const char *const writes[] = {
      "DELETE FROM bad",
      "DROP TABLE bad",
      "UPDATE atalaya_layers SET name = 'x'",
      "INSERT INTO bad (name) VALUES ('x')",
      "SELECT DropTable(NULL, 'bad')",
      "SELECT 1; DELETE FROM bad",
      "ATTACH DATABASE 'other.sqlite' AS o",
      "PRAGMA journal_mode = DELETE",
      "CREATE TABLE t (a)",
      "SELECT DisableSpatialIndex('bad', 'geom')",
      "SELECT CreateSpatialIndex('bad', 'name')",
      "WITH x AS (SELECT 1) DELETE FROM bad",
    };

    g_clear_pointer (&before, g_free);
    before = test_store_checksum (store);
    for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
      {
        g_assert_cmpint (run (&out, &err, "sql", store, writes[i], NULL), ==, 1);
        g_assert_cmpuint (count_lines (err), ==, 1);
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
    g_clear_pointer (&after, g_free);
    after = test_store_checksum (store);
    g_assert_cmpstr (before, ==, after);
  }

  /* a syntax error, an unknown layer, a store that is not one */
  g_assert_cmpint (run (&out, &err, "sql", store, "SELEC 1", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "syntax error"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "info", store, "nope", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "“nope”"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "layers", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "bad.csv"));
  g_assert_nonnull (strstr (err, "not an Atalaya store"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* usage errors are not user errors */
  g_assert_cmpint (run (&out, &err, "import", store, bad, "--role", "pirate", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "import", store, bad, "--x-field", "lon", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "export", store, "bad", "x.gpkg", "--format", "dxf", NULL), ==, 2);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  test_rm_rf (dir);
}

static void
test_translated (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *store = g_build_filename (dir, "t.sqlite", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *locales[][2] = { { "fr_FR.UTF-8", "Créé" }, { "es_ES.UTF-8", "Creado" } };

  for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%u.sqlite", dir, i);
      g_autofree char *cli = test_cli_path ();
      const char *argv[] = { cli, "init", path, NULL };
      g_auto(GStrv) envp = g_get_environ ();
      g_autoptr(GError) error = NULL;
      int status;

      g_autofree char *language = g_strndup (locales[i][0], 2);

      envp = g_environ_setenv (envp, "LANGUAGE", language, TRUE);
      g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                    &out, &err, &status, &error);
      g_assert_no_error (error);
      g_test_message ("%s", out);
      g_assert_nonnull (strstr (out, locales[i][1]));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }

  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/round-trip", test_round_trip);
  g_test_add_func ("/cli/user-errors", test_user_errors);
  g_test_add_func ("/cli/translated", test_translated);

  return g_test_run ();
}
