/* test-render.c: viewport math, classification, styles, layer data, pixels
 *
 * Every check here is computed independently of the code under test:
 * hand-worked breaks, brute force over the same coordinates, pixels
 * expected from gis_view_state_map_to_pixel() and the style's colours.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

/* ---- helpers ------------------------------------------------------------- */

/* A temporary directory removed with its contents at the end of the scope;
 * declared first, so the stores in it are closed before. */
typedef char TestDir;

static void
test_dir_free (TestDir *dir)
{
  test_rm_rf (dir);
  g_free (dir);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDir, test_dir_free)

static GisLayer *
import_csv (GisStore     *store,
            const char   *dir,
            const char   *name,
            const char   *csv,
            GisLayerRole  role,
            gboolean      wkt)
{
  g_autofree char *file = g_strconcat (name, ".csv", NULL);
  g_autofree char *path = test_write_file (dir, file, csv, -1);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisImportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GisLayer *layer;

  options->layer_name = g_strdup (name);
  options->role = role;
  if (wkt)
    options->wkt_field = g_strdup ("wkt");
  else
    {
      options->x_field = g_strdup ("lon");
      options->y_field = g_strdup ("lat");
    }
  if (strstr (csv, "when") != NULL)
    options->date_field = g_strdup ("when");
  layer = gis_store_import (store, path, options, NULL, NULL, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  return layer;
}

static GisLayerData *
load_layer (GisStore          *store,
            GisLayer          *layer,
            const char        *crs_def,
            const char *const *fields)
{
  g_autoptr(GisCrs) crs = gis_crs_new (crs_def, NULL);
  g_autoptr(GError) error = NULL;
  GisLayerData *data;

  g_assert_nonnull (crs);
  data = gis_layer_data_load (gis_store_get_path (store), gis_layer_get_id (layer), crs,
                              fields, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (data);
  return data;
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
  return *(const guint32 *) (const void *) (data + (gsize) y * stride + 4 * (gsize) x);
}

/* Checks a premultiplied ARGB pixel against a colour (not premultiplied)
 * within @tol of 255 per channel. */
static void
assert_pixel (guint32         px,
              double          r,
              double          g,
              double          b,
              double          a,
              int             tol)
{
  int pa = (px >> 24) & 0xff, pr = (px >> 16) & 0xff, pg = (px >> 8) & 0xff, pb = px & 0xff;
  int ea = (int) lround (a * 255), er = (int) lround (r * a * 255);
  int eg = (int) lround (g * a * 255), eb = (int) lround (b * a * 255);

  if (ABS (pa - ea) > tol || ABS (pr - er) > tol || ABS (pg - eg) > tol || ABS (pb - eb) > tol)
    g_error ("pixel %02x%02x%02x%02x (argb premultiplied), expected %02x%02x%02x%02x ±%d",
             pa, pr, pg, pb, ea, er, eg, eb, tol);
}

static void
assert_pixel_color (guint32         px,
                    const GisColor *c,
                    int             tol)
{
  assert_pixel (px, c->r, c->g, c->b, c->a, tol);
}

static GisColor
color (const char *str)
{
  GisColor c;

  g_assert_true (gis_color_parse (str, &c));
  return c;
}

static void
view_init (GisViewState *view,
           double        cx,
           double        cy,
           double        res,
           int           w,
           int           h)
{
  view->center_x = cx;
  view->center_y = cy;
  view->resolution = res;
  view->width_px = w;
  view->height_px = h;
}

static GisCrs *
crs_new (const char *def)
{
  GisCrs *crs = gis_crs_new (def, NULL);

  g_assert_nonnull (crs);
  return crs;
}

/* ---- viewport ------------------------------------------------------------ */

static void
test_viewport_zoom_at (void)
{
  g_autoptr(GisCrs) crs = gis_crs_new_analysis ();
  g_autoptr(GisViewport) vp = gis_viewport_new (crs);
  const struct { double factor, px, py; } cases[] = {
    { 2.0, 0, 0 }, { 0.5, 799, 599 }, { 1.25, 123.4, 456.7 }, { 3.0, 400, 300 },
    { 0.8, 17.5, 580.25 }, { 1.1, 799.99, 0.01 },
  };

  gis_viewport_set_size (vp, 800, 600);
  gis_viewport_set_center (vp, 1234567.891, -765432.1);
  gis_viewport_set_resolution (vp, 1500.0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double mx, my, px, py, r0 = gis_viewport_get_resolution (vp);

      gis_viewport_pixel_to_map (vp, cases[i].px, cases[i].py, &mx, &my);
      gis_viewport_zoom_at (vp, cases[i].factor, cases[i].px, cases[i].py);
      g_assert_cmpfloat_with_epsilon (gis_viewport_get_resolution (vp), r0 / cases[i].factor, 1e-9 * r0);
      gis_viewport_map_to_pixel (vp, mx, my, &px, &py);
      g_assert_cmpfloat_with_epsilon (px, cases[i].px, 1e-9);
      g_assert_cmpfloat_with_epsilon (py, cases[i].py, 1e-9);
    }
}

static void
test_viewport_pan (void)
{
  g_autoptr(GisCrs) crs = gis_crs_new_analysis ();
  g_autoptr(GisViewport) vp = gis_viewport_new (crs);
  const double moves[][2] = { { 10, 0 }, { 0, -7 }, { 33.5, 12.25 }, { -400, 250 } };

  gis_viewport_set_size (vp, 640, 480);
  gis_viewport_set_center (vp, -250000.5, 1000000.25);
  gis_viewport_set_resolution (vp, 733.0);

  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      double mx, my, px, py;

      gis_viewport_pixel_to_map (vp, 100, 200, &mx, &my);
      gis_viewport_pan_pixels (vp, moves[i][0], moves[i][1]);
      gis_viewport_map_to_pixel (vp, mx, my, &px, &py);
      g_assert_cmpfloat_with_epsilon (px, 100 + moves[i][0], 1e-9);
      g_assert_cmpfloat_with_epsilon (py, 200 + moves[i][1], 1e-9);
    }
}

static void
count_changed (guint *n)
{
  (*n)++;
}

static void
test_viewport_fit_extent (void)
{
  g_autoptr(GisCrs) crs = gis_crs_new_analysis ();
  g_autoptr(GisViewport) vp = gis_viewport_new (crs);
  GisExtent wide = { -3000000, -1000000, 3000000, 1000000 };
  GisExtent tall = { 0, 0, 100000, 900000 };
  double px0, py0, px1, py1, cx, cy;

  gis_viewport_set_size (vp, 1000, 500);

  /* wide: the width binds, 10 px of padding on each side */
  gis_viewport_fit_extent (vp, &wide, 10);
  gis_viewport_get_center (vp, &cx, &cy);
  g_assert_cmpfloat (cx, ==, 0);
  g_assert_cmpfloat (cy, ==, 0);
  gis_viewport_map_to_pixel (vp, wide.min_x, wide.max_y, &px0, &py0);
  gis_viewport_map_to_pixel (vp, wide.max_x, wide.min_y, &px1, &py1);
  g_assert_cmpfloat_with_epsilon (px0, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (px1, 990, 1e-9);
  g_assert_cmpfloat (py0, >=, 10 - 1e-9);
  g_assert_cmpfloat (py1, <=, 490 + 1e-9);

  /* tall: the height binds */
  gis_viewport_fit_extent (vp, &tall, 0);
  gis_viewport_map_to_pixel (vp, tall.min_x, tall.max_y, &px0, &py0);
  gis_viewport_map_to_pixel (vp, tall.max_x, tall.min_y, &px1, &py1);
  g_assert_cmpfloat_with_epsilon (py0, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (py1, 500, 1e-9);
  g_assert_cmpfloat_with_epsilon ((px0 + px1) / 2, 500, 1e-9);
  g_assert_cmpfloat_with_epsilon (gis_viewport_get_resolution (vp), 1800, 1e-9);

  /* fitting the same box again changes nothing and says nothing, so a
   * "changed" handler that fits the view cannot loop */
  {
    guint n_changed = 0;

    g_signal_connect_swapped (vp, "changed", G_CALLBACK (count_changed), &n_changed);
    gis_viewport_fit_extent (vp, &tall, 0);
    g_assert_cmpuint (n_changed, ==, 0);
    gis_viewport_fit_extent (vp, &wide, 0);
    g_assert_cmpuint (n_changed, ==, 1);
  }
}

static void
test_viewport_set_crs (void)
{
  g_autoptr(GisCrs) laea = gis_crs_new_analysis ();
  g_autoptr(GisCrs) merc = crs_new ("EPSG:3857");
  g_autoptr(GisCrs) wgs = gis_crs_new_storage ();
  g_autoptr(GisViewport) vp = gis_viewport_new (laea);
  g_autoptr(GError) error = NULL;
  double lon, lat, m0, m1;

  gis_viewport_set_size (vp, 800, 600);
  g_assert_true (gis_viewport_fit_lonlat (vp, &(GisExtent) { -97.2, 49.8, -97.0, 49.9 }, 0));
  g_assert_true (gis_viewport_pixel_to_lonlat (vp, 400, 300, &lon, &lat));
  g_assert_cmpfloat_with_epsilon (lon, -97.1, 1e-3);
  m0 = gis_viewport_get_meters_per_pixel (vp);

  g_assert_true (gis_viewport_set_crs (vp, merc, &error));
  g_assert_no_error (error);
  {
    double lon2, lat2;

    g_assert_true (gis_viewport_pixel_to_lonlat (vp, 400, 300, &lon2, &lat2));
    g_assert_cmpfloat_with_epsilon (lon2, lon, 1e-7);
    g_assert_cmpfloat_with_epsilon (lat2, lat, 1e-7);
  }
  m1 = gis_viewport_get_meters_per_pixel (vp);
  g_assert_cmpfloat (fabs (m1 - m0) / m0, <, 0.01);

  g_assert_true (gis_viewport_set_crs (vp, wgs, &error));
  {
    double cx, cy;

    gis_viewport_get_center (vp, &cx, &cy);
    g_assert_cmpfloat_with_epsilon (cx, lon, 1e-7);
    g_assert_cmpfloat_with_epsilon (cy, lat, 1e-7);
  }
}

/* ---- classification ------------------------------------------------------ */

static void
assert_breaks (const double *got,
               const double *want,
               guint         n)
{
  for (guint i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > 1e-12 * MAX (1, fabs (want[i])))
      g_error ("break %u is %.17g, expected %.17g", i, got[i], want[i]);
}

static void
test_classify_quantile (void)
{
  /* R: quantile(1:10, c(.25, .5, .75)) = 3.25 5.50 7.75 (type 7) */
  const double v[] = { 10, 9, 1, 2, 3, 4, 5, 6, 7, 8 };
  const double want[] = { 1, 3.25, 5.5, 7.75, 10 };
  /* R: quantile(c(1, 2, 4, 8, 16), c(1/3, 2/3)) = 2.6666667 6.6666667 */
  const double v2[] = { 16, 1, 8, 2, 4 };
  const double want2[] = { 1, 2 + 2.0 / 3, 4 + 8.0 / 3, 16 };
  double b[5];

  g_assert_true (gis_classify_breaks (v, G_N_ELEMENTS (v), GIS_CLASSIFY_QUANTILE, 4, b));
  assert_breaks (b, want, 5);
  g_assert_true (gis_classify_breaks (v2, G_N_ELEMENTS (v2), GIS_CLASSIFY_QUANTILE, 3, b));
  assert_breaks (b, want2, 4);
}

static void
test_classify_equal_interval (void)
{
  const double v[] = { 3, 0, 10, 7.5 };
  const double want[] = { 0, 2, 4, 6, 8, 10 };
  const double v2[] = { -1, 1 };
  const double want2[] = { -1, -1.0 / 3, 1.0 / 3, 1 };
  double b[6];

  g_assert_true (gis_classify_breaks (v, G_N_ELEMENTS (v), GIS_CLASSIFY_EQUAL_INTERVAL, 5, b));
  assert_breaks (b, want, 6);
  g_assert_true (gis_classify_breaks (v2, G_N_ELEMENTS (v2), GIS_CLASSIFY_EQUAL_INTERVAL, 3, b));
  assert_breaks (b, want2, 4);
}

/* Total within-class sum of squares of sorted @x cut after @cuts. */
static double
partition_ssd (const double *x,
               guint         n,
               const guint  *starts,
               guint         k)
{
  double total = 0;

  for (guint c = 0; c < k; c++)
    {
      guint s = starts[c], e = c + 1 < k ? starts[c + 1] : n;
      double mean = 0;

      for (guint i = s; i < e; i++)
        mean += x[i];
      mean /= (e - s);
      for (guint i = s; i < e; i++)
        total += (x[i] - mean) * (x[i] - mean);
    }
  return total;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
test_classify_jenks (void)
{
  /* three obvious groups */
  const double v[] = { 21, 1, 2, 3, 10, 11, 12, 20, 22 };
  const double want[] = { 1, 3, 12, 22 };
  /* a hand-worked optimum: {1, 2, 4} {7, 8, 9} {15, 16}; SSD 4.667 + 2 + 0.5
   * against 13.33 for {1, 2, 4, 7} {8, 9} {15, 16}, the next best */
  const double v2[] = { 1, 2, 4, 7, 8, 9, 15, 16 };
  const double want2[] = { 1, 4, 9, 16 };
  double b[5];

  g_assert_true (gis_classify_breaks (v, G_N_ELEMENTS (v), GIS_CLASSIFY_NATURAL_BREAKS, 3, b));
  assert_breaks (b, want, 4);
  g_assert_true (gis_classify_breaks (v2, G_N_ELEMENTS (v2), GIS_CLASSIFY_NATURAL_BREAKS, 3, b));
  assert_breaks (b, want2, 4);

  /* against brute force: every way to cut 12 random values into 4 classes */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);

    for (int round = 0; round < 20; round++)
      {
        double x[12], sorted[12], best = INFINITY, got;
        guint starts[4] = { 0 }, n = 12, k = 4;
        guint got_starts[4];

        for (guint i = 0; i < n; i++)
          x[i] = floor (g_rand_double_range (rand, 0, 1000)) / 10;
        memcpy (sorted, x, sizeof x);
        qsort (sorted, n, sizeof (double), cmp_double);

        for (guint a = 1; a < n; a++)
          for (guint bb = a + 1; bb < n; bb++)
            for (guint c = bb + 1; c < n; c++)
              {
                starts[1] = a;
                starts[2] = bb;
                starts[3] = c;
                best = MIN (best, partition_ssd (sorted, n, starts, k));
              }

        g_assert_true (gis_classify_breaks (x, n, GIS_CLASSIFY_NATURAL_BREAKS, k, b));
        g_assert_cmpfloat (b[0], ==, sorted[0]);
        g_assert_cmpfloat (b[k], ==, sorted[n - 1]);
        /* the classes the breaks make: values <= b1, (b1, b2], ... */
        got_starts[0] = 0;
        for (guint c = 1; c < k; c++)
          {
            guint s = 0;

            while (s < n && sorted[s] <= b[c])
              s++;
            got_starts[c] = s;
          }
        got = partition_ssd (sorted, n, got_starts, k);
        g_assert_cmpfloat_with_epsilon (got, best, 1e-9);
      }
  }
}

static void
test_classify_ties_nan (void)
{
  const double same[] = { 5, 5, 5, 5 };
  const double want_same[] = { 5, 5, 5 };
  const double with_nan[] = { NAN, 3, 1, NAN, 2, INFINITY };
  const double want_nan[] = { 1, 2, 3 };
  const double all_nan[] = { NAN, NAN };
  const double dup[] = { 1, 1, 1, 2, 2, 2 };
  const double want_dup[] = { 1, 1, 2 };
  const double few[] = { 4, 2 };
  const double want_few[] = { 2, 2, 4, 4, 4 };
  double b[5] = { -1, -1, -1, -1, -1 };

  for (int m = GIS_CLASSIFY_QUANTILE; m <= GIS_CLASSIFY_NATURAL_BREAKS; m++)
    {
      g_assert_true (gis_classify_breaks (same, 4, m, 2, b));
      assert_breaks (b, want_same, 3);
      g_assert_true (gis_classify_breaks (with_nan, 6, m, 2, b));
      assert_breaks (b, want_nan, 3);
      b[0] = -7;
      g_assert_false (gis_classify_breaks (all_nan, 2, m, 2, b));
      g_assert_false (gis_classify_breaks (NULL, 0, m, 2, b));
      g_assert_cmpfloat (b[0], ==, -7);
    }
  g_assert_true (gis_classify_breaks (dup, 6, GIS_CLASSIFY_NATURAL_BREAKS, 2, b));
  assert_breaks (b, want_dup, 3);
  g_assert_true (gis_classify_breaks (few, 2, GIS_CLASSIFY_NATURAL_BREAKS, 4, b));
  assert_breaks (b, want_few, 5);

  {
    const double br[] = { 0, 2, 4 };

    g_assert_cmpuint (gis_classify_find_class (br, 2, 0), ==, 0);
    g_assert_cmpuint (gis_classify_find_class (br, 2, 2), ==, 0);
    g_assert_cmpuint (gis_classify_find_class (br, 2, 2.0000001), ==, 1);
    g_assert_cmpuint (gis_classify_find_class (br, 2, 4), ==, 1);
    g_assert_cmpuint (gis_classify_find_class (br, 2, -3), ==, 0);
    g_assert_cmpuint (gis_classify_find_class (br, 2, 99), ==, 1);
    g_assert_cmpuint (gis_classify_find_class (br, 2, NAN), ==, G_MAXUINT);
  }
}

static void
test_classify_jenks_sample (void)
{
  g_autofree double *v = g_new (double, 20000);
  double b1[6], b2[6];

  /* two clusters far apart; above the sample size */
  for (guint i = 0; i < 20000; i++)
    v[i] = (i % 2 == 0 ? 100 : 1000) + (i * 7919 % 1000) / 100.0;
  v[123] = -50;    /* the minimum and maximum are always in the sample */
  v[4567] = 5000;
  g_assert_true (gis_classify_breaks (v, 20000, GIS_CLASSIFY_NATURAL_BREAKS, 5, b1));
  g_assert_true (gis_classify_breaks (v, 20000, GIS_CLASSIFY_NATURAL_BREAKS, 5, b2));
  g_assert_cmpmem (b1, sizeof b1, b2, sizeof b2);
  g_assert_cmpfloat (b1[0], ==, -50);
  g_assert_cmpfloat (b1[5], ==, 5000);
  for (guint i = 1; i <= 5; i++)
    g_assert_cmpfloat (b1[i], >=, b1[i - 1]);
  /* a break between the clusters */
  {
    gboolean between = FALSE;

    for (guint i = 1; i < 5; i++)
      between |= b1[i] >= 109 && b1[i] < 1000;
    g_assert_true (between);
  }
}

/* ---- colours and styles -------------------------------------------------- */

static void
test_color (void)
{
  GisColor c;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  g_assert_true (gis_color_parse ("#ff8000", &c));
  g_assert_cmpfloat (c.r, ==, 1);
  g_assert_cmpfloat (c.g, ==, 128 / 255.0);
  g_assert_cmpfloat (c.b, ==, 0);
  g_assert_cmpfloat (c.a, ==, 1);
  g_assert_true (gis_color_parse ("#FF800080", &c));
  g_assert_cmpfloat (c.a, ==, 128 / 255.0);
  s1 = gis_color_to_string (&c);
  g_assert_cmpstr (s1, ==, "#ff800080");
  c.a = 1;
  s2 = gis_color_to_string (&c);
  g_assert_cmpstr (s2, ==, "#ff8000");

  for (guint i = 0; i < 7; i++)
    {
      const char *bad[] = { "ff8000", "#ff800", "#ff80000", "#gg8000", "", "#", "#ff8000ff00" };

      g_assert_false (gis_color_parse (bad[i], &c));
    }

  /* ramps: the ends are the ColorBrewer end colours; the middle of a
   * 9-stop ramp is its 5th stop */
  gis_color_ramp_sample (GIS_COLOR_RAMP_REDS, 0, &c);
  g_assert_true (gis_color_equal (&c, &(GisColor) { 0xff / 255.0, 0xf5 / 255.0, 0xf0 / 255.0, 1 }));
  gis_color_ramp_sample (GIS_COLOR_RAMP_REDS, 1, &c);
  g_assert_true (gis_color_equal (&c, &(GisColor) { 0x67 / 255.0, 0, 0x0d / 255.0, 1 }));
  gis_color_ramp_sample (GIS_COLOR_RAMP_BLUES, 0.5, &c);
  g_assert_true (gis_color_equal (&c, &(GisColor) { 0x6b / 255.0, 0xae / 255.0, 0xd6 / 255.0, 1 }));
  gis_color_ramp_sample (GIS_COLOR_RAMP_SPECTRAL, 0.5, &c);
  g_assert_true (gis_color_equal (&c, &(GisColor) { 1, 1, 0xbf / 255.0, 1 }));
  gis_color_ramp_sample (GIS_COLOR_RAMP_VIRIDIS, 2.0, &c);
  g_assert_true (gis_color_equal (&c, &(GisColor) { 0xfd / 255.0, 0xe7 / 255.0, 0x25 / 255.0, 1 }));
  gis_color_ramp_sample (GIS_COLOR_RAMP_GREENS, NAN, &c);
  g_assert_true (gis_color_equal (&c, &(GisColor) { 0xf7 / 255.0, 0xfc / 255.0, 0xf5 / 255.0, 1 }));
  for (guint r = 0; r < GIS_N_COLOR_RAMPS; r++)
    {
      GisColorRamp back;

      g_assert_true (gis_color_ramp_from_string (gis_color_ramp_to_string (r), &back));
      g_assert_cmpint (back, ==, r);
    }
}

static GisStyle *
make_rich_style (GisStyleKind kind)
{
  GisSymbol s;
  GisStyle *style = NULL;

  gis_symbol_init (&s);
  switch (kind)
    {
    case GIS_STYLE_SINGLE:
      s.shape = GIS_MARKER_STAR;
      s.dash = GIS_DASH_DASH_DOT;
      s.size_px = 7.5;
      s.fill = color ("#12345678");
      style = gis_style_new_single (&s);
      break;

    case GIS_STYLE_CATEGORIZED:
      style = gis_style_new_categorized ("category", &s);
      s.fill = color ("#ff0000");
      gis_style_add_category (style, "wildlife", "Wildlife “trafficking”", &s);
      s.fill = color ("#00ff00");
      s.shape = GIS_MARKER_CROSS;
      gis_style_add_category (style, "logging", NULL, &s);
      break;

    case GIS_STYLE_GRADUATED:
      style = gis_style_new_graduated ("severity", GIS_CLASSIFY_NATURAL_BREAKS, 3,
                                       GIS_COLOR_RAMP_YLGNBU, &s);
      gis_style_set_breaks (style, (const double[]) { 1, 2.5, 3.25, 5 }, 4);
      break;

    case GIS_STYLE_RASTER:
      style = gis_style_new_raster (GIS_COLOR_RAMP_VIRIDIS, 0.25, 12.5, 0.125, FALSE);
      break;

    case GIS_STYLE_HEATMAP:
    default:
      style = gis_style_new_heatmap (17.5, GIS_COLOR_RAMP_VIRIDIS, "severity");
      break;
    }
  gis_style_set_label (style, "name", 12.5, &(GisColor) { 0.2, 0.4, 0.6, 1 }, NULL, 2);
  return style;
}

static void
test_style_json_round_trip (void)
{
  for (int kind = GIS_STYLE_SINGLE; kind <= GIS_STYLE_RASTER; kind++)
    {
      g_autoptr(GisStyle) style = make_rich_style (kind);
      g_autoptr(GisStyle) back = NULL;
      g_autoptr(GisStyle) copy = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = gis_style_to_json (style);
      g_autofree char *json2 = NULL;

      back = gis_style_new_from_json (json, &error);
      g_assert_no_error (error);
      json2 = gis_style_to_json (back);
      g_assert_cmpstr (json, ==, json2);
      g_assert_true (gis_style_equal (style, back));
      g_assert_cmpint (gis_style_get_kind (back), ==, kind);
      g_assert_cmpstr (gis_style_get_label (back)->field, ==, "name");
      g_assert_cmpfloat (gis_style_get_label (back)->size_px, ==, 12.5);

      copy = gis_style_copy (back);
      g_assert_true (gis_style_equal (copy, style));

      switch (kind)
        {
        case GIS_STYLE_CATEGORIZED:
          g_assert_cmpuint (gis_style_get_n_categories (back), ==, 2);
          g_assert_cmpstr (gis_style_get_category_label (back, 0), ==, "Wildlife “trafficking”");
          g_assert_cmpstr (gis_style_get_category_label (back, 1), ==, "logging");
          g_assert_cmpint (gis_style_get_category_symbol (back, 1)->shape, ==, GIS_MARKER_CROSS);
          break;
        case GIS_STYLE_GRADUATED:
          {
            guint n;
            const double *b = gis_style_get_breaks (back, &n);

            g_assert_cmpuint (n, ==, 4);
            g_assert_cmpfloat (b[2], ==, 3.25);
            g_assert_cmpint (gis_style_get_method (back), ==, GIS_CLASSIFY_NATURAL_BREAKS);
            g_assert_cmpint (gis_style_get_ramp (back), ==, GIS_COLOR_RAMP_YLGNBU);
          }
          break;
        case GIS_STYLE_HEATMAP:
          g_assert_cmpfloat (gis_style_get_radius_px (back), ==, 17.5);
          g_assert_cmpstr (gis_style_get_weight_field (back), ==, "severity");
          break;
        case GIS_STYLE_RASTER:
          {
            double lo, hi, cutoff;
            gboolean bilinear;

            gis_style_get_raster (back, &lo, &hi, &cutoff, &bilinear);
            g_assert_cmpfloat (lo, ==, 0.25);
            g_assert_cmpfloat (hi, ==, 12.5);
            g_assert_cmpfloat (cutoff, ==, 0.125);
            g_assert_false (bilinear);
            g_assert_cmpint (gis_style_get_ramp (back), ==, GIS_COLOR_RAMP_VIRIDIS);
          }
          break;
        case GIS_STYLE_SINGLE:
        default:
          g_assert_cmpint (gis_style_get_symbol (back)->shape, ==, GIS_MARKER_STAR);
          g_assert_cmpint (gis_style_get_symbol (back)->dash, ==, GIS_DASH_DASH_DOT);
          g_assert_cmpfloat (gis_style_get_symbol (back)->size_px, ==, 7.5);
          break;
        }
    }
}

static void
test_style_json_errors (void)
{
  const struct { const char *json; const char *member; } cases[] = {
    { "not json", NULL },
    { "", NULL },
    { "[1, 2]", NULL },
    { "{\"kind\": \"weird\"}", "kind" },
    { "{\"kind\": 3}", "kind" },
    { "{\"version\": 99}", "version" },
    { "{\"symbol\": []}", "symbol" },
    { "{\"symbol\": {\"fill\": \"#zz0000\"}}", "symbol.fill" },
    { "{\"symbol\": {\"fill\": 12}}", "symbol.fill" },
    { "{\"symbol\": {\"size_px\": \"big\"}}", "symbol.size_px" },
    { "{\"symbol\": {\"size_px\": -1}}", "symbol.size_px" },
    { "{\"symbol\": {\"shape\": \"hexagon\"}}", "symbol.shape" },
    { "{\"symbol\": {\"dash\": true}}", "symbol.dash" },
    { "{\"kind\": \"categorized\"}", "field" },
    { "{\"kind\": \"categorized\", \"field\": \"c\", \"categories\": {}}", "categories" },
    { "{\"kind\": \"categorized\", \"field\": \"c\", \"categories\": [1]}", "categories[0]" },
    { "{\"kind\": \"categorized\", \"field\": \"c\", \"categories\": [{\"label\": \"x\"}]}",
      "categories[0].value" },
    { "{\"kind\": \"categorized\", \"field\": \"c\", \"categories\": "
      "[{\"value\": \"a\"}, {\"value\": \"b\", \"symbol\": {\"stroke\": \"red\"}}]}",
      "categories[1].symbol.stroke" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"classes\": 0}", "classes" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"classes\": 2.5}", "classes" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"classes\": 3, \"breaks\": [1, 2]}", "breaks" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"classes\": 1, \"breaks\": [2, 1]}", "breaks[1]" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"classes\": 1, \"breaks\": [1, \"2\"]}", "breaks[1]" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"method\": \"median\"}", "method" },
    { "{\"kind\": \"graduated\", \"field\": \"x\", \"ramp\": \"rainbow\"}", "ramp" },
    { "{\"kind\": \"heatmap\", \"radius_px\": 0}", "radius_px" },
    { "{\"kind\": \"heatmap\", \"weight_field\": 5}", "weight_field" },
    { "{\"label\": \"name\"}", "label" },
    { "{\"label\": {}}", "label.field" },
    { "{\"label\": {\"field\": \"n\", \"halo_color\": \"#12\"}}", "label.halo_color" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisStyle) style = gis_style_new_from_json (cases[i].json, &error);

      g_assert_null (style);
      g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
      if (cases[i].member != NULL)
        {
          g_autofree char *quoted = g_strdup_printf ("“%s”", cases[i].member);

          if (strstr (error->message, quoted) == NULL)
            g_error ("“%s”: the error “%s” does not name %s", cases[i].json, error->message, quoted);
        }
    }

  /* unknown members and nulls are ignored; missing ones take defaults */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisStyle) style = gis_style_new_from_json (
      "{\"future\": [1, {\"x\": 2}], \"symbol\": {\"fill\": null, \"glow\": 3}}", &error);

    g_assert_no_error (error);
    g_assert_cmpint (gis_style_get_kind (style), ==, GIS_STYLE_SINGLE);
  }
}

