/* test-workstation.c: the map window on the sample store
 *
 * The real window under Xvfb on a copy of the sample store: it renders
 * (the pixel at a known port has the port style's colour), a drag moves
 * the map by exactly the dragged pixels, a wheel zoom keeps the point
 * under the pointer, identify finds the port, the attribute table has as
 * many rows as the layer has features, and an edit, its undo and its redo
 * change the store exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-workstation"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "atalaya-application.h"
#include "atalaya-window-private.h"


typedef struct
{
  char               *dir;
  char               *store_path;
  AtalayaApplication *app;
  AtalayaWindow      *window;
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

static gint64
count_rows (const char *store_path,
            const char *table)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", table);
  g_autoptr(GisCursor) cursor = NULL;

  g_assert_no_error (error);
  cursor = gis_store_query (store, sql, &error);
  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  return gis_cursor_get_int64 (cursor, 0);
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

/* The first port, as the store has it. */
static void
first_port (const char *store_path,
            gint64     *fid,
            double     *lon,
            double     *lat,
            char      **name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GisCursor) cursor = gis_store_query (store, "SELECT fid, X(geom), Y(geom), port_name "
                                                        "FROM ports ORDER BY fid LIMIT 1", &error);

  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  *fid = gis_cursor_get_int64 (cursor, 0);
  *lon = gis_cursor_get_double (cursor, 1);
  *lat = gis_cursor_get_double (cursor, 2);
  *name = g_strdup (gis_cursor_get_text (cursor, 3));
}

/* ---- fixture ---------------------------------------------------------------- */

static gboolean
store_is_set (gpointer data)
{
  return atalaya_window_get_store (data) != NULL;
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

  fx->dir = g_dir_make_tmp ("atalaya-workstation-XXXXXX", &error);
  g_assert_no_error (error);
  fx->store_path = g_build_filename (fx->dir, "north-america.sqlite", NULL);
  /* a copy: the edits must not touch the sample */
  src = g_file_new_for_path (sample);
  dst = g_file_new_for_path (fx->store_path);
  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

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

#define SKIP_WITHOUT_SAMPLE(fx) \
  G_STMT_START { \
    if ((fx)->window == NULL) \
      { \
        g_test_skip ("no sample store: build it with ./dev.sh test"); \
        return; \
      } \
  } G_STMT_END

/* ---- tests ---------------------------------------------------------------------- */

static void
test_renders_port (Fixture       *fx,
                   gconstpointer  data)
{
  GisViewport *viewport;
  GdkTexture *texture;
  g_autofree guint32 *pixels = NULL;
  g_autofree char *name = NULL;
  gint64 fid;
  double lon, lat, px, py, scale;
  int w, h, x, y;
  guint32 p;
  GisColor port;

  SKIP_WITHOUT_SAMPLE (fx);

  first_port (fx->store_path, &fid, &lon, &lat, &name);
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);

  /* close in on the port, so that nothing else shares its pixels */
  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));
  gis_viewport_zoom_at (viewport, 64.0, px, py);
  settle (fx);

  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));
  texture = atalaya_map_view_get_texture (fx->window->map_view);
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
  p = pixels[y * w + x];

  g_assert_true (gis_color_parse (GIS_STYLE_PORT_FILL, &port));
  g_test_message ("port %s at (%d, %d): pixel %08x", name, x, y, p);
  g_assert_cmpint ((p >> 24) & 0xff, ==, 0xff);
  g_assert_cmpint (abs ((int) ((p >> 16) & 0xff) - (int) lround (port.r * 255)), <=, 2);
  g_assert_cmpint (abs ((int) ((p >> 8) & 0xff) - (int) lround (port.g * 255)), <=, 2);
  g_assert_cmpint (abs ((int) (p & 0xff) - (int) lround (port.b * 255)), <=, 2);
}

