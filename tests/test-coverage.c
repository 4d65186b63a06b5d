/* test-coverage.c: coverage gaps and siting against independent values
 *
 * - closed form: one disc in a square, both built in the analysis CRS;
 *   the uncovered area equals the square less the buffer polygon's area
 *   (n/2) r² sin(2π/n), n = 4 × segments per quarter, and lies within
 *   the segment tolerance of the square less π r²;
 * - SpatiaLite: the uncovered area of the sample's habitat and of a border
 *   corridor equals ST_Area(ST_Difference(zone, ST_Union(ST_Buffer(…))))
 *   in EPSG:2163 (the same spherical LAEA) to 1e-6 relative, and the
 *   uncovered facilities equal an ST_Distance count;
 * - the demand outside coverage equals a brute-force GEOS/PROJ loop, and
 *   each proposed site adds what a recount over that demand says;
 * - real data: the 117 US land ports with a 50 km radius against a 100 km
 *   corridor on the US side of the US–Mexico boundary, and the Texas TRI
 *   facilities outside that coverage, against SpatiaLite SQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif

#include <geos_c.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

#define LAEA "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs +type=crs"

static GEOSContextHandle_t geos;
static PJ_CONTEXT *pj_ctx;
static PJ *to_laea;       /* lon/lat -> LAEA; PJ_INV the other way */
static char *sample_path;

static void
laea_to_lonlat (double  x,
                double  y,
                double *lon,
                double *lat)
{
  PJ_COORD c = proj_trans (to_laea, PJ_INV, proj_coord (x, y, 0, 0));

  *lon = c.lp.lam;
  *lat = c.lp.phi;
}

static void
lonlat_to_laea (double  lon,
                double  lat,
                double *x,
                double *y)
{
  PJ_COORD c = proj_trans (to_laea, PJ_FWD, proj_coord (lon, lat, 0, 0));

  *x = c.xy.x;
  *y = c.xy.y;
}

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

static gboolean
skip_without_sample (void)
{
  if (sample_path == NULL)
    {
      g_test_skip ("no sample store: build it with ./dev.sh test or data-samples/build-sample-store.sh");
      return TRUE;
    }
  return FALSE;
}

static void
assert_rel (double got,
            double want,
            double tol,
            const char *what)
{
  double rel = fabs (got - want) / MAX (fabs (want), 1e-12);

  g_test_message ("%s: %.9f vs %.9f (relative %.3g)", what, got, want, rel);
  if (rel > tol)
    g_error ("%s: %.9f, expected %.9f (relative difference %.3g > %.3g)", what, got, want, rel, tol);
}

/* ---- closed form ------------------------------------------------------------------ */

static char *
point_feature (double      lon,
               double      lat,
               const char *props)
{
  return g_strdup_printf ("{\"type\":\"Feature\",\"properties\":{%s},\"geometry\":"
                          "{\"type\":\"Point\",\"coordinates\":[%.12f,%.12f]}}", props, lon, lat);
}

