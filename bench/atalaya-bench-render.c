/* atalaya-bench-render.c: times loading a layer and rendering it
 *
 * usage: atalaya-bench-render STORE LAYER [--runs N] [--width W]
 *          [--height H] [--crs DEF] [--mode auto|symbols|aggregate]
 *          [--style JSON] [--zoom F] [--png FILE]
 *
 * Loads LAYER of STORE into memory projected to the display CRS (default
 * the CEC LAEA), then renders its full extent (or the middle of it, with
 * --zoom) with its default style N
 * times and prints, on one line:
 *   load_s=<s> render_median_s=<s> render_min_s=<s> runs=<n> features=<n>
 *   extent=<min x>,<min y>,<max x>,<max y>
 * (the view's box in the display CRS).
 * The render time is gis_render_image() alone: the data is already in
 * memory, as in the map window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gis.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisCrs) crs = NULL;
  g_autoptr(GisLayerData) data = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(GisRenderLayer) rl = NULL;
  g_autofree double *times = NULL;
  g_auto(GStrv) fields = NULL;
  const GisExtent *extent;
  GisViewState view;
  int runs = 7, width = 1920, height = 1080;
  double zoom = 1.0;
  char *crs_def = NULL, *png = NULL, *mode = NULL, *style_json = NULL;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Number of timed renders", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Image width in pixels", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Image height in pixels", "H" },
    { "crs", 0, 0, G_OPTION_ARG_STRING, &crs_def, "Display CRS (default cec-laea)", "DEF" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "Point mode: auto, symbols, aggregate", "MODE" },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png, "Write the last render to FILE", "FILE" },
    { "style", 0, 0, G_OPTION_ARG_STRING, &style_json, "Style JSON instead of the default", "JSON" },
    { "zoom", 0, 0, G_OPTION_ARG_DOUBLE, &zoom, "Zoom in by this factor on the centre", "F" },
    { NULL }
  };
  gint64 t0;
  double load_s;

  context = g_option_context_new ("STORE LAYER");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3 || runs < 1 ||
      width < 1 || height < 1 || !(zoom > 0))
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: atalaya-bench-render STORE LAYER [options]");
      return 2;
    }

  gis_init ();

  store = gis_store_open (argv[1], GIS_STORE_OPEN_READ_ONLY, &error);
  if (store != NULL)
    layer = gis_store_get_layer (store, argv[2], &error);
  if (layer == NULL)
    {
      g_printerr ("atalaya-bench-render: %s\n", error->message);
      return 1;
    }
  crs = gis_crs_new (crs_def != NULL ? crs_def : GIS_CRS_CEC_LAEA_ID, &error);
  if (crs == NULL)
    {
      g_printerr ("atalaya-bench-render: %s\n", error->message);
      return 1;
    }

  if (style_json != NULL)
    {
      style = gis_style_new_from_json (style_json, &error);
      if (style == NULL)
        {
          g_printerr ("atalaya-bench-render: %s\n", error->message);
          return 1;
        }
    }
  else
    style = gis_style_new_default (layer);
  fields = gis_style_dup_fields (style);

  t0 = g_get_monotonic_time ();
  data = gis_layer_data_load (argv[1], gis_layer_get_id (layer), crs,
                              (const char *const *) fields, NULL, &error);
  load_s = (g_get_monotonic_time () - t0) / 1e6;
  if (data == NULL)
    {
      g_printerr ("atalaya-bench-render: %s\n", error->message);
      return 1;
    }

  rl = gis_render_layer_new (data, style, &error);
  if (rl == NULL)
    {
      g_printerr ("atalaya-bench-render: %s\n", error->message);
      return 1;
    }
  if (g_strcmp0 (mode, "symbols") == 0)
    gis_render_layer_set_point_mode (rl, GIS_POINT_MODE_SYMBOLS);
  else if (g_strcmp0 (mode, "aggregate") == 0)
    gis_render_layer_set_point_mode (rl, GIS_POINT_MODE_AGGREGATE);

  /* the full extent, as gis_viewport_fit_extent() shows it */
  extent = gis_layer_data_get_extent (data);
  view.width_px = width;
  view.height_px = height;
  view.center_x = (extent->min_x + extent->max_x) / 2;
  view.center_y = (extent->min_y + extent->max_y) / 2;
  view.resolution = MAX ((extent->max_x - extent->min_x) / width,
                         (extent->max_y - extent->min_y) / height);
  if (!(view.resolution > 0))
    view.resolution = 1;
  view.resolution /= zoom;

  times = g_new (double, runs);
  {
    /* one warm-up, as for QGIS */
    GisRenderLayer *layers[] = { rl };
    cairo_surface_t *s = gis_render_image (&view, layers, 1, 1.0, NULL);

    cairo_surface_destroy (s);
    for (int r = 0; r < runs; r++)
      {
        t0 = g_get_monotonic_time ();
        s = gis_render_image (&view, layers, 1, 1.0, NULL);
        times[r] = (g_get_monotonic_time () - t0) / 1e6;
        if (r == runs - 1 && png != NULL)
          cairo_surface_write_to_png (s, png);
        cairo_surface_destroy (s);
      }
  }
  qsort (times, runs, sizeof (double), compare_doubles);

  {
    GisExtent box;
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
    char c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];

    gis_view_state_get_extent (&view, &box);
    g_print ("load_s=%.4f render_median_s=%.4f render_min_s=%.4f runs=%d features=%u "
             "extent=%s,%s,%s,%s\n",
             load_s, runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2,
             times[0], runs, gis_layer_data_get_n_features (data),
             g_ascii_dtostr (a, sizeof a, box.min_x), g_ascii_dtostr (b, sizeof b, box.min_y),
             g_ascii_dtostr (c, sizeof c, box.max_x), g_ascii_dtostr (d, sizeof d, box.max_y));
  }

  g_free (crs_def);
  g_free (png);
  g_free (mode);
  g_free (style_json);
  return 0;
}
