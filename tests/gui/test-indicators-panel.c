/* test-indicators-panel.c: the indicators panel of the window on the sample store
 *
 * The real window under Xvfb on the sample store, the panel opened with
 * win.indicators: the chart is computed on a worker and drawn; its
 * numbers equal SQL counts of the incidents; another chart replaces it;
 * the coverage radius is shown only for the coverage chart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-indicators-panel"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "atalaya-application.h"
#include "atalaya-indicators-panel-private.h"
#include "atalaya-window-private.h"

static gboolean
store_is_set (gpointer data)
{
  return ((AtalayaWindow *) data)->store != NULL;
}

static gboolean
chart_is_ready (gpointer data)
{
  AtalayaIndicatorsPanel *panel = data;

  return !atalaya_indicators_panel_get_computing (panel) && atalaya_indicators_panel_get_table (panel) != NULL;
}

static gint64
sql_count (GisStore   *store,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  GisCursor *cursor = gis_store_query (store, sql, &error);
  gint64 v;

  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  g_assert_no_error (error);
  v = (gint64) gis_cursor_get_double (cursor, 0);
  gis_cursor_free (cursor);
  return v;
}

static void
test_panel (void)
{
  const char *sample = g_getenv ("ATALAYA_SAMPLE_STORE");
  g_autoptr(AtalayaApplication) app = NULL;
  g_autoptr(AtalayaWindow) window = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) src = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *store_path = NULL;
  AtalayaIndicatorsPanel *panel;
  const GisIndicatorTable *t;
  int r, s;

  if (sample == NULL || !g_file_test (sample, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no sample store: build it with ./dev.sh test");
      return;
    }

  /* a copy: the window opens its store for writing */
  dir = g_dir_make_tmp ("atalaya-indicators-panel-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (dir, "north-america.sqlite", NULL);
  src = g_file_new_for_path (sample);
  file = g_file_new_for_path (store_path);
  g_assert_true (g_file_copy (src, file, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));

  app = atalaya_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = g_object_ref (atalaya_window_new (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  atalaya_window_open_store (window, file);
  wait_for (store_is_set, window, "the store to open");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.indicators", NULL));
  panel = window->indicators_panel;
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  wait_for (chart_is_ready, panel, "the chart");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (panel->radius_row)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (panel->png_button)));

  /* incidents per year by category: a value equals SQL */
  t = atalaya_indicators_panel_get_table (panel);
  g_assert_cmpint (t->kind, ==, GIS_INDICATOR_INCIDENTS_BY_CATEGORY);
  r = gis_indicator_table_find_row (t, "2020");
  s = gis_indicator_table_find_series (t, "wildlife_trafficking");
  g_assert_cmpint (r, >=, 0);
  g_assert_cmpint (s, >=, 0);
  g_assert_cmpint ((gint64) gis_indicator_table_get (t, r, s), ==,
                   sql_count (window->store, "SELECT count(*) FROM incidents WHERE strftime('%Y', occurred_at) = "
                                             "'2020' AND category = 'wildlife_trafficking'"));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (panel->chart_area)), >, 200);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (panel->chart_area)), >=, 300);

  /* by country: recomputed */
  adw_combo_row_set_selected (panel->chart_row, GIS_INDICATOR_INCIDENTS_BY_COUNTRY);
  g_assert_true (atalaya_indicators_panel_get_computing (panel));
  wait_for (chart_is_ready, panel, "the chart by country");
  t = atalaya_indicators_panel_get_table (panel);
  g_assert_cmpint (t->kind, ==, GIS_INDICATOR_INCIDENTS_BY_COUNTRY);
  r = gis_indicator_table_find_row (t, "2025");
  s = gis_indicator_table_find_series (t, "MX");
  g_assert_cmpint ((gint64) gis_indicator_table_get (t, r, s), ==,
                   sql_count (window->store, "SELECT count(*) FROM incidents WHERE strftime('%Y', occurred_at) = "
                                             "'2025' AND country = 'MX'"));

  /* the radius goes with coverage; no emerging result: a message, no chart */
  adw_combo_row_set_selected (panel->chart_row, GIS_INDICATOR_COVERAGE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel->radius_row)));
  adw_combo_row_set_selected (panel->chart_row, GIS_INDICATOR_HOTSPOTS);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (panel->radius_row)));
  while (atalaya_indicators_panel_get_computing (panel))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (atalaya_indicators_panel_get_table (panel));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel->status_label)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (panel->status_label), "error"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (panel->png_button)));

  gtk_window_destroy (GTK_WINDOW (window));
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  {
    g_autofree char *wal = g_strconcat (store_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (store_path, "-shm", NULL);

    g_unlink (store_path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);
  g_test_add_func ("/indicators-panel/charts", test_panel);
  return g_test_run ();
}
