/* test-hotspots-layers.c: Gi*, clusters and emerging hot spots written as layers
 *
 * On a copy of the sample store (ATALAYA_SAMPLE_STORE; skipped without
 * it), against the ground truth of data-samples/planted-hotspots.csv:
 * every planted centre lies in a +3 Gi* bin and in a DBSCAN cluster; the
 * clusters of the hotspots that straddle the US-MX boundary are flagged
 * cross-border with countries "MX,US"; Houston, planted from 2022, is a
 * new or intensifying hot spot.  The layers hold what the results say,
 * each has its method record, and a save that fails or is cancelled
 * leaves the store byte for byte as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

/* Gi* at a fixed scale: square bins of 10 km, the radius of the smallest
 * planted hotspots (their points are Gaussian with σ = radius / 2, so a
 * bin holds most of a hotspot's core), and a band of 20 km: the bin and
 * its ring of eight within √2 · 10 km, the extent of a planted hotspot. */
#define GISTAR_CELL_M 10000.0
#define GISTAR_BAND_M 20000.0
/* DBSCAN: 3 km and 30 points.  A planted core holds ~ 6 points per km²
 * (1000 points, σ = 5 km), ~ 180 within 3 km; the background, a few
 * hundredths per km², is far below 30 in 28 km². */
#define DBSCAN_EPS_M 3000.0
#define DBSCAN_MIN_PTS 30
/* Emerging: 20 km cells, 40 km band, yearly steps, K = 1 */
#define EMERGING_CELL_M 20000.0
#define EMERGING_BAND_M 40000.0

#define HOUSTON_LON -95.10
#define HOUSTON_LAT 29.73

typedef struct
{
  char   *name;
  double  lon, lat;
  char   *straddles;
  char   *start;
} Planted;

static char *sample_path;
static char *tmp_dir;
static char *copy_path;
static GArray *planted;     /* Planted */

static void
planted_clear (gpointer data)
{
  Planted *p = data;

  g_free (p->name);
  g_free (p->straddles);
  g_free (p->start);
}

static void
load_planted (void)
{
  const char *src = g_getenv ("ATALAYA_SOURCE_DIR");
  g_autofree char *path = g_build_filename (src != NULL ? src : "..", "data-samples", "planted-hotspots.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  planted = g_array_new (FALSE, TRUE, sizeof (Planted));
  g_array_set_clear_func (planted, planted_clear);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "id,name,lon,lat,radius_km,share,start,end,growth,category,straddles");
  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_auto(GStrv) f = g_strsplit (lines[l], ",", -1);
      Planted p = { 0 };

      if (lines[l][0] == '#' || g_strv_length (f) != 11)
        continue;
      p.name = g_strdup (f[1]);
      p.lon = g_ascii_strtod (f[2], NULL);
      p.lat = g_ascii_strtod (f[3], NULL);
      p.start = g_strdup (f[6]);
      p.straddles = g_strdup (f[10]);
      g_array_append_val (planted, p);
    }
  g_assert_cmpuint (planted->len, ==, 8);
}

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

static double
query_double (GisStore   *store,
              const char *sql)
{
  g_autoptr(GError) error = NULL;
  GisCursor *cursor = gis_store_query (store, sql, &error);
  double v = NAN;

  g_assert_no_error (error);
  if (gis_cursor_next (cursor, NULL, &error) && gis_cursor_get_text (cursor, 0) != NULL)
    v = gis_cursor_get_double (cursor, 0);
  g_assert_no_error (error);
  gis_cursor_free (cursor);
  return v;
}

static char *
query_text (GisStore   *store,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  GisCursor *cursor = gis_store_query (store, sql, &error);
  char *v = NULL;

  g_assert_no_error (error);
  if (gis_cursor_next (cursor, NULL, &error))
    v = g_strdup (gis_cursor_get_text (cursor, 0));
  g_assert_no_error (error);
  gis_cursor_free (cursor);
  return v;
}

static GisStore *
open_copy (void)
{
  g_autoptr(GError) error = NULL;
  GisStore *store = gis_store_open (copy_path, GIS_STORE_OPEN_READ_WRITE, &error);

  g_assert_no_error (error);
  return store;
}

