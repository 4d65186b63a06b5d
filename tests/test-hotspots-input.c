/* test-hotspots-input.c: the points of the hotspot methods against SQL
 *
 * On the sample store, the points read with each filter (categories,
 * period, severity, weight field) number what a plain SQL count says and
 * weigh what a plain SQL sum says; the projection matches PROJ; values
 * meant to inject SQL are only values; missing layers and fields, bad
 * dates and non-numeric weights are clear errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

#define LAEA "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs +type=crs"

static char *sample_path;

static double
query_double (GisStore   *store,
              const char *sql)
{
  g_autoptr(GError) error = NULL;
  GisCursor *cursor = gis_store_query (store, sql, &error);
  double v;

  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  g_assert_no_error (error);
  v = gis_cursor_get_double (cursor, 0);
  gis_cursor_free (cursor);
  return v;
}

static GisStore *
open_sample (void)
{
  g_autoptr(GError) error = NULL;
  GisStore *store;

  if (sample_path == NULL)
    {
      g_test_skip ("no sample store (ATALAYA_SAMPLE_STORE)");
      return NULL;
    }
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  return store;
}

static void
check_count (GisStore              *store,
             const GisHotspotInput *input,
             const char            *where)
{
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotPoints) pts = { 0 };
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM incidents WHERE geom IS NOT NULL AND %s",
                                                where);
  g_autofree char *sum_sql = g_strdup_printf ("SELECT total(%s) FROM incidents WHERE geom IS NOT NULL AND %s",
                                              input->weight_field != NULL ? input->weight_field : "1", where);
  double want = query_double (store, count_sql);
  double want_sum = query_double (store, sum_sql);
  double sum = 0;

  g_assert_true (gis_hotspot_points_load (store, input, &pts, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pts.n, ==, want);
  for (gsize i = 0; i < pts.n; i++)
    sum += pts.weight[i];
  g_assert_cmpfloat_with_epsilon (sum, want_sum, 1e-6);
  g_test_message ("%s: %zu points", where, pts.n);
}

static void
test_filters (void)
{
  g_autoptr(GisStore) store = open_sample ();
  GisHotspotInput in;
  const char *cats[] = { "illegal_logging", "wildlife_trafficking", NULL };
  const char *one[] = { "hazardous_waste", NULL };
  const char *none[] = { NULL };

  if (store == NULL)
    return;
  gis_hotspot_input_init (&in);
  check_count (store, &in, "1");

  in.categories = none;
  check_count (store, &in, "1");

  in.categories = cats;
  check_count (store, &in, "category IN ('illegal_logging', 'wildlife_trafficking')");

  in.categories = NULL;
  in.date_from = "2018";
  check_count (store, &in, "occurred_at >= '2018-01-01T00:00:00Z'");

  in.date_to = "2019-06";
  check_count (store, &in, "occurred_at >= '2018-01-01T00:00:00Z' AND occurred_at <= '2019-06-30T23:59:59Z'");

  in.date_from = NULL;
  in.date_to = "2016-02-29";
  check_count (store, &in, "occurred_at <= '2016-02-29T23:59:59Z'");

  in.date_to = NULL;
  in.min_severity = 4;
  check_count (store, &in, "severity >= 4");

  in.weight_field = "severity";
  check_count (store, &in, "severity >= 4 AND severity IS NOT NULL");

  in.categories = one;
  in.date_from = "2017-03-15";
  in.date_to = "2020";
  in.min_severity = 2;
  check_count (store, &in, "category = 'hazardous_waste' AND occurred_at >= '2017-03-15T00:00:00Z' "
                           "AND occurred_at <= '2020-12-31T23:59:59Z' AND severity >= 2 AND severity IS NOT NULL");
}

/* Positions, times, categories and countries of a few points against
 * PROJ and the table. */