static void
import_geojson (GisStore     *store,
                const char   *dir,
                const char   *name,
                const char   *features,
                GisLayerRole  role,
                const char   *country_field)
{
  g_autofree char *file = g_strdup_printf ("%s.geojson", name);
  g_autofree char *json = g_strdup_printf ("{\"type\":\"FeatureCollection\",\"features\":[%s]}", features);
  g_autofree char *path = test_write_file (dir, file, json, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;

  options->layer_name = g_strdup (name);
  options->role = role;
  options->country_field = g_strdup (country_field);
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
}

#define HALF 100000.0   /* half the square's side, m */
#define R_KM 50.0

static GisStore *
square_store (const char *dir)
{
  GisStore *store = test_new_store (dir, "square.sqlite");
  g_autoptr(GString) sq = g_string_new ("{\"type\":\"Feature\",\"properties\":{\"name\":\"square\"},"
                                        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
  g_autoptr(GString) facilities = g_string_new (NULL);
  g_autoptr(GString) demand = g_string_new (NULL);
  const double corners[5][2] = { { -HALF, -HALF }, { HALF, -HALF }, { HALF, HALF }, { -HALF, HALF }, { -HALF, -HALF } };
  /* facilities at known distances from the centre, in the analysis CRS */
  const double fac[4][2] = { { 49900, 0 }, { 50100, 0 }, { 0, -70000 }, { 30000, 30000 } };
  double lon, lat;
  g_autofree char *port = NULL;

  for (int i = 0; i < 5; i++)
    {
      laea_to_lonlat (corners[i][0], corners[i][1], &lon, &lat);
      g_string_append_printf (sq, "%s[%.12f,%.12f]", i > 0 ? "," : "", lon, lat);
    }
  g_string_append (sq, "]]}}");
  import_geojson (store, dir, "zone", sq->str, GIS_LAYER_ROLE_HABITAT, NULL);

  import_geojson (store, dir, "countries",
                  "{\"type\":\"Feature\",\"properties\":{\"name\":\"land\",\"country\":\"United States\"},"
                  "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-120,30],[-80,30],[-80,60],[-120,60],"
                  "[-120,30]]]}}", GIS_LAYER_ROLE_BOUNDARY, "country");

  laea_to_lonlat (0, 0, &lon, &lat);
  port = point_feature (lon, lat, "\"name\":\"centre\"");
  import_geojson (store, dir, "ports", port, GIS_LAYER_ROLE_PORT, NULL);

  for (int i = 0; i < 4; i++)
    {
      g_autofree char *props = g_strdup_printf ("\"n\":%d", i + 1);
      g_autofree char *f = NULL;

      laea_to_lonlat (fac[i][0], fac[i][1], &lon, &lat);
      f = point_feature (lon, lat, props);
      g_string_append_printf (facilities, "%s%s", i > 0 ? "," : "", f);
    }
  import_geojson (store, dir, "facilities", facilities->str, GIS_LAYER_ROLE_FACILITY, NULL);

  /* demand: a 21 x 21 grid over the square, severity 1 to 5 */
  for (int j = 0; j < 21; j++)
    for (int i = 0; i < 21; i++)
      {
        g_autofree char *props = g_strdup_printf ("\"severity\":%d", 1 + (i + j) % 5);
        g_autofree char *f = NULL;

        laea_to_lonlat (-HALF + 5000 + i * 9500, -HALF + 5000 + j * 9500, &lon, &lat);
        f = point_feature (lon, lat, props);
        g_string_append_printf (demand, "%s%s", demand->len > 0 ? "," : "", f);
      }
  import_geojson (store, dir, "demand", demand->str, GIS_LAYER_ROLE_INCIDENT, NULL);
  return store;
}

static void
test_closed_form (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = square_store (dir);
  const char *resources[] = { "ports", NULL };
  const int segments[] = { 32, 8 };

  for (guint s = 0; s < G_N_ELEMENTS (segments); s++)
    {
      GisCoverageParams p = { 0 };
      g_autoptr(GisCoverageResult) r = NULL;
      g_autoptr(GError) error = NULL;
      double n = 4.0 * segments[s], r_km = R_KM;
      double polygon = n / 2 * r_km * r_km * sin (2 * G_PI / n);
      double square = 4 * HALF * HALF / 1e6;
      const GisCoverageCountry *total;
      guint uncovered_demand = 0;
      double uncovered_weight = 0;

      p.resources = resources;
      p.radius_km = R_KM;
      p.zone = GIS_COVERAGE_ZONE_LAYER;
      p.zone_layer = "zone";
      p.facilities_layer = "facilities";
      p.demand_layer = "demand";
      p.weight_field = "severity";
      p.quadrant_segments = segments[s];
      r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      assert_rel (gis_coverage_result_get_zone_km2 (r), square, 1e-9, "square km²");
      assert_rel (gis_coverage_result_get_uncovered_km2 (r), square - polygon, 1e-9, "square − buffer polygon");
      /* the polygon is inscribed: within its tolerance of the exact disc */
      g_assert_cmpfloat (gis_coverage_result_get_uncovered_km2 (r), >=, square - G_PI * r_km * r_km - 1e-9);
      g_assert_cmpfloat (gis_coverage_result_get_uncovered_km2 (r) - (square - G_PI * r_km * r_km), <=,
                         G_PI * r_km * r_km * (1 - sin (2 * G_PI / n) / (2 * G_PI / n)) + 1e-9);

      /* the one country has it all */
      g_assert_cmpuint (gis_coverage_result_get_n_countries (r), ==, 1);
      g_assert_cmpstr (gis_coverage_result_get_country (r, 0)->country, ==, "US");
      assert_rel (gis_coverage_result_get_country (r, 0)->uncovered_km2, square - polygon, 1e-9, "US part");

      /* facilities: 49.9 and 42.4 km covered; 50.1 and 70 km not */
      g_assert_cmpuint (gis_coverage_result_get_n_uncovered_facilities (r), ==, 2);
      g_assert_cmpint (gis_coverage_result_get_uncovered_facility (r, 0)->fid, ==, 2);
      g_assert_cmpfloat_with_epsilon (gis_coverage_result_get_uncovered_facility (r, 0)->nearest_km, 50.1, 1e-6);
      g_assert_cmpint (gis_coverage_result_get_uncovered_facility (r, 1)->fid, ==, 3);
      g_assert_cmpfloat_with_epsilon (gis_coverage_result_get_uncovered_facility (r, 1)->nearest_km, 70.0, 1e-6);

      /* demand: counted by hand on the grid */
      for (int j = 0; j < 21; j++)
        for (int i = 0; i < 21; i++)
          {
            double x = -HALF + 5000 + i * 9500, y = -HALF + 5000 + j * 9500;

            if (hypot (x, y) > R_KM * 1000)
              {
                uncovered_demand++;
                uncovered_weight += 1 + (i + j) % 5;
              }
          }
      total = gis_coverage_result_get_total (r);
      g_assert_cmpuint (total->n_demand, ==, 441);
      g_assert_cmpuint (total->n_demand_uncovered, ==, uncovered_demand);
      g_assert_cmpfloat_with_epsilon (total->demand_uncovered, uncovered_weight, 1e-9);
      g_assert_cmpuint (gis_coverage_result_get_uncovered_demand (r)->len, ==, uncovered_demand);
    }
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* Siting in the square: the best site covers the most of the grid left
 * uncovered, as a brute force over the candidates says. */
static void
test_siting_square (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = square_store (dir);
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  GisSitingParams sp = { 0 };
  g_autoptr(GisCoverageResult) r = NULL;
  g_autoptr(GisSitingResult) s = NULL;
  g_autoptr(GError) error = NULL;
  double exact = 0, best = 0;
  const GisSite *site;

  p.resources = resources;
  p.radius_km = R_KM;
  p.zone = GIS_COVERAGE_ZONE_LAYER;
  p.zone_layer = "zone";
  p.demand_layer = "demand";
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  sp.k = 1;
  sp.grid_km = 20;
  sp.radius_km = 30;
  sp.exact_max_nodes = 100000;
  s = gis_coverage_site (store, r, &sp, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gis_siting_result_get_n_sites (s), ==, 1);
  g_assert_cmpuint (gis_siting_result_get_n_candidates (s), ==, 100);   /* 10 x 10 cells of 20 km */

  /* brute force: every grid centre, the uncovered grid points within 30 km */
  for (int cj = 0; cj < 10; cj++)
    for (int ci = 0; ci < 10; ci++)
      {
        double cx = -HALF + 10000 + ci * 20000, cy = -HALF + 10000 + cj * 20000, n = 0;

        for (int j = 0; j < 21; j++)
          for (int i = 0; i < 21; i++)
            {
              double x = -HALF + 5000 + i * 9500, y = -HALF + 5000 + j * 9500;

              if (hypot (x, y) > R_KM * 1000 && hypot (x - cx, y - cy) <= 30000)
                n++;
            }
        best = MAX (best, n);
      }
  site = gis_siting_result_get_site (s, 0);
  g_assert_cmpfloat (site->added_demand, ==, best);
  g_assert_cmpuint (site->added_count, ==, (guint) best);
  g_assert_true (gis_siting_result_get_exact (s, &exact));
  g_assert_cmpfloat (exact, ==, best);
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* ---- SpatiaLite and brute force on the sample --------------------------------------- */

static void
test_habitat_vs_spatialite (void)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) r = NULL;
  g_autoptr(GError) error = NULL;
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  double want_zone, want_unc, sum = 0;

  if (skip_without_sample ())
    return;
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  p.resources = resources;
  p.radius_km = 50;
  p.zone = GIS_COVERAGE_ZONE_LAYER;
  p.zone_layer = "habitat";
  p.cross_border = TRUE;
  p.quadrant_segments = 32;
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  want_zone = query_double (store, "SELECT ST_Area(ST_Union(ST_Transform(geom, 2163))) / 1e6 FROM habitat");
  want_unc = query_double (store,
                           "SELECT ST_Area(ST_Difference((SELECT ST_Union(ST_Transform(geom, 2163)) FROM habitat), "
                           "(SELECT ST_Union(ST_Buffer(ST_Transform(geom, 2163), 50000, 32)) FROM ports))) / 1e6");
  assert_rel (gis_coverage_result_get_zone_km2 (r), want_zone, 1e-6, "habitat km²");
  assert_rel (gis_coverage_result_get_uncovered_km2 (r), want_unc, 1e-6, "uncovered habitat km²");

  /* the pieces by feature and country add up to the features' own areas
   * less their overlaps: at least the union's uncovered area */
  for (guint i = 0; i < gis_coverage_result_get_n_areas (r); i++)
    sum += gis_coverage_result_get_area (r, i)->area_km2;
  g_assert_cmpfloat (sum, >=, want_unc * (1 - 1e-9));
  /* and the countries' parts add up to the total */
  {
    double parts = 0;

    for (guint i = 0; i < gis_coverage_result_get_n_countries (r); i++)
      parts += gis_coverage_result_get_country (r, i)->uncovered_km2;
    assert_rel (parts, gis_coverage_result_get_uncovered_km2 (r), 1e-9, "sum of the countries");
  }
}

static void
test_corridor_vs_spatialite (void)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) r = NULL;
  g_autoptr(GError) error = NULL;
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  const char *corridor =
    "(SELECT ST_Intersection(ST_Buffer((SELECT ST_Union(ST_Transform(geom, 2163)) FROM international_boundary "
    "WHERE country_pair = 'US-MX'), 100000, 32), (SELECT ST_Transform(geom, 2163) FROM countries "
    "WHERE country = 'US')))";
  const char *discs = "(SELECT ST_Union(ST_Buffer(ST_Transform(geom, 2163), 50000, 32)) FROM ports)";
  g_autofree char *sql_zone = g_strdup_printf ("SELECT ST_Area(%s) / 1e6", corridor);
  g_autofree char *sql_unc = g_strdup_printf ("SELECT ST_Area(ST_Difference(%s, %s)) / 1e6", corridor, discs);
  g_autofree char *sql_fac = g_strdup_printf (
    "SELECT count(*) FROM facilities AS f WHERE ST_Within(ST_Transform(f.geom, 2163), %s) "
    "AND NOT EXISTS (SELECT 1 FROM ports AS p WHERE "
    "ST_Distance(ST_Transform(p.geom, 2163), ST_Transform(f.geom, 2163)) <= 50000)", corridor);
  g_autofree char *sql_fac_all = g_strdup_printf (
    "SELECT count(*) FROM facilities AS f WHERE ST_Within(ST_Transform(f.geom, 2163), %s)", corridor);

  if (skip_without_sample ())
    return;
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  p.resources = resources;
  p.radius_km = 50;
  p.zone = GIS_COVERAGE_ZONE_CORRIDOR;
  p.boundary_layer = "international_boundary";
  p.corridor_km = 100;
  p.corridor_pair = "US-MX";
  p.corridor_side = "US";
  p.facilities_layer = "facilities";
  p.cross_border = TRUE;
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  assert_rel (gis_coverage_result_get_zone_km2 (r), query_double (store, sql_zone), 1e-6, "corridor km²");
  assert_rel (gis_coverage_result_get_uncovered_km2 (r), query_double (store, sql_unc), 1e-6,
              "uncovered corridor km²");
  g_assert_cmpuint (gis_coverage_result_get_total (r)->n_facilities, ==, (guint) query_double (store, sql_fac_all));
  g_assert_cmpuint (gis_coverage_result_get_n_uncovered_facilities (r), ==, (guint) query_double (store, sql_fac));
  g_assert_cmpuint (gis_coverage_result_get_n_uncovered_facilities (r), >, 0);

  /* the Mexican side: the sample's ports are all American, so without
   * cross-border coverage none of it is covered, with it their discs' part */
  {
    g_autoptr(GisCoverageResult) own = NULL;
    g_autoptr(GisCoverageResult) cross = NULL;
    const char *mx =
      "(SELECT ST_Intersection(ST_Buffer((SELECT ST_Union(ST_Transform(geom, 2163)) FROM international_boundary "
      "WHERE country_pair = 'US-MX'), 100000, 32), (SELECT ST_Transform(geom, 2163) FROM countries "
      "WHERE country = 'MX')))";
    g_autofree char *sql_mx = g_strdup_printf ("SELECT ST_Area(%s) / 1e6", mx);
    g_autofree char *sql_mx_unc = g_strdup_printf ("SELECT ST_Area(ST_Difference(%s, %s)) / 1e6", mx, discs);

    g_assert_cmpfloat (query_double (store, "SELECT count(*) FROM ports WHERE country <> 'US'"), ==, 0);
    p.corridor_side = "MX";
    p.cross_border = FALSE;
    own = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    assert_rel (gis_coverage_result_get_uncovered_km2 (own), query_double (store, sql_mx), 1e-6,
                "Mexican side, no cross-border coverage");
    g_assert_cmpuint (gis_coverage_result_get_n_uncovered_facilities (own), ==,
                      gis_coverage_result_get_total (own)->n_facilities);
    p.cross_border = TRUE;
    cross = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    assert_rel (gis_coverage_result_get_uncovered_km2 (cross), query_double (store, sql_mx_unc), 1e-6,
                "Mexican side, cross-border coverage");
    g_assert_cmpfloat (gis_coverage_result_get_uncovered_km2 (cross), <,
                       0.9 * gis_coverage_result_get_uncovered_km2 (own));
  }
}

