/* test-hotspots-kde.c: kernel density of a store's points, end to end
 *
 * On a copy of the sample store:
 * - the expected-count surface of the incidents, saved as a raster,
 *   sums to the number of points (the grid holds every kernel), with the
 *   fast and the exact method;
 * - the raster comes back from the store bit for bit, its method record
 *   names the radius, the rule that chose it and the input's fingerprint,
 *   and removing the layer removes its grid;
 * - the GeoTIFF export, read back with GDAL, has the same cells,
 *   geotransform and nodata, and an SRS that OSRIsSame() finds equal to
 *   the analysis CRS;
 * - atalaya-cli render draws the surface: the pixel over the densest cell
 *   is opaque, one far from every incident is transparent;
 * - the points counted with filters equal SQL counts; values meant to
 *   inject SQL through the command line change nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <cairo.h>
#include <gdal.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

#define LAEA "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs +type=crs"

static char *sample_path;

typedef struct
{
  char     *dir;
  char     *path;
  GisStore *store;
} Fixture;

static gboolean
fixture_setup (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) src = NULL;
  g_autoptr(GFile) dst = NULL;

  if (sample_path == NULL)
    {
      g_test_skip ("no sample store (ATALAYA_SAMPLE_STORE)");
      return FALSE;
    }
  f->dir = test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "sample.sqlite", NULL);
  src = g_file_new_for_path (sample_path);
  dst = g_file_new_for_path (f->path);
  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  f->store = gis_store_open (f->path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->store);
  if (f->dir != NULL)
    test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
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

static double
raster_sum (const GisRaster *r)
{
  double s = 0;

  for (gsize i = 0; i < (gsize) r->width * r->height; i++)
    s += r->data[i];
  return s;
}

/* Expected counts sum to the points, saved and read back bit for bit. */
static void
test_count_and_round_trip (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotsKdeResult) r = { 0 };
  g_auto(GisHotspotsKdeResult) exact = { 0 };
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisRaster) back = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GisHotspotsKdeParams p;
  GisCursor *c;
  JsonObject *o;
  double n;

  if (!fixture_setup (&f))
    return;
  n = query_double (f.store, "SELECT count(*) FROM incidents WHERE geom IS NOT NULL");

  gis_hotspots_kde_params_init (&p);
  p.output = GIS_KDE_OUTPUT_EXPECTED_COUNT;
  p.radius_km = 60;
  p.cell_km = 15;
  g_assert_true (gis_hotspots_kde_run (f.store, &p, &r, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.n_points, ==, (gsize) n);
  g_assert_false (r.radius_from_silverman);
  g_assert_cmpfloat (r.radius_m, ==, 60000);
  g_assert_cmpfloat (r.cell_m, ==, 15000);
  g_test_message ("fast: %u × %u cells, sum %.6f of %.0f points; read %.3f s, density %.3f s",
                  r.raster->width, r.raster->height, raster_sum (r.raster), n, r.read_s, r.kde_s);
  g_assert_cmpfloat (fabs (raster_sum (r.raster) - n), <, 1e-3 * n);

  p.method = GIS_KDE_METHOD_EXACT;
  g_assert_true (gis_hotspots_kde_run (f.store, &p, &exact, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("exact: sum %.6f; density %.3f s", raster_sum (exact.raster), exact.kde_s);
  g_assert_cmpfloat (fabs (raster_sum (exact.raster) - n), <, 1e-3 * n);
  g_assert_cmpuint (exact.raster->width, ==, r.raster->width);

  layer = gis_hotspots_kde_save (f.store, &r, "Incident density", &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  g_assert_true (gis_layer_is_raster (layer));
  g_assert_cmpint (gis_layer_get_role (layer), ==, GIS_LAYER_ROLE_RESULT);
  g_assert_false (gis_extent_is_empty (gis_layer_get_extent (layer)));
  style = gis_style_new_from_json (gis_layer_get_style_json (layer), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_style_get_kind (style), ==, GIS_STYLE_RASTER);
  {
    double lo, hi, top = 0, q = 0;
    gsize n_above = 0, n_positive = 0;

    /* the ramp ends at the 99.5th percentile of the cells above 0, to
     * 1/4096 of the peak */
    gis_style_get_raster (style, &lo, &hi, NULL, NULL);
    g_assert_true (gis_raster_get_range (r.raster, &q, &top));
    g_assert_cmpfloat (lo, ==, 0);
    g_assert_cmpfloat (hi, >, 0);
    g_assert_cmpfloat (hi, <=, top);
    for (gsize i = 0; i < (gsize) r.raster->width * r.raster->height; i++)
      if (r.raster->data[i] > 0)
        {
          n_positive++;
          n_above += r.raster->data[i] > hi;
        }
    g_assert_cmpfloat ((double) n_above / n_positive, <=, 0.005);
    g_assert_cmpfloat ((double) n_above / n_positive, >, 0.005 - 0.05);
  }

  back = gis_store_load_raster (f.store, layer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->width, ==, r.raster->width);
  g_assert_cmpuint (back->height, ==, r.raster->height);
  g_assert_cmpmem (back->geotransform, sizeof back->geotransform, r.raster->geotransform,
                   sizeof r.raster->geotransform);
  g_assert_cmpmem (back->data, sizeof (float) * back->width * back->height, r.raster->data,
                   sizeof (float) * r.raster->width * r.raster->height);
  g_assert_cmpstr (back->crs, ==, r.raster->crs);
  g_assert_true (back->has_nodata);
  g_assert_cmpfloat (back->nodata, ==, r.raster->nodata);

  /* the name is taken now */
  g_assert_null (gis_hotspots_kde_save (f.store, &r, "Incident density", &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_EXISTS);
  g_clear_error (&error);

  /* the method record */
  c = gis_store_query (f.store, "SELECT params_json, inputs_json FROM atalaya_runs WHERE kind = 'kde' "
                                "AND result_layer = (SELECT id FROM atalaya_layers WHERE name = 'Incident density')",
                       &error);
  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (c, NULL, &error));
  g_assert_true (json_parser_load_from_data (parser, gis_cursor_get_text (c, 0), -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpfloat (json_object_get_double_member (o, "radius_km"), ==, 60);
  g_assert_cmpstr (json_object_get_string_member (o, "radius_rule"), ==, "given");
  g_assert_cmpfloat (json_object_get_double_member (o, "cell_km"), ==, 15);
  g_assert_cmpstr (json_object_get_string_member (o, "kernel"), ==, "quartic");
  g_assert_cmpstr (json_object_get_string_member (o, "output"), ==, "count");
  g_assert_cmpstr (json_object_get_string_member (o, "computation"), ==, "fast");
  g_assert_nonnull (strstr (gis_cursor_get_text (c, 1), "\"sha256\""));
  g_assert_nonnull (strstr (gis_cursor_get_text (c, 1), "incidents"));
  gis_cursor_free (c);

  /* removing the layer removes its grid */
  g_assert_cmpfloat (query_double (f.store, "SELECT count(*) FROM atalaya_rasters"), ==, 1);
  g_assert_true (gis_store_remove_layer (f.store, layer, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (query_double (f.store, "SELECT count(*) FROM atalaya_rasters"), ==, 0);
  fixture_teardown (&f);
}

/* The Silverman radius is recorded as such. */
static void
test_silverman (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotsKdeResult) r = { 0 };
  g_autofree char *json = NULL;
  GisHotspotsKdeParams p;
  const char *cats[] = { "illegal_logging", NULL };

  if (!fixture_setup (&f))
    return;
  gis_hotspots_kde_params_init (&p);
  p.input.categories = cats;
  p.input.date_from = "2019";
  p.input.weight_field = "severity";
  g_assert_true (gis_hotspots_kde_run (f.store, &p, &r, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (r.radius_from_silverman);
  g_assert_cmpfloat (r.radius_m, >, 0);
  g_assert_cmpfloat (r.n_points, ==,
                     query_double (f.store, "SELECT count(*) FROM incidents WHERE category = 'illegal_logging' "
                                            "AND occurred_at >= '2019-01-01T00:00:00Z' AND severity IS NOT NULL"));
  g_assert_cmpfloat (r.total_weight, ==,
                     query_double (f.store, "SELECT total(severity) FROM incidents WHERE category = 'illegal_logging' "
                                            "AND occurred_at >= '2019-01-01T00:00:00Z'"));
  json = gis_hotspots_kde_params_json (&r);
  g_assert_nonnull (strstr (json, "\"silverman\""));
  g_assert_nonnull (strstr (json, "illegal_logging"));
  g_assert_nonnull (strstr (json, "\"weight_field\" : \"severity\""));
  fixture_teardown (&f);
}

/* The GeoTIFF read back with GDAL. */
static void
test_geotiff (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(GisHotspotsKdeResult) r = { 0 };
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  g_autofree char *tif = NULL;
  g_autofree char *gpkg = NULL;
  g_autofree float *cells = NULL;
  GisHotspotsKdeParams p;
  GDALDatasetH ds;
  GDALRasterBandH band;
  OGRSpatialReferenceH got, want;
  double gt[6];
  int has_nodata = 0;
  guint64 count = 0;

  if (!fixture_setup (&f))
    return;
  gis_hotspots_kde_params_init (&p);
  p.radius_km = 80;
  p.cell_km = 20;
  g_assert_true (gis_hotspots_kde_run (f.store, &p, &r, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  layer = gis_hotspots_kde_save (f.store, &r, "Density", &error);
  g_assert_no_error (error);

  tif = g_build_filename (f.dir, "density.tif", NULL);
  g_assert_true (gis_store_export_layer (f.store, layer, tif, NULL, NULL, NULL, NULL, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, (guint64) r.raster->width * r.raster->height);

  ds = GDALOpen (tif, GA_ReadOnly);
  g_assert_nonnull (ds);
  g_assert_cmpint (GDALGetRasterXSize (ds), ==, r.raster->width);
  g_assert_cmpint (GDALGetRasterYSize (ds), ==, r.raster->height);
  g_assert_cmpint (GDALGetRasterCount (ds), ==, 1);
  g_assert_cmpint (GDALGetGeoTransform (ds, gt), ==, CE_None);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (gt[i], ==, r.raster->geotransform[i]);
  band = GDALGetRasterBand (ds, 1);
  g_assert_cmpint (GDALGetRasterDataType (band), ==, GDT_Float32);
  g_assert_cmpfloat (GDALGetRasterNoDataValue (band, &has_nodata), ==, -9999.0);
  g_assert_true (has_nodata);
  cells = g_new (float, (gsize) r.raster->width * r.raster->height);
  g_assert_cmpint (GDALRasterIO (band, GF_Read, 0, 0, (int) r.raster->width, (int) r.raster->height, cells,
                                 (int) r.raster->width, (int) r.raster->height, GDT_Float32, 0, 0), ==, CE_None);
  g_assert_cmpmem (cells, sizeof (float) * r.raster->width * r.raster->height, r.raster->data,
                   sizeof (float) * r.raster->width * r.raster->height);

  got = OSRNewSpatialReference (GDALGetProjectionRef (ds));
  want = OSRNewSpatialReference (NULL);
  g_assert_cmpint (OSRImportFromProj4 (want, LAEA), ==, OGRERR_NONE);
  g_assert_nonnull (got);
  g_assert_true (OSRIsSame (got, want));
  OSRDestroySpatialReference (want);
  want = OSRNewSpatialReference (gis_crs_get_wkt (analysis));
  g_assert_true (OSRIsSame (got, want));
  OSRDestroySpatialReference (want);
  OSRDestroySpatialReference (got);
  GDALClose (ds);

  /* a raster goes to GeoTIFF only; a vector layer never does */
  gpkg = g_build_filename (f.dir, "density.gpkg", NULL);
  g_assert_false (gis_store_export_layer (f.store, layer, gpkg, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (g_file_test (gpkg, G_FILE_TEST_EXISTS));
  {
    g_autoptr(GisLayer) incidents = gis_store_get_layer (f.store, "incidents", &error);
    g_autofree char *tif2 = g_build_filename (f.dir, "incidents.tif", NULL);

    g_assert_false (gis_store_export_layer (f.store, incidents, tif2, NULL, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_UNSUPPORTED);
    g_clear_error (&error);
  }
  fixture_teardown (&f);
}

static guint32
pixel (cairo_surface_t *s,
       int              x,
       int              y)
{
  const guint8 *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (s));
  return *(const guint32 *) (const void *) (data + (gsize) y * stride + (gsize) x * 4);
}

/* The CLI end to end: hotspots --save-as, then render the layer alone. */
static void
test_cli_render (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisRaster) raster = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *png = NULL;
  cairo_surface_t *image;
  JsonObject *o;
  JsonArray *centre;
  PJ_CONTEXT *ctx;
  PJ *raw, *pj;
  PJ_COORD far;
  double res, cx, cy, x, y;
  gsize best = 0;

  if (!fixture_setup (&f))
    return;
  g_clear_object (&f.store);
  {
    const char *args[] = { "hotspots", f.path, "--method", "kde", "--radius", "50", "--cell", "10",
                           "--save-as", "KDE", "--json", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (o, "method"), ==, "kde");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "layer"), "name"), ==, "KDE");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  png = g_build_filename (f.dir, "kde.png", NULL);
  {
    const char *args[] = { "render", f.path, png, "--layer", "KDE", "--width", "800", "--height", "600",
                           "--json", NULL };

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    o = json_node_get_object (json_parser_get_root (parser));
    res = json_object_get_double_member (o, "resolution");
    centre = json_object_get_array_member (o, "center");
    cx = json_array_get_double_element (centre, 0);
    cy = json_array_get_double_element (centre, 1);
    g_assert_cmpstr (json_object_get_string_member (o, "crs"), ==, "cec-laea");
  }

  f.store = gis_store_open (f.path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  layer = gis_store_get_layer (f.store, "KDE", &error);
  g_assert_no_error (error);
  raster = gis_store_load_raster (f.store, layer, &error);
  g_assert_no_error (error);
  for (gsize i = 1; i < (gsize) raster->width * raster->height; i++)
    if (raster->data[i] > raster->data[best])
      best = i;
  x = raster->geotransform[0] + (best % raster->width + 0.5) * raster->geotransform[1];
  y = raster->geotransform[3] + (best / raster->width + 0.5) * raster->geotransform[5];

  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 800);
  {
    int px = (int) floor ((x - cx) / res + 400), py = (int) floor ((cy - y) / res + 300);
    guint32 v = pixel (image, px, py);

    g_test_message ("densest cell %g at pixel %d, %d: %08x", raster->data[best], px, py, v);
    g_assert_cmpuint (v >> 24, >, 200);
  }

  /* the Pacific, 20 N 140 W: no incident within hundreds of km */
  ctx = proj_context_create ();
  raw = proj_create_crs_to_crs (ctx, "EPSG:4326", LAEA, NULL);
  pj = proj_normalize_for_visualization (ctx, raw);
  far = proj_trans (pj, PJ_FWD, proj_coord (-140, 20, 0, 0));
  {
    int px = (int) floor ((far.xy.x - cx) / res + 400), py = (int) floor ((cy - far.xy.y) / res + 300);

    g_assert_cmpuint (pixel (image, px, py) >> 24, ==, 0);
  }
  proj_destroy (pj);
  proj_destroy (raw);
  proj_context_destroy (ctx);
  cairo_surface_destroy (image);

  /* a raster takes no style of features */
  g_clear_object (&f.store);
  {
    const char *args[] = { "style", f.path, "KDE", "--graduated", "severity", NULL };
    g_autofree char *sout = NULL, *serr = NULL;

    g_assert_cmpint (test_run_cli (args, &sout, &serr), ==, 2);
    g_assert_nonnull (strstr (serr, "colour ramp"));
  }
  fixture_teardown (&f);
}

/* Filters through the CLI equal SQL counts; injection attempts are values. */
static void
test_cli_filters_and_injection (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *before = NULL, *after = NULL;
  double want;

  if (!fixture_setup (&f))
    return;
  want = query_double (f.store, "SELECT count(*) FROM incidents WHERE category IN ('illegal_dumping', "
                                "'hazardous_waste') AND occurred_at >= '2018-03-01T00:00:00Z' "
                                "AND occurred_at <= '2020-12-31T23:59:59Z' AND severity >= 3");
  before = test_store_checksum (f.path);
  g_clear_object (&f.store);
  {
    const char *args[] = { "hotspots", f.path, "-m", "kde", "-c", "illegal_dumping", "-c", "hazardous_waste",
                           "--from", "2018-03", "--to", "2020", "--min-severity", "3", "--radius", "40",
                           "--cell", "20", "--json", NULL };
    g_autofree char *out = NULL, *err = NULL;
    JsonObject *params;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    params = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "params");
    g_assert_cmpfloat (json_object_get_int_member (params, "points"), ==, want);
  }
  {
    const char *args[] = { "hotspots", f.path, "-m", "kde", "-c", "x' OR 1=1; DROP TABLE incidents; --",
                           "--save-as", "x'); DROP TABLE atalaya_layers; --", NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "passes the filters"));
  }
  {
    const char *args[] = { "hotspots", f.path, "-m", "kde", "--weight", "severity\" FROM incidents; DELETE FROM "
                           "incidents; --", NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "has no field"));
  }
  {
    const char *args[] = { "hotspots", f.path, "-m", "kde", "--from", "2020' OR '1'='1", NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "not a date"));
  }
  {
    const char *args[] = { "hotspots", f.path, "-m", "dbscan", NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--eps"));
  }
  {
    const char *args[] = { "hotspots", f.path, "-m", "kde", "--kernel", "gaussian", NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (test_run_cli (args, &out, &err), ==, 2);
  }
  after = test_store_checksum (f.path);
  g_assert_cmpstr (before, ==, after);
  fixture_teardown (&f);
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

  g_test_add_func ("/hotspots-kde/count-and-round-trip", test_count_and_round_trip);
  g_test_add_func ("/hotspots-kde/silverman-and-filters", test_silverman);
  g_test_add_func ("/hotspots-kde/geotiff", test_geotiff);
  g_test_add_func ("/hotspots-kde/cli-render", test_cli_render);
  g_test_add_func ("/hotspots-kde/cli-filters-and-injection", test_cli_filters_and_injection);
  return g_test_run ();
}