static void
test_values (void)
{
  g_autoptr(GisStore) store = open_sample ();
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotPoints) pts = { 0 };
  GisHotspotInput in;
  PJ_CONTEXT *ctx;
  PJ *raw, *pj;

  if (store == NULL)
    return;
  gis_hotspot_input_init (&in);
  g_assert_true (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pts.n, >, 1000);
  g_assert_true (pts.has_time);
  g_assert_nonnull (pts.layer);
  g_assert_cmpstr (gis_layer_get_name (pts.layer), ==, "incidents");

  ctx = proj_context_create ();
  raw = proj_create_crs_to_crs (ctx, "EPSG:4326", LAEA, NULL);
  pj = proj_normalize_for_visualization (ctx, raw);
  for (gsize i = 0; i < pts.n; i += pts.n / 7)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT X(geom), Y(geom), strftime('%%s', occurred_at), category, "
                                              "country FROM incidents WHERE fid = %" G_GINT64_FORMAT, pts.fid[i]);
      GisCursor *c = gis_store_query (store, sql, &error);
      PJ_COORD xy;

      g_assert_no_error (error);
      g_assert_true (gis_cursor_next (c, NULL, &error));
      xy = proj_trans (pj, PJ_FWD, proj_coord (gis_cursor_get_double (c, 0), gis_cursor_get_double (c, 1), 0, 0));
      g_assert_cmpfloat_with_epsilon (pts.x[i], xy.xy.x, 1e-6);
      g_assert_cmpfloat_with_epsilon (pts.y[i], xy.xy.y, 1e-6);
      g_assert_cmpfloat (pts.time_s[i], ==, gis_cursor_get_double (c, 2));
      g_assert_cmpint (pts.category[i], >=, 0);
      g_assert_cmpstr (g_ptr_array_index (pts.category_names, pts.category[i]), ==, gis_cursor_get_text (c, 3));
      g_assert_cmpint (pts.country[i], >=, 0);
      g_assert_cmpstr (g_ptr_array_index (pts.country_names, pts.country[i]), ==, gis_cursor_get_text (c, 4));
      g_assert_cmpfloat (pts.weight[i], ==, 1.0);
      gis_cursor_free (c);
    }
  for (gsize i = 1; i < pts.n; i++)
    g_assert_cmpint (pts.fid[i - 1], <, pts.fid[i]);
  g_assert_cmpuint (pts.category_names->len, ==, 5);
  g_assert_cmpuint (pts.country_names->len, ==, 3);
  proj_destroy (pj);
  proj_destroy (raw);
  proj_context_destroy (ctx);
}

/* Values that would break out of an SQL string or identifier are plain
 * values: no point matches them, and the store is untouched. */
static void
test_injection (void)
{
  g_autoptr(GisStore) store = open_sample ();
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotPoints) pts = { 0 };
  g_autofree char *before = NULL, *after = NULL;
  GisHotspotInput in;
  const char *cats[] = { "x') OR 1=1 --", "hazardous_waste' OR '1'='1", "\"; DROP TABLE incidents; --", NULL };

  if (store == NULL)
    return;
  before = gis_store_checksum (store, &error);
  g_assert_no_error (error);

  gis_hotspot_input_init (&in);
  in.categories = cats;
  g_assert_true (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pts.n, ==, 0);
  gis_hotspot_points_clear (&pts);

  in.categories = NULL;
  in.weight_field = "severity\" FROM incidents; DROP TABLE incidents; --";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  in.weight_field = NULL;
  in.layer = "incidents; DROP TABLE incidents";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  after = gis_store_checksum (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before, ==, after);
}

static void
test_errors (void)
{
  g_autoptr(GisStore) store = open_sample ();
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotPoints) pts = { 0 };
  GisHotspotInput in;
  const char *cats[] = { "x", NULL };

  if (store == NULL)
    return;

  gis_hotspot_input_init (&in);
  in.layer = "no such layer";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  in.layer = "countries";
  g_assert_false (gis_hotspot_input_check (store, &in, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* ports have no category nor dates */
  in.layer = "ports";
  in.categories = cats;
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "category"));
  g_clear_error (&error);
  in.categories = NULL;
  in.date_from = "2020";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  in.layer = "incidents";
  in.date_from = "2020-13";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "2020-13"));
  g_clear_error (&error);
  in.date_from = "2021";
  in.date_to = "2019";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  in.date_from = in.date_to = NULL;

  in.weight_field = "category";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "numeric"));
  g_clear_error (&error);
  in.weight_field = "weight";
  g_assert_false (gis_hotspot_points_load (store, &in, &pts, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (pts.n, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");

  g_test_init (&argc, &argv, NULL);
  gis_init ();
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    sample_path = g_strdup (path);

  g_test_add_func ("/hotspots-input/filters", test_filters);
  g_test_add_func ("/hotspots-input/values", test_values);
  g_test_add_func ("/hotspots-input/injection", test_injection);
  g_test_add_func ("/hotspots-input/errors", test_errors);
  return g_test_run ();
}
