/* test-real-data.c: the shared public datasets import with their counts
 *
 * The counts are those of the datasets' PROVENANCE.md.  When the shared
 * data is not beside the project, every case is skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "gis.h"
#include "test-util.h"

typedef struct
{
  const char *file;
  const char *layer;        /* source layer, or NULL */
  gint64      count;
  const char *geometry;
  const char *x_field, *y_field, *wkt_field;
  const char *date_field, *date_format;
  gboolean    no_geometry;
  GisLayerRole role;
  GisExtent   within;       /* every feature lies in this box */
} Case;

static const Case cases[] = {
  { "natural_earth/natural_earth_na.gpkg", "countries", 42, "MULTIPOLYGON",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_BOUNDARY, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "states_provinces", 64, "MULTIPOLYGON",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_BOUNDARY, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "boundary_lines", 24, "MULTILINESTRING",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_BOUNDARY, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "coastline", 1021, "MULTILINESTRING",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_OTHER, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "lakes", 571, "MULTIPOLYGON",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_OTHER, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "populated_places", 1453, "POINT",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_OTHER, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "seaports", 265, "POINT",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_PORT, { -170, 10, -50, 85 } },
  { "natural_earth/natural_earth_na.gpkg", "airports", 264, "POINT",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_OTHER, { -170, 10, -50, 85 } },
  { "ports_of_entry/us_land_ports_of_entry.geojson", NULL, 117, "POINT",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_PORT, { -170, 25, -60, 72 } },
  { "ports_of_entry/border_crossing_entry_2023_2024.csv", NULL, 18174, "POINT",
    NULL, NULL, "Point", "Date", "%b %Y", FALSE, GIS_LAYER_ROLE_PORT, { -141.01, 25.95, -66.98, 62.62 } },
  { "ports_of_entry/border_crossing_annual_by_port_1996_2024.csv", NULL, 34082, "NONE",
    NULL, NULL, NULL, NULL, NULL, TRUE, GIS_LAYER_ROLE_OTHER, { 0, 0, 0, 0 } },
  { "facilities/us_tri_tx_2023_releases.csv", NULL, 9506, "POINT",
    "LONGITUDE", "LATITUDE", NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_FACILITY, { -107, 25, -93, 37 } },
  { "facilities/us_tri_tx_2023_facilities.geojson", NULL, 1962, "POINT",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_FACILITY, { -107, 25, -93, 37 } },
  { "facilities/mx_retc_establishments_2022.csv", NULL, 3017, "POINT",
    "longitude", "latitude", NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_FACILITY, { -117.08, 14.88, -86.74, 32.68 } },
  { "facilities/mx_retc_releases_2022.csv", NULL, 7409, "NONE",
    NULL, NULL, NULL, NULL, NULL, TRUE, GIS_LAYER_ROLE_OTHER, { 0, 0, 0, 0 } },
  { "habitat/protected_areas_us_ca.gpkg", "protected_areas", 2255, "MULTIPOLYGON",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_HABITAT, { -170, 10, -50, 85 } },
  { "habitat/protected_areas_us_ca.gpkg", "ne_us_national_parks", 61, "MULTIPOLYGON",
    NULL, NULL, NULL, NULL, NULL, FALSE, GIS_LAYER_ROLE_HABITAT, { -170, 10, -50, 85 } },
  { "incidents/san_jose_illegal_dumping.csv", NULL, 2000, "POINT",
    NULL, NULL, NULL, "received_utc", NULL, FALSE, GIS_LAYER_ROLE_INCIDENT, { -122.1, 37.1, -121.6, 37.5 } },
  { "incidents/san_jose_illegal_dumping.geojson", NULL, 2000, "POINT",
    NULL, NULL, NULL, "received_utc", NULL, FALSE, GIS_LAYER_ROLE_INCIDENT, { -122.1, 37.1, -121.6, 37.5 } },
};

static void
test_dataset (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = test_shared_data (c->file);
  g_autofree char *dir = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    {
      g_test_skip ("the shared datasets are not beside the project");
      return;
    }

  dir = test_make_tmpdir ();
  store = test_new_store (dir, "real.sqlite");
  options->source_layer = g_strdup (c->layer);
  options->x_field = g_strdup (c->x_field);
  options->y_field = g_strdup (c->y_field);
  options->wkt_field = g_strdup (c->wkt_field);
  options->date_field = g_strdup (c->date_field);
  options->date_format = g_strdup (c->date_format);
  options->no_geometry = c->no_geometry;
  options->role = c->role;

  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->rows_rejected, ==, 0);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, c->count);
  g_assert_cmpstr (gis_layer_get_geometry_type (layer), ==, c->geometry);

  if (!c->no_geometry)
    {
      const GisExtent *e = gis_layer_get_extent (layer);

      g_test_message ("extent %f %f %f %f", e->min_x, e->min_y, e->max_x, e->max_y);
      g_assert_cmpfloat (e->min_x, >=, c->within.min_x);
      g_assert_cmpfloat (e->min_y, >=, c->within.min_y);
      g_assert_cmpfloat (e->max_x, <=, c->within.max_x);
      g_assert_cmpfloat (e->max_y, <=, c->within.max_y);
    }

  if (c->date_field != NULL)
    {
      g_autofree char *qt = NULL;
      g_autofree char *sql = NULL;
      g_autoptr(GisCursor) cursor = NULL;

      qt = g_strdup_printf ("\"%s\"", gis_layer_get_table_name (layer));
      sql = g_strdup_printf ("SELECT count(occurred_at), min(occurred_at), max(occurred_at) FROM %s", qt);
      cursor = gis_store_query (store, sql, &error);
      g_assert_no_error (error);
      g_assert_true (gis_cursor_next (cursor, NULL, &error));
      g_assert_cmpint (gis_cursor_get_int64 (cursor, 0), ==, c->count);
      g_test_message ("dates %s .. %s", gis_cursor_get_text (cursor, 1), gis_cursor_get_text (cursor, 2));
      if (g_str_has_prefix (c->file, "ports_of_entry"))
        {
          g_assert_cmpstr (gis_cursor_get_text (cursor, 1), ==, "2023-01-01T00:00:00Z");
          g_assert_cmpstr (gis_cursor_get_text (cursor, 2), ==, "2024-12-01T00:00:00Z");
        }
      else
        {
          /* PROVENANCE: received 2015-11-19 to 2022-11-02 */
          g_assert_true (g_str_has_prefix (gis_cursor_get_text (cursor, 1), "2015-11-19"));
          g_assert_true (g_str_has_prefix (gis_cursor_get_text (cursor, 2), "2022-11-02"));
        }
    }

  g_assert_true (gis_store_check (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/real-data/%s%s%s", cases[i].file,
                                               cases[i].layer ? "/" : "",
                                               cases[i].layer ? cases[i].layer : "");
      g_test_add_data_func (name, &cases[i], test_dataset);
    }

  return g_test_run ();
}