static void
test_drag_and_zoom (Fixture       *fx,
                    gconstpointer  data)
{
  GisViewport *viewport;
  GtkWidget *map;
  GtkGestureDrag *drag;
  GtkEventControllerMotion *motion;
  GtkEventControllerScroll *scroll;
  double mx, my, x0, y0, x1, y1;
  gboolean handled = FALSE;

  SKIP_WITHOUT_SAMPLE (fx);

  map = GTK_WIDGET (fx->window->map_view);
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  drag = find_controller (map, GTK_TYPE_GESTURE_DRAG);
  motion = find_controller (map, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  scroll = find_controller (map, GTK_TYPE_EVENT_CONTROLLER_SCROLL);

  gis_viewport_pixel_to_map (viewport, 200, 150, &mx, &my);
  gis_viewport_map_to_pixel (viewport, mx, my, &x0, &y0);
  g_signal_emit_by_name (drag, "drag-begin", 200.0, 150.0);
  g_signal_emit_by_name (drag, "drag-update", 123.0, -45.0);
  g_signal_emit_by_name (drag, "drag-end", 123.0, -45.0);
  gis_viewport_map_to_pixel (viewport, mx, my, &x1, &y1);
  g_assert_cmpfloat_with_epsilon (x1 - x0, 123.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (y1 - y0, -45.0, 1e-9);

  g_signal_emit_by_name (motion, "motion", 333.0, 222.0);
  gis_viewport_pixel_to_map (viewport, 333, 222, &mx, &my);
  g_signal_emit_by_name (scroll, "scroll", 0.0, -2.0, &handled);
  g_assert_true (handled);
  gis_viewport_map_to_pixel (viewport, mx, my, &x1, &y1);
  g_assert_cmpfloat_with_epsilon (x1, 333.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (y1, 222.0, 1e-6);
}

static void
test_identify_port (Fixture       *fx,
                    gconstpointer  data)
{
  GisViewport *viewport;
  g_autofree char *name = NULL;
  gint64 fid;
  double lon, lat, px, py;

  SKIP_WITHOUT_SAMPLE (fx);

  first_port (fx->store_path, &fid, &lon, &lat, &name);
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));
  gis_viewport_zoom_at (viewport, 64.0, px, py);
  settle (fx);
  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));

  /* a click of the pan tool identifies */
  g_signal_emit_by_name (fx->window->map_view, "clicked", lon, lat, px, py, 1, 0u);
  g_assert_cmpuint (atalaya_identify_panel_get_n_results (fx->window->identify_panel), >=, 1);

  /* the hit list (what the panel shows) starts with that port */
  {
    g_autoptr(GArray) hits = atalaya_map_controller_hit_test (fx->window->controller, px, py, 5, -1);
    GisLayer *ports = layer_named (fx->window, "ports");

    g_assert_cmpuint (hits->len, >=, 1);
    g_assert_cmpint (g_array_index (hits, AtalayaHit, 0).layer_id, ==, gis_layer_get_id (ports));
    g_assert_cmpint (g_array_index (hits, AtalayaHit, 0).fid, ==, fid);
  }
}

static gboolean
table_is_ready (gpointer data)
{
  AtalayaWindow *window = data;
  GisFeatureModel *model = atalaya_attribute_table_get_model (window->attribute_table);
  gboolean loading = TRUE;

  if (model == NULL)
    return FALSE;
  g_object_get (model, "loading", &loading, NULL);
  return !loading && g_list_model_get_n_items (G_LIST_MODEL (model)) > 0;
}