typedef struct
{
  double x, y, w;
  gint64 fid;
} Pt;

/* Every feature of a point layer, in the analysis CRS, by our own PROJ. */
static GArray *
points_of (GisStore   *store,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  GisCursor *cursor = gis_store_query (store, sql, &error);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Pt));

  g_assert_no_error (error);
  while (gis_cursor_next (cursor, NULL, &error))
    {
      Pt p = { 0 };

      lonlat_to_laea (gis_cursor_get_double (cursor, 1), gis_cursor_get_double (cursor, 2), &p.x, &p.y);
      p.fid = gis_cursor_get_int64 (cursor, 0);
      p.w = gis_cursor_get_value_type (cursor, 3) == GIS_VALUE_NULL ? 0 : gis_cursor_get_double (cursor, 3);
      g_array_append_val (out, p);
    }
  g_assert_no_error (error);
  gis_cursor_free (cursor);
  return out;
}

static int
project_cb (double *x,
            double *y,
            void   *data)
{
  lonlat_to_laea (*x, *y, x, y);
  return 1;
}

/* The demand outside coverage equals a brute-force loop (zone by GEOS on
 * the projected habitat, distances to every port), and each proposed
 * site adds what a recount over that demand says. */
static void
test_demand_and_sites_brute_force (void)
{
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) r = NULL;
  g_autoptr(GisSitingResult) s = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ports = NULL;
  g_autoptr(GArray) incidents = NULL;
  g_autoptr(GArray) left = g_array_new (FALSE, FALSE, sizeof (Pt));
  g_autoptr(GPtrArray) habitat = g_ptr_array_new ();
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  GisSitingParams sp = { 0 };
  GArray *got;
  GEOSGeometry *zone;
  const GEOSPreparedGeometry *prep;
  double weight_left = 0, greedy_sum = 0, exact = 0;

  if (skip_without_sample ())
    return;
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  p.resources = resources;
  p.radius_km = 50;
  p.zone = GIS_COVERAGE_ZONE_LAYER;
  p.zone_layer = "habitat";
  p.demand_layer = "incidents";
  p.weight_field = "severity";
  p.cross_border = TRUE;
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* the brute force */
  ports = points_of (store, "SELECT fid, X(geom), Y(geom), NULL FROM ports");
  incidents = points_of (store, "SELECT fid, X(geom), Y(geom), severity FROM incidents ORDER BY fid");
  {
    GisCursor *cursor = gis_store_query (store, "SELECT AsBinary(geom) FROM habitat", &error);
    GEOSGeometry *coll, **parts;
    guint n;

    g_assert_no_error (error);
    while (gis_cursor_next (cursor, NULL, &error))
      {
        gsize len;
        const guint8 *wkb = gis_cursor_get_blob (cursor, 0, &len);
        GEOSGeometry *g = GEOSGeomFromWKB_buf_r (geos, wkb, len);

        g_ptr_array_add (habitat, GEOSGeom_transformXY_r (geos, g, project_cb, NULL));
        GEOSGeom_destroy_r (geos, g);
      }
    gis_cursor_free (cursor);
    n = habitat->len;
    parts = (GEOSGeometry **) g_ptr_array_steal (habitat, NULL);
    coll = GEOSGeom_createCollection_r (geos, GEOS_GEOMETRYCOLLECTION, parts, n);
    g_free (parts);
    zone = GEOSUnaryUnion_r (geos, coll);
    GEOSGeom_destroy_r (geos, coll);
    prep = GEOSPrepare_r (geos, zone);
  }
  for (guint i = 0; i < incidents->len; i++)
    {
      Pt *q = &g_array_index (incidents, Pt, i);
      gboolean covered = FALSE;
      GEOSGeometry *pt;
      char inside;

      for (guint j = 0; j < ports->len && !covered; j++)
        covered = hypot (g_array_index (ports, Pt, j).x - q->x, g_array_index (ports, Pt, j).y - q->y) <= 50000;
      if (covered)
        continue;
      pt = GEOSGeom_createPointFromXY_r (geos, q->x, q->y);
      inside = GEOSPreparedIntersects_r (geos, prep, pt);
      GEOSGeom_destroy_r (geos, pt);
      if (inside == 1)
        {
          g_array_append_val (left, *q);
          weight_left += q->w;
        }
    }
  got = gis_coverage_result_get_uncovered_demand (r);
  g_test_message ("uncovered demand: %u (brute force %u)", got->len, left->len);
  g_assert_cmpuint (got->len, ==, left->len);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpint (g_array_index (got, gint64, i), ==, g_array_index (left, Pt, i).fid);
  g_assert_cmpfloat_with_epsilon (gis_coverage_result_get_total (r)->demand_uncovered, weight_left, 1e-6);

  /* sites: what each adds, recounted over the brute-force demand */
  sp.k = 4;
  sp.grid_km = 25;
  sp.exact_max_nodes = 2000000;
  s = gis_coverage_site (store, r, &sp, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gis_siting_result_get_n_sites (s), ==, 4);
  {
    g_autofree gboolean *taken = g_new0 (gboolean, left->len);

    for (guint k = 0; k < gis_siting_result_get_n_sites (s); k++)
      {
        const GisSite *site = gis_siting_result_get_site (s, k);
        double sx, sy, added = 0;
        guint count = 0;

        lonlat_to_laea (site->lon, site->lat, &sx, &sy);
        for (guint i = 0; i < left->len; i++)
          {
            Pt *q = &g_array_index (left, Pt, i);

            if (!taken[i] && hypot (q->x - sx, q->y - sy) <= 50000 * (1 + 1e-12))
              {
                taken[i] = TRUE;
                added += q->w;
                count++;
              }
          }
        g_test_message ("site %u: %.5f %.5f adds %.0f (%u)", k + 1, site->lon, site->lat, added, count);
        g_assert_cmpfloat_with_epsilon (site->added_demand, added, 1e-6);
        g_assert_cmpuint (site->added_count, ==, count);
        greedy_sum += added;
        if (k > 0)
          g_assert_cmpfloat (site->added_demand, <=, gis_siting_result_get_site (s, k - 1)->added_demand);
      }
  }
  g_assert_cmpfloat_with_epsilon (gis_siting_result_get_greedy_value (s), greedy_sum, 1e-6);
  g_assert_cmpfloat (gis_siting_result_get_upper_bound (s), >=, greedy_sum - 1e-6);
  if (gis_siting_result_get_exact (s, &exact))
    {
      g_test_message ("exact %.0f, greedy %.0f", exact, greedy_sum);
      g_assert_cmpfloat (exact, >=, greedy_sum - 1e-6);
    }

  /* counted, not weighted: the points are decided on their index boxes,
   * read exactly near an edge; the same fids, and sites placed from the
   * exact points */
  {
    g_autoptr(GisCoverageResult) counted = NULL;
    g_autoptr(GisSitingResult) s2 = NULL;
    GArray *got2;

    p.weight_field = NULL;
    counted = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    got2 = gis_coverage_result_get_uncovered_demand (counted);
    g_assert_cmpuint (got2->len, ==, left->len);
    for (guint i = 0; i < got2->len; i++)
      g_assert_cmpint (g_array_index (got2, gint64, i), ==, g_array_index (left, Pt, i).fid);
    g_assert_cmpuint (gis_coverage_result_get_total (counted)->n_demand_uncovered, ==, left->len);
    sp.k = 2;
    sp.exact_max_nodes = 0;
    s2 = gis_coverage_site (store, counted, &sp, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    {
      g_autofree gboolean *taken = g_new0 (gboolean, left->len);

      for (guint k = 0; k < gis_siting_result_get_n_sites (s2); k++)
        {
          const GisSite *site = gis_siting_result_get_site (s2, k);
          double sx, sy;
          guint count = 0;

          lonlat_to_laea (site->lon, site->lat, &sx, &sy);
          for (guint i = 0; i < left->len; i++)
            {
              Pt *q = &g_array_index (left, Pt, i);

              if (!taken[i] && hypot (q->x - sx, q->y - sy) <= 50000 * (1 + 1e-12))
                {
                  taken[i] = TRUE;
                  count++;
                }
            }
          g_assert_cmpuint (site->added_count, ==, count);
          g_assert_cmpfloat (site->added_demand, ==, count);
        }
    }
  }

  /* no zone: every incident is demand, many are placed from their boxes
   * and siting reads them in one pass over the table */
  {
    g_autoptr(GisCoverageResult) all = NULL;
    g_autoptr(GisSitingResult) s3 = NULL;
    g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (Pt));

    for (guint i = 0; i < incidents->len; i++)
      {
        Pt *q = &g_array_index (incidents, Pt, i);
        gboolean covered = FALSE;

        for (guint j = 0; j < ports->len && !covered; j++)
          covered = hypot (g_array_index (ports, Pt, j).x - q->x, g_array_index (ports, Pt, j).y - q->y) <= 50000;
        if (!covered)
          g_array_append_val (out, *q);
      }
    p.zone = GIS_COVERAGE_ZONE_NONE;
    p.zone_layer = NULL;
    all = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (gis_coverage_result_get_uncovered_demand (all)->len, ==, out->len);
    g_assert_cmpuint (out->len, >, 20000);
    sp.k = 2;
    sp.grid_km = 50;
    s3 = gis_coverage_site (store, all, &sp, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    {
      g_autofree gboolean *taken = g_new0 (gboolean, out->len);

      for (guint k = 0; k < gis_siting_result_get_n_sites (s3); k++)
        {
          const GisSite *site = gis_siting_result_get_site (s3, k);
          double sx, sy;
          guint count = 0;

          lonlat_to_laea (site->lon, site->lat, &sx, &sy);
          for (guint i = 0; i < out->len; i++)
            {
              Pt *q = &g_array_index (out, Pt, i);

              if (!taken[i] && hypot (q->x - sx, q->y - sy) <= 50000 * (1 + 1e-12))
                {
                  taken[i] = TRUE;
                  count++;
                }
            }
          g_test_message ("no zone, site %u adds %u", k + 1, count);
          g_assert_cmpuint (site->added_count, ==, count);
        }
    }
  }
  GEOSPreparedGeom_destroy_r (geos, prep);
  GEOSGeom_destroy_r (geos, zone);
}