static void
test_style_default (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "defaults.sqlite");
  g_autoptr(GisLayer) ports = import_csv (store, dir, "ports", "name,lon,lat\nA,-100,40\n",
                                          GIS_LAYER_ROLE_PORT, FALSE);
  g_autoptr(GisLayer) inc = import_csv (store, dir, "inc", "name,lon,lat\nA,-100,40\n",
                                        GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisLayer) other1 = import_csv (store, dir, "alpha", "name,lon,lat\nA,-100,40\n",
                                           GIS_LAYER_ROLE_OTHER, FALSE);
  g_autoptr(GisLayer) other2 = import_csv (store, dir, "beta", "name,lon,lat\nA,-100,40\n",
                                           GIS_LAYER_ROLE_OTHER, FALSE);
  g_autoptr(GisLayer) hab = import_csv (store, dir, "hab",
                                        "name,wkt\nH,\"POLYGON ((-100 40, -99 40, -99 41, -100 40))\"\n",
                                        GIS_LAYER_ROLE_HABITAT, TRUE);
  g_autoptr(GisLayer) bl = import_csv (store, dir, "bl",
                                       "name,wkt\nB,\"LINESTRING (-100 40, -99 40)\"\n",
                                       GIS_LAYER_ROLE_BOUNDARY, TRUE);
  g_autoptr(GisStyle) sp = gis_style_new_default (ports);
  g_autoptr(GisStyle) si = gis_style_new_default (inc);
  g_autoptr(GisStyle) so1 = gis_style_new_default (other1);
  g_autoptr(GisStyle) so1b = gis_style_new_default (other1);
  g_autoptr(GisStyle) so2 = gis_style_new_default (other2);
  g_autoptr(GisStyle) sh = gis_style_new_default (hab);
  g_autoptr(GisStyle) sb = gis_style_new_default (bl);
  GisColor c;

  c = color (GIS_STYLE_PORT_FILL);
  g_assert_true (gis_color_equal (&gis_style_get_symbol (sp)->fill, &c));
  g_assert_cmpint (gis_style_get_kind (sp), ==, GIS_STYLE_SINGLE);
  g_assert_null (gis_style_get_label (sp)->field);
  g_assert_cmpint (gis_style_get_symbol (sp)->shape, ==, GIS_MARKER_TRIANGLE);
  g_assert_cmpfloat (gis_style_get_symbol (sp)->size_px, ==, 10);
  c = color ("#ffffff");
  g_assert_true (gis_color_equal (&gis_style_get_symbol (sp)->stroke, &c));

  c = color (GIS_STYLE_INCIDENT_FILL);
  g_assert_true (gis_color_equal (&gis_style_get_symbol (si)->fill, &c));
  g_assert_cmpfloat_with_epsilon (c.a, 0.8, 1e-9);
  g_assert_cmpint (gis_style_get_symbol (si)->shape, ==, GIS_MARKER_CIRCLE);

  c = color (GIS_STYLE_HABITAT_FILL);
  g_assert_true (gis_color_equal (&gis_style_get_symbol (sh)->fill, &c));
  g_assert_cmpfloat_with_epsilon (c.a, 0.35, 0.5 / 255);

  g_assert_cmpint (gis_style_get_symbol (sb)->dash, ==, GIS_DASH_DASHED);
  g_assert_cmpfloat (gis_style_get_symbol (sb)->stroke_width_px, ==, 1.5);

  /* deterministic hue per name */
  g_assert_true (gis_style_equal (so1, so1b));
  g_assert_false (gis_color_equal (&gis_style_get_symbol (so1)->fill, &gis_style_get_symbol (so2)->fill));
}

