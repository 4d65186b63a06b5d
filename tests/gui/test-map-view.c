/* test-map-view.c: gestures move the map exactly
 *
 * The real AtalayaMapView in a real window under Xvfb.  Gestures are
 * driven by emitting the controllers' signals, as libshumate's
 * tests/map.c does: a drag of N pixels must move the map by N pixels, and
 * a wheel zoom must leave the point under the pointer where it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-map-view"

#include "config.h"

#include "gui-util.h"
#include <math.h>

#include "atalaya-map-view.h"

typedef struct
{
  GtkWindow      *window;
  AtalayaMapView *map;
  guint           renders;
  guint           renders_before;
} Fixture;

/* Paints the map pixel under each screen pixel: red where map x > 0. */
static cairo_surface_t *
render_half_planes (const GisViewState *state,
                    double              device_scale,
                    GObject            *scene,
                    GCancellable       *cancellable,
                    gpointer            user_data)
{
  int w = (int) ceil (state->width_px * device_scale);
  int h = (int) ceil (state->height_px * device_scale);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);
  double px, py;

  cairo_scale (cr, device_scale, device_scale);
  gis_view_state_map_to_pixel (state, 0, 0, &px, &py);
  cairo_set_source_rgb (cr, 0, 0, 1);
  cairo_paint (cr);
  cairo_rectangle (cr, px, 0, state->width_px, state->height_px);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_fill (cr);
  cairo_destroy (cr);
  return surface;
}

static void
on_rendered (AtalayaMapView *map,
             Fixture        *fx)
{
  fx->renders++;
}

/* A render has finished since fx->renders_before was taken. */
static gboolean
rendered_again (gpointer data)
{
  Fixture *fx = data;

  return fx->renders > fx->renders_before && !atalaya_map_view_is_rendering (fx->map);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  GisViewport *viewport;
  GisExtent box = { -1000000, -500000, 1000000, 500000 };

  fx->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fx->window, 800, 600);
  fx->map = ATALAYA_MAP_VIEW (atalaya_map_view_new ());
  gtk_window_set_child (fx->window, GTK_WIDGET (fx->map));
  g_signal_connect (fx->map, "rendered", G_CALLBACK (on_rendered), fx);
  atalaya_map_view_set_render_func (fx->map, render_half_planes, NULL);
  gtk_window_present (fx->window);

  while (gtk_widget_get_width (GTK_WIDGET (fx->map)) < 100)
    g_main_context_iteration (NULL, TRUE);

  viewport = atalaya_map_view_get_viewport (fx->map);
  gis_viewport_fit_extent (viewport, &box, 0);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  gtk_window_destroy (fx->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_drag_moves_exactly (Fixture       *fx,
                         gconstpointer  data)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (fx->map);
  GtkGestureDrag *drag = find_controller (GTK_WIDGET (fx->map), GTK_TYPE_GESTURE_DRAG);
  static const double moves[][2] = { { 37, -12 }, { -150.5, 80.25 }, { 0, 3 } };

  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      double mx, my, x0, y0, x1, y1;
      double start_x = 300, start_y = 250;

      /* the map point under the press */
      gis_viewport_pixel_to_map (viewport, start_x, start_y, &mx, &my);
      gis_viewport_map_to_pixel (viewport, mx, my, &x0, &y0);

      g_signal_emit_by_name (drag, "drag-begin", start_x, start_y);
      g_signal_emit_by_name (drag, "drag-update", moves[i][0] / 2, moves[i][1] / 2);
      g_signal_emit_by_name (drag, "drag-update", moves[i][0], moves[i][1]);
      g_signal_emit_by_name (drag, "drag-end", moves[i][0], moves[i][1]);

      gis_viewport_map_to_pixel (viewport, mx, my, &x1, &y1);
      g_assert_cmpfloat_with_epsilon (x1 - x0, moves[i][0], 1e-9);
      g_assert_cmpfloat_with_epsilon (y1 - y0, moves[i][1], 1e-9);
    }
}

