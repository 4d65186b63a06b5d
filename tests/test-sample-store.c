/* test-sample-store.c: the sample store holds what its README says
 *
 * Checks the built north-america.sqlite against planted-hotspots.csv,
 * its ground truth: each planted hotspot is far denser than the
 * background around it, the ones marked US-MX have incidents on both
 * sides, and the emerging one has none before its start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

static GisStore *store;

static GisStore *
sample_store (void)
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");
  g_autoptr(GError) error = NULL;

  if (store != NULL)
    return store;
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  store = gis_store_open (path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  return store;
}

static gint64
query_int (const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisCursor) cursor = gis_store_query (sample_store (), sql, &error);

  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  g_assert_no_error (error);
  return gis_cursor_get_int64 (cursor, 0);
}

static gboolean
skip_without_store (void)
{
  if (sample_store () == NULL)
    {
      g_test_skip ("no sample store: build it with ./dev.sh test or data-samples/build-sample-store.sh");
      return TRUE;
    }
  return FALSE;
}

static void
test_layers (void)
{
  static const struct { const char *name; GisLayerRole role; const char *geometry; } expected[] = {
    { "countries", GIS_LAYER_ROLE_BOUNDARY, "MULTIPOLYGON" },
    { "states_provinces", GIS_LAYER_ROLE_BOUNDARY, "MULTIPOLYGON" },
    { "international_boundary", GIS_LAYER_ROLE_BOUNDARY, "MULTILINESTRING" },
    { "ports", GIS_LAYER_ROLE_PORT, "POINT" },
    { "facilities", GIS_LAYER_ROLE_FACILITY, "POINT" },
    { "habitat", GIS_LAYER_ROLE_HABITAT, "MULTIPOLYGON" },
    { "incidents", GIS_LAYER_ROLE_INCIDENT, "POINT" },
  };

  if (skip_without_store ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisLayer) layer = gis_store_get_layer (sample_store (), expected[i].name, &error);

      g_assert_no_error (error);
      g_assert_cmpint (gis_layer_get_role (layer), ==, expected[i].role);
      g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, expected[i].geometry);
      g_assert_cmpint (gis_layer_get_feature_count (layer), >, 0);
    }

  /* the three countries, Mexico's states among the states */
  g_assert_cmpint (query_int ("SELECT count(*) FROM countries WHERE country IN ('CA', 'US', 'MX')"), ==, 3);
  g_assert_cmpint (query_int ("SELECT count(*) FROM states_provinces WHERE country = 'MX'"), >=, 32);
  g_assert_cmpint (query_int ("SELECT count(*) FROM states_provinces WHERE country = 'US'"), ==, 51);
  g_assert_cmpint (query_int ("SELECT count(*) FROM states_provinces WHERE country = 'CA'"), ==, 13);
  g_assert_cmpint (query_int ("SELECT count(*) FROM states_provinces WHERE name = 'Chihuahua'"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM international_boundary "
                              "WHERE country_pair IN ('US-CA', 'US-MX')"), ==, 2);

  /* about 120 ports, each on the boundary (within 1 km) */
  g_assert_cmpint (query_int ("SELECT count(*) FROM ports"), >=, 110);
  g_assert_cmpint (query_int ("SELECT count(*) FROM ports"), <=, 130);
  g_assert_cmpint (query_int ("SELECT count(*) FROM ports p WHERE NOT EXISTS ("
                              "SELECT 1 FROM international_boundary b "
                              "WHERE ST_Distance(p.geom, b.geom, 1) < 1000)"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM ports WHERE border LIKE '%Mexico%'"), >=, 25);
}

static void
test_incidents (void)
{
  if (skip_without_store ())
    return;

  g_assert_cmpint (query_int ("SELECT count(*) FROM incidents"), >=, 100000);
  g_assert_cmpint (query_int ("SELECT count(*) FROM incidents WHERE occurred_at IS NULL "
                              "OR occurred_at < '2015-01-01' OR occurred_at >= '2026-01-01'"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(DISTINCT category) FROM incidents"), ==, 5);
  g_assert_cmpint (query_int ("SELECT count(*) FROM incidents WHERE category NOT IN "
                              "('hazardous_waste', 'ods_smuggling', 'wildlife_trafficking', "
                              "'illegal_dumping', 'illegal_logging')"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM incidents WHERE severity NOT BETWEEN 1 AND 5"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM incidents WHERE country NOT IN ('CA', 'US', 'MX')"), ==, 0);
}

static void
test_planted_hotspots (void)
{
  const char *src = g_getenv ("ATALAYA_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 total;
  double land_km2 = 21.6e6;   /* CA + US + MX, order of magnitude for the background */

  if (skip_without_store ())
    return;

  path = g_build_filename (src, "data-samples", "planted-hotspots.csv", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  total = query_int ("SELECT count(*) FROM incidents");

  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      double lon = g_ascii_strtod (f[2], NULL);
      double lat = g_ascii_strtod (f[3], NULL);
      double radius_km = g_ascii_strtod (f[4], NULL);
      double share = g_ascii_strtod (f[5], NULL);
      const char *start = f[6];
      const char *straddles = f[10];
      double area = G_PI * radius_km * radius_km;
      g_autofree char *within = NULL;
      gint64 n, background;
      char lon_s[32], lat_s[32], r_s[32];

      g_ascii_formatd (lon_s, sizeof lon_s, "%.6f", lon);
      g_ascii_formatd (lat_s, sizeof lat_s, "%.6f", lat);
      g_ascii_formatd (r_s, sizeof r_s, "%.1f", radius_km * 1000);
      within = g_strdup_printf ("PtDistWithin(geom, MakePoint(%s, %s, 4326), %s, 1)", lon_s, lat_s, r_s);

      {
        g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM incidents WHERE %s", within);
        n = query_int (sql);
      }
      /* the planted share, and far above what an even spread would put there */
      background = (gint64) (total * area / land_km2);
      g_test_message ("%s: %" G_GINT64_FORMAT " incidents within %.0f km (planted %.0f, even spread %" G_GINT64_FORMAT ")",
                      f[1], n, radius_km, share * total, background);
      g_assert_cmpfloat (n, >=, 0.9 * share * total);
      g_assert_cmpint (n, >, 20 * MAX (background, 1));

      if (g_strcmp0 (straddles, "US-MX") == 0)
        {
          g_autofree char *us = g_strdup_printf ("SELECT count(*) FROM incidents WHERE %s AND country = 'US'", within);
          g_autofree char *mx = g_strdup_printf ("SELECT count(*) FROM incidents WHERE %s AND country = 'MX'", within);

          g_assert_cmpint (query_int (us), >, n / 5);
          g_assert_cmpint (query_int (mx), >, n / 5);
        }

      if (strcmp (start, "2015-01-01") > 0)
        {
          /* emerging: before the start only background, after it the hotspot */
          g_autofree char *before = g_strdup_printf ("SELECT count(*) FROM incidents WHERE %s "
                                                     "AND occurred_at < '%s'", within, start);
          gint64 nb = query_int (before);

          g_test_message ("  before %s: %" G_GINT64_FORMAT, start, nb);
          g_assert_cmpint (nb, <, n / 10);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add_func ("/sample-store/layers", test_layers);
  g_test_add_func ("/sample-store/incidents", test_incidents);
  g_test_add_func ("/sample-store/planted-hotspots", test_planted_hotspots);

  rc = g_test_run ();
  g_clear_object (&store);
  return rc;
}