static void
load_points (GisStore              *store,
             const GisHotspotInput *input,
             GisHotspotPoints      *points)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gis_hotspot_points_load (store, input, points, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (points->n, >, 1000);
}

static double
runs_of (GisStore   *store,
         const char *kind,
         GisLayer   *layer)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM atalaya_runs WHERE kind = '%s' AND result_layer = %"
                                          G_GINT64_FORMAT, kind, gis_layer_get_id (layer));

  return query_double (store, sql);
}

/* ---- Gi* --------------------------------------------------------------------------------- */

static void
test_gistar (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsGiStar) r = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *params = NULL;
  GisHotspotInput input;
  GisHotspotsGiStarParams p;
  const char *table;
  guint hot3 = 0;
  JsonObject *root;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);

  gis_hotspots_gistar_params_init (&p);
  p.cell_size_m = GISTAR_CELL_M;
  p.band_m = GISTAR_BAND_M;
  r = gis_hotspots_gistar_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (r->cell_auto);
  g_assert_false (r->band_auto);
  for (guint i = 0; i < r->gi.n; i++)
    hot3 += r->gi.bin[i] == 3;
  g_test_message ("Gi*: %zu points in %u bins of 10 km, band 20 km: %u bins at +3, %.3f s",
                  points.n, r->bins.n, hot3, r->seconds);

  layer = gis_hotspots_gistar_save (store, r, "gi", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  g_assert_cmpstr (gis_layer_get_name (layer), ==, "gi");
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, r->bins.n);
  g_assert_cmpint (gis_layer_get_role (layer), ==, GIS_LAYER_ROLE_RESULT);
  table = gis_layer_get_table_name (layer);
  g_assert_cmpfloat (runs_of (store, "gistar", layer), ==, 1);

  /* the table holds the result */
  sql = g_strdup_printf ("SELECT sum(count) FROM \"%s\"", table);
  g_assert_cmpfloat (query_double (store, sql), ==, points.n);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE bin = 3", table);
  g_assert_cmpfloat (query_double (store, sql), ==, hot3);
  g_free (sql);
  /* squares of 10 km: 100 km² each, in lon/lat and back */
  sql = g_strdup_printf ("SELECT min(ST_Area(ST_Transform(geom, 2163))), max(ST_Area(ST_Transform(geom, 2163))) "
                         "FROM \"%s\"", table);
  g_assert_cmpfloat_with_epsilon (query_double (store, sql) / 1e8, 1.0, 1e-6);
  g_free (sql);

  /* every planted centre in a +3 bin */
  for (guint i = 0; i < planted->len; i++)
    {
      const Planted *pl = &g_array_index (planted, Planted, i);
      double z, bin;

      sql = g_strdup_printf ("SELECT z FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.6f, %.6f, 4326))",
                             table, pl->lon, pl->lat);
      z = query_double (store, sql);
      g_free (sql);
      sql = g_strdup_printf ("SELECT bin FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.6f, %.6f, 4326))",
                             table, pl->lon, pl->lat);
      bin = query_double (store, sql);
      g_clear_pointer (&sql, g_free);
      g_test_message ("Gi*: %s: z = %.2f, bin %+.0f", pl->name, z, bin);
      g_assert_cmpfloat (bin, ==, 3);
    }

  /* the method record: parameters, input and the bins */
  params = query_text (store, "SELECT params_json FROM atalaya_runs WHERE kind = 'gistar' ORDER BY id DESC LIMIT 1");
  g_assert_true (json_parser_load_from_data (parser, params, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (root, "params"), "cell_km"), ==, 10);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (root, "params"), "band_km"), ==, 20);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "input"), "layer"), ==,
                   "incidents");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "bins"), "3"), ==, hot3);
  sql = query_text (store, "SELECT inputs_json FROM atalaya_runs WHERE kind = 'gistar' ORDER BY id DESC LIMIT 1");
  g_assert_nonnull (strstr (sql, "\"incidents\""));
  g_clear_pointer (&sql, g_free);

  /* the style: the legend of the bins, reds to blues */
  {
    g_autoptr(GisStyle) style = gis_style_new_from_json (gis_layer_get_style_json (layer), &error);

    g_assert_no_error (error);
    g_assert_cmpint (gis_style_get_kind (style), ==, GIS_STYLE_CATEGORIZED);
    g_assert_cmpstr (gis_style_get_field (style), ==, "bin");
    g_assert_cmpuint (gis_style_get_n_categories (style), ==, 7);
    g_assert_cmpstr (gis_style_get_category_value (style, 0), ==, "3");
    g_assert_cmpstr (gis_style_get_category_label (style, 0), ==, "Hot spot 99 %");
    g_assert_cmpstr (gis_style_get_category_label (style, 3), ==, "Not significant");
    g_assert_cmpstr (gis_style_get_category_label (style, 4), ==, "Cold spot 90 %");
    g_assert_cmpfloat (gis_style_get_category_symbol (style, 0)->fill.r, >, 0.7);
    g_assert_cmpfloat (gis_style_get_category_symbol (style, 6)->fill.b, >, 0.6);
  }

  /* the JSON summary */
  json = gis_hotspots_gistar_to_json (r);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "locations"), ==, r->bins.n);
}

