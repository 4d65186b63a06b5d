/* test-cli-hotspots-methods.c: atalaya-cli hotspots --method gistar, dbscan,
 * stdbscan, emerging
 *
 * On a copy of the sample store (skipped without it): the JSON the tool
 * prints is the library's JSON of the same run, plus the saved layers;
 * --save-as writes the layers; bad options are usage errors (status 2)
 * that leave the store as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

static char *sample_path;
static char *tmp_dir;
static char *copy_path;

static gboolean
skip_without_sample (void)
{
  if (copy_path == NULL)
    {
      g_test_skip ("no sample store (ATALAYA_SAMPLE_STORE)");
      return TRUE;
    }
  return FALSE;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* runs the tool; its JSON without "layers", and those layers' names */
static JsonNode *
run_json (const char *const *args,
          GStrv             *out_layers)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonNode *root;
  JsonObject *o;
  int rc = test_run_cli (args, &out, &err);

  if (rc != 0)
    g_error ("atalaya-cli exited with %d: %s", rc, err);
  root = parse (out);
  o = json_node_get_object (root);
  if (out_layers != NULL)
    {
      g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

      if (json_object_has_member (o, "layers"))
        {
          JsonArray *a = json_object_get_array_member (o, "layers");

          for (guint i = 0; i < json_array_get_length (a); i++)
            g_strv_builder_add (names, json_object_get_string_member (json_array_get_object_element (a, i), "name"));
        }
      *out_layers = g_strv_builder_end (names);
    }
  json_object_remove_member (o, "layers");
  return root;
}

static void
assert_same_json (JsonNode   *a,
                  const char *b_text)
{
  g_autoptr(JsonNode) b = parse (b_text);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;

  json_generator_set_root (gen, a);
  sa = json_generator_to_data (gen, NULL);
  json_generator_set_root (gen, b);
  sb = json_generator_to_data (gen, NULL);
  g_assert_cmpuint (strlen (sa), >, 100);
  g_assert_cmpstr (sa, ==, sb);
}

static GisStore *
load (GisHotspotPoints *points,
      GisHotspotInput  *input)
{
  g_autoptr(GError) error = NULL;
  GisStore *store = gis_store_open (copy_path, GIS_STORE_OPEN_READ_ONLY, &error);

  g_assert_no_error (error);
  gis_hotspot_input_init (input);
  g_assert_true (gis_hotspot_points_load (store, input, points, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static void
test_gistar (void)
{
  const char *args[] = { "hotspots", copy_path, "--method", "gistar", "--cell", "10", "--band", "20",
                         "--save-as", "cli gi", "--json", NULL };
  g_autoptr(JsonNode) cli = NULL;
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsGiStar) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) layers = NULL;
  GisHotspotInput input;
  GisHotspotsGiStarParams p;

  if (skip_without_sample ())
    return;
  args[1] = copy_path;
  cli = run_json (args, &layers);
  g_assert_cmpuint (g_strv_length (layers), ==, 1);
  g_assert_cmpstr (layers[0], ==, "cli gi");

  store = load (&points, &input);
  gis_hotspots_gistar_params_init (&p);
  p.cell_size_m = 10000;
  p.band_m = 20000;
  r = gis_hotspots_gistar_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  json = gis_hotspots_gistar_to_json (r);
  assert_same_json (cli, json);
}

static void
test_gistar_hex_knn (void)
{
  const char *args[] = { "hotspots", NULL, "--method", "gistar", "--shape", "hex", "--cell", "25", "--knn", "8",
                         "--category", "illegal_dumping", "--from", "2020", "--json", NULL };
  g_autoptr(JsonNode) cli = NULL;
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsGiStar) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GisHotspotInput input;
  GisHotspotsGiStarParams p;
  const char *cats[] = { "illegal_dumping", NULL };

  if (skip_without_sample ())
    return;
  args[1] = copy_path;
  cli = run_json (args, NULL);
  store = gis_store_open (copy_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  gis_hotspot_input_init (&input);
  input.categories = cats;
  input.date_from = "2020";
  g_assert_true (gis_hotspot_points_load (store, &input, &points, NULL, &error));
  gis_hotspots_gistar_params_init (&p);
  p.shape = GIS_BIN_HEXAGON;
  p.cell_size_m = 25000;
  p.weights = GIS_GISTAR_WEIGHTS_KNN;
  p.k = 8;
  r = gis_hotspots_gistar_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  json = gis_hotspots_gistar_to_json (r);
  assert_same_json (cli, json);
}

static void
test_dbscan (gconstpointer data)
{
  gboolean st = GPOINTER_TO_INT (data);
  const char *db_args[] = { "hotspots", NULL, "--method", "dbscan", "--eps", "3", "--min-points", "30",
                            "--save-as", "cli db", "--json", NULL };
  const char *st_args[] = { "hotspots", NULL, "--method", "stdbscan", "--eps", "5", "--min-points", "10",
                            "--eps-days", "60", "--save-as", "cli st", "--json", NULL };
  const char **args = st ? st_args : db_args;
  g_autoptr(JsonNode) cli = NULL;
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsClusters) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) layers = NULL;
  GisHotspotInput input;
  GisDbscanParams p = { 0 };

  if (skip_without_sample ())
    return;
  args[1] = copy_path;
  cli = run_json (args, &layers);
  g_assert_cmpuint (g_strv_length (layers), ==, 2);
  g_assert_true (g_str_has_suffix (layers[1], ": clusters"));

  store = load (&points, &input);
  p.eps_m = st ? 5000 : 3000;
  p.min_pts = st ? 10 : 30;
  p.eps_days = st ? 60 : 0;
  r = gis_hotspots_dbscan_run (store, &points, &input, &p, st, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  json = gis_hotspots_clusters_to_json (r);
  assert_same_json (cli, json);
}

