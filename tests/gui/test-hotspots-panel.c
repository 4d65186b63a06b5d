/* test-hotspots-panel.c: the hotspots panel of the window on the sample store
 *
 * The real window under Xvfb on a copy of the sample store, the panel
 * opened with win.hotspots and driven through its widgets:
 * - Gi*: the layer written has a +3 bin over the first planted hotspot
 *   (data-samples/planted-hotspots.csv), checked with SpatiaLite SQL;
 * - DBSCAN: the clustered points' distinct cluster ids equal the cluster
 *   layer's rows, and every id's count equals its cluster_size;
 * - kernel density of one category over a period, as expected counts per
 *   cell: the raster sums to the SQL count of those incidents;
 * - the layers appear in the window's layer list;
 * - Cancel writes nothing: the store's checksum is unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-hotspots-panel"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "atalaya-application.h"
#include "atalaya-hotspots-panel-private.h"
#include "atalaya-window-private.h"

typedef struct
{
  char                 *dir;
  char                 *store_path;
  AtalayaApplication   *app;
  AtalayaWindow        *window;
  AtalayaHotspotsPanel *panel;
} Fixture;

static gboolean
store_is_set (gpointer data)
{
  return ((AtalayaWindow *) data)->store != NULL;
}

static gboolean
map_is_settled (gpointer data)
{
  AtalayaWindow *window = data;

  return window->store != NULL && !atalaya_map_controller_get_loading (window->controller) &&
         !atalaya_map_view_is_rendering (window->map_view);
}

static gboolean
panel_is_idle (gpointer data)
{
  return !atalaya_hotspots_panel_get_running (data);
}

static char *
table_of (const char *store_path,
          const char *layer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(GisLayer) l = NULL;

  g_assert_no_error (error);
  l = gis_store_get_layer (store, layer, &error);
  g_assert_no_error (error);
  return g_strdup (gis_layer_get_table_name (l));
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
  fx->dir = g_dir_make_tmp ("atalaya-hotspots-panel-XXXXXX", &error);
  g_assert_no_error (error);
  fx->store_path = g_build_filename (fx->dir, "north-america.sqlite", NULL);
  src = g_file_new_for_path (sample);
  dst = g_file_new_for_path (fx->store_path);
  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));

  fx->app = atalaya_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (fx->app), NULL, &error);
  g_assert_no_error (error);
  fx->window = g_object_ref (atalaya_window_new (fx->app));
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fx->window));
  file = g_file_new_for_path (fx->store_path);
  atalaya_window_open_store (fx->window, file);
  wait_for (store_is_set, fx->window, "the store to open");
  wait_for (map_is_settled, fx->window, "the map to load");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.hotspots", NULL));
  fx->panel = fx->window->hotspots_panel;
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fx->panel)));
  g_assert_cmpstr (g_ptr_array_index (fx->panel->layer_values, adw_combo_row_get_selected (fx->panel->layer_row)),
                   ==, "incidents");
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

static void
run_and_wait (Fixture    *fx,
              const char *name)
{
  guint before = g_list_model_get_n_items (fx->window->layers);

  gtk_editable_set_text (GTK_EDITABLE (fx->panel->name_entry), name);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));
  g_signal_emit_by_name (fx->panel->run_button, "clicked");
  g_assert_true (atalaya_hotspots_panel_get_running (fx->panel));
  wait_for (panel_is_idle, fx->panel, "the analysis to end");
  g_test_message ("status: %s", gtk_label_get_text (fx->panel->status_label));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fx->panel->status_label), "error"));
  wait_for (map_is_settled, fx->window, "the map to reload");
  g_assert_cmpuint (g_list_model_get_n_items (fx->window->layers), >, before);
}

/* The first planted hotspot's centre, from the CSV beside the sample. */
static void
planted_centre (double *lon,
                double *lat)
{
  const char *src = g_getenv ("ATALAYA_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) head = NULL;
  g_auto(GStrv) row = NULL;
  int ilon = -1, ilat = -1;

  g_assert_nonnull (src);
  path = g_build_filename (src, "data-samples", "planted-hotspots.csv", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  head = g_strsplit (lines[0], ",", -1);
  row = g_strsplit (lines[1], ",", -1);
  for (int i = 0; head[i] != NULL; i++)
    {
      if (g_strcmp0 (head[i], "lon") == 0)
        ilon = i;
      else if (g_strcmp0 (head[i], "lat") == 0)
        ilat = i;
    }
  g_assert_cmpint (ilon, >=, 0);
  g_assert_cmpint (ilat, >=, 0);
  *lon = g_ascii_strtod (row[ilon], NULL);
  *lat = g_ascii_strtod (row[ilat], NULL);
}

static void
test_gistar (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *table = NULL;
  g_autofree char *sql = NULL;
  double lon, lat, bin;

  SKIP_WITHOUT_SAMPLE (fx);
  adw_combo_row_set_selected (fx->panel->method_row, HOTSPOTS_GISTAR);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->band_row)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->panel->eps_row)));
  gtk_spin_button_set_value (fx->panel->cell_spin, 25);
  gtk_spin_button_set_value (fx->panel->band_spin, 75);
  run_and_wait (fx, "gui gistar");

  table = table_of (fx->store_path, "gui gistar");
  planted_centre (&lon, &lat);
  sql = g_strdup_printf ("SELECT max(bin) FROM \"%s\" WHERE ST_Contains(geom, MakePoint(%.9f, %.9f, 4326))",
                         table, lon, lat);
  bin = gui_sql_double (fx->store_path, sql);
  g_test_message ("the planted centre %.4f %.4f lies in a bin of class %g", lon, lat, bin);
  g_assert_cmpfloat (bin, ==, 3);
}