/* ---- result layers and errors ------------------------------------------------------ */

static char *
copy_sample (const char *dir)
{
  g_autofree char *dst = g_build_filename (dir, "copy.sqlite", NULL);
  const char *suffixes[] = { "", "-wal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (sample_path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (dst, suffixes[i], NULL);
      g_autoptr(GFile) a = g_file_new_for_path (from);
      g_autoptr(GFile) b = g_file_new_for_path (to);
      g_autoptr(GError) error = NULL;

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        {
          g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
        }
    }
  return g_steal_pointer (&dst);
}

static const char *
table_of (GPtrArray *layers,
          guint      i)
{
  return gis_layer_get_table_name (g_ptr_array_index (layers, i));
}

static void
test_save (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) r = NULL;
  g_autoptr(GisSitingResult) s = NULL;
  g_autoptr(GPtrArray) layers = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  GisSitingParams sp = { 0 };
  double area_sum = 0;
  char *sql;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  path = copy_sample (dir);
  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  p.resources = resources;
  p.radius_km = 50;
  p.zone = GIS_COVERAGE_ZONE_CORRIDOR;
  p.corridor_km = 100;
  p.corridor_pair = "US-MX";
  p.facilities_layer = "facilities";
  p.demand_layer = "incidents";
  p.cross_border = TRUE;
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  sp.k = 3;
  sp.grid_km = 20;
  s = gis_coverage_site (store, r, &sp, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  layers = gis_coverage_save (store, r, s, "gaps", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (layers->len, ==, 6);
  g_assert_cmpstr (gis_layer_get_name (g_ptr_array_index (layers, 0)), ==, "gaps: service areas");
  g_assert_cmpstr (gis_layer_get_name (g_ptr_array_index (layers, 1)), ==, "gaps: uncovered areas");
  /* a disc per port, each the 128-gon of 50 km */
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 0)), ==, 120);
  sql = g_strdup_printf ("SELECT max(abs(ST_Area(ST_Transform(geom, 2163)) / 1e6 - 64 * 2500 * sin(2 * pi() / 128))) FROM \"%s\"",
                         table_of (layers, 0));
  g_assert_cmpfloat (query_double (store, sql), <, 1e-6);
  g_free (sql);
  for (guint i = 0; i < gis_coverage_result_get_n_areas (r); i++)
    area_sum += gis_coverage_result_get_area (r, i)->area_km2;
  sql = g_strdup_printf ("SELECT sum(area_km2) FROM \"%s\"", table_of (layers, 1));
  assert_rel (query_double (store, sql), area_sum, 1e-9, "saved areas");
  g_free (sql);
  sql = g_strdup_printf ("SELECT sum(ST_Area(ST_Transform(geom, 2163))) / 1e6 FROM \"%s\"", table_of (layers, 1));
  assert_rel (query_double (store, sql), area_sum, 1e-6, "saved geometries' areas");
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 2)), ==,
                   gis_coverage_result_get_n_uncovered_facilities (r));
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 3)), ==,
                   gis_coverage_result_get_uncovered_demand (r)->len);
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 4)), ==, 3);
  g_assert_cmpint (gis_layer_get_feature_count (g_ptr_array_index (layers, 5)), ==, 3);
  /* facilities keep their fields, and the distance */
  g_free (sql);
  sql = g_strdup_printf ("SELECT min(nearest_km) FROM \"%s\"", table_of (layers, 2));
  g_assert_cmpfloat (query_double (store, sql), >, 50.0);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\" AS u JOIN facilities AS f ON f.fid = u.source_fid "
                         "AND f.name IS u.name", table_of (layers, 2));
  g_assert_cmpfloat (query_double (store, sql), ==, gis_coverage_result_get_n_uncovered_facilities (r));
  g_free (sql);
  /* a method record for each */
  g_assert_cmpfloat (query_double (store, "SELECT count(*) FROM atalaya_runs WHERE kind = 'coverage'"), ==, 6);

  /* the same names again: refused, and nothing changes */
  g_clear_object (&store);
  before = test_store_checksum (path);
  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  again = gis_coverage_save (store, r, s, "gaps", NULL, NULL, NULL, &error);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_EXISTS);
  g_assert_null (again);
  g_clear_object (&store);
  after = test_store_checksum (path);
  g_assert_cmpstr (before, ==, after);
  test_rm_rf (dir);
}

