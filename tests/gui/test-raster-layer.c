/* test-raster-layer.c: a kernel density raster in the map window
 *
 * The real window under Xvfb on a copy of the sample store holding a
 * kernel density surface saved as a raster layer: the layer panel lists
 * it as a raster (no feature count), the map controller loads its grid,
 * the map shows the top of the colour ramp over the densest cell, and
 * hiding the layer takes that colour away.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-raster-layer"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "atalaya-application.h"
#include "atalaya-window-private.h"

#define KDE_NAME "Incident density"

typedef struct
{
  char               *dir;
  char               *store_path;
  AtalayaApplication *app;
  AtalayaWindow      *window;
  double              peak_lon;   /* the densest cell's centre */
  double              peak_lat;
} Fixture;

static gboolean
map_is_settled (gpointer data)
{
  AtalayaWindow *window = data;

  return window->store != NULL &&
         !atalaya_map_controller_get_loading (window->controller) &&
         !atalaya_map_view_is_rendering (window->map_view) &&
         atalaya_map_view_get_texture (window->map_view) != NULL &&
         !window->fit_on_data;
}

static void
settle (Fixture *fx)
{
  /* twice: a data load can start another render */
  wait_for (map_is_settled, fx->window, "the map to load and render");
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  wait_for (map_is_settled, fx->window, "the map to load and render");
}

static gboolean
store_is_set (gpointer data)
{
  return atalaya_window_get_store (data) != NULL;
}

static gboolean
label_has_text (GtkWidget     *widget,
                gconstpointer  text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static GisLayer *
layer_named (AtalayaWindow *window,
             const char    *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (window->layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (window->layers, i);

      if (g_strcmp0 (gis_layer_get_name (layer), name) == 0)
        return layer;   /* the model keeps it */
    }
  g_error ("no layer %s", name);
  return NULL;
}

/* The surface of the sample's incidents, saved; the densest cell found. */
static void
add_density (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (fx->store_path, GIS_STORE_OPEN_READ_WRITE, &error);
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  g_autoptr(GisCrs) storage = gis_crs_new_storage ();
  g_autoptr(GisTransform) to_lonlat = NULL;
  g_auto(GisHotspotsKdeResult) r = { 0 };
  GisHotspotsKdeParams p;
  gsize best = 0;
  double x, y;

  g_assert_no_error (error);
  gis_hotspots_kde_params_init (&p);
  p.radius_km = 60;
  p.cell_km = 10;
  g_assert_true (gis_hotspots_kde_run (store, &p, &r, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  layer = gis_hotspots_kde_save (store, &r, KDE_NAME, &error);
  g_assert_no_error (error);

  for (gsize i = 1; i < (gsize) r.raster->width * r.raster->height; i++)
    if (r.raster->data[i] > r.raster->data[best])
      best = i;
  x = r.raster->geotransform[0] + (best % r.raster->width + 0.5) * r.raster->geotransform[1];
  y = r.raster->geotransform[3] + (best / r.raster->width + 0.5) * r.raster->geotransform[5];
  to_lonlat = gis_transform_new (analysis, storage, &error);
  g_assert_no_error (error);
  g_assert_true (gis_transform_point (to_lonlat, &x, &y));
  fx->peak_lon = x;
  fx->peak_lat = y;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  const char *sample = g_getenv ("ATALAYA_SAMPLE_STORE");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) src = NULL;
  g_autoptr(GFile) dst = NULL;
  g_autoptr(GFile) file = NULL;

  if (sample == NULL || !g_file_test (sample, G_FILE_TEST_EXISTS))
    return;

  fx->dir = g_dir_make_tmp ("atalaya-raster-XXXXXX", &error);
  g_assert_no_error (error);
  fx->store_path = g_build_filename (fx->dir, "north-america.sqlite", NULL);
  src = g_file_new_for_path (sample);
  dst = g_file_new_for_path (fx->store_path);
  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  add_density (fx);

  fx->app = atalaya_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (fx->app), NULL, &error);
  g_assert_no_error (error);
  fx->window = g_object_ref (atalaya_window_new (fx->app));
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fx->window));

  file = g_file_new_for_path (fx->store_path);
  atalaya_window_open_store (fx->window, file);
  wait_for (store_is_set, fx->window, "the store to open");
  settle (fx);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (fx->window));
      g_clear_object (&fx->window);
      for (int i = 0; i < 50; i++)
        g_main_context_iteration (NULL, FALSE);
    }
  g_clear_object (&fx->app);
  if (fx->dir != NULL)
    {
      g_autofree char *wal = g_strconcat (fx->store_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (fx->store_path, "-shm", NULL);

      g_unlink (fx->store_path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (fx->dir);
    }
  g_free (fx->dir);
  g_free (fx->store_path);
}

/* The map's pixel at a longitude and latitude. */
static guint32
pixel_at (Fixture *fx,
          double   lon,
          double   lat)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  GdkTexture *texture = atalaya_map_view_get_texture (fx->window->map_view);
  g_autofree guint32 *pixels = NULL;
  double px, py, scale;
  int w, h, x, y;

  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  scale = (double) w / gis_viewport_get_width (viewport);
  pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  x = (int) floor (px * scale);
  y = (int) floor (py * scale);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, w);
  g_assert_cmpint (y, <, h);
  return pixels[y * w + x];
}