/* ---- layer data ---------------------------------------------------------- */

static const char incidents_csv[] =
  "id,name,category,severity,when,lon,lat\n"
  "1,north,wildlife,3,2020-01-01T00:00:00Z,-100.0,49.0\n"
  "2,south,logging,1,2021-06-15T12:30:00Z,-99.5,30.25\n"
  "3,east,wildlife,,,-80.125,40.5\n"
  "4,west,dumping,5,1999-12-31T23:59:59Z,-120.75,45.0\n"
  "5,,logging,2.5,2020-02-29T00:00:00Z,-95.0,35.0\n";

static void
test_layer_data_points (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "points.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "incidents", incidents_csv,
                                          GIS_LAYER_ROLE_INCIDENT, FALSE);
  const char *fields[] = { "category", "severity", "name", NULL };
  g_autoptr(GisLayerData) data = load_layer (store, layer, GIS_CRS_CEC_LAEA_ID, fields);
  g_autoptr(GisCrs) wgs = gis_crs_new_storage ();
  g_autoptr(GisCrs) laea = gis_crs_new_analysis ();
  g_autoptr(GisTransform) t = gis_transform_new (wgs, laea, NULL);
  const double lon[] = { -100.0, -99.5, -80.125, -120.75, -95.0 };
  const double lat[] = { 49.0, 30.25, 40.5, 45.0, 35.0 };
  const gint64 when[] = { 1577836800, 1623760200, G_MININT64, 946684799, 1582934400 };
  const double sev[] = { 3, 1, NAN, 5, 2.5 };
  const char *cat[] = { "wildlife", "logging", "wildlife", "dumping", "logging" };
  const gint64 *fids;
  int ccat, csev, cname;
  GisExtent ext;

  g_assert_true (gis_layer_data_is_point_layer (data));
  g_assert_cmpuint (gis_layer_data_get_n_features (data), ==, 5);
  g_assert_true (gis_crs_equal (gis_layer_data_get_crs (data), laea));
  fids = gis_layer_data_get_fids (data);
  for (guint i = 1; i < 5; i++)
    g_assert_cmpint (fids[i], >, fids[i - 1]);

  gis_extent_init_empty (&ext);
  for (guint i = 0; i < 5; i++)
    {
      double x = lon[i], y = lat[i];
      guint idx;

      g_assert_true (gis_transform_point (t, &x, &y));
      g_assert_cmpfloat_with_epsilon (gis_layer_data_get_x (data)[i], x, 1e-6);
      g_assert_cmpfloat_with_epsilon (gis_layer_data_get_y (data)[i], y, 1e-6);
      g_assert_cmpint (gis_layer_data_get_feature_kind (data, i), ==, GIS_FEATURE_POINT);
      gis_extent_add_point (&ext, x, y);
      g_assert_true (gis_layer_data_find_fid (data, fids[i], &idx));
      g_assert_cmpuint (idx, ==, i);
    }
  g_assert_false (gis_layer_data_find_fid (data, fids[4] + 1000, NULL));
  g_assert_cmpfloat_with_epsilon (gis_layer_data_get_extent (data)->min_x, ext.min_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (gis_layer_data_get_extent (data)->max_y, ext.max_y, 1e-6);

  g_assert_true (gis_layer_data_has_time (data));
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (gis_layer_data_get_times (data)[i], ==, when[i]);

  ccat = gis_layer_data_find_column (data, "category");
  csev = gis_layer_data_find_column (data, "severity");
  cname = gis_layer_data_find_column (data, "name");
  g_assert_cmpint (ccat, >=, 0);
  g_assert_cmpint (csev, >=, 0);
  g_assert_cmpint (gis_layer_data_find_column (data, "lon"), ==, -1);
  g_assert_cmpint (gis_layer_data_get_column_kind (data, ccat), ==, GIS_COLUMN_TEXT);
  g_assert_cmpint (gis_layer_data_get_column_kind (data, csev), ==, GIS_COLUMN_NUMERIC);
  g_assert_cmpuint (gis_layer_data_get_n_strings (data, ccat), ==, 3);
  for (guint i = 0; i < 5; i++)
    {
      guint32 id = gis_layer_data_get_string_ids (data, ccat)[i];
      double v = gis_layer_data_get_numbers (data, csev)[i];

      g_assert_cmpstr (gis_layer_data_get_string (data, ccat, id), ==, cat[i]);
      if (isnan (sev[i]))
        g_assert_true (isnan (v));
      else
        g_assert_cmpfloat (v, ==, sev[i]);
    }
  g_assert_cmpuint (gis_layer_data_get_string_ids (data, cname)[4], ==, GIS_LAYER_DATA_NULL_STRING);
  {
    g_autofree char *v0 = gis_layer_data_format_value (data, csev, 0);
    g_autofree char *v4 = gis_layer_data_format_value (data, csev, 4);
    g_autofree char *n0 = gis_layer_data_format_value (data, cname, 0);

    g_assert_cmpstr (v0, ==, "3");
    g_assert_cmpstr (v4, ==, "2.5");
    g_assert_cmpstr (n0, ==, "north");
    g_assert_null (gis_layer_data_format_value (data, csev, 2));
  }
}