static void
test_errors (void)
{
  g_autoptr(GisStore) store = NULL;
  const char *ports[] = { "ports", NULL };
  const char *nothing[] = { "no such layer", NULL };
  const char *habitat[] = { "habitat", NULL };
  struct
  {
    const char *const *resources;
    double radius;
    const char *radius_field;
    GisCoverageZone zone;
    const char *zone_layer;
    const char *side, *pair;
    const char *demand, *weight;
    int code;
  } cases[] = {
    { ports, 0, NULL, GIS_COVERAGE_ZONE_LAYER, "habitat", NULL, NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, -5, NULL, GIS_COVERAGE_ZONE_LAYER, "habitat", NULL, NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_NONE, NULL, NULL, NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { nothing, 50, NULL, GIS_COVERAGE_ZONE_LAYER, "habitat", NULL, NULL, NULL, NULL, GIS_ERROR_NOT_FOUND },
    { habitat, 50, NULL, GIS_COVERAGE_ZONE_LAYER, "habitat", NULL, NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_LAYER, "ports", NULL, NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, "port_name", GIS_COVERAGE_ZONE_LAYER, "habitat", NULL, NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, "'; DROP TABLE ports; --", GIS_COVERAGE_ZONE_LAYER, "habitat", NULL, NULL, NULL, NULL,
      GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_CORRIDOR, NULL, "MX", "US-CA", NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_CORRIDOR, NULL, "FR", NULL, NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_CORRIDOR, NULL, NULL, "US-FR", NULL, NULL, GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_NONE, NULL, NULL, NULL, "incidents", "category", GIS_ERROR_INVALID_INPUT },
    { ports, 50, NULL, GIS_COVERAGE_ZONE_NONE, NULL, NULL, NULL, "incidents", "x\"; DROP TABLE incidents",
      GIS_ERROR_INVALID_INPUT },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (skip_without_sample ())
    return;
  before = test_store_checksum (sample_path);
  store = gis_store_open (sample_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GisCoverageParams p = { 0 };
      g_autoptr(GisCoverageResult) r = NULL;
      g_autoptr(GError) e = NULL;

      p.resources = cases[i].resources;
      p.radius_km = cases[i].radius;
      p.radius_field = cases[i].radius_field;
      p.zone = cases[i].zone;
      p.zone_layer = cases[i].zone_layer;
      p.corridor_km = 100;
      p.corridor_side = cases[i].side;
      p.corridor_pair = cases[i].pair;
      p.demand_layer = cases[i].demand;
      p.weight_field = cases[i].weight;
      r = gis_coverage_run (store, &p, NULL, NULL, NULL, &e);
      g_test_message ("case %u: %s", i, e != NULL ? e->message : "no error");
      g_assert_null (r);
      g_assert_error (e, GIS_ERROR, cases[i].code);
    }
  g_clear_object (&store);
  after = test_store_checksum (sample_path);
  g_assert_cmpstr (before, ==, after);
}

/* ---- the command line ------------------------------------------------------------- */

static void
test_cli (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) r = NULL;
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  JsonObject *root, *total;

  if (skip_without_sample ())
    return;
  dir = test_make_tmpdir ();
  copy = copy_sample (dir);
  {
    const char *args[] = { "coverage", copy, "-r", "ports", "--radius", "50", "--corridor", "100", "--between",
                           "US-MX", "-f", "facilities", "-d", "incidents", "--weight", "severity", "-k", "2",
                           "--grid", "20", "--save-as", "cli gaps", "--json", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
  }
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  total = json_object_get_object_member (json_object_get_object_member (root, "coverage"), "total");

  /* the same as the library's */
  store = gis_store_open (copy, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  p.resources = resources;
  p.radius_km = 50;
  p.zone = GIS_COVERAGE_ZONE_CORRIDOR;
  p.corridor_km = 100;
  p.corridor_pair = "US-MX";
  p.facilities_layer = "facilities";
  p.demand_layer = "incidents";
  p.weight_field = "severity";
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_rel (json_object_get_double_member (total, "uncovered_km2"), gis_coverage_result_get_uncovered_km2 (r),
              1e-12, "CLI uncovered km²");
  g_assert_cmpint (json_object_get_int_member (total, "facilities_uncovered"), ==,
                   gis_coverage_result_get_n_uncovered_facilities (r));
  g_assert_cmpfloat (json_object_get_double_member (total, "demand_uncovered"), ==,
                     gis_coverage_result_get_total (r)->demand_uncovered);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (root, "siting"), "sites")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "layers")), ==, 6);
  {
    g_autoptr(GisLayer) sites = gis_store_get_layer (store, "cli gaps: proposed sites", &error);

    g_assert_no_error (error);
    g_assert_cmpint (gis_layer_get_feature_count (sites), ==, 2);
  }

  /* usage errors: exit 2; user errors: exit 1 naming the layer or field */
  {
    const char *no_radius[] = { "coverage", copy, "-r", "ports", "-z", "habitat", NULL };
    const char *both[] = { "coverage", copy, "-r", "ports", "--radius", "5", "-z", "habitat", "--corridor", "9", NULL };
    const char *bad_layer[] = { "coverage", copy, "-r", "ports", "--radius", "5", "-z", "'; DROP TABLE ports; --", NULL };
    const char *bad_weight[] = { "coverage", copy, "-r", "ports", "--radius", "5", "-d", "incidents", "--weight",
                                 "category", NULL };
    g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *o3 = NULL, *e3 = NULL, *o4 = NULL, *e4 = NULL;

    g_assert_cmpint (test_run_cli (no_radius, &o1, &e1), ==, 2);
    g_assert_cmpint (test_run_cli (both, &o2, &e2), ==, 2);
    g_assert_cmpint (test_run_cli (bad_layer, &o3, &e3), ==, 1);
    g_assert_nonnull (strstr (e3, "DROP TABLE ports"));
    g_assert_cmpint (test_run_cli (bad_weight, &o4, &e4), ==, 1);
    g_assert_nonnull (strstr (e4, "category"));
  }
  g_clear_object (&store);
  test_rm_rf (dir);
}