/* The automatic scale on the same points: the choices and their reasons
 * reach the method record; hexagons have the area of their size. */
static void
test_gistar_auto_hex (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsGiStar) r = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *params = NULL;
  g_autofree char *sql = NULL;
  GisHotspotInput input;
  GisHotspotsGiStarParams p;
  guint at3 = 0;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);
  gis_hotspots_gistar_params_init (&p);
  p.shape = GIS_BIN_HEXAGON;
  r = gis_hotspots_gistar_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (r->cell_auto);
  g_assert_true (r->band_auto);
  g_assert_nonnull (r->cell_reason);
  g_assert_nonnull (r->band_reason);
  g_test_message ("Gi* automatic: %s; %s; %u hexagons, %.3f s", r->cell_reason, r->band_reason, r->bins.n, r->seconds);
  layer = gis_hotspots_gistar_save (store, r, "gi auto", NULL, &error);
  g_assert_no_error (error);
  params = query_text (store, "SELECT params_json FROM atalaya_runs WHERE kind = 'gistar' ORDER BY id DESC LIMIT 1");
  g_assert_nonnull (strstr (params, "\"cell_auto\":true"));
  g_assert_nonnull (strstr (params, "\"band_reason\":\"Band "));
  sql = g_strdup_printf ("SELECT avg(ST_Area(ST_Transform(geom, 2163))) FROM \"%s\"", gis_layer_get_table_name (layer));
  g_assert_cmpfloat_with_epsilon (query_double (store, sql) / gis_bins_area_m2 (GIS_BIN_HEXAGON, r->params.cell_size_m),
                                  1.0, 1e-6);
  for (guint i = 0; i < planted->len; i++)
    {
      const Planted *pl = &g_array_index (planted, Planted, i);
      double bin;

      g_free (sql);
      sql = g_strdup_printf ("SELECT bin FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.6f, %.6f, 4326))",
                             gis_layer_get_table_name (layer), pl->lon, pl->lat);
      bin = query_double (store, sql);
      g_test_message ("Gi* automatic: %s: bin %+.0f", pl->name, bin);
      at3 += bin == 3;
    }
  g_test_message ("Gi* automatic: %u of %u planted centres in +3 bins", at3, planted->len);
}