static void
test_layer_data_errors (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "errors.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "incidents", incidents_csv,
                                          GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisCrs) crs = gis_crs_new_analysis ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *bad_fields[] = { "category", "no_such_field", NULL };
  GisLayerData *data;
  GError *error = NULL;

  data = gis_layer_data_load (gis_store_get_path (store), 9999, crs, NULL, NULL, &error);
  g_assert_null (data);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  data = gis_layer_data_load (gis_store_get_path (store), gis_layer_get_id (layer), crs,
                              bad_fields, NULL, &error);
  g_assert_null (data);
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no_such_field"));
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  data = gis_layer_data_load (gis_store_get_path (store), gis_layer_get_id (layer), crs,
                              NULL, cancellable, &error);
  g_assert_null (data);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
}

static void
load_ready_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GisLayerData **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gis_layer_data_load_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_layer_data_async (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "async.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "incidents", incidents_csv,
                                          GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisCrs) crs = gis_crs_new_storage ();
  g_autoptr(GisLayerData) data = NULL;

  gis_layer_data_load_async (gis_store_get_path (store), gis_layer_get_id (layer), crs, NULL,
                             NULL, load_ready_cb, &data);
  while (data == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (gis_layer_data_get_n_features (data), ==, 5);
  /* the identity: lon/lat as stored */
  g_assert_cmpfloat (gis_layer_data_get_x (data)[2], ==, -80.125);
  g_assert_cmpfloat (gis_layer_data_get_y (data)[2], ==, 40.5);
}

static int
cmp_u32 (const void *a,
         const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

static void
assert_same_set (GArray *got,
                 GArray *want)
{
  if (got->len > 1)
    qsort (got->data, got->len, sizeof (guint32), cmp_u32);
  if (want->len > 1)
    qsort (want->data, want->len, sizeof (guint32), cmp_u32);
  g_assert_cmpuint (got->len, ==, want->len);
  if (got->len > 0)
    g_assert_cmpmem (got->data, got->len * 4, want->data, want->len * 4);
}

static void
test_layer_data_query_points (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "random.sqlite");
  g_autoptr(GString) csv = g_string_new ("id,lon,lat\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisLayerData) data = NULL;
  const double *x, *y;
  const GisExtent *ext;
  guint n = 5000;

  for (guint i = 0; i < n; i++)
    {
      /* clustered and spread points, and some duplicates */
      double lon = i % 5 == 0 ? -100 + g_rand_double_range (rand, -0.5, 0.5)
                              : g_rand_double_range (rand, -125, -65);
      double lat = i % 5 == 0 ? 40 + g_rand_double_range (rand, -0.5, 0.5)
                              : g_rand_double_range (rand, 15, 60);

      if (i % 97 == 1)
        {
          lon = -90;
          lat = 35;
        }
      g_string_append_printf (csv, "%u,%.7f,%.7f\n", i, lon, lat);
    }
  layer = import_csv (store, dir, "random", csv->str, GIS_LAYER_ROLE_OTHER, FALSE);
  data = load_layer (store, layer, GIS_CRS_CEC_LAEA_ID, NULL);
  x = gis_layer_data_get_x (data);
  y = gis_layer_data_get_y (data);
  ext = gis_layer_data_get_extent (data);
  g_assert_cmpuint (gis_layer_data_get_n_features (data), ==, n);

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (guint32));
      double w = ext->max_x - ext->min_x, h = ext->max_y - ext->min_y;
      GisExtent box;

      if (round == 0)
        box = *ext;                       /* everything, edges included */
      else if (round == 1)
        box = (GisExtent) { ext->min_x - w, ext->min_y - h, ext->max_x + w, ext->max_y + h };
      else if (round == 2)
        box = (GisExtent) { x[1], y[1], x[1], y[1] };   /* a point: the duplicates */
      else if (round == 3)
        box = (GisExtent) { ext->max_x + 1, ext->min_y, ext->max_x + 2, ext->max_y };
      else
        {
          double cx = g_rand_double_range (rand, ext->min_x - 0.1 * w, ext->max_x + 0.1 * w);
          double cy = g_rand_double_range (rand, ext->min_y - 0.1 * h, ext->max_y + 0.1 * h);
          double bw = w * pow (10, g_rand_double_range (rand, -4, 0));
          double bh = h * pow (10, g_rand_double_range (rand, -4, 0));

          box = (GisExtent) { cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2 };
        }

      gis_layer_data_query_box (data, &box, got);
      for (guint i = 0; i < n; i++)
        if (x[i] >= box.min_x && x[i] <= box.max_x && y[i] >= box.min_y && y[i] <= box.max_y)
          g_array_append_val (want, i);
      if (round == 0)
        g_assert_cmpuint (want->len, ==, n);
      if (round == 2)
        g_assert_cmpuint (want->len, >=, 50);
      assert_same_set (got, want);
    }

  /* hit test: points within the tolerance, nearest first */
  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (guint32));
      double mx = g_rand_double_range (rand, ext->min_x, ext->max_x);
      double my = g_rand_double_range (rand, ext->min_y, ext->max_y);
      double tol = pow (10, g_rand_double_range (rand, 3, 5.5));

      if (round < 20)
        {
          /* on a point */
          guint i = g_rand_int_range (rand, 0, n);

          mx = x[i];
          my = y[i];
        }
      gis_layer_data_hit_test (data, mx, my, tol, got);
      for (guint k = 1; k < got->len; k++)
        {
          guint32 a = g_array_index (got, guint32, k - 1), b = g_array_index (got, guint32, k);

          g_assert_cmpfloat (hypot (x[a] - mx, y[a] - my), <=, hypot (x[b] - mx, y[b] - my));
        }
      for (guint i = 0; i < n; i++)
        if ((x[i] - mx) * (x[i] - mx) + (y[i] - my) * (y[i] - my) <= tol * tol)
          g_array_append_val (want, i);
      if (round < 20)
        g_assert_cmpuint (want->len, >=, 1);
      assert_same_set (got, want);
    }
}

static const char shapes_csv[] =
  "name,wkt\n"
  /* a square with a square hole */
  "holed,\"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))\"\n"
  /* two triangles */
  "multi,\"MULTIPOLYGON (((20 0, 30 0, 20 10, 20 0)), ((40 0, 50 0, 50 10, 40 0)))\"\n"
  /* a square overlapping the first */
  "over,\"POLYGON ((8 8, 12 8, 12 12, 8 12, 8 8))\"\n"
  "far,\"POLYGON ((100 50, 101 50, 101 51, 100 50))\"\n";

static const char lines_csv[] =
  "name,wkt\n"
  "flat,\"LINESTRING (0 0, 10 0)\"\n"
  "bent,\"MULTILINESTRING ((0 5, 5 5, 5 10), (20 20, 30 30))\"\n";