/* ---- real data -------------------------------------------------------------------- */

static void
import_shared (GisStore     *store,
               const char   *relative,
               const char   *source_layer,
               const char   *name,
               GisLayerRole  role,
               const char   *country_field)
{
  g_autofree char *path = test_shared_data (relative);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;

  options->source_layer = g_strdup (source_layer);
  options->layer_name = g_strdup (name);
  options->role = role;
  options->country_field = g_strdup (country_field);
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->rows_rejected, ==, 0);
}

static void
test_real_ports_corridor (void)
{
  g_autofree char *probe = test_shared_data ("ports_of_entry/us_land_ports_of_entry.geojson");
  g_autofree char *dir = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisCoverageResult) r = NULL;
  g_autoptr(GError) error = NULL;
  const char *resources[] = { "ports", NULL };
  GisCoverageParams p = { 0 };
  const char *corridor =
    "(SELECT ST_Intersection(ST_Buffer((SELECT ST_Union(ST_Transform(geom, 2163)) FROM boundary_lines "
    "WHERE (adm0_left = 'United States of America' AND adm0_right = 'Mexico') OR "
    "(adm0_left = 'Mexico' AND adm0_right = 'United States of America')), 100000, 32), "
    "(SELECT ST_Union(ST_Transform(geom, 2163)) FROM countries WHERE country = 'US')))";
  g_autofree char *sql_unc = NULL;
  g_autofree char *sql_fac = NULL;
  g_autofree char *sql_in = NULL;
  guint n_tx;

  if (probe == NULL)
    {
      g_test_skip ("the shared datasets are not beside the project");
      return;
    }
  dir = test_make_tmpdir ();
  store = test_new_store (dir, "real.sqlite");
  import_shared (store, "natural_earth/natural_earth_na.gpkg", "countries", "countries", GIS_LAYER_ROLE_BOUNDARY,
                 "ISO_A2");
  import_shared (store, "natural_earth/natural_earth_na.gpkg", "boundary_lines", "boundary_lines",
                 GIS_LAYER_ROLE_BOUNDARY, NULL);
  import_shared (store, "ports_of_entry/us_land_ports_of_entry.geojson", NULL, "ports", GIS_LAYER_ROLE_PORT, NULL);
  import_shared (store, "facilities/us_tri_tx_2023_facilities.geojson", NULL, "tri", GIS_LAYER_ROLE_FACILITY, NULL);
  g_assert_cmpfloat (query_double (store, "SELECT count(*) FROM ports"), ==, 117);

  p.resources = resources;
  p.radius_km = 50;
  p.zone = GIS_COVERAGE_ZONE_CORRIDOR;
  p.boundary_layer = "boundary_lines";
  p.corridor_km = 100;
  p.corridor_pair = "US-MX";
  p.corridor_side = "US";
  p.countries_layer = "countries";
  p.facilities_layer = "tri";
  p.cross_border = TRUE;
  r = gis_coverage_run (store, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  sql_unc = g_strdup_printf ("SELECT ST_Area(ST_Difference(%s, (SELECT ST_Union(ST_Buffer(ST_Transform(geom, 2163), "
                             "50000, 32)) FROM ports))) / 1e6", corridor);
  sql_in = g_strdup_printf ("SELECT count(*) FROM tri AS f WHERE ST_Within(ST_Transform(f.geom, 2163), %s)", corridor);
  sql_fac = g_strdup_printf ("SELECT count(*) FROM tri AS f WHERE ST_Within(ST_Transform(f.geom, 2163), %s) "
                             "AND NOT EXISTS (SELECT 1 FROM ports AS p WHERE "
                             "ST_Distance(ST_Transform(p.geom, 2163), ST_Transform(f.geom, 2163)) <= 50000)",
                             corridor);
  assert_rel (gis_coverage_result_get_uncovered_km2 (r), query_double (store, sql_unc), 1e-6,
              "uncovered US-side corridor km²");
  n_tx = (guint) query_double (store, sql_fac);
  g_test_message ("Texas TRI facilities: %u in the corridor, %u of them outside 50 km of every port",
                  (guint) query_double (store, sql_in), n_tx);
  g_assert_cmpuint (gis_coverage_result_get_total (r)->n_facilities, ==, (guint) query_double (store, sql_in));
  g_assert_cmpuint (gis_coverage_result_get_n_uncovered_facilities (r), ==, n_tx);
  g_assert_cmpuint (n_tx, >, 0);
  g_clear_object (&store);
  test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *path = g_getenv ("ATALAYA_SAMPLE_STORE");
  int ret;

  g_test_init (&argc, &argv, NULL);
  gis_init ();
  geos = GEOS_init_r ();
  pj_ctx = proj_context_create ();
  {
    PJ *raw = proj_create_crs_to_crs (pj_ctx, "EPSG:4326", LAEA, NULL);

    to_laea = proj_normalize_for_visualization (pj_ctx, raw);
    proj_destroy (raw);
  }
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    sample_path = g_strdup (path);

  g_test_add_func ("/coverage/closed-form", test_closed_form);
  g_test_add_func ("/coverage/siting-square", test_siting_square);
  g_test_add_func ("/coverage/habitat-vs-spatialite", test_habitat_vs_spatialite);
  g_test_add_func ("/coverage/corridor-vs-spatialite", test_corridor_vs_spatialite);
  g_test_add_func ("/coverage/demand-and-sites-brute-force", test_demand_and_sites_brute_force);
  g_test_add_func ("/coverage/save", test_save);
  g_test_add_func ("/coverage/errors", test_errors);
  g_test_add_func ("/coverage/cli", test_cli);
  g_test_add_func ("/coverage/real-ports-corridor", test_real_ports_corridor);
  ret = g_test_run ();

  proj_destroy (to_laea);
  proj_context_destroy (pj_ctx);
  GEOS_finish_r (geos);
  g_free (sample_path);
  return ret;
}