/* Polygons with a numeric field: the states by their incident counts */
static void
test_gistar_polygons (void)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisHotspotsGiStar) r = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  GisHotspotsGiStarParams p;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspots_gistar_params_init (&p);
  p.weights = GIS_GISTAR_WEIGHTS_KNN;
  p.k = 6;
  r = gis_hotspots_gistar_run_polygons (store, "habitat", "habitat_id", &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->bins.n, ==, (guint) query_double (store, "SELECT count(*) FROM habitat"));
  layer = gis_hotspots_gistar_save (store, r, "habitat gi", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, r->bins.n);
  /* the features keep their geometry */
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" AS g JOIN habitat AS h ON h.fid = g.source_fid "
                         "AND ST_Equals(g.geom, h.geom) AND g.value = h.habitat_id", gis_layer_get_table_name (layer));
  g_assert_cmpfloat (query_double (store, sql), ==, r->bins.n);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE n_neighbours = 7", gis_layer_get_table_name (layer));
  g_assert_cmpfloat (query_double (store, sql), ==, r->bins.n);
  g_assert_cmpfloat (runs_of (store, "gistar", layer), ==, 1);

  /* not a polygon layer, not a numeric field */
  g_clear_pointer (&r, gis_hotspots_gistar_free);
  r = gis_hotspots_gistar_run_polygons (store, "ports", "staff", &p, NULL, NULL, NULL, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_null (r);
  g_clear_error (&error);
  r = gis_hotspots_gistar_run_polygons (store, "habitat", "name", &p, NULL, NULL, NULL, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_assert_null (r);
}

/* ---- DBSCAN -------------------------------------------------------------------------------- */

static void
check_clusters (GisStore            *store,
                GisHotspotsClusters *r,
                GPtrArray           *layers,
                gboolean             space_time)
{
  const char *points_table = gis_layer_get_table_name (g_ptr_array_index (layers, 0));
  const char *hulls_table = gis_layer_get_table_name (g_ptr_array_index (layers, 1));
  g_autofree char *sql = NULL;
  const char *kind = space_time ? "stdbscan" : "dbscan";

  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 0)), ==, r->n_points);
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 1)), ==, r->db.n_clusters);
  g_assert_cmpfloat (runs_of (store, kind, g_ptr_array_index (layers, 0)), ==, 1);
  g_assert_cmpfloat (runs_of (store, kind, g_ptr_array_index (layers, 1)), ==, 1);
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" WHERE cluster_id = 0 AND cluster_size = 0", points_table);
  g_assert_cmpfloat (query_double (store, sql), ==, r->db.n_noise);
  g_free (sql);
  /* the points keep their fields: their cluster's size is its count */
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" AS p JOIN incidents AS i ON i.fid = p.source_fid "
                         "AND i.incident_id = p.incident_id AND i.occurred_at = p.occurred_at", points_table);
  g_assert_cmpfloat (query_double (store, sql), ==, r->n_points);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" AS h WHERE h.count != (SELECT count(*) FROM \"%s\" AS p "
                         "WHERE p.cluster_id = h.cluster_id)", hulls_table, points_table);
  g_assert_cmpfloat (query_double (store, sql), ==, 0);
  g_free (sql);
  /* every clustered point within (or on) its cluster's hull */
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" AS p JOIN \"%s\" AS h ON h.cluster_id = p.cluster_id "
                         "WHERE NOT ST_Intersects(ST_Buffer(h.geom, 1e-7), p.geom)", points_table, hulls_table);
  g_assert_cmpfloat (query_double (store, sql), ==, 0);
  g_free (sql);
  /* the first and last dates are those of the points */
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" AS h WHERE h.first_date != (SELECT substr(min(occurred_at), 1, 10) "
                         "FROM \"%s\" AS p WHERE p.cluster_id = h.cluster_id)", hulls_table, points_table);
  g_assert_cmpfloat (query_double (store, sql), ==, 0);
}