static void
test_layer_data_hit_shapes (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "shapes.sqlite");
  g_autoptr(GisLayer) polys = import_csv (store, dir, "polys", shapes_csv, GIS_LAYER_ROLE_HABITAT, TRUE);
  g_autoptr(GisLayer) lines = import_csv (store, dir, "lines", lines_csv, GIS_LAYER_ROLE_OTHER, TRUE);
  g_autoptr(GisLayerData) pd = load_layer (store, polys, "EPSG:4326", NULL);
  g_autoptr(GisLayerData) ld = load_layer (store, lines, "EPSG:4326", NULL);
  const struct { double x, y; const char *hits; } poly_cases[] = {
    { 2, 2, "0" }, { 5, 5, "" }, { 4.5, 9, "0" }, { 9, 9, "0,2" }, { 11, 11, "2" },
    { 22, 2, "1" }, { 29, 9, "" }, { 49, 5, "1" }, { 41, 5, "" }, { -1, 5, "" },
    { 100.2, 50.1, "3" }, { 15, 5, "" },
  };
  const struct { double x, y, tol; const char *hits; } line_cases[] = {
    { 5, 0.05, 0.1, "0" }, { 5, 0.2, 0.1, "" }, { 10.05, 0, 0.1, "0" }, { 10.2, 0, 0.1, "" },
    { 5.05, 7, 0.1, "1" }, { 25, 25.05, 0.1, "1" }, { 3, 4.95, 0.1, "1" },
    { 1, 2.5, 2.5, "0,1" }, { 15, 15, 1, "" },
  };

  g_assert_false (gis_layer_data_is_point_layer (pd));
  g_assert_cmpint (gis_layer_data_get_feature_kind (pd, 1), ==, GIS_FEATURE_POLYGON);
  g_assert_cmpint (gis_layer_data_get_feature_kind (ld, 1), ==, GIS_FEATURE_LINE);
  {
    guint p0, np, c0, nc;

    gis_layer_data_get_parts (pd, 0, &p0, &np);
    g_assert_cmpuint (np, ==, 2);
    gis_layer_data_get_part (pd, p0 + 1, &c0, &nc);
    g_assert_cmpuint (nc, ==, 5);
    g_assert_cmpfloat (gis_layer_data_get_x (pd)[c0], ==, 4);
    gis_layer_data_get_parts (pd, 1, &p0, &np);
    g_assert_cmpuint (np, ==, 2);
  }

  for (guint i = 0; i < G_N_ELEMENTS (poly_cases); i++)
    {
      g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GString) s = g_string_new (NULL);

      gis_layer_data_hit_test (pd, poly_cases[i].x, poly_cases[i].y, 0.01, got);
      for (guint k = 0; k < got->len; k++)
        g_string_append_printf (s, "%s%u", k > 0 ? "," : "", g_array_index (got, guint32, k));
      if (strcmp (s->str, poly_cases[i].hits) != 0)
        g_error ("polygons at (%g, %g): hit “%s”, expected “%s”",
                 poly_cases[i].x, poly_cases[i].y, s->str, poly_cases[i].hits);
    }
  for (guint i = 0; i < G_N_ELEMENTS (line_cases); i++)
    {
      g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GString) s = g_string_new (NULL);

      gis_layer_data_hit_test (ld, line_cases[i].x, line_cases[i].y, line_cases[i].tol, got);
      if (got->len > 1)
        qsort (got->data, got->len, sizeof (guint32), cmp_u32);
      for (guint k = 0; k < got->len; k++)
        g_string_append_printf (s, "%s%u", k > 0 ? "," : "", g_array_index (got, guint32, k));
      if (strcmp (s->str, line_cases[i].hits) != 0)
        g_error ("lines at (%g, %g): hit “%s”, expected “%s”",
                 line_cases[i].x, line_cases[i].y, s->str, line_cases[i].hits);
    }

  /* box query against the features' boxes, brute force */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (3);
    const GisExtent *ext = gis_layer_data_get_extent (pd);

    for (guint round = 0; round < 200; round++)
      {
        g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint32));
        g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (guint32));
        double cx = g_rand_double_range (rand, ext->min_x - 5, ext->max_x + 5);
        double cy = g_rand_double_range (rand, ext->min_y - 5, ext->max_y + 5);
        double r = g_rand_double_range (rand, 0, 30);
        GisExtent box = { cx - r, cy - r, cx + r, cy + r };

        gis_layer_data_query_box (pd, &box, got);
        for (guint32 i = 0; i < gis_layer_data_get_n_features (pd); i++)
          {
            GisExtent e;

            gis_layer_data_get_feature_extent (pd, i, &e);
            if (gis_extent_intersects (&e, &box))
              g_array_append_val (want, i);
          }
        /* drawing order: ascending feature order, no duplicates */
        for (guint k = 1; k < got->len; k++)
          g_assert_cmpuint (g_array_index (got, guint32, k - 1), <, g_array_index (got, guint32, k));
        assert_same_set (got, want);
      }
  }
}

/* ---- style classification ------------------------------------------------ */

static void
test_style_classify (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "classify.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "incidents", incidents_csv,
                                          GIS_LAYER_ROLE_INCIDENT, FALSE);
  const char *fields[] = { "category", "severity", NULL };
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", fields);
  g_autoptr(GisStyle) cat = gis_style_new_categorized ("category", NULL);
  g_autoptr(GisStyle) num = gis_style_new_categorized ("severity", NULL);
  g_autoptr(GisStyle) grad = gis_style_new_graduated ("severity", GIS_CLASSIFY_EQUAL_INTERVAL, 2,
                                                      GIS_COLOR_RAMP_REDS, NULL);
  g_autoptr(GisStyle) missing = gis_style_new_categorized ("country", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree guint16 *c1 = NULL;
  g_autofree guint16 *c2 = NULL;
  g_autofree guint16 *c3 = NULL;
  GisSymbol s;

  gis_symbol_init (&s);
  gis_style_add_category (cat, "logging", NULL, &s);
  gis_style_add_category (cat, "wildlife", NULL, &s);
  gis_style_add_category (num, "5", NULL, &s);
  gis_style_add_category (num, "2.5", NULL, &s);

  c1 = gis_style_classify (cat, data, &error);
  g_assert_no_error (error);
  /* wildlife, logging, wildlife, dumping (other), logging */
  g_assert_cmpmem (c1, 10, ((const guint16[]) { 1, 0, 1, 2, 0 }), 10);

  c2 = gis_style_classify (num, data, &error);
  g_assert_no_error (error);
  /* 3 (other), 1 (other), NULL (other), 5, 2.5 */
  g_assert_cmpmem (c2, 10, ((const guint16[]) { 2, 2, 2, 0, 1 }), 10);

  /* equal intervals over 1..5: [1, 3], (3, 5]; NULL is not drawn */
  g_assert_true (gis_style_compute_breaks (grad, data, &error));
  g_assert_no_error (error);
  c3 = gis_style_classify (grad, data, &error);
  g_assert_cmpmem (c3, 10, ((const guint16[]) { 0, 0, GIS_STYLE_CLASS_NONE, 1, 0 }), 10);
  {
    GisSymbol s0, s1;
    GisColor lo, hi;

    gis_style_get_class_symbol (grad, 0, &s0);
    gis_style_get_class_symbol (grad, 1, &s1);
    gis_color_ramp_sample (GIS_COLOR_RAMP_REDS, 0, &lo);
    gis_color_ramp_sample (GIS_COLOR_RAMP_REDS, 1, &hi);
    g_assert_true (gis_color_equal (&s0.fill, &lo));
    g_assert_true (gis_color_equal (&s1.fill, &hi));
  }

  g_assert_null (gis_style_classify (missing, data, &error));
  g_assert_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr(GisStyle) on_text = gis_style_new_graduated ("category", GIS_CLASSIFY_QUANTILE, 2,
                                                          GIS_COLOR_RAMP_REDS, NULL);

    g_assert_false (gis_style_compute_breaks (on_text, data, &error));
    g_assert_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  {
    g_auto(GStrv) f = NULL;
    g_autoptr(GisStyle) labelled = gis_style_copy (grad);

    gis_style_set_label (labelled, "severity", 10, NULL, NULL, 1);
    f = gis_style_dup_fields (labelled);
    g_assert_cmpuint (g_strv_length (f), ==, 1);
    g_assert_cmpstr (f[0], ==, "severity");
  }
}

/* ---- rendering ----------------------------------------------------------- */

static GisRenderLayer *
render_layer (GisLayerData *data,
              GisStyle     *style)
{
  g_autoptr(GError) error = NULL;
  GisRenderLayer *rl = gis_render_layer_new (data, style, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rl);
  return rl;
}

static const char ports_csv[] =
  "name,lon,lat\n"
  "San Ysidro,-117.03,32.54\n"
  "El Paso,-106.45,31.76\n"
  "Detroit,-83.05,42.32\n";

static void
test_render_port_pixel (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "ports.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "ports", ports_csv, GIS_LAYER_ROLE_PORT, FALSE);
  g_autoptr(GisLayerData) data = load_layer (store, layer, GIS_CRS_CEC_LAEA_ID, NULL);
  g_autoptr(GisStyle) style = gis_style_new_default (layer);
  g_autoptr(GisRenderLayer) rl = render_layer (data, style);
  g_autoptr(GisCrs) wgs = gis_crs_new_storage ();
  g_autoptr(GisCrs) laea = gis_crs_new_analysis ();
  g_autoptr(GisTransform) t = gis_transform_new (wgs, laea, NULL);
  GisColor fill = color (GIS_STYLE_PORT_FILL);
  const double lonlat[][2] = { { -117.03, 32.54 }, { -106.45, 31.76 }, { -83.05, 42.32 } };
  GisViewState view;

  /* a view around the three ports */
  view_init (&view, -600000, -800000, 5000, 800, 500);
  for (double scale = 1; scale <= 2; scale++)
    {
      GisRenderLayer *layers[] = { rl };
      cairo_surface_t *img = gis_render_image (&view, layers, 1, scale, NULL);
      double sx, sy;

      g_assert_nonnull (img);
      g_assert_cmpint (cairo_image_surface_get_format (img), ==, CAIRO_FORMAT_ARGB32);
      g_assert_cmpint (cairo_image_surface_get_width (img), ==, 800 * scale);
      g_assert_cmpint (cairo_image_surface_get_height (img), ==, 500 * scale);
      cairo_surface_get_device_scale (img, &sx, &sy);
      g_assert_cmpfloat (sx, ==, scale);

      for (guint i = 0; i < 3; i++)
        {
          double x = lonlat[i][0], y = lonlat[i][1], px, py;
          int ix, iy;

          g_assert_true (gis_transform_point (t, &x, &y));
          gis_view_state_map_to_pixel (&view, x, y, &px, &py);
          ix = (int) floor (px * scale);
          iy = (int) floor (py * scale);
          assert_pixel_color (pixel (img, ix, iy), &fill, 1);
          /* the white outline of the triangle's base, 5 px below the centre
           * of the symbol's middle pixel, and the background far away */
          assert_pixel (pixel (img, ix, iy + (int) floor (0.5 + 5 * scale)), 1, 1, 1, 1, 1);
          g_assert_cmpuint (pixel (img, ix, iy - (int) (9 * scale)), ==, 0);
        }
      g_assert_cmpuint (pixel (img, 0, 0), ==, 0);
      cairo_surface_destroy (img);
    }
}

static void
test_render_polygon_fill (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "polys.sqlite");
  g_autoptr(GisLayer) bg = import_csv (store, dir, "bg",
                                       "name,wkt\nB,\"POLYGON ((-2 -2, 14 -2, 14 14, -2 14, -2 -2))\"\n",
                                       GIS_LAYER_ROLE_OTHER, TRUE);
  g_autoptr(GisLayer) hab = import_csv (store, dir, "habitat", shapes_csv, GIS_LAYER_ROLE_HABITAT, TRUE);
  g_autoptr(GisLayerData) bgd = load_layer (store, bg, "EPSG:4326", NULL);
  g_autoptr(GisLayerData) hd = load_layer (store, hab, "EPSG:4326", NULL);
  GisSymbol bg_sym;
  g_autoptr(GisStyle) bg_style = NULL;
  g_autoptr(GisStyle) hab_style = gis_style_new_default (hab);
  g_autoptr(GisRenderLayer) rbg = NULL;
  g_autoptr(GisRenderLayer) rhab = NULL;
  GisColor fill = color (GIS_STYLE_HABITAT_FILL);
  GisColor stroke = color (GIS_STYLE_HABITAT_STROKE);
  GisColor back = color ("#3060c0");
  GisViewState view;
  cairo_surface_t *img;
  double px, py;

  gis_symbol_init (&bg_sym);
  bg_sym.fill = back;
  bg_sym.stroke_width_px = 0;
  bg_style = gis_style_new_single (&bg_sym);
  rbg = render_layer (bgd, bg_style);
  rhab = render_layer (hd, hab_style);

  /* 0.1 degree per pixel, (0, 0) at pixel (50, 150) */
  view_init (&view, 5, 5, 0.1, 200, 200);
  {
    GisRenderLayer *layers[] = { rbg, rhab };

    img = gis_render_image (&view, layers, 2, 1.0, NULL);
  }

  /* inside the square, away from edges: fill over the background */
  gis_view_state_map_to_pixel (&view, 2, 2, &px, &py);
  assert_pixel (pixel (img, (int) px, (int) py),
                fill.r * fill.a + back.r * (1 - fill.a),
                fill.g * fill.a + back.g * (1 - fill.a),
                fill.b * fill.a + back.b * (1 - fill.a), 1, 2);
  /* in the hole: the background alone */
  gis_view_state_map_to_pixel (&view, 5, 5, &px, &py);
  assert_pixel_color (pixel (img, (int) px, (int) py), &back, 1);
  /* where two habitat squares overlap: the fill twice */
  gis_view_state_map_to_pixel (&view, 9.05, 9.5, &px, &py);
  {
    double a = fill.a, once_r = fill.r * a + back.r * (1 - a);
    double once_g = fill.g * a + back.g * (1 - a), once_b = fill.b * a + back.b * (1 - a);

    assert_pixel (pixel (img, (int) px, (int) py),
                  fill.r * a + once_r * (1 - a), fill.g * a + once_g * (1 - a),
                  fill.b * a + once_b * (1 - a), 1, 3);
  }
  /* on the outline x = 0 (1 px wide, centred on the pixel boundary at
   * x = 50): half of pixel 49 and half of pixel 50 */
  gis_view_state_map_to_pixel (&view, 0, 5, &px, &py);
  g_assert_cmpfloat (px, ==, 50);
  {
    guint32 p = pixel (img, 49, (int) py);
    double half_r = stroke.r * 0.5 + back.r * 0.5;

    /* the left pixel: half the stroke over the background */
    assert_pixel (p, half_r, stroke.g * 0.5 + back.g * 0.5, stroke.b * 0.5 + back.b * 0.5, 1, 3);
  }
  /* outside every polygon: transparent */
  gis_view_state_map_to_pixel (&view, -4, -4, &px, &py);
  g_assert_cmpuint (pixel (img, (int) px, (int) py), ==, 0);
  cairo_surface_destroy (img);

  /* a polygon smaller than a pixel is one pixel */
  view_init (&view, 100, 50, 5, 100, 100);
  {
    GisRenderLayer *layers[] = { rhab };

    img = gis_render_image (&view, layers, 1, 1.0, NULL);
    gis_view_state_map_to_pixel (&view, 100.5, 50.5, &px, &py);
    g_assert_cmpuint (pixel (img, (int) px, (int) py) >> 24, >, 0);
    cairo_surface_destroy (img);
  }
}

