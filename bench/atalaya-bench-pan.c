/* atalaya-bench-pan.c: frame times during a pan of the real window
 *
 * Opens a store in the real window (run it under Xvfb), waits for the map
 * to load, draw and be shown (the first frames that show a full-window map
 * fault in GTK's and X's image memory: they are reported on a line of
 * their own, since nobody drags a map they have not seen), then drags the
 * map twice, with one drag-update every 8 ms, as a fast hand would: a
 * first drag of 1 s (GTK's cairo renderer still warms up its buffers in
 * its first frames of a moving map) and the measured drag of 4 s.  While
 * the drag runs, the window's frame clock times each paint, the map view's
 * frame clock records the interval between frames, the view
 * records the longest time its own code kept the main thread, and this
 * program measures how late each timer fires (any main-thread stall shows
 * there).  Prints:
 *
 *   pan <label>, first <n> frames showing the loaded map: longest paint <ms> ms
 *   pan <label>, <drag> of <s> s: frames <n>, longest frame interval <ms> ms,
 *     longest main-thread work in the map <ms> ms, longest paint <ms> ms,
 *     longest main-loop stall <ms> ms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "atalaya-application.h"
#include "atalaya-window-private.h"

#define DRAG_MS      8

typedef struct
{
  AtalayaWindow  *window;
  GtkGestureDrag *drag;
  double          seconds;
  gint64          start_us;
  gint64          last_tick_us;
  double          max_stall_ms;
  double          angle;
  guint           renders;
  gboolean        done;
  guint           n_paints;
  gint64          paint_start_us;
  double          max_paint_ms;
} Pan;

static gboolean
settled (AtalayaWindow *window)
{
  return window->store != NULL &&
         !atalaya_map_controller_get_loading (window->controller) &&
         !atalaya_map_view_is_rendering (window->map_view) &&
         atalaya_map_view_get_texture (window->map_view) != NULL &&
         !window->fit_on_data;
}

static gpointer
find_drag (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_DRAG (c))
        return c;
    }
  return NULL;
}

static void
on_rendered (AtalayaMapView *view,
             Pan            *pan)
{
  pan->renders++;
}

static void
on_before_paint (GdkFrameClock *clock,
                 Pan           *pan)
{
  pan->paint_start_us = g_get_monotonic_time ();
}

/* How long the window's paint phase (snapshot and GSK render) took. */
static void
on_after_paint (GdkFrameClock *clock,
                Pan           *pan)
{
  pan->n_paints++;
  pan->max_paint_ms = MAX (pan->max_paint_ms, (g_get_monotonic_time () - pan->paint_start_us) / 1000.0);
}

static gboolean
on_drag_tick (gpointer data)
{
  Pan *pan = data;
  gint64 now = g_get_monotonic_time ();
  double elapsed = (now - pan->start_us) / 1e6;
  double late_ms = (now - pan->last_tick_us) / 1000.0 - DRAG_MS;

  pan->max_stall_ms = MAX (pan->max_stall_ms, late_ms);
  pan->last_tick_us = now;

  if (elapsed > pan->seconds)
    {
      g_signal_emit_by_name (pan->drag, "drag-end", 0.0, 0.0);
      pan->done = TRUE;
      return G_SOURCE_REMOVE;
    }

  /* a slow circle of 300 px radius: every part of the map passes by */
  pan->angle = elapsed * G_PI;
  g_signal_emit_by_name (pan->drag, "drag-update",
                         300 * cos (pan->angle) - 300, 300 * sin (pan->angle));
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AtalayaApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  const char *label = argc > 2 ? argv[2] : "store";
  Pan pan = { 0 };
  guint n_frames;
  double max_frame_ms, max_main_ms;
  gint64 deadline;
  GdkFrameClock *clock;

  if (argc < 2)
    {
      g_printerr ("usage: atalaya-bench-pan STORE [LABEL]\n");
      return 2;
    }

  g_setenv ("GTK_A11Y", "none", TRUE);
  /* as the program does: cairo where OpenGL has no GPU behind it */
  atalaya_choose_renderer ();
  gtk_init ();
  adw_init ();
  gis_init ();

  app = atalaya_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  pan.window = atalaya_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (pan.window), 1920, 1080);
  gtk_window_present (GTK_WINDOW (pan.window));

  file = g_file_new_for_commandline_arg (argv[1]);
  atalaya_window_open_store (pan.window, file);

  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!settled (pan.window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!settled (pan.window))
    {
      g_printerr ("atalaya-bench-pan: the map did not load in 120 s\n");
      return 1;
    }

  /* the loaded map on screen: a few frames of it */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (pan.window));
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &pan);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &pan);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (pan.n_paints < 3 && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (GTK_WIDGET (pan.window->map_view));
      g_main_context_iteration (NULL, TRUE);
    }
  g_print ("pan %s, first %u frames showing the loaded map: longest paint %.1f ms\n",
           label, pan.n_paints, pan.max_paint_ms);

  pan.drag = find_drag (GTK_WIDGET (pan.window->map_view));
  g_signal_connect (pan.window->map_view, "rendered", G_CALLBACK (on_rendered), &pan);

  for (int round = 0; round < 2; round++)
    {
      const char *what = round == 0 ? "first drag of the session" : "drag";

      atalaya_map_view_reset_frame_stats (pan.window->map_view);
      pan.seconds = round == 0 ? 1.0 : 4.0;
      pan.done = FALSE;
      pan.max_stall_ms = 0;
      pan.renders = 0;
      pan.max_paint_ms = 0;
      g_signal_emit_by_name (pan.drag, "drag-begin", 960.0, 540.0);
      pan.start_us = pan.last_tick_us = g_get_monotonic_time ();
      g_timeout_add (DRAG_MS, on_drag_tick, &pan);
      while (!pan.done)
        g_main_context_iteration (NULL, TRUE);

      /* let the last render land before the next drag */
      deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
      while (g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);

      atalaya_map_view_get_frame_stats (pan.window->map_view, &n_frames, &max_frame_ms, &max_main_ms);
      g_print ("pan %s, %s of %.0f s: frames %u, longest frame interval %.1f ms, longest "
               "main-thread work in the map %.1f ms, longest paint %.1f ms, longest main-loop "
               "stall %.1f ms\n",
               label, what, pan.seconds, n_frames, max_frame_ms, max_main_ms,
               pan.max_paint_ms, MAX (pan.max_stall_ms, 0.0));
    }

  gtk_window_destroy (GTK_WINDOW (pan.window));
  return 0;
}