static void
test_wheel_zoom_keeps_point (Fixture       *fx,
                             gconstpointer  data)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (fx->map);
  GtkEventControllerMotion *motion = find_controller (GTK_WIDGET (fx->map), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  GtkEventControllerScroll *scroll = find_controller (GTK_WIDGET (fx->map), GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  static const double points[][3] = { { 120, 80, -1 }, { 700, 500, 1 }, { 401.5, 299.25, -2.5 } };

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      double mx, my, x, y, r0 = gis_viewport_get_resolution (viewport);
      gboolean handled = FALSE;

      g_signal_emit_by_name (motion, "motion", points[i][0], points[i][1]);
      gis_viewport_pixel_to_map (viewport, points[i][0], points[i][1], &mx, &my);
      g_signal_emit_by_name (scroll, "scroll", 0.0, points[i][2], &handled);
      g_assert_true (handled);

      /* zoomed in for a negative dy, out for a positive one */
      if (points[i][2] < 0)
        g_assert_cmpfloat (gis_viewport_get_resolution (viewport), <, r0);
      else
        g_assert_cmpfloat (gis_viewport_get_resolution (viewport), >, r0);

      gis_viewport_map_to_pixel (viewport, mx, my, &x, &y);
      g_assert_cmpfloat_with_epsilon (x, points[i][0], 1e-6);
      g_assert_cmpfloat_with_epsilon (y, points[i][1], 1e-6);
    }
}

static void
test_keys_pan_and_zoom (Fixture       *fx,
                        gconstpointer  data)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (fx->map);
  GtkEventControllerKey *keys = find_controller (GTK_WIDGET (fx->map), GTK_TYPE_EVENT_CONTROLLER_KEY);
  double cx0, cy0, cx1, cy1, r0 = gis_viewport_get_resolution (viewport);
  gboolean handled = FALSE;

  gis_viewport_get_center (viewport, &cx0, &cy0);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Left, 0, 0, &handled);
  g_assert_true (handled);
  gis_viewport_get_center (viewport, &cx1, &cy1);
  /* the map moves right: the view's centre goes west by 100 px */
  g_assert_cmpfloat_with_epsilon (cx0 - cx1, 100 * r0, 1e-6);
  g_assert_cmpfloat (cy0, ==, cy1);

  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_plus, 0, 0, &handled);
  g_assert_cmpfloat_with_epsilon (gis_viewport_get_resolution (viewport), r0 / 1.5, 1e-9 * r0);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_minus, 0, 0, &handled);
  g_assert_cmpfloat_with_epsilon (gis_viewport_get_resolution (viewport), r0, 1e-9 * r0);
}

/* The image on screen follows the view at once and is replaced by a new
 * render for the new view: after a drag of 100 px, the boundary between
 * the half planes is 100 px further right in the rendered texture. */
static void
test_render_follows_view (Fixture       *fx,
                          gconstpointer  data)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (fx->map);
  GtkGestureDrag *drag = find_controller (GTK_WIDGET (fx->map), GTK_TYPE_GESTURE_DRAG);
  guint before;
  GdkTexture *texture;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (fx->map));
  double boundary_px, by;
  g_autofree guint32 *pixels = NULL;
  gsize stride;
  int w, h, row;

  /* the first render of the fitted view */
  while (atalaya_map_view_is_rendering (fx->map) || atalaya_map_view_get_texture (fx->map) == NULL)
    g_main_context_iteration (NULL, TRUE);

  before = fx->renders;
  g_signal_emit_by_name (drag, "drag-begin", 100.0, 100.0);
  g_signal_emit_by_name (drag, "drag-update", 100.0, 0.0);
  g_signal_emit_by_name (drag, "drag-end", 100.0, 0.0);

  fx->renders_before = before;
  wait_for (rendered_again, fx, "a render after the drag");

  texture = atalaya_map_view_get_texture (fx->map);
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  stride = (gsize) w * 4;
  pixels = g_malloc (stride * h);
  gdk_texture_download (texture, (guchar *) pixels, stride);

  gis_viewport_map_to_pixel (viewport, 0, 0, &boundary_px, &by);
  row = h / 2;
  for (int x = 0; x < w; x++)
    {
      guint32 p = pixels[row * w + x];
      gboolean red = ((p >> 16) & 0xff) > 128;
      double logical_x = (x + 0.5) / scale;

      /* away from the boundary pixel, the colour says which side */
      if (fabs (logical_x - boundary_px) > 1.0)
        g_assert_cmpint (red, ==, logical_x > boundary_px);
    }
}

int
main (int    argc,
      char **argv)
{
  /* no session bus under Xvfb: keep GTK from warning (warnings are fatal) */
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/map-view/drag-moves-exactly", Fixture, NULL, fixture_setup, test_drag_moves_exactly, fixture_teardown);
  g_test_add ("/map-view/wheel-zoom-keeps-point", Fixture, NULL, fixture_setup, test_wheel_zoom_keeps_point, fixture_teardown);
  g_test_add ("/map-view/keys", Fixture, NULL, fixture_setup, test_keys_pan_and_zoom, fixture_teardown);
  g_test_add ("/map-view/render-follows-view", Fixture, NULL, fixture_setup, test_render_follows_view, fixture_teardown);

  return g_test_run ();
}