static void
test_dbscan (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsClusters) r = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;
  GisHotspotInput input;
  GisDbscanParams p = { 0 };
  const char *hulls;
  guint cross = 0;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);
  p.eps_m = DBSCAN_EPS_M;
  p.min_pts = DBSCAN_MIN_PTS;
  r = gis_hotspots_dbscan_run (store, &points, &input, &p, FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < r->clusters->len; i++)
    cross += g_array_index (r->clusters, GisHotspotsCluster, i).cross_border;
  g_test_message ("DBSCAN: eps 3 km, 30 points: %u clusters, %u noise, %u cross-border, %.3f s",
                  r->db.n_clusters, r->db.n_noise, cross, r->seconds);
  layers = gis_hotspots_clusters_save (store, r, "db", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (layers->len, ==, 2);
  g_assert_cmpstr (gis_layer_get_name (g_ptr_array_index (layers, 0)), ==, "db: clustered points");
  g_assert_cmpstr (gis_layer_get_name (g_ptr_array_index (layers, 1)), ==, "db: clusters");
  check_clusters (store, r, layers, FALSE);
  hulls = gis_layer_get_table_name (g_ptr_array_index (layers, 1));

  for (guint i = 0; i < planted->len; i++)
    {
      const Planted *pl = &g_array_index (planted, Planted, i);
      g_autofree char *where = g_strdup_printf ("FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.6f, %.6f, 4326))",
                                                hulls, pl->lon, pl->lat);
      g_autofree char *q1 = g_strconcat ("SELECT count(*) ", where, NULL);
      g_autofree char *q2 = g_strconcat ("SELECT countries ", where, NULL);
      g_autofree char *q3 = g_strconcat ("SELECT cross_border ", where, NULL);
      g_autofree char *q4 = g_strconcat ("SELECT count ", where, NULL);
      g_autofree char *q5 = g_strconcat ("SELECT categories ", where, NULL);
      g_autofree char *countries = NULL;
      g_autofree char *categories = NULL;

      g_assert_cmpfloat (query_double (store, q1), ==, 1);
      countries = query_text (store, q2);
      categories = query_text (store, q5);
      g_test_message ("DBSCAN: %s: a cluster of %.0f points, countries %s, cross-border %.0f, categories %s",
                      pl->name, query_double (store, q4), countries, query_double (store, q3), categories);
      if (g_strcmp0 (pl->straddles, "US-MX") == 0)
        {
          g_assert_cmpstr (countries, ==, "MX,US");
          g_assert_cmpfloat (query_double (store, q3), ==, 1);
        }
      else if (*pl->straddles == '\0')
        g_assert_cmpfloat (query_double (store, q3), ==, 0);
    }

  /* the JSON lists the clusters the layer holds */
  {
    g_autofree char *json = gis_hotspots_clusters_to_json (r);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root;

    g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
    root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (root, "cluster_list")), ==, r->db.n_clusters);
    g_assert_cmpint (json_object_get_int_member (root, "cross_border"), ==, cross);
  }
}

/* Without a country field, the countries come from the store's areas */
static void
test_dbscan_countries_from_areas (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsClusters) with = NULL;
  g_autoptr(GisHotspotsClusters) without = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gint32 *saved = NULL;
  GisHotspotInput input;
  GisDbscanParams p = { 0 };
  guint differ = 0;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);
  p.eps_m = DBSCAN_EPS_M;
  p.min_pts = DBSCAN_MIN_PTS;
  with = gis_hotspots_dbscan_run (store, &points, &input, &p, FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  saved = points.country;
  points.country = NULL;
  without = gis_hotspots_dbscan_run (store, &points, &input, &p, FALSE, NULL, NULL, NULL, &error);
  points.country = g_steal_pointer (&saved);
  g_assert_no_error (error);
  g_assert_cmpstr (without->countries_layer, ==, "countries");
  g_assert_cmpuint (with->clusters->len, ==, without->clusters->len);
  for (guint i = 0; i < with->clusters->len; i++)
    {
      const GisHotspotsCluster *a = &g_array_index (with->clusters, GisHotspotsCluster, i);
      const GisHotspotsCluster *b = &g_array_index (without->clusters, GisHotspotsCluster, i);

      differ += g_strcmp0 (a->countries, b->countries) != 0;
      g_assert_cmpint (a->cross_border, ==, b->cross_border);
    }
  /* the generator gives each point the country it lies in */
  g_assert_cmpuint (differ, ==, 0);
}

static void
test_stdbscan (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsClusters) r = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;
  GisHotspotInput input;
  GisDbscanParams p = { 0 };
  g_autofree char *sql = NULL;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);
  p.eps_m = 5000;
  p.min_pts = 10;
  p.eps_days = 60;
  r = gis_hotspots_dbscan_run (store, &points, &input, &p, TRUE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("ST-DBSCAN: eps 5 km, 60 days, 10 points: %u clusters, %u noise, %.3f s",
                  r->db.n_clusters, r->db.n_noise, r->seconds);
  layers = gis_hotspots_clusters_save (store, r, "st", NULL, &error);
  g_assert_no_error (error);
  check_clusters (store, r, layers, TRUE);
  /* Houston's hotspot starts in 2022: no cluster around it before */
  sql = g_strdup_printf ("SELECT min(first_date) FROM \"%s\" WHERE ST_Contains(geom, MakePoint(-95.10, 29.73, 4326))",
                         gis_layer_get_table_name (g_ptr_array_index (layers, 1)));
  {
    g_autofree char *first = query_text (store, sql);

    g_test_message ("ST-DBSCAN: the first cluster at Houston's centre starts %s", first);
    g_assert_nonnull (first);
    g_assert_cmpstr (first, >=, "2022-01-01");
  }
}