static void
test_emerging (void)
{
  const char *args[] = { "hotspots", NULL, "--method", "emerging", "--cell", "20", "--band", "40", "--step", "year",
                         "--previous-steps", "1", "--save-as", "cli eh", "--json", NULL };
  g_autoptr(JsonNode) cli = NULL;
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsEmerging) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) layers = NULL;
  GisHotspotInput input;
  GisSpaceTimeParams p;

  if (skip_without_sample ())
    return;
  args[1] = copy_path;
  cli = run_json (args, &layers);
  g_assert_cmpuint (g_strv_length (layers), ==, 2);
  store = load (&points, &input);
  gis_spacetime_params_init (&p);
  p.cell_size_m = 20000;
  p.band_m = 40000;
  p.step = GIS_TIME_STEP_YEAR;
  r = gis_hotspots_emerging_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  json = gis_hotspots_emerging_to_json (r);
  assert_same_json (cli, json);
}

/* bad options: status 2, a message, the store unchanged */
static void
test_usage_errors (void)
{
  const char *bad[][12] = {
    { "hotspots", NULL, "--method", "gistar", "--shape", "triangle", NULL },
    { "hotspots", NULL, "--method", "gistar", "--band", "-3", NULL },
    { "hotspots", NULL, "--method", "gistar", "--weights", "knn", NULL },
    { "hotspots", NULL, "--method", "gistar", "--knn", "5", "--band", "10", NULL },
    { "hotspots", NULL, "--method", "gistar", "--eps", "3", NULL },
    { "hotspots", NULL, "--method", "dbscan", NULL },
    { "hotspots", NULL, "--method", "dbscan", "--eps", "3", "--cell", "5", NULL },
    { "hotspots", NULL, "--method", "dbscan", "--eps", "3", "--eps-days", "5", NULL },
    { "hotspots", NULL, "--method", "stdbscan", "--eps", "3", NULL },
    { "hotspots", NULL, "--method", "emerging", "--step", "week", NULL },
    { "hotspots", NULL, "--method", "emerging", "--previous-steps", "-4", NULL },
    { "hotspots", NULL, "--method", "kde", "--eps", "3", NULL },
  };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (skip_without_sample ())
    return;
  before = test_store_checksum (copy_path);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int rc;

      bad[i][1] = copy_path;
      rc = test_run_cli (bad[i], &out, &err);
      g_test_message ("%s %s: %d, %s", bad[i][3], bad[i][4] != NULL ? bad[i][4] : "", rc, err);
      g_assert_cmpint (rc, ==, 2);
      g_assert_cmpuint (strlen (err), >, 0);
    }
  after = test_store_checksum (copy_path);
  g_assert_cmpstr (before, ==, after);
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");
  int ret;

  g_test_init (&argc, &argv, NULL);
  gis_init ();
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      const char *suffixes[] = { "", "-wal" };

      sample_path = g_strdup (path);
      tmp_dir = test_make_tmpdir ();
      copy_path = g_build_filename (tmp_dir, "copy.sqlite", NULL);
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *from = g_strconcat (sample_path, suffixes[i], NULL);
          g_autofree char *to = g_strconcat (copy_path, suffixes[i], NULL);
          g_autoptr(GFile) a = g_file_new_for_path (from);
          g_autoptr(GFile) b = g_file_new_for_path (to);
          g_autoptr(GError) error = NULL;

          if (g_file_test (from, G_FILE_TEST_EXISTS))
            {
              g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
              g_assert_no_error (error);
            }
        }
    }

  g_test_add_func ("/cli-hotspots-methods/gistar", test_gistar);
  g_test_add_func ("/cli-hotspots-methods/gistar-hex-knn", test_gistar_hex_knn);
  g_test_add_data_func ("/cli-hotspots-methods/dbscan", GINT_TO_POINTER (FALSE), test_dbscan);
  g_test_add_data_func ("/cli-hotspots-methods/stdbscan", GINT_TO_POINTER (TRUE), test_dbscan);
  g_test_add_func ("/cli-hotspots-methods/emerging", test_emerging);
  g_test_add_func ("/cli-hotspots-methods/usage-errors", test_usage_errors);
  ret = g_test_run ();

  if (tmp_dir != NULL)
    test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (copy_path);
  g_free (sample_path);
  gis_shutdown ();
  return ret;
}
