/* test-coverage-panel.c: the coverage panel of the window on the sample store
 *
 * The real window under Xvfb on a copy of the sample store, the panel
 * opened with win.coverage and driven through its widgets: the uncovered
 * area of the US side of the US–Mexico corridor equals the SpatiaLite
 * statement's (ST_Difference of the corridor and ST_Union of ST_Buffer in
 * EPSG:2163), the uncovered facilities equal an ST_Distance count and
 * become the map's selection; proposed sites are listed; "Save as Layers"
 * adds the styled result layers to the layer list; Cancel leaves no
 * result and the store as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-coverage-panel"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "atalaya-application.h"
#include "atalaya-coverage-panel-private.h"
#include "atalaya-window-private.h"

typedef struct
{
  char                 *dir;
  char                 *store_path;
  AtalayaApplication   *app;
  AtalayaWindow        *window;
  AtalayaCoveragePanel *panel;
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
  return !atalaya_coverage_panel_get_running (data);
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
  fx->dir = g_dir_make_tmp ("atalaya-coverage-panel-XXXXXX", &error);
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

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.coverage", NULL));
  fx->panel = fx->window->coverage_panel;
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fx->panel)));
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

/* Selects the combo row's item with this text. */
static void
choose (AdwComboRow *row,
        const char  *text)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), text) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no item “%s” in the combo row", text);
}

static void
run_and_wait (Fixture *fx)
{
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));
  g_signal_emit_by_name (fx->panel->run_button, "clicked");
  g_assert_true (atalaya_coverage_panel_get_running (fx->panel));
  wait_for (panel_is_idle, fx->panel, "the coverage to be computed");
  g_test_message ("status: %s", gtk_label_get_text (fx->panel->status_label));
}

/* The US side of the US–Mexico corridor, set through the widgets. */
static void
set_corridor (Fixture *fx)
{
  gboolean ports_checked = FALSE;

  for (guint i = 0; i < fx->panel->resource_names->len; i++)
    {
      gboolean ports = g_strcmp0 (g_ptr_array_index (fx->panel->resource_names, i), "ports") == 0;

      /* ports are a resource by their role, nothing else is checked */
      g_assert_cmpint (gtk_check_button_get_active (g_ptr_array_index (fx->panel->resource_checks, i)), ==, ports);
      ports_checked |= ports;
    }
  g_assert_true (ports_checked);
  gtk_spin_button_set_value (fx->panel->radius_spin, 50);
  choose (fx->panel->radius_field_row, "None");
  adw_combo_row_set_selected (fx->panel->zone_kind_row, 2);
  gtk_spin_button_set_value (fx->panel->corridor_spin, 100);
  choose (fx->panel->corridor_pair_row, "Mexico – United States");
  choose (fx->panel->corridor_side_row, "United States");
  gtk_switch_set_active (fx->panel->cross_border_switch, TRUE);
  /* facilities and incidents are chosen by their roles */
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (fx->panel->facilities_row)),
                                               adw_combo_row_get_selected (fx->panel->facilities_row)), ==, "facilities");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (fx->panel->demand_row)),
                                               adw_combo_row_get_selected (fx->panel->demand_row)), ==, "incidents");
}

#define CORRIDOR \
  "(SELECT ST_Intersection(ST_Buffer((SELECT ST_Union(ST_Transform(geom, 2163)) FROM international_boundary " \
  "WHERE country_pair = 'US-MX'), 100000, 32), (SELECT ST_Transform(geom, 2163) FROM countries " \
  "WHERE country = 'US')))"