/* ---- emerging hot spots ------------------------------------------------------------------------ */

static void
test_emerging (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsEmerging) r = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *pattern = NULL;
  GisHotspotInput input;
  GisSpaceTimeParams p;
  const char *cells, *bins;
  gsize n_rows = 0;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);
  gis_spacetime_params_init (&p);
  p.cell_size_m = EMERGING_CELL_M;
  p.band_m = EMERGING_BAND_M;
  p.step = GIS_TIME_STEP_YEAR;
  r = gis_hotspots_emerging_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->st.n_steps, ==, 11);
  g_test_message ("Emerging: %u cells of 20 km × %u years, %.3f s", r->st.n_locations, r->st.n_steps, r->seconds);
  layers = gis_hotspots_emerging_save (store, r, "eh", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (layers->len, ==, 2);
  g_assert_cmpstr (gis_layer_get_name (g_ptr_array_index (layers, 0)), ==, "eh: emerging hot spots");
  g_assert_cmpstr (gis_layer_get_name (g_ptr_array_index (layers, 1)), ==, "eh: space-time bins");
  cells = gis_layer_get_table_name (g_ptr_array_index (layers, 0));
  bins = gis_layer_get_table_name (g_ptr_array_index (layers, 1));
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 0)), ==, r->st.n_locations);
  for (gsize b = 0; b < (gsize) r->st.n_locations * r->st.n_steps; b++)
    n_rows += r->st.count[b] > 0 || r->st.bin[b] != 0;
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 1)), ==, n_rows);
  g_assert_cmpfloat (runs_of (store, "emerging", g_ptr_array_index (layers, 0)), ==, 1);
  g_assert_cmpfloat (runs_of (store, "emerging", g_ptr_array_index (layers, 1)), ==, 1);
  sql = g_strdup_printf ("SELECT sum(count) FROM \"%s\"", bins);
  g_assert_cmpfloat (query_double (store, sql), ==, points.n);
  g_free (sql);
  /* the bins' dates are their steps' starts, which the time slider reads */
  sql = g_strdup_printf ("SELECT count(DISTINCT occurred_at) FROM \"%s\" WHERE occurred_at LIKE '20__-01-01T00:00:00Z'", bins);
  g_assert_cmpfloat (query_double (store, sql), ==, 11);
  g_free (sql);

  /* as the map loads it: the time bar's slider filters on these dates */
  {
    g_autoptr(GisCrs) crs = gis_crs_new_analysis ();
    GisLayerData *data = gis_layer_data_load (copy_path, gis_layer_get_id (g_ptr_array_index (layers, 1)), crs, NULL,
                                              NULL, &error);
    const gint64 *times;
    gint64 lo = G_MAXINT64, hi = G_MININT64;

    g_assert_no_error (error);
    g_assert_true (gis_layer_data_has_time (data));
    times = gis_layer_data_get_times (data);
    for (guint i = 0; i < gis_layer_data_get_n_features (data); i++)
      {
        lo = MIN (lo, times[i]);
        hi = MAX (hi, times[i]);
      }
    g_assert_cmpint (lo, ==, 1420070400);     /* 2015-01-01 */
    g_assert_cmpint (hi, ==, 1735689600);     /* 2025-01-01 */
    gis_layer_data_unref (data);
  }

  /* the categories, counted */
  {
    guint by_cat[GIS_EMERGING_N_CATEGORIES] = { 0 };

    for (guint l = 0; l < r->st.n_locations; l++)
      by_cat[r->st.category[l]]++;
    for (guint c = 0; c < GIS_EMERGING_N_CATEGORIES; c++)
      if (by_cat[c] > 0)
        g_test_message ("Emerging: %s: %u cells", gis_emerging_category_to_string (c), by_cat[c]);
  }

  /* Houston, planted from 2022: over the whole period a run of hot
   * years at the end, after none (a consecutive hot spot, as ArcGIS
   * defines it: it is not "new", which is hot at the last step only) */
  sql = g_strdup_printf ("SELECT pattern FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.6f, %.6f, 4326))",
                         cells, HOUSTON_LON, HOUSTON_LAT);
  pattern = query_text (store, sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT group_concat(bin, ' ') FROM (SELECT b.bin FROM \"%s\" AS b JOIN \"%s\" AS c "
                         "ON c.fid = b.cell_fid WHERE ST_Contains(c.geom, MakePoint(%.6f, %.6f, 4326)) "
                         "ORDER BY b.step)", bins, cells, HOUSTON_LON, HOUSTON_LAT);
  {
    g_autofree char *series = query_text (store, sql);

    g_test_message ("Emerging: Houston Ship Channel: %s, bins of its years with points %s", pattern, series);
    g_assert_cmpstr (series, ==, "0 3 3 3");
  }
  g_assert_cmpstr (pattern, ==, "consecutive-hot-spot");
  /* the places planted flat over the whole period are not new */
  for (guint i = 0; i < planted->len; i++)
    {
      const Planted *pl = &g_array_index (planted, Planted, i);
      g_autofree char *other = NULL;

      if (strcmp (pl->start, "2015-01-01") != 0)
        continue;
      g_free (sql);
      sql = g_strdup_printf ("SELECT pattern FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.6f, %.6f, 4326))",
                             cells, pl->lon, pl->lat);
      other = query_text (store, sql);
      g_test_message ("Emerging: %s: %s", pl->name, other);
      g_assert_cmpstr (other, !=, "new-hot-spot");
      g_assert_true (g_str_has_suffix (other, "-hot-spot"));
    }

  /* the style is the legend of the categories */
  {
    g_autoptr(GisStyle) style = gis_style_new_from_json (gis_layer_get_style_json (g_ptr_array_index (layers, 0)),
                                                         &error);

    g_assert_no_error (error);
    g_assert_cmpstr (gis_style_get_field (style), ==, "pattern");
    g_assert_cmpuint (gis_style_get_n_categories (style), ==, GIS_EMERGING_N_CATEGORIES);
    g_assert_cmpstr (gis_style_get_category_value (style, 0), ==, "new-hot-spot");
    g_assert_cmpstr (gis_style_get_category_label (style, 0), ==, "New hot spot");
  }
}