static const char times_csv[] =
  "id,when,lon,lat\n"
  "1,2020-01-01T00:00:00Z,1,1\n"
  "2,2020-06-01T00:00:00Z,3,1\n"
  "3,2021-01-01T00:00:00Z,5,1\n"
  "4,,7,1\n";

static void
test_render_time_range (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "times.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "incidents", times_csv, GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", NULL);
  g_autoptr(GisStyle) style = gis_style_new_default (layer);
  g_autoptr(GisRenderLayer) all = render_layer (data, style);
  g_autoptr(GisRenderLayer) some = gis_render_layer_copy (all);
  GisColor fill = color (GIS_STYLE_INCIDENT_FILL);
  GisViewState view;
  const int xs[] = { 1, 3, 5, 7 };

  /* 2020 only: the first two */
  gis_render_layer_set_time_range (some, 1577836800, 1609459199);
  view_init (&view, 4, 1, 0.05, 200, 100);

  for (int pass = 0; pass < 2; pass++)
    {
      GisRenderLayer *layers[] = { pass == 0 ? all : some };
      cairo_surface_t *img = gis_render_image (&view, layers, 1, 1.0, NULL);

      for (guint i = 0; i < 4; i++)
        {
          double px, py;
          guint32 p;

          gis_view_state_map_to_pixel (&view, xs[i], 1, &px, &py);
          p = pixel (img, (int) floor (px), (int) floor (py));
          if (pass == 0 || i < 2)
            assert_pixel_color (p, &fill, 1);
          else
            g_assert_cmpuint (p, ==, 0);
          g_assert_true (gis_render_layer_is_visible (layers[0], i) == (pass == 0 || i < 2));
        }
      cairo_surface_destroy (img);
    }
}

static char *
grid_csv (double spacing_deg,
          int    nx,
          int    ny,
          double x0,
          double y0)
{
  GString *s = g_string_new ("id,lon,lat\n");
  int id = 0;

  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      g_string_append_printf (s, "%d,%.9f,%.9f\n", id++, x0 + i * spacing_deg, y0 + j * spacing_deg);
  return g_string_free (s, FALSE);
}

static void
compare_modes (GisLayerData       *data,
               GisStyle           *style,
               const GisViewState *view,
               double              scale,
               int                 tolerance)
{
  g_autoptr(GisRenderLayer) sparse = render_layer (data, style);
  g_autoptr(GisRenderLayer) dense = gis_render_layer_copy (sparse);
  cairo_surface_t *a, *b;
  int w, h, diffs = 0, worst = 0;
  guint drawn = 0;

  gis_render_layer_set_point_mode (sparse, GIS_POINT_MODE_SYMBOLS);
  gis_render_layer_set_point_mode (dense, GIS_POINT_MODE_AGGREGATE);
  a = gis_render_image (view, &sparse, 1, scale, NULL);
  b = gis_render_image (view, &dense, 1, scale, NULL);
  w = cairo_image_surface_get_width (a);
  h = cairo_image_surface_get_height (a);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 p = pixel (a, x, y), q = pixel (b, x, y);

        drawn += p != 0;
        for (int shift = 0; shift < 32; shift += 8)
          {
            int d = ABS ((int) ((p >> shift) & 0xff) - (int) ((q >> shift) & 0xff));

            worst = MAX (worst, d);
            diffs += d > 0;
          }
      }
  g_assert_cmpuint (drawn, >, (guint) (w * h / 10));
  if (worst > tolerance)
    g_error ("dense and sparse renders differ by up to %d (%d channels)", worst, diffs);
  if (tolerance == 0)
    g_assert_cmpmem (cairo_image_surface_get_data (a),
                     cairo_image_surface_get_stride (a) * h,
                     cairo_image_surface_get_data (b),
                     cairo_image_surface_get_stride (b) * h);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
}

static void
test_render_dense_equals_sparse (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "grid.sqlite");
  /* 0.1 degree per pixel: points 12 px apart (symbols do not touch) and
   * 3 px apart (they overlap, but no two share a pixel), at pixel centres */
  g_autofree char *wide = grid_csv (1.2, 16, 10, 0.05, 0.05);
  g_autofree char *tight = grid_csv (0.3, 60, 40, 0.05, 0.05);
  g_autoptr(GisLayer) lw = import_csv (store, dir, "wide", wide, GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisLayer) lt = import_csv (store, dir, "tight", tight, GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisLayerData) dw = load_layer (store, lw, "EPSG:4326", NULL);
  g_autoptr(GisLayerData) dt = load_layer (store, lt, "EPSG:4326", NULL);
  g_autoptr(GisStyle) sw = gis_style_new_default (lw);
  g_autoptr(GisStyle) st = gis_style_new_default (lt);
  GisViewState view;

  /* no two points in a pixel: the aggregate draws the same image */
  view_init (&view, 9.6, 6, 0.1, 192, 120);
  compare_modes (dw, sw, &view, 1.0, 0);
  compare_modes (dw, sw, &view, 2.0, 0);
  /* overlapping translucent symbols: blending order differs, within rounding */
  view_init (&view, 9, 6, 0.1, 180, 120);
  compare_modes (dt, st, &view, 1.0, 2);

  /* the automatic choice takes the aggregate above (w × h) / 4 points, and
   * the image is still the same */
  {
    g_autoptr(GisRenderLayer) autom = render_layer (dt, st);
    g_autoptr(GisRenderLayer) sparse = render_layer (dt, st);
    cairo_surface_t *a, *b;

    gis_render_layer_set_point_mode (sparse, GIS_POINT_MODE_SYMBOLS);
    view_init (&view, 2, 2, 0.1, 40, 40);   /* 1600 px, 169 points: sparse */
    a = gis_render_image (&view, &autom, 1, 1.0, NULL);
    b = gis_render_image (&view, &sparse, 1, 1.0, NULL);
    g_assert_cmpmem (cairo_image_surface_get_data (a), cairo_image_surface_get_stride (a) * 40,
                     cairo_image_surface_get_data (b), cairo_image_surface_get_stride (b) * 40);
    cairo_surface_destroy (a);
    cairo_surface_destroy (b);
  }
}

static void
test_render_selection (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "sel.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "incidents", times_csv, GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisLayer) hab = import_csv (store, dir, "habitat", shapes_csv, GIS_LAYER_ROLE_HABITAT, TRUE);
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", NULL);
  g_autoptr(GisLayerData) hd = load_layer (store, hab, "EPSG:4326", NULL);
  g_autoptr(GisStyle) style = gis_style_new_default (layer);
  g_autoptr(GisStyle) hstyle = gis_style_new_default (hab);
  g_autoptr(GisRenderLayer) rl = render_layer (data, style);
  g_autoptr(GisRenderLayer) rh = render_layer (hd, hstyle);
  GisColor yellow = color (GIS_STYLE_SELECTION_COLOR);
  GisColor fill = color (GIS_STYLE_INCIDENT_FILL);
  GisViewState view;
  cairo_surface_t *img;
  gint64 fid_sel[2];
  double px, py;

  /* select the second incident (twice, in any order) and the first polygon */
  fid_sel[0] = gis_layer_data_get_fids (data)[1];
  fid_sel[1] = fid_sel[0];
  gis_render_layer_set_selection (rl, fid_sel, 2);
  {
    gsize n;

    gis_render_layer_get_selection (rl, &n);
    g_assert_cmpuint (n, ==, 1);
  }
  fid_sel[0] = gis_layer_data_get_fids (hd)[0];
  gis_render_layer_set_selection (rh, fid_sel, 1);

  view_init (&view, 5, 3, 0.05, 300, 200);
  img = gis_render_image (&view, &rl, 1, 1.0, NULL);

  /* selected point: its symbol in the middle (drawn again on top of
   * itself: alpha 0.8 + 0.8 × 0.2), the halo 4 px to the right (the 5 px
   * circle ends at 2.5 px, the ring reaches 5.5 px) */
  gis_view_state_map_to_pixel (&view, 3, 1, &px, &py);
  assert_pixel (pixel (img, (int) floor (px), (int) floor (py)), fill.r, fill.g, fill.b,
                fill.a + fill.a * (1 - fill.a), 1);
  assert_pixel_color (pixel (img, (int) floor (px) + 4, (int) floor (py)), &yellow, 0);
  assert_pixel_color (pixel (img, (int) floor (px), (int) floor (py) - 4), &yellow, 0);
  /* an unselected point: no halo */
  gis_view_state_map_to_pixel (&view, 5, 1, &px, &py);
  assert_pixel_color (pixel (img, (int) floor (px), (int) floor (py)), &fill, 1);
  g_assert_cmpuint (pixel (img, (int) floor (px) + 4, (int) floor (py)), ==, 0);
  cairo_surface_destroy (img);

  /* the selected polygon's outline (x = 10 from y = 0 to 10) is yellow,
   * the other polygon's (x = 12) is not */
  view_init (&view, 6, 6, 0.05, 300, 300);
  img = gis_render_image (&view, &rh, 1, 1.0, NULL);
  gis_view_state_map_to_pixel (&view, 10, 6.5, &px, &py);
  assert_pixel_color (pixel (img, (int) px, (int) py), &yellow, 0);
  gis_view_state_map_to_pixel (&view, 12, 10, &px, &py);
  g_assert_cmpuint (pixel (img, (int) px, (int) py) & 0xffffff00, !=, 0xffd00000);
  cairo_surface_destroy (img);
}