static void
test_corridor (Fixture       *fx,
               gconstpointer  data)
{
  GisCoverageResult *r;
  double want;
  gint64 want_fac;
  gsize n_sel = 0;
  const gint64 *sel;
  gint64 layer_id;

  SKIP_WITHOUT_SAMPLE (fx);
  set_corridor (fx);
  run_and_wait (fx);
  r = atalaya_coverage_panel_get_result (fx->panel);
  g_assert_nonnull (r);

  want = gui_sql_double (fx->store_path, "SELECT ST_Area(ST_Difference(" CORRIDOR ", (SELECT ST_Union(ST_Buffer("
                                     "ST_Transform(geom, 2163), 50000, 32)) FROM ports))) / 1e6");
  g_test_message ("uncovered %.6f km², SpatiaLite %.6f km²", gis_coverage_result_get_uncovered_km2 (r), want);
  g_assert_cmpfloat (fabs (gis_coverage_result_get_uncovered_km2 (r) - want) / want, <=, 1e-6);

  want_fac = (gint64) gui_sql_double (fx->store_path,
                                  "SELECT count(*) FROM facilities AS f WHERE ST_Within(ST_Transform(f.geom, 2163), "
                                  CORRIDOR ") AND NOT EXISTS (SELECT 1 FROM ports AS p WHERE "
                                  "ST_Distance(ST_Transform(p.geom, 2163), ST_Transform(f.geom, 2163)) <= 50000)");
  g_assert_cmpint (gis_coverage_result_get_n_uncovered_facilities (r), ==, want_fac);

  /* the uncovered facilities are the map's selection */
  {
    g_autoptr(GisLayer) fac = gis_store_get_layer (fx->window->store, "facilities", NULL);

    layer_id = gis_layer_get_id (fac);
  }
  sel = atalaya_map_controller_get_selection (fx->window->controller, layer_id, &n_sel);
  g_assert_cmpuint (n_sel, ==, (gsize) want_fac);
  for (gsize i = 0; i < n_sel; i++)
    g_assert_cmpint (sel[i], ==, gis_coverage_result_get_uncovered_facility (r, (guint) i)->fid);

  /* the summary card: one row for the US and the total */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->summary_box)));
  g_assert_nonnull (strstr (gtk_label_get_text (fx->panel->headline_label), "km²"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->panel->sites_label)));
}

static void
test_sites_and_save (Fixture       *fx,
                     gconstpointer  data)
{
  GisSitingResult *s;
  guint layers_before;
  g_autoptr(GisLayer) sites = NULL;
  g_autoptr(GisLayer) facilities_out = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_WITHOUT_SAMPLE (fx);
  set_corridor (fx);
  adw_expander_row_set_enable_expansion (fx->panel->siting_row, TRUE);
  gtk_spin_button_set_value (fx->panel->k_spin, 3);
  adw_combo_row_set_selected (fx->panel->candidates_row, 0);
  gtk_spin_button_set_value (fx->panel->grid_spin, 20);
  run_and_wait (fx);
  s = atalaya_coverage_panel_get_siting (fx->panel);
  g_assert_nonnull (s);
  g_assert_cmpuint (gis_siting_result_get_n_sites (s), ==, 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->sites_label)));
  g_assert_cmpfloat (gis_siting_result_get_site (s, 0)->added_demand, >, 0);

  layers_before = g_list_model_get_n_items (fx->window->layers);
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->name_entry), "gui gaps");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->save_button)));
  g_signal_emit_by_name (fx->panel->save_button, "clicked");
  wait_for (panel_is_idle, fx->panel, "the layers to be saved");
  g_test_message ("status: %s", gtk_label_get_text (fx->panel->status_label));
  wait_for (map_is_settled, fx->window, "the map to reload");
  g_assert_cmpuint (g_list_model_get_n_items (fx->window->layers), ==, layers_before + 6);

  sites = gis_store_get_layer (fx->window->store, "gui gaps: proposed sites", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_feature_count (sites), ==, 3);
  facilities_out = gis_store_get_layer (fx->window->store, "gui gaps: uncovered facilities", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_feature_count (facilities_out), ==,
                   gis_coverage_result_get_n_uncovered_facilities (atalaya_coverage_panel_get_result (fx->panel)));
  g_assert_nonnull (strstr (gis_layer_get_style_json (facilities_out), "single"));
  /* the result is kept: it can be saved again under another name */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->save_button)));
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  SKIP_WITHOUT_SAMPLE (fx);
  before = gui_store_checksum (fx->store_path);
  set_corridor (fx);
  g_signal_emit_by_name (fx->panel->run_button, "clicked");
  g_assert_true (atalaya_coverage_panel_get_running (fx->panel));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->cancel_button)));
  g_signal_emit_by_name (fx->panel->cancel_button, "clicked");
  wait_for (panel_is_idle, fx->panel, "the run to stop");
  g_assert_null (atalaya_coverage_panel_get_result (fx->panel));
  g_assert_cmpstr (gtk_label_get_text (fx->panel->status_label), ==, "Cancelled");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->panel->summary_box)));
  after = gui_store_checksum (fx->store_path);
  g_assert_cmpstr (before, ==, after);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/coverage-panel/corridor", Fixture, NULL, fixture_set_up, test_corridor, fixture_tear_down);
  g_test_add ("/coverage-panel/sites-and-save", Fixture, NULL, fixture_set_up, test_sites_and_save,
              fixture_tear_down);
  g_test_add ("/coverage-panel/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  return g_test_run ();
}