static void
test_attribute_table (Fixture       *fx,
                      gconstpointer  data)
{
  GisLayer *incidents;
  GisFeatureModel *model;
  g_autoptr(GTimer) timer = g_timer_new ();

  SKIP_WITHOUT_SAMPLE (fx);

  incidents = layer_named (fx->window, "incidents");
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.attribute-table", "x",
                              gis_layer_get_id (incidents));
  wait_for (table_is_ready, fx->window, "the attribute table");
  g_test_message ("table of %" G_GINT64_FORMAT " rows ready in %.3f s",
                  gis_layer_get_feature_count (incidents), g_timer_elapsed (timer, NULL));

  model = atalaya_attribute_table_get_model (fx->window->attribute_table);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                    (guint) gis_layer_get_feature_count (incidents));
  g_assert_cmpint (gis_layer_get_feature_count (incidents), ==, count_rows (fx->store_path, "incidents"));

  /* to look at the window: ATALAYA_TEST_LINGER=seconds */
  if (g_getenv ("ATALAYA_TEST_LINGER") != NULL)
    {
      gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC * g_ascii_strtoll (g_getenv ("ATALAYA_TEST_LINGER"), NULL, 10);
      GisViewport *viewport = atalaya_map_view_get_viewport (fx->window->map_view);

      atalaya_window_identify_at (fx->window, gis_viewport_get_width (viewport) / 2.0,
                                  gis_viewport_get_height (viewport) / 2.0);
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
    }
}

static void
test_edit_undo_redo (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after_undo = NULL;
  GisViewport *viewport;
  GisLayer *ports;
  gint64 n0, n1;
  double lon, lat;
  int width, height;

  SKIP_WITHOUT_SAMPLE (fx);

  before = gui_store_checksum (fx->store_path);
  n0 = count_rows (fx->store_path, "ports");

  /* the ports layer active, the add tool, a click in the middle of the map */
  ports = layer_named (fx->window, "ports");
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (fx->window->display_layers)); i++)
    {
      g_autoptr(GisLayer) l = g_list_model_get_item (G_LIST_MODEL (fx->window->display_layers), i);

      if (gis_layer_get_id (l) == gis_layer_get_id (ports))
        gtk_single_selection_set_selected (fx->window->layer_selection, i);
    }
  g_object_set (fx->window, "tool", "add-point", NULL);
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  width = gis_viewport_get_width (viewport);
  height = gis_viewport_get_height (viewport);
  g_assert_true (gis_viewport_pixel_to_lonlat (viewport, width / 2.0, height / 2.0, &lon, &lat));
  g_signal_emit_by_name (fx->window->map_view, "clicked", lon, lat, width / 2.0, height / 2.0, 1, 0u);

  n1 = count_rows (fx->store_path, "ports");
  g_assert_cmpint (n1, ==, n0 + 1);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GisStore) store = gis_store_open (fx->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
    g_autoptr(GisCursor) cursor = gis_store_query (store, "SELECT X(geom), Y(geom) FROM ports "
                                                          "ORDER BY fid DESC LIMIT 1", &error);

    g_assert_true (gis_cursor_next (cursor, NULL, &error));
    g_assert_cmpfloat_with_epsilon (gis_cursor_get_double (cursor, 0), lon, 1e-9);
    g_assert_cmpfloat_with_epsilon (gis_cursor_get_double (cursor, 1), lat, 1e-9);
  }

  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.undo", NULL);
  g_assert_cmpint (count_rows (fx->store_path, "ports"), ==, n0);
  after_undo = gui_store_checksum (fx->store_path);
  g_assert_cmpstr (after_undo, ==, before);

  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.redo", NULL);
  g_assert_cmpint (count_rows (fx->store_path, "ports"), ==, n0 + 1);
  g_object_set (fx->window, "tool", "pan", NULL);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/workstation/renders-port", Fixture, NULL, fixture_set_up, test_renders_port, fixture_tear_down);
  g_test_add ("/workstation/drag-and-zoom", Fixture, NULL, fixture_set_up, test_drag_and_zoom, fixture_tear_down);
  g_test_add ("/workstation/identify-port", Fixture, NULL, fixture_set_up, test_identify_port, fixture_tear_down);
  g_test_add ("/workstation/attribute-table", Fixture, NULL, fixture_set_up, test_attribute_table, fixture_tear_down);
  g_test_add ("/workstation/edit-undo-redo", Fixture, NULL, fixture_set_up, test_edit_undo_redo, fixture_tear_down);

  return g_test_run ();
}