static void
test_render_heatmap (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "heat.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "pts",
                                          "id,w,lon,lat\n1,1,0.05,0.05\n2,3,5.05,0.05\n",
                                          GIS_LAYER_ROLE_INCIDENT, FALSE);
  const char *fields[] = { "w", NULL };
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", fields);
  g_autoptr(GisStyle) style = gis_style_new_heatmap (10, GIS_COLOR_RAMP_REDS, "w");
  g_autoptr(GisRenderLayer) rl = render_layer (data, style);
  GisViewState view;
  cairo_surface_t *img;
  GisColor top, mid;
  int cx, cy, hx;

  /* 0.1 degree per pixel: the points at the centres of pixels 50 apart */
  view_init (&view, 2.5, 0, 0.1, 100, 40);
  img = gis_render_image (&view, &rl, 1, 1.0, NULL);
  cx = 25;
  cy = 19;
  hx = 75;
  {
    double px, py;

    gis_view_state_map_to_pixel (&view, 0.05, 0.05, &px, &py);
    g_assert_cmpint ((int) floor (px), ==, cx);
    g_assert_cmpint ((int) floor (py), ==, cy);
  }
  /* the heavier point is the maximum: the end of the ramp, opaque */
  gis_color_ramp_sample (GIS_COLOR_RAMP_REDS, 1, &top);
  assert_pixel_color (pixel (img, hx, cy), &top, 1);
  /* the light one: density 1/3 of the maximum, alpha √(1/3) */
  gis_color_ramp_sample (GIS_COLOR_RAMP_REDS, 85 / 255.0, &mid);
  assert_pixel (pixel (img, cx, cy), mid.r, mid.g, mid.b, sqrt (85 / 255.0), 1);
  /* quartic kernel: zero at and beyond the radius, symmetric inside */
  g_assert_cmpuint (pixel (img, hx + 10, cy), ==, 0);
  g_assert_cmpuint (pixel (img, hx, cy + 10), ==, 0);
  g_assert_cmpuint (pixel (img, hx + 9, cy), !=, 0);
  g_assert_cmpuint (pixel (img, hx + 6, cy), ==, pixel (img, hx - 6, cy));
  g_assert_cmpuint (pixel (img, hx, cy + 6), ==, pixel (img, hx + 6, cy));
  g_assert_cmpuint (pixel (img, 50, cy), ==, 0);
  cairo_surface_destroy (img);
}

static void
test_render_lines (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "lines.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "lines", lines_csv, GIS_LAYER_ROLE_OTHER, TRUE);
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", NULL);
  GisSymbol s;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(GisRenderLayer) rl = NULL;
  GisColor red = color ("#d01020");
  GisViewState view;
  cairo_surface_t *img;

  gis_symbol_init (&s);
  s.stroke = red;
  s.stroke_width_px = 3;
  style = gis_style_new_single (&s);
  rl = render_layer (data, style);

  /* y = 0 on the boundary of pixel rows 49 and 50: a 3 px line covers
   * rows 49 and 50 fully, 48 and 51 half */
  view_init (&view, 5, 0, 0.1, 200, 100);
  img = gis_render_image (&view, &rl, 1, 1.0, NULL);
  assert_pixel_color (pixel (img, 100, 49), &red, 0);
  assert_pixel_color (pixel (img, 100, 50), &red, 0);
  /* half covered; cairo samples 15 sub-rows per pixel row: 7/15 */
  assert_pixel (pixel (img, 100, 48), red.r, red.g, red.b, 7 / 15.0, 2);
  g_assert_cmpuint (pixel (img, 100, 47), ==, 0);
  /* the second line's first segment, y = 5 from x = 0 to 5: the top row */
  assert_pixel_color (pixel (img, 75, 0), &red, 0);
  g_assert_cmpuint (pixel (img, 75, 10), ==, 0);
  cairo_surface_destroy (img);

  /* zoomed in far: the line still crosses the view (clipped paths) */
  view_init (&view, 5, 0, 1e-6, 200, 100);
  img = gis_render_image (&view, &rl, 1, 1.0, NULL);
  assert_pixel_color (pixel (img, 10, 49), &red, 0);
  assert_pixel_color (pixel (img, 190, 50), &red, 0);
  cairo_surface_destroy (img);
}

/* ---- layer data from WKB ------------------------------------------------- */

static void
wkb_put_u32 (GByteArray *b,
             guint32     v)
{
  guint32 le = GUINT32_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 4);
}

static void
wkb_put_xy (GByteArray *b,
            double      x,
            double      y)
{
  double xy[2] = { x, y };

  for (int i = 0; i < 2; i++)
    {
      guint64 bits;

      memcpy (&bits, &xy[i], 8);
      bits = GUINT64_TO_LE (bits);
      g_byte_array_append (b, (const guint8 *) &bits, 8);
    }
}

/* Little-endian WKB written byte by byte, independently of the reader. */
static GBytes *
wkb_point (double x,
           double y)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) "\x01", 1);
  wkb_put_u32 (b, 1);
  wkb_put_xy (b, x, y);
  return g_byte_array_free_to_bytes (b);
}

/* A polygon of closed rings given as (x, y) pairs, @n_coords per ring. */
static GBytes *
wkb_polygon (const double *xy,
             const guint  *n_coords,
             guint         n_rings)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) "\x01", 1);
  wkb_put_u32 (b, 3);
  wkb_put_u32 (b, n_rings);
  for (guint r = 0; r < n_rings; r++)
    {
      wkb_put_u32 (b, n_coords[r]);
      for (guint i = 0; i < n_coords[r]; i++, xy += 2)
        wkb_put_xy (b, xy[0], xy[1]);
    }
  return g_byte_array_free_to_bytes (b);
}

static void
test_layer_data_from_wkb (void)
{
  g_autoptr(GPtrArray) wkb = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GisCrs) laea = crs_new (GIS_CRS_CEC_LAEA_ID);
  g_autoptr(GisCrs) wgs = gis_crs_new_storage ();
  g_autoptr(GisTransform) t = gis_transform_new (wgs, laea, NULL);
  g_autoptr(GisLayerData) data = NULL;
  g_autoptr(GError) error = NULL;
  const double lonlat[][2] = { { -117.03, 32.54 }, { -106.45, 31.76 } };
  GisExtent e;

  g_ptr_array_add (wkb, wkb_point (lonlat[0][0], lonlat[0][1]));
  g_ptr_array_add (wkb, NULL);
  g_ptr_array_add (wkb, g_bytes_new_static ("\x01\x07\x00", 3));   /* truncated */
  g_ptr_array_add (wkb, wkb_point (lonlat[1][0], lonlat[1][1]));

  data = gis_layer_data_new_from_wkb (wkb, NULL, laea, &error);
  g_assert_no_error (error);
  g_assert_nonnull (data);
  g_assert_cmpint (gis_layer_data_get_layer_id (data), ==, -1);
  g_assert_cmpuint (gis_layer_data_get_n_features (data), ==, 4);
  g_assert_cmpuint (gis_layer_data_get_n_columns (data), ==, 0);
  g_assert_false (gis_layer_data_has_time (data));
  g_assert_true (gis_layer_data_is_point_layer (data));
  g_assert_true (gis_crs_equal (gis_layer_data_get_crs (data), laea));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (gis_layer_data_get_fids (data)[i], ==, i);
  g_assert_cmpint (gis_layer_data_get_feature_kind (data, 0), ==, GIS_FEATURE_POINT);
  g_assert_cmpint (gis_layer_data_get_feature_kind (data, 1), ==, GIS_FEATURE_NONE);
  g_assert_cmpint (gis_layer_data_get_feature_kind (data, 2), ==, GIS_FEATURE_NONE);
  g_assert_cmpint (gis_layer_data_get_feature_kind (data, 3), ==, GIS_FEATURE_POINT);

  /* projected as PROJ projects them */
  for (guint i = 0; i < 2; i++)
    {
      double x = lonlat[i][0], y = lonlat[i][1];

      g_assert_true (gis_transform_point (t, &x, &y));
      gis_layer_data_get_feature_extent (data, i * 3, &e);
      g_assert_cmpfloat_with_epsilon (e.min_x, x, 1e-6);
      g_assert_cmpfloat_with_epsilon (e.min_y, y, 1e-6);
    }

  /* a known point lands on a known pixel: the view of test_render_port_pixel */
  {
    GisSymbol s;
    g_autoptr(GisStyle) style = NULL;
    g_autoptr(GisRenderLayer) rl = NULL;
    GisColor fill = color (GIS_STYLE_RESULT_COLOR);
    GisViewState view;
    cairo_surface_t *img;

    gis_symbol_init (&s);
    s.fill = fill;
    s.size_px = 8;
    s.stroke_width_px = 0;
    style = gis_style_new_single (&s);
    rl = render_layer (data, style);
    view_init (&view, -600000, -800000, 5000, 800, 500);
    img = gis_render_image (&view, &rl, 1, 1.0, NULL);
    for (guint i = 0; i < 2; i++)
      {
        double x = lonlat[i][0], y = lonlat[i][1], px, py;

        g_assert_true (gis_transform_point (t, &x, &y));
        gis_view_state_map_to_pixel (&view, x, y, &px, &py);
        assert_pixel_color (pixel (img, (int) floor (px), (int) floor (py)), &fill, 1);
        g_assert_cmpuint (pixel (img, (int) floor (px) + 8, (int) floor (py)), ==, 0);
      }
    g_assert_cmpuint (pixel (img, 0, 0), ==, 0);
    cairo_surface_destroy (img);
  }
}