static void
test_dbscan (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *points = NULL;
  g_autofree char *hulls = NULL;
  g_autofree char *sql = NULL;
  double n_ids, n_hulls, bad;

  SKIP_WITHOUT_SAMPLE (fx);
  adw_combo_row_set_selected (fx->panel->method_row, HOTSPOTS_DBSCAN);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->eps_row)));
  gtk_spin_button_set_value (fx->panel->eps_spin, 10);
  gtk_spin_button_set_value (fx->panel->min_points_spin, 5);
  run_and_wait (fx, "gui db");

  points = table_of (fx->store_path, "gui db: clustered points");
  hulls = table_of (fx->store_path, "gui db: clusters");
  sql = g_strdup_printf ("SELECT count(DISTINCT cluster_id) FROM \"%s\" WHERE cluster_id > 0", points);
  n_ids = gui_sql_double (fx->store_path, sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", hulls);
  n_hulls = gui_sql_double (fx->store_path, sql);
  g_test_message ("%g clusters, %g hulls", n_ids, n_hulls);
  g_assert_cmpfloat (n_ids, >, 0);
  g_assert_cmpfloat (n_ids, ==, n_hulls);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM (SELECT cluster_id, count(*) AS n, max(cluster_size) AS s "
                         "FROM \"%s\" WHERE cluster_id > 0 GROUP BY cluster_id) WHERE n <> s", points);
  bad = gui_sql_double (fx->store_path, sql);
  g_assert_cmpfloat (bad, ==, 0);
}

static void
test_kde_filtered (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisRaster) raster = NULL;
  g_autofree char *category = NULL;
  g_autofree char *sql = NULL;
  double want, sum = 0;

  SKIP_WITHOUT_SAMPLE (fx);
  adw_combo_row_set_selected (fx->panel->method_row, HOTSPOTS_KDE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->kernel_row)));
  g_assert_cmpuint (fx->panel->category_checks->len, >, 1);
  /* a copy: the list is made again when the layers are reloaded */
  category = g_strdup (g_ptr_array_index (fx->panel->category_values, 0));
  gtk_check_button_set_active (g_ptr_array_index (fx->panel->category_checks, 0), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->from_entry), "2020");
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->to_entry), "2021");
  adw_combo_row_set_selected (fx->panel->output_row, 1);   /* expected count per cell */
  gtk_spin_button_set_value (fx->panel->radius_spin, 25);
  gtk_spin_button_set_value (fx->panel->cell_spin, 5);
  run_and_wait (fx, "gui kde");

  sql = g_strdup_printf ("SELECT count(*) FROM incidents WHERE category = '%s' AND occurred_at >= '2020-01-01' "
                         "AND occurred_at < '2022-01-01'", category);
  want = gui_sql_double (fx->store_path, sql);
  store = gis_store_open (fx->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  layer = gis_store_get_layer (store, "gui kde", &error);
  g_assert_no_error (error);
  raster = gis_store_load_raster (store, layer, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < (gsize) raster->width * raster->height; i++)
    if (isfinite (raster->data[i]))
      sum += raster->data[i];
  g_test_message ("%s, 2020–2021: %g incidents, the raster sums to %.3f", category, want, sum);
  g_assert_cmpfloat (want, >, 100);
  g_assert_cmpfloat (fabs (sum - want) / want, <, 1e-3);
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint n = g_list_model_get_n_items (fx->window != NULL ? fx->window->layers : NULL);

  SKIP_WITHOUT_SAMPLE (fx);
  before = gui_store_checksum (fx->store_path);
  adw_combo_row_set_selected (fx->panel->method_row, HOTSPOTS_EMERGING);
  g_signal_emit_by_name (fx->panel->run_button, "clicked");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->cancel_button)));
  g_signal_emit_by_name (fx->panel->cancel_button, "clicked");
  wait_for (panel_is_idle, fx->panel, "the run to stop");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (fx->panel->status_label), "Cancelled"));
  g_assert_cmpuint (g_list_model_get_n_items (fx->window->layers), ==, n);
  after = gui_store_checksum (fx->store_path);
  g_assert_cmpstr (before, ==, after);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/hotspots-panel/gistar", Fixture, NULL, fixture_set_up, test_gistar, fixture_tear_down);
  g_test_add ("/hotspots-panel/dbscan", Fixture, NULL, fixture_set_up, test_dbscan, fixture_tear_down);
  g_test_add ("/hotspots-panel/kde-filtered", Fixture, NULL, fixture_set_up, test_kde_filtered, fixture_tear_down);
  g_test_add ("/hotspots-panel/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  return g_test_run ();
}