/* Houston over two other periods: through 2023, the first year it is
 * hot, it is a new hot spot; from 2023 by quarters, hot in every quarter
 * and rising, an intensifying one. */
static GisEmergingCategory
houston_category (GisStore    *store,
                  const char  *from,
                  const char  *to,
                  GisTimeStep  step)
{
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsEmerging) r = NULL;
  g_autoptr(GisTransform) to_analysis = NULL;
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) bins = g_string_new (NULL);
  GisHotspotInput input;
  GisSpaceTimeParams p;
  double x = HOUSTON_LON, y = HOUSTON_LAT;
  guint found = G_MAXUINT;

  gis_hotspot_input_init (&input);
  input.date_from = from;
  input.date_to = to;
  load_points (store, &input, &points);
  gis_spacetime_params_init (&p);
  p.cell_size_m = EMERGING_CELL_M;
  p.band_m = EMERGING_BAND_M;
  p.step = step;
  r = gis_hotspots_emerging_run (&points, &input, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  to_analysis = gis_transform_new (storage, analysis, &error);
  g_assert_no_error (error);
  g_assert_true (gis_transform_point (to_analysis, &x, &y));
  for (guint l = 0; l < r->st.n_locations; l++)
    if (fabs (r->st.cells.x[l] - x) <= EMERGING_CELL_M / 2 && fabs (r->st.cells.y[l] - y) <= EMERGING_CELL_M / 2)
      found = l;
  g_assert_cmpuint (found, !=, G_MAXUINT);
  for (guint t = 0; t < r->st.n_steps; t++)
    g_string_append_printf (bins, "%s%d", t > 0 ? " " : "", r->st.bin[(gsize) found * r->st.n_steps + t]);
  g_test_message ("Emerging: Houston from %s to %s by %s: %s (bins %s, trend z %.2f, p %.3g)",
                  from != NULL ? from : "the start", to != NULL ? to : "the end", gis_time_step_to_string (step),
                  gis_emerging_category_to_string (r->st.category[found]), bins->str,
                  r->st.trend[found].z, r->st.trend[found].p);
  return r->st.category[found];
}