static void
test_layer_data_from_wkb_polygon (void)
{
  /* a square with a square hole, and a triangle, in Web Mercator metres */
  const double holed[] = { 0, 0, 10, 0, 10, 10, 0, 10, 0, 0,   4, 4, 6, 4, 6, 6, 4, 6, 4, 4 };
  const guint holed_n[] = { 5, 5 };
  const double tri[] = { 20, 0, 30, 0, 20, 10, 20, 0 };
  const guint tri_n[] = { 4 };
  g_autoptr(GPtrArray) wkb = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GisCrs) plain = crs_new ("EPSG:3857");
  g_autoptr(GisCrs) wgs = gis_crs_new_storage ();
  g_autoptr(GisLayerData) data = NULL;
  g_autoptr(GisLayerData) lonlat = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(GisRenderLayer) rl = NULL;
  GisColor fill = color ("#204080");
  GisSymbol s;
  GisViewState view;
  cairo_surface_t *img;
  double px, py;
  guint p0, np, c0, nc;

  g_ptr_array_add (wkb, wkb_polygon (holed, holed_n, 2));
  g_ptr_array_add (wkb, wkb_polygon (tri, tri_n, 1));

  /* the same CRS in and out: the coordinates as they are */
  data = gis_layer_data_new_from_wkb (wkb, plain, plain, &error);
  g_assert_no_error (error);
  g_assert_false (gis_layer_data_is_point_layer (data));
  g_assert_cmpint (gis_layer_data_get_feature_kind (data, 0), ==, GIS_FEATURE_POLYGON);
  g_assert_cmpint (gis_layer_data_get_feature_kind (data, 1), ==, GIS_FEATURE_POLYGON);
  gis_layer_data_get_parts (data, 0, &p0, &np);
  g_assert_cmpuint (np, ==, 2);
  gis_layer_data_get_part (data, p0 + 1, &c0, &nc);
  g_assert_cmpuint (nc, ==, 5);
  g_assert_cmpfloat_with_epsilon (gis_layer_data_get_x (data)[c0], 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (gis_layer_data_get_extent (data)->max_x, 30, 1e-9);
  g_assert_cmpfloat_with_epsilon (gis_layer_data_get_extent (data)->max_y, 10, 1e-9);

  /* the polygon fills its pixels, not its hole */
  gis_symbol_init (&s);
  s.fill = fill;
  s.stroke_width_px = 0;
  style = gis_style_new_single (&s);
  rl = render_layer (data, style);
  view_init (&view, 15, 5, 0.1, 400, 200);
  img = gis_render_image (&view, &rl, 1, 1.0, NULL);
  gis_view_state_map_to_pixel (&view, 2, 2, &px, &py);
  assert_pixel_color (pixel (img, (int) px, (int) py), &fill, 1);
  gis_view_state_map_to_pixel (&view, 5, 5, &px, &py);
  g_assert_cmpuint (pixel (img, (int) px, (int) py), ==, 0);
  gis_view_state_map_to_pixel (&view, 22, 2, &px, &py);
  assert_pixel_color (pixel (img, (int) px, (int) py), &fill, 1);
  gis_view_state_map_to_pixel (&view, 29, 9, &px, &py);
  g_assert_cmpuint (pixel (img, (int) px, (int) py), ==, 0);
  cairo_surface_destroy (img);

  /* the source CRS is honoured: 30 m east of (0, 0) in Web Mercator is
   * 30 / 6378137 radians of longitude */
  lonlat = gis_layer_data_new_from_wkb (wkb, plain, wgs, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (gis_layer_data_get_extent (lonlat)->max_x,
                                  30 / 6378137.0 * 180 / G_PI, 1e-12);
}

/* The same geometries read from a store and given as WKB make the same data. */
static void
test_layer_data_from_wkb_matches_store (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "wkb.sqlite");
  g_autoptr(GisLayer) polys = import_csv (store, dir, "polys", shapes_csv, GIS_LAYER_ROLE_HABITAT, TRUE);
  g_autoptr(GisLayerData) loaded = load_layer (store, polys, GIS_CRS_CEC_LAEA_ID, NULL);
  g_autoptr(GisCrs) laea = crs_new (GIS_CRS_CEC_LAEA_ID);
  g_autoptr(GPtrArray) wkb = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GisLayerData) data = NULL;
  g_autoptr(GisCursor) cursor = NULL;
  g_autoptr(GError) error = NULL;

  cursor = gis_store_query (store, "SELECT geom FROM polys ORDER BY fid", &error);
  g_assert_no_error (error);
  while (gis_cursor_next (cursor, NULL, &error))
    {
      gsize len = 0;
      guint8 *bytes = gis_cursor_get_wkb (cursor, 0, &len, NULL);

      g_assert_nonnull (bytes);
      g_ptr_array_add (wkb, g_bytes_new_take (bytes, len));
    }
  g_assert_no_error (error);
  g_clear_pointer (&cursor, gis_cursor_free);

  data = gis_layer_data_new_from_wkb (wkb, NULL, laea, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gis_layer_data_get_n_features (data), ==, gis_layer_data_get_n_features (loaded));
  g_assert_cmpuint (gis_layer_data_get_n_coords (data), ==, gis_layer_data_get_n_coords (loaded));
  for (guint i = 0; i < gis_layer_data_get_n_coords (data); i++)
    {
      g_assert_cmpfloat (gis_layer_data_get_x (data)[i], ==, gis_layer_data_get_x (loaded)[i]);
      g_assert_cmpfloat (gis_layer_data_get_y (data)[i], ==, gis_layer_data_get_y (loaded)[i]);
    }
  for (guint i = 0; i < gis_layer_data_get_n_features (data); i++)
    {
      guint a0, an, b0, bn;
      GisExtent ea, eb;

      g_assert_cmpint (gis_layer_data_get_feature_kind (data, i), ==,
                       gis_layer_data_get_feature_kind (loaded, i));
      gis_layer_data_get_parts (data, i, &a0, &an);
      gis_layer_data_get_parts (loaded, i, &b0, &bn);
      g_assert_cmpuint (a0, ==, b0);
      g_assert_cmpuint (an, ==, bn);
      gis_layer_data_get_feature_extent (data, i, &ea);
      gis_layer_data_get_feature_extent (loaded, i, &eb);
      g_assert_true (memcmp (&ea, &eb, sizeof ea) == 0);
    }
}

static cairo_status_t
count_bytes (void                *closure,
             const unsigned char *data,
             unsigned int         length)
{
  *(gsize *) closure += length;
  return CAIRO_STATUS_SUCCESS;
}

static void
test_render_to_cairo (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "cairo.sqlite");
  g_autoptr(GisLayer) ports = import_csv (store, dir, "ports", ports_csv, GIS_LAYER_ROLE_PORT, FALSE);
  g_autoptr(GisLayer) hab = import_csv (store, dir, "habitat", shapes_csv, GIS_LAYER_ROLE_HABITAT, TRUE);
  g_autoptr(GisLayerData) pd = load_layer (store, ports, "EPSG:4326", NULL);
  g_autoptr(GisLayerData) hd = load_layer (store, hab, "EPSG:4326", NULL);
  g_autoptr(GisStyle) ps = gis_style_new_default (ports);
  g_autoptr(GisStyle) hs = gis_style_new_default (hab);
  g_autoptr(GisRenderLayer) rp = render_layer (pd, ps);
  g_autoptr(GisRenderLayer) rh = NULL;
  GisRenderLayer *layers[2];
  GisViewState view;
  cairo_surface_t *img, *direct;
  cairo_t *cr;
  gsize bytes = 0;

  gis_style_set_label (hs, "name", 11, NULL, NULL, 1.5);
  {
    const char *f[] = { "name", NULL };
    g_autoptr(GisLayerData) hdl = load_layer (store, hab, "EPSG:4326", f);

    rh = render_layer (hdl, hs);
  }
  layers[0] = rh;
  layers[1] = rp;

  view_init (&view, -100, 20, 0.2, 400, 300);
  direct = gis_render_image (&view, layers, 2, 1.0, NULL);

  /* the raster path on a plain image surface gives the same pixels */
  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cr = cairo_create (img);
  g_assert_true (gis_render_to_cairo (cr, &view, layers, 2, FALSE, NULL));
  cairo_destroy (cr);
  cairo_surface_flush (img);
  {
    double px, py;

    gis_view_state_map_to_pixel (&view, -106.45, 31.76, &px, &py);
    g_assert_cmpuint (pixel (img, (int) px, (int) py), ==, pixel (direct, (int) px, (int) py));
  }
  cairo_surface_destroy (img);
  cairo_surface_destroy (direct);

  /* vector output on PDF and SVG surfaces, labels included */
  {
    cairo_surface_t *pdf = cairo_pdf_surface_create_for_stream (count_bytes, &bytes, 400, 300);

    cr = cairo_create (pdf);
    g_assert_true (gis_render_to_cairo (cr, &view, layers, 2, TRUE, NULL));
    cairo_destroy (cr);
    cairo_surface_finish (pdf);
    g_assert_cmpint (cairo_surface_status (pdf), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (pdf);
    g_assert_cmpuint (bytes, >, 1000);
  }
  {
    cairo_surface_t *svg = cairo_svg_surface_create_for_stream (count_bytes, &bytes, 400, 300);

    cr = cairo_create (svg);
    g_assert_true (gis_render_to_cairo (cr, &view, layers, 2, TRUE, NULL));
    cairo_destroy (cr);
    cairo_surface_finish (svg);
    g_assert_cmpint (cairo_surface_status (svg), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (svg);
  }
}

static void
test_render_cancel (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "cancel.sqlite");
  g_autoptr(GisLayer) layer = import_csv (store, dir, "ports", ports_csv, GIS_LAYER_ROLE_PORT, FALSE);
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", NULL);
  g_autoptr(GisStyle) style = gis_style_new_default (layer);
  g_autoptr(GisRenderLayer) rl = render_layer (data, style);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GisViewState view;
  cairo_surface_t *img;

  view_init (&view, -100, 35, 0.1, 100, 100);
  g_cancellable_cancel (cancellable);
  img = gis_render_image (&view, &rl, 1, 1.0, cancellable);
  g_assert_null (img);
  /* no layers: a transparent image */
  img = gis_render_image (&view, NULL, 0, 1.0, NULL);
  g_assert_nonnull (img);
  g_assert_cmpuint (pixel (img, 50, 50), ==, 0);
  cairo_surface_destroy (img);
}

typedef struct
{
  GisRenderLayer *layer;
  GisViewState    view;
  guint8         *result;
  gsize           len;
} ThreadJob;

static gpointer
render_thread (gpointer p)
{
  ThreadJob *job = p;
  cairo_surface_t *img = gis_render_image (&job->view, &job->layer, 1, 1.0, NULL);

  job->len = (gsize) cairo_image_surface_get_stride (img) * cairo_image_surface_get_height (img);
  job->result = g_memdup2 (cairo_image_surface_get_data (img), job->len);
  cairo_surface_destroy (img);
  return NULL;
}

static void
test_render_threads (void)
{
  g_autoptr(TestDir) dir = test_make_tmpdir ();
  g_autoptr(GisStore) store = test_new_store (dir, "threads.sqlite");
  g_autofree char *tight = grid_csv (0.3, 60, 40, 0.05, 0.05);
  g_autoptr(GisLayer) layer = import_csv (store, dir, "tight", tight, GIS_LAYER_ROLE_INCIDENT, FALSE);
  g_autoptr(GisLayerData) data = load_layer (store, layer, "EPSG:4326", NULL);
  g_autoptr(GisStyle) style = gis_style_new_default (layer);
  g_autoptr(GisRenderLayer) rl = render_layer (data, style);
  ThreadJob jobs[4];
  GThread *threads[4];

  /* the same job on four threads at once gives four equal images */
  for (guint i = 0; i < 4; i++)
    {
      jobs[i].layer = rl;
      view_init (&jobs[i].view, 9, 6, 0.1, 180, 120);
      threads[i] = g_thread_new ("render-test", render_thread, &jobs[i]);
    }
  for (guint i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  for (guint i = 1; i < 4; i++)
    g_assert_cmpmem (jobs[i].result, jobs[i].len, jobs[0].result, jobs[0].len);
  for (guint i = 0; i < 4; i++)
    g_free (jobs[i].result);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add_func ("/render/viewport/zoom-at", test_viewport_zoom_at);
  g_test_add_func ("/render/viewport/pan", test_viewport_pan);
  g_test_add_func ("/render/viewport/fit-extent", test_viewport_fit_extent);
  g_test_add_func ("/render/viewport/set-crs", test_viewport_set_crs);
  g_test_add_func ("/render/classify/quantile", test_classify_quantile);
  g_test_add_func ("/render/classify/equal-interval", test_classify_equal_interval);
  g_test_add_func ("/render/classify/jenks", test_classify_jenks);
  g_test_add_func ("/render/classify/jenks-sample", test_classify_jenks_sample);
  g_test_add_func ("/render/classify/ties-nan", test_classify_ties_nan);
  g_test_add_func ("/render/color", test_color);
  g_test_add_func ("/render/style/json-round-trip", test_style_json_round_trip);
  g_test_add_func ("/render/style/json-errors", test_style_json_errors);
  g_test_add_func ("/render/style/default", test_style_default);
  g_test_add_func ("/render/style/classify", test_style_classify);
  g_test_add_func ("/render/layer-data/points", test_layer_data_points);
  g_test_add_func ("/render/layer-data/errors", test_layer_data_errors);
  g_test_add_func ("/render/layer-data/async", test_layer_data_async);
  g_test_add_func ("/render/layer-data/query-points", test_layer_data_query_points);
  g_test_add_func ("/render/layer-data/hit-shapes", test_layer_data_hit_shapes);
  g_test_add_func ("/render/layer-data/from-wkb", test_layer_data_from_wkb);
  g_test_add_func ("/render/layer-data/from-wkb-polygon", test_layer_data_from_wkb_polygon);
  g_test_add_func ("/render/layer-data/from-wkb-matches-store", test_layer_data_from_wkb_matches_store);
  g_test_add_func ("/render/image/port-pixel", test_render_port_pixel);
  g_test_add_func ("/render/image/polygon-fill", test_render_polygon_fill);
  g_test_add_func ("/render/image/time-range", test_render_time_range);
  g_test_add_func ("/render/image/dense-equals-sparse", test_render_dense_equals_sparse);
  g_test_add_func ("/render/image/selection", test_render_selection);
  g_test_add_func ("/render/image/heatmap", test_render_heatmap);
  g_test_add_func ("/render/image/lines", test_render_lines);
  g_test_add_func ("/render/image/to-cairo", test_render_to_cairo);
  g_test_add_func ("/render/image/cancel", test_render_cancel);
  g_test_add_func ("/render/image/threads", test_render_threads);

  return g_test_run ();
}