static void
test_raster_in_window (Fixture       *fx,
                       gconstpointer  data)
{
  GisLayer *layer;
  GisLayerData *ld;
  GisViewport *viewport;
  GtkWidget *label;
  double px, py;
  guint32 p;

  if (fx->window == NULL)
    {
      g_test_skip ("no sample store: build it with ./dev.sh test");
      return;
    }

  /* the panel: a raster, without a feature count */
  layer = layer_named (fx->window, KDE_NAME);
  g_assert_true (gis_layer_is_raster (layer));
  label = find_widget (GTK_WIDGET (fx->window), GTK_TYPE_LABEL, label_has_text, KDE_NAME);
  g_assert_nonnull (label);
  g_assert_nonnull (find_widget (GTK_WIDGET (fx->window), GTK_TYPE_LABEL, label_has_text,
                                 "Analysis result · Raster"));

  /* the controller holds its grid */
  ld = atalaya_map_controller_get_data (fx->window->controller, gis_layer_get_id (layer));
  g_assert_nonnull (ld);
  g_assert_nonnull (gis_layer_data_get_raster (ld));
  g_assert_false (gis_extent_is_empty (gis_layer_data_get_extent (ld)));

  /* close in on the densest cell: the top of the ramp (#800026), opaque */
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, fx->peak_lon, fx->peak_lat, &px, &py));
  gis_viewport_zoom_at (viewport, 8.0, px, py);
  settle (fx);
  p = pixel_at (fx, fx->peak_lon, fx->peak_lat);
  g_test_message ("densest cell at %.4f, %.4f: pixel %08x", fx->peak_lon, fx->peak_lat, p);
  g_assert_cmpint ((p >> 24) & 0xff, ==, 0xff);
  g_assert_cmpint (abs ((int) ((p >> 16) & 0xff) - 0x80), <=, 3);
  g_assert_cmpint (abs ((int) ((p >> 8) & 0xff) - 0x00), <=, 3);
  g_assert_cmpint (abs ((int) (p & 0xff) - 0x26), <=, 3);

  /* hidden, it is gone */
  gis_layer_set_visible (layer, FALSE);
  settle (fx);
  p = pixel_at (fx, fx->peak_lon, fx->peak_lat);
  g_test_message ("hidden: pixel %08x", p);
  g_assert_true ((p & 0xffffff) != 0x800026);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  g_test_add ("/raster-layer/in-window", Fixture, NULL, fixture_set_up, test_raster_in_window, fixture_tear_down);
  return g_test_run ();
}