static void
test_emerging_windows (void)
{
  g_autoptr(GisStore) store = NULL;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  g_assert_cmpint (houston_category (store, NULL, "2023", GIS_TIME_STEP_YEAR), ==, GIS_EMERGING_NEW_HOT);
  g_assert_cmpint (houston_category (store, "2023", NULL, GIS_TIME_STEP_QUARTER), ==, GIS_EMERGING_INTENSIFYING_HOT);
}

/* ---- failures leave the store as it was ----------------------------------------------------- */

static void
test_rollback (void)
{
  g_autoptr(GisStore) store = NULL;
  g_auto(GisHotspotPoints) points = { 0 };
  g_autoptr(GisHotspotsGiStar) gi = NULL;
  g_autoptr(GisHotspotsClusters) db = NULL;
  g_autoptr(GisHotspotsEmerging) eh = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GisHotspotInput input;
  GisHotspotsGiStarParams gp;
  GisDbscanParams dp = { 0 };
  GisSpaceTimeParams sp;

  if (skip_without_sample ())
    return;
  store = open_copy ();
  gis_hotspot_input_init (&input);
  load_points (store, &input, &points);
  gis_hotspots_gistar_params_init (&gp);
  gp.cell_size_m = GISTAR_CELL_M;
  gp.band_m = GISTAR_BAND_M;
  gi = gis_hotspots_gistar_run (&points, &input, &gp, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  dp.eps_m = DBSCAN_EPS_M;
  dp.min_pts = DBSCAN_MIN_PTS;
  db = gis_hotspots_dbscan_run (store, &points, &input, &dp, FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  gis_spacetime_params_init (&sp);
  sp.cell_size_m = EMERGING_CELL_M;
  sp.band_m = EMERGING_BAND_M;
  sp.step = GIS_TIME_STEP_YEAR;
  eh = gis_hotspots_emerging_run (&points, &input, &sp, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* one layer that exists already: "rb: clusters" */
  layer = gis_hotspots_gistar_save (store, gi, "rb: clusters", NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&layer);
  g_clear_object (&store);

  before = test_store_checksum (copy_path);
  store = open_copy ();
  /* cancelled: the first check, after BEGIN and the first CREATE TABLE, rolls back */
  g_cancellable_cancel (cancellable);
  layer = gis_hotspots_gistar_save (store, gi, "rb gi", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (layer);
  g_clear_error (&error);
  layers = gis_hotspots_emerging_save (store, eh, "rb", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (layers);
  g_clear_error (&error);
  /* a name taken by the second of the two layers */
  layers = gis_hotspots_clusters_save (store, db, "rb", NULL, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_EXISTS);
  g_assert_null (layers);
  g_clear_error (&error);
  /* no name */
  layer = gis_hotspots_gistar_save (store, gi, "  ", NULL, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_clear_object (&store);
  after = test_store_checksum (copy_path);
  g_assert_cmpstr (before, ==, after);

  /* read-only */
  {
    g_autoptr(GisStore) ro = gis_store_open (copy_path, GIS_STORE_OPEN_READ_ONLY, &error);

    g_assert_no_error (error);
    layer = gis_hotspots_gistar_save (ro, gi, "ro", NULL, &error);
    g_assert_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY);
    g_assert_null (layer);
    g_clear_error (&error);
  }
  g_free (after);
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
  load_planted ();
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

  g_test_add_func ("/hotspots-layers/gistar", test_gistar);
  g_test_add_func ("/hotspots-layers/gistar-auto-hex", test_gistar_auto_hex);
  g_test_add_func ("/hotspots-layers/gistar-polygons", test_gistar_polygons);
  g_test_add_func ("/hotspots-layers/dbscan", test_dbscan);
  g_test_add_func ("/hotspots-layers/dbscan-countries-from-areas", test_dbscan_countries_from_areas);
  g_test_add_func ("/hotspots-layers/stdbscan", test_stdbscan);
  g_test_add_func ("/hotspots-layers/emerging", test_emerging);
  g_test_add_func ("/hotspots-layers/emerging-windows", test_emerging_windows);
  g_test_add_func ("/hotspots-layers/rollback", test_rollback);
  ret = g_test_run ();

  if (tmp_dir != NULL)
    test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (copy_path);
  g_free (sample_path);
  g_array_unref (planted);
  gis_shutdown ();
  return ret;
}
