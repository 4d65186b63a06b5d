/* test-crs.c: axis order and the display presets
 *
 * The reference is PROJ's own cs2cs program, run on the same definition.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gis.h"
#include "test-util.h"

#define CEC_LAEA "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs"

/* cs2cs with longitude, latitude input (+proj=longlat, so no axis swap). */
static gboolean
cs2cs (const char *dst,
       double      lon,
       double      lat,
       double     *x,
       double     *y)
{
  g_autofree char *input = g_strdup_printf ("%.10f %.10f\n", lon, lat);
  g_autofree char *out = NULL;
  g_autofree char *prog = g_find_program_in_path ("cs2cs");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *end;

  if (prog == NULL)
    return FALSE;
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error, prog, "-f", "%.6f",
                           "+proj=longlat", "+datum=WGS84", "+no_defs", "+to", dst, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, input, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  *x = g_ascii_strtod (out, &end);
  *y = g_ascii_strtod (end, NULL);
  return TRUE;
}

static void
test_cec_laea_axis_order (void)
{
  static const double points[][2] = {
    { -100, 45 }, { -117.03, 32.54 }, { -83.05, 42.32 }, { -141.0, 69.6 }, { -86.8, 21.2 },
  };
  g_autoptr(GisCrs) wgs84 = gis_crs_new_storage ();
  g_autoptr(GisCrs) laea = gis_crs_new_analysis ();
  g_autoptr(GisTransform) t = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (gis_crs_is_geographic (laea));
  g_assert_true (gis_crs_is_geographic (wgs84));

  t = gis_transform_new (wgs84, laea, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      double x = points[i][0], y = points[i][1];
      double rx, ry;

      g_assert_true (gis_transform_point (t, &x, &y));
      if (!cs2cs (CEC_LAEA, points[i][0], points[i][1], &rx, &ry))
        {
          g_test_skip ("cs2cs is not installed");
          return;
        }
      g_test_message ("%g %g -> %f %f (cs2cs %f %f)", points[i][0], points[i][1], x, y, rx, ry);
      g_assert_cmpfloat_with_epsilon (x, rx, 1e-3);
      g_assert_cmpfloat_with_epsilon (y, ry, 1e-3);
    }

  /* the origin of the projection: lon -100, lat 45 */
  {
    double x = -100, y = 45;

    g_assert_true (gis_transform_point (t, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, 0, 1e-6);
    g_assert_cmpfloat_with_epsilon (y, 0, 1e-6);
  }
}

static void
test_epsg_4326_is_lon_lat (void)
{
  g_autoptr(GisCrs) wgs84 = gis_crs_new ("EPSG:4326", NULL);
  g_autoptr(GisCrs) merc = gis_crs_new ("3857", NULL);
  g_autoptr(GisTransform) t = gis_transform_new (wgs84, merc, NULL);
  double x[2] = { -100, 10 }, y[2] = { 45, -20 };
  double rx, ry;

  g_assert_true (gis_transform_array (t, x, y, 2));
  /* lon -100 is far west: a negative easting of about 11.1 Mm */
  g_assert_cmpfloat_with_epsilon (x[0], -100 * G_PI / 180 * 6378137, 1e-3);
  g_assert_cmpfloat_with_epsilon (x[1], 10 * G_PI / 180 * 6378137, 1e-3);
  g_assert_cmpfloat_with_epsilon (y[0], 6378137 * log (tan (G_PI / 4 + 45 * G_PI / 360)), 1e-3);
  if (cs2cs ("EPSG:3857", -100, 45, &rx, &ry))
    {
      g_assert_cmpfloat_with_epsilon (x[0], rx, 1e-3);
      g_assert_cmpfloat_with_epsilon (y[0], ry, 1e-3);
    }
}

static void
test_presets (void)
{
  guint n;
  const GisCrsPreset *presets = gis_crs_get_presets (&n);

  g_assert_cmpuint (n, >=, 6);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GisCrs) crs = gis_crs_new (presets[i].id, &error);
      g_autoptr(GisCrs) wgs84 = gis_crs_new_storage ();
      g_autoptr(GisTransform) t = NULL;
      GisExtent na = { -170, 10, -50, 85 }, out;

      g_assert_no_error (error);
      g_assert_nonnull (gis_crs_get_name (crs));
      g_assert_cmpstr (gis_crs_get_wkt (crs), !=, "");
      t = gis_transform_new (wgs84, crs, &error);
      g_assert_no_error (error);
      g_assert_true (gis_transform_bounds (t, &na, &out));
      g_assert_false (gis_extent_is_empty (&out));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisCrs) bad = gis_crs_new ("EPSG:999999", &error);

    g_assert_null (bad);
    g_assert_error (error, GIS_ERROR, GIS_ERROR_CRS);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisCrs) bad = gis_crs_new ("+proj=nonsense", &error);

    g_assert_null (bad);
    g_assert_error (error, GIS_ERROR, GIS_ERROR_CRS);
  }
}

static gpointer
transform_in_thread (gpointer data)
{
  g_autoptr(GisCrs) wgs84 = gis_crs_new_storage ();
  GisCrs *laea = data;
  g_autoptr(GisTransform) t = gis_transform_new (wgs84, laea, NULL);
  double x = -100, y = 45;
  gboolean ok = TRUE;

  for (int i = 0; i < 20000; i++)
    {
      x = -100 + (i % 100) * 0.1;
      y = 45;
      ok &= gis_transform_point (t, &x, &y);
    }
  return GINT_TO_POINTER (ok && fabs (x - 0) > 1 && isfinite (y));
}

/* One PROJ context per thread: transforms run in parallel safely. */
static void
test_threads (void)
{
  g_autoptr(GisCrs) laea = gis_crs_new_analysis ();
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("proj", transform_in_thread, laea);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gis_init ();

  g_test_add_func ("/crs/cec-laea-axis-order", test_cec_laea_axis_order);
  g_test_add_func ("/crs/epsg-4326-lon-lat", test_epsg_4326_is_lon_lat);
  g_test_add_func ("/crs/presets", test_presets);
  g_test_add_func ("/crs/threads", test_threads);

  return g_test_run ();
}
