/* test-query-panel.c: the query panel of the window on the sample store
 *
 * The real window under Xvfb on a copy of the sample store, its query
 * panel opened with win.query and driven through its widgets.  Every
 * answer is checked against SpatiaLite SQL run here on a connection of
 * the test's own (ST_Contains over the R*Tree, plain comparisons), never
 * against the query engine: incidents inside habitat; severity >= 4; a
 * polygon drawn with clicks on the map; a ready query; Cancel leaves
 * the selection as it was; saving a result adds a layer with the right
 * count; a saved query comes back into the rows (or, nested, into the
 * expression); a value that tries SQL injection matches nothing and
 * leaves the store's checksum as it was.
 *
 * With ATALAYA_TEST_SCREENSHOT=FILE.png, the screen is saved after the
 * first query (for looking at the layout).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-query-panel"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "atalaya-application.h"
#include "atalaya-query-panel-private.h"
#include "atalaya-window-private.h"
#include "gis-store-private.h"

typedef struct
{
  char               *dir;
  char               *store_path;
  AtalayaApplication *app;
  AtalayaWindow      *window;
  AtalayaQueryPanel  *panel;
} Fixture;

/* ---- independent answers ----------------------------------------------------------------- */

/* The fids a statement returns, on a connection of the test's own. */
static GArray *
sql_fids (Fixture    *fx,
          const char *sql,
          const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (fx->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  GArray *fids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_no_error (error);
  rc = sqlite3_prepare_v2 (gis_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (gis_store_get_db (store)));
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 fid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (fids, fid);
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return fids;
}

static gint64
sql_int (Fixture    *fx,
         const char *sql)
{
  g_autoptr(GArray) v = sql_fids (fx, sql, NULL);

  g_assert_cmpuint (v->len, ==, 1);
  return g_array_index (v, gint64, 0);
}

/* Incidents a polygon (of a layer, or @wkt) contains, by SpatiaLite. */
#define INSIDE_HABITAT_SQL \
  "SELECT DISTINCT i.fid FROM habitat h, idx_incidents_geom r, incidents i " \
  "WHERE r.xmin <= MbrMaxX(h.geom) AND r.xmax >= MbrMinX(h.geom) " \
  "AND r.ymin <= MbrMaxY(h.geom) AND r.ymax >= MbrMinY(h.geom) " \
  "AND i.fid = r.pkid AND ST_Contains(h.geom, i.geom) = 1 ORDER BY i.fid"

#define INSIDE_WKT_SQL \
  "SELECT i.fid FROM (SELECT GeomFromText(?1, 4326) AS g) p, idx_incidents_geom r, incidents i " \
  "WHERE r.xmin <= MbrMaxX(p.g) AND r.xmax >= MbrMinX(p.g) " \
  "AND r.ymin <= MbrMaxY(p.g) AND r.ymax >= MbrMinY(p.g) " \
  "AND i.fid = r.pkid AND ST_Contains(p.g, i.geom) = 1 ORDER BY i.fid"

/* ---- helpers ---------------------------------------------------------------------------------- */

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
  wait_for (map_is_settled, fx->window, "the map to load and render");
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  wait_for (map_is_settled, fx->window, "the map to load and render");
}

static gint64
layer_id (Fixture    *fx,
          const char *name)
{
  GListModel *layers = atalaya_window_get_layer_model (fx->window);

  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

      if (g_strcmp0 (gis_layer_get_name (layer), name) == 0)
        return gis_layer_get_id (layer);
    }
  return -1;
}

/* The map's selection of @layer_name, as an array. */
static GArray *
map_selection (Fixture    *fx,
               const char *layer_name)
{
  gsize n = 0;
  const gint64 *fids = atalaya_map_controller_get_selection (fx->window->controller,
                                                             layer_id (fx, layer_name), &n);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (n > 0)
    g_array_append_vals (out, fids, (guint) n);
  return out;
}

static void
assert_same_fids (GArray     *got,
                  GArray     *expected,
                  const char *what)
{
  g_test_message ("%s: %u selected, %u expected", what, got->len, expected->len);
  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < got->len; i++)
    if (g_array_index (got, gint64, i) != g_array_index (expected, gint64, i))
      g_error ("%s: fid %" G_GINT64_FORMAT " at %u, expected %" G_GINT64_FORMAT,
               what, g_array_index (got, gint64, i), i, g_array_index (expected, gint64, i));
}

static gboolean
panel_is_idle (gpointer data)
{
  return !atalaya_query_panel_get_running (data);
}

/* Presses Run, as the user would; waits for the answer. */
static double
run (Fixture *fx)
{
  gint64 start = g_get_monotonic_time ();
  double seconds;

  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));
  g_signal_emit_by_name (fx->panel->run_button, "clicked");
  g_assert_true (atalaya_query_panel_get_running (fx->panel));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->progress_bar)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->cancel_button)));
  wait_for (panel_is_idle, fx->panel, "the query to end");
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("%s → %s (%.3f s in the panel)", gtk_label_get_text (fx->panel->query_label),
                  gtk_label_get_text (fx->panel->status_label), seconds);
  return seconds;
}

static QueryRow *
add_row (Fixture    *fx,
         const char *kind)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->panel), "query.add-row", "s", kind));
  return atalaya_query_panel_get_row (fx->panel, fx->panel->rows->len - 1);
}

static QueryRow *
add_spatial (Fixture      *fx,
             GisSpatialOp  op,
             const char   *reference)
{
  QueryRow *row = add_row (fx, "spatial");

  gtk_drop_down_set_selected (row->spatial_op, op);
  g_assert_true (atalaya_query_panel_select_string (row->reference, reference));
  return row;
}

static QueryRow *
add_attribute (Fixture      *fx,
               const char   *field,
               GisCompareOp  op,
               const char   *value)
{
  QueryRow *row = add_row (fx, "attribute");

  g_assert_true (atalaya_query_panel_select_string (row->field, field));
  gtk_drop_down_set_selected (row->compare_op, op);
  gtk_editable_set_text (GTK_EDITABLE (row->value), value);
  return row;
}

static const char *
query_text (Fixture *fx)
{
  return gtk_label_get_text (fx->panel->query_label);
}

static void
maybe_screenshot (void)
{
  const char *file = g_getenv ("ATALAYA_TEST_SCREENSHOT");
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "import", "-window", "root", file, NULL };
  int status = 0;

  if (file == NULL)
    return;
  for (int i = 0; i < 20; i++)
    {
      g_usleep (20000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error))
    g_test_message ("screenshot: %s", error->message);
}

/* ---- fixture ------------------------------------------------------------------------------------- */

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

  /* a copy: the tests write (result layers, saved queries) */
  fx->dir = g_dir_make_tmp ("atalaya-query-panel-XXXXXX", &error);
  g_assert_no_error (error);
  fx->store_path = g_build_filename (fx->dir, "north-america.sqlite", NULL);
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

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.query", NULL));
  fx->panel = fx->window->query_panel;
  g_assert_cmpstr (gtk_stack_get_visible_child_name (fx->window->side_stack), ==, "query");
  g_assert_true (gtk_widget_get_visible (gtk_paned_get_end_child (fx->window->map_paned)));
  /* the incidents are the target to begin with */
  g_assert_cmpstr (gtk_string_object_get_string (adw_combo_row_get_selected_item (fx->panel->target_row)),
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

/* ---- tests ------------------------------------------------------------------------------------------ */

static void
test_inside_habitat (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;

  SKIP_WITHOUT_SAMPLE (fx);

  /* nothing typed: every feature, Run enabled */
  g_assert_cmpstr (query_text (fx), ==, "incidents: every feature");
  add_spatial (fx, GIS_SPATIAL_INSIDE, "habitat");
  g_assert_cmpstr (query_text (fx), ==, "incidents: inside habitat");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->panel->error_label)));

  run (fx);
  maybe_screenshot ();
  expected = sql_fids (fx, INSIDE_HABITAT_SQL, NULL);
  got = map_selection (fx, "incidents");
  g_assert_cmpuint (expected->len, >, 1000);
  assert_same_fids (got, expected, "inside habitat");
  assert_same_fids (atalaya_query_panel_get_result (fx->panel), expected, "the panel's result");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (fx->panel->status_label), "15929 of 100000 incidents"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->panel->progress_bar)));

  /* Zoom to Selection fits the map to the selection */
  {
    GisViewport *viewport = atalaya_map_view_get_viewport (fx->window->map_view);
    double r0 = gis_viewport_get_resolution (viewport);

    g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->zoom_button)));
    gtk_widget_activate_action (GTK_WIDGET (fx->panel), "query.zoom-to-selection", NULL);
    g_assert_cmpfloat (gis_viewport_get_resolution (viewport), !=, r0);
  }

  /* not: the complement */
  gtk_toggle_button_set_active (atalaya_query_panel_get_row (fx->panel, 0)->not_button, TRUE);
  g_assert_cmpstr (query_text (fx), ==, "incidents: not inside habitat");
  run (fx);
  g_clear_pointer (&got, g_array_unref);
  got = map_selection (fx, "incidents");
  g_assert_cmpuint (got->len, ==, 100000 - expected->len);
}

static void
test_attribute (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;
  QueryRow *row;

  SKIP_WITHOUT_SAMPLE (fx);

  row = add_attribute (fx, "severity", GIS_COMPARE_GE, "4");
  g_assert_cmpstr (query_text (fx), ==, "incidents: severity >= 4");
  run (fx);
  expected = sql_fids (fx, "SELECT fid FROM incidents WHERE severity >= 4 ORDER BY fid", NULL);
  got = map_selection (fx, "incidents");
  assert_same_fids (got, expected, "severity >= 4");

  /* between, two entries */
  gtk_drop_down_set_selected (row->compare_op, GIS_COMPARE_BETWEEN);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row->value2)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->error_label)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));
  gtk_editable_set_text (GTK_EDITABLE (row->value), "2");
  gtk_editable_set_text (GTK_EDITABLE (row->value2), "3");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->panel->error_label)));
  run (fx);
  g_clear_pointer (&expected, g_array_unref);
  g_clear_pointer (&got, g_array_unref);
  expected = sql_fids (fx, "SELECT fid FROM incidents WHERE severity BETWEEN 2 AND 3 ORDER BY fid", NULL);
  got = map_selection (fx, "incidents");
  assert_same_fids (got, expected, "severity between 2 and 3");

  /* an invalid expression: its message, and Run disabled */
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->expression_entry), "severity >>= 4");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->error_label)));
  g_test_message ("error: %s", gtk_label_get_text (fx->panel->error_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (fx->panel->error_label), "Expression: "));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));
  /* an unknown field, caught before running */
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->expression_entry), "no_such_field = 1");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->panel->error_label)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));

  /* rows and expression, any */
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->expression_entry), "date from 2021 to 2021-06");
  gtk_toggle_button_set_active (fx->panel->match_any_button, TRUE);
  g_assert_cmpstr (query_text (fx), ==,
                   "incidents: severity between 2 and 3 or date from 2021 to 2021-06");
  run (fx);
  g_clear_pointer (&expected, g_array_unref);
  g_clear_pointer (&got, g_array_unref);
  expected = sql_fids (fx, "SELECT fid FROM incidents WHERE severity BETWEEN 2 AND 3 "
                           "OR (occurred_at >= '2021-01-01' AND occurred_at < '2021-07-01') ORDER BY fid", NULL);
  got = map_selection (fx, "incidents");
  assert_same_fids (got, expected, "severity between 2 and 3 or the first half of 2021");
}

static void
test_injection (Fixture       *fx,
                gconstpointer  data)
{
  const char *attack = "'; DROP TABLE incidents; --";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GArray) got = NULL;

  SKIP_WITHOUT_SAMPLE (fx);

  before = gui_store_checksum (fx->store_path);
  add_attribute (fx, "category", GIS_COMPARE_EQ, attack);
  run (fx);
  got = map_selection (fx, "incidents");
  g_assert_cmpuint (got->len, ==, 0);
  g_assert_cmpuint (atalaya_query_panel_get_result (fx->panel)->len, ==, 0);
  g_assert_cmpint (sql_int (fx, "SELECT count(*) FROM incidents"), ==, 100000);
  after = gui_store_checksum (fx->store_path);
  g_assert_cmpstr (before, ==, after);
}

static gboolean
row_has_wkt (gpointer data)
{
  return ((QueryRow *) data)->wkt != NULL;
}

static void
click (GtkGesture *gesture,
       int         n_press,
       double      x,
       double      y)
{
  g_signal_emit_by_name (gesture, "pressed", n_press, x, y);
  g_signal_emit_by_name (gesture, "released", n_press, x, y);
}

static void
test_drawn_polygon (Fixture       *fx,
                    gconstpointer  data)
{
  AtalayaMapView *view;
  GtkGesture *gesture;
  GtkEventController *keys;
  double cx, cy;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;
  gboolean handled = FALSE;
  QueryRow *row;

  SKIP_WITHOUT_SAMPLE (fx);

  view = fx->window->map_view;
  gesture = find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_CLICK);
  keys = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_KEY);
  cx = gtk_widget_get_width (GTK_WIDGET (view)) / 2.0;
  cy = gtk_widget_get_height (GTK_WIDGET (view)) / 2.0;

  row = add_row (fx, "spatial");
  gtk_drop_down_set_selected (row->spatial_op, GIS_SPATIAL_INSIDE);
  g_assert_true (atalaya_query_panel_select_string (row->reference, "Polygon drawn on the map"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row->draw_button)));
  /* no polygon yet: cannot run */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->run_button)));

  g_signal_emit_by_name (row->draw_button, "clicked");
  g_assert_cmpint (atalaya_map_view_get_tool (view), ==, ATALAYA_MAP_TOOL_DRAW_POLYGON);

  /* a slanted quadrilateral around the centre, and a stray vertex taken
   * back with Backspace */
  click (gesture, 1, cx - 150, cy - 90);
  click (gesture, 1, cx + 120, cy - 120);
  click (gesture, 1, cx + 170, cy + 100);
  click (gesture, 1, cx + 300, cy + 300);
  g_assert_cmpuint (atalaya_map_view_get_n_sketch_vertices (view), ==, 4);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_BackSpace, 0, 0, &handled);
  g_assert_true (handled);
  g_assert_cmpuint (atalaya_map_view_get_n_sketch_vertices (view), ==, 3);
  click (gesture, 1, cx - 130, cy + 110);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
  wait_for (row_has_wkt, row, "the polygon");
  g_assert_cmpint (atalaya_map_view_get_tool (view), ==, ATALAYA_MAP_TOOL_PAN);
  g_test_message ("drawn: %s", row->wkt);
  g_assert_true (g_str_has_prefix (row->wkt, "POLYGON(("));
  g_test_message ("%s", query_text (fx));
  g_assert_true (g_str_has_prefix (query_text (fx), "incidents: inside POLYGON"));

  run (fx);
  expected = sql_fids (fx, INSIDE_WKT_SQL, row->wkt);
  got = map_selection (fx, "incidents");
  g_assert_cmpuint (expected->len, >, 0);
  assert_same_fids (got, expected, "inside the drawn polygon");

  /* a double click closes too; Escape cancels a drawing and keeps the polygon */
  g_signal_emit_by_name (row->draw_button, "clicked");
  click (gesture, 1, cx - 50, cy - 50);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Escape, 0, 0, &handled);
  g_assert_cmpint (atalaya_map_view_get_tool (view), ==, ATALAYA_MAP_TOOL_PAN);
  g_assert_nonnull (row->wkt);
  g_signal_emit_by_name (row->draw_button, "clicked");
  click (gesture, 1, cx - 50, cy - 50);
  click (gesture, 1, cx + 50, cy - 50);
  click (gesture, 1, cx, cy + 60);
  click (gesture, 2, cx, cy + 60);
  g_assert_cmpuint (atalaya_map_view_get_n_sketch_vertices (view), ==, 3);
  g_assert_cmpint (atalaya_map_view_get_tool (view), ==, ATALAYA_MAP_TOOL_PAN);
  run (fx);
  g_clear_pointer (&expected, g_array_unref);
  g_clear_pointer (&got, g_array_unref);
  expected = sql_fids (fx, INSIDE_WKT_SQL, row->wkt);
  got = map_selection (fx, "incidents");
  assert_same_fids (got, expected, "inside the triangle");
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  QueryRow *row;
  gint64 start;

  SKIP_WITHOUT_SAMPLE (fx);

  add_attribute (fx, "severity", GIS_COMPARE_EQ, "5");
  run (fx);
  before = map_selection (fx, "incidents");
  g_assert_cmpuint (before->len, >, 0);

  /* about 16 s uncancelled on these machines */
  atalaya_query_panel_remove_row (fx->panel, 0);
  row = add_spatial (fx, GIS_SPATIAL_WITHIN, "facilities");
  gtk_spin_button_set_value (row->km_spin, 200);
  gtk_check_button_set_active (row->geodesic, TRUE);
  g_assert_cmpstr (query_text (fx), ==, "incidents: within 200 km of facilities geodesic");
  g_signal_emit_by_name (fx->panel->run_button, "clicked");
  g_assert_true (atalaya_query_panel_get_running (fx->panel));
  for (int i = 0; i < 30; i++)
    {
      g_usleep (10000);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (atalaya_query_panel_get_running (fx->panel));
  start = g_get_monotonic_time ();
  g_signal_emit_by_name (fx->panel->cancel_button, "clicked");
  wait_for (panel_is_idle, fx->panel, "the query to stop");
  g_test_message ("stopped %.3f s after Cancel: %s", (g_get_monotonic_time () - start) / 1e6,
                  gtk_label_get_text (fx->panel->status_label));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (fx->panel->status_label), "Cancelled after"));
  after = map_selection (fx, "incidents");
  assert_same_fids (after, before, "the selection after Cancel");
}

static void
test_ready (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;
  GisLayer *layer;
  gint64 n;

  SKIP_WITHOUT_SAMPLE (fx);

  g_assert_cmpstr (gtk_button_get_label (fx->panel->ready_run[GIS_READY_INCIDENTS_IN_HABITAT]), ==, "_Run");
  g_assert_null (fx->panel->ready_km[GIS_READY_INCIDENTS_IN_HABITAT]);
  g_assert_nonnull (fx->panel->ready_km[GIS_READY_INCIDENTS_NEAR_BORDER]);
  g_signal_emit_by_name (fx->panel->ready_run[GIS_READY_INCIDENTS_IN_HABITAT], "clicked");
  g_assert_true (atalaya_query_panel_get_running (fx->panel));
  wait_for (panel_is_idle, fx->panel, "the ready query");
  g_test_message ("ready: %s", gtk_label_get_text (fx->panel->status_label));
  expected = sql_fids (fx, INSIDE_HABITAT_SQL, NULL);
  got = map_selection (fx, "incidents");
  assert_same_fids (got, expected, "incidents in habitat (ready)");

  /* saved as a layer, with the habitat's name: on this copy of the store */
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->ready_save_entry[GIS_READY_INCIDENTS_IN_HABITAT]),
                         "incidents in habitat");
  g_signal_emit_by_name (fx->panel->ready_save_entry[GIS_READY_INCIDENTS_IN_HABITAT], "activate");
  g_assert_true (atalaya_query_panel_get_running (fx->panel));
  wait_for (panel_is_idle, fx->panel, "the result layer");
  g_test_message ("saved: %s", gtk_label_get_text (fx->panel->status_label));
  g_assert_cmpint (layer_id (fx, "incidents in habitat"), >, 0);
  layer = atalaya_window_find_layer (fx->window, layer_id (fx, "incidents in habitat"));
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, expected->len);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", gis_layer_get_table_name (layer));

    n = sql_int (fx, sql);
  }
  g_assert_cmpint (n, ==, expected->len);

  /* the row's distance and geodesic switch reach the query: fewer
   * incidents within 10 km of the border than within 25 km */
  g_signal_emit_by_name (fx->panel->ready_run[GIS_READY_INCIDENTS_NEAR_BORDER], "clicked");
  wait_for (panel_is_idle, fx->panel, "the ready query");
  g_clear_pointer (&got, g_array_unref);
  got = map_selection (fx, "incidents");
  g_test_message ("near the border, 25 km: %s", gtk_label_get_text (fx->panel->status_label));
  gtk_spin_button_set_value (fx->panel->ready_km[GIS_READY_INCIDENTS_NEAR_BORDER], 10);
  gtk_switch_set_active (fx->panel->ready_geodesic[GIS_READY_INCIDENTS_NEAR_BORDER], TRUE);
  g_signal_emit_by_name (fx->panel->ready_run[GIS_READY_INCIDENTS_NEAR_BORDER], "clicked");
  wait_for (panel_is_idle, fx->panel, "the ready query");
  g_test_message ("near the border, 10 km geodesic: %s", gtk_label_get_text (fx->panel->status_label));
  g_clear_pointer (&expected, g_array_unref);
  expected = map_selection (fx, "incidents");
  g_assert_cmpuint (expected->len, >, 0);
  g_assert_cmpuint (expected->len, <, got->len);
}

static void
test_save_as_layer (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GArray) expected = NULL;
  GisLayer *layer;

  SKIP_WITHOUT_SAMPLE (fx);

  add_spatial (fx, GIS_SPATIAL_INSIDE, "habitat");
  add_attribute (fx, "severity", GIS_COMPARE_GE, "4");
  g_assert_cmpstr (query_text (fx), ==, "incidents: inside habitat and severity >= 4");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (fx->panel->save_layer_button)));
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->save_layer_entry), "severe in habitat");
  g_signal_emit_by_name (fx->panel->save_layer_entry, "activate");
  wait_for (panel_is_idle, fx->panel, "the result layer");
  g_test_message ("%s", gtk_label_get_text (fx->panel->status_label));

  expected = sql_fids (fx, "SELECT fid FROM incidents WHERE severity >= 4 AND fid IN (" INSIDE_HABITAT_SQL ") "
                           "ORDER BY fid", NULL);
  layer = atalaya_window_find_layer (fx->window, layer_id (fx, "severe in habitat"));
  g_assert_nonnull (layer);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, expected->len);
  g_assert_cmpint (gis_layer_get_role (layer), ==, GIS_LAYER_ROLE_RESULT);
  /* it is in the panel's layers too */
  g_assert_true (atalaya_query_panel_select_string (atalaya_query_panel_get_row (fx->panel, 0)->reference,
                                                    "severe in habitat"));
  /* a second layer of the same name is refused, in the status line */
  g_signal_emit_by_name (fx->panel->save_layer_entry, "activate");
  wait_for (panel_is_idle, fx->panel, "the refusal");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fx->panel->status_label), "error"));
}

static void
test_saved_queries (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GArray) got = NULL;
  QueryRow *row;

  SKIP_WITHOUT_SAMPLE (fx);

  row = add_spatial (fx, GIS_SPATIAL_WITHIN, "ports");
  gtk_spin_button_set_value (row->km_spin, 30);
  row = add_row (fx, "date");
  gtk_editable_set_text (GTK_EDITABLE (row->from), "2021-06");
  g_assert_cmpstr (query_text (fx), ==, "incidents: within 30 km of ports and date from 2021-06");
  text = g_strdup (query_text (fx));
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->save_query_entry), "near ports");
  g_signal_emit_by_name (fx->panel->save_query_entry, "activate");
  g_assert_nonnull (gtk_widget_get_first_child (GTK_WIDGET (fx->panel->saved_list)));

  /* cleared, then loaded back into the rows */
  while (fx->panel->rows->len > 0)
    atalaya_query_panel_remove_row (fx->panel, 0);
  atalaya_query_panel_set_target (fx->panel, "ports");
  g_assert_cmpstr (query_text (fx), ==, "ports: every feature");
  g_assert_true (atalaya_query_panel_load_query (fx->panel, "near ports", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fx->panel->rows->len, ==, 2);
  g_assert_cmpint (atalaya_query_panel_get_row (fx->panel, 0)->kind, ==, QUERY_ROW_SPATIAL);
  g_assert_cmpint (atalaya_query_panel_get_row (fx->panel, 1)->kind, ==, QUERY_ROW_DATE);
  g_assert_cmpstr (query_text (fx), ==, text);
  run (fx);
  /* the analysis CRS is EPSG:2163's sphere LAEA; the R*Tree box is wider
   * than 30 km everywhere below 78° N */
  expected = sql_fids (fx, "SELECT DISTINCT i.fid FROM ports p, idx_incidents_geom r, incidents i "
                           "WHERE r.xmin <= X(p.geom) + 1.5 AND r.xmax >= X(p.geom) - 1.5 "
                           "AND r.ymin <= Y(p.geom) + 0.5 AND r.ymax >= Y(p.geom) - 0.5 "
                           "AND i.fid = r.pkid AND i.occurred_at >= '2021-06-01' "
                           "AND ST_Distance(Transform(p.geom, 2163), Transform(i.geom, 2163)) <= 30000 "
                           "ORDER BY i.fid", NULL);
  got = map_selection (fx, "incidents");
  assert_same_fids (got, expected, "within 30 km of ports from June 2021");

  /* a nested query goes into the expression */
  while (fx->panel->rows->len > 0)
    atalaya_query_panel_remove_row (fx->panel, 0);
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->expression_entry),
                         "(severity >= 4 or category = 'wildlife_trafficking') and not inside habitat");
  g_clear_pointer (&text, g_free);
  text = g_strdup (query_text (fx));
  g_assert_true (atalaya_query_panel_save_query (fx->panel, "nested", &error));
  g_assert_no_error (error);
  gtk_editable_set_text (GTK_EDITABLE (fx->panel->expression_entry), "");
  g_assert_true (atalaya_query_panel_load_query (fx->panel, "nested", &error));
  g_assert_cmpuint (fx->panel->rows->len, ==, 0);
  g_assert_cmpstr (query_text (fx), ==, text);
  g_assert_true (strlen (gtk_editable_get_text (GTK_EDITABLE (fx->panel->expression_entry))) > 0);

  /* deleted */
  g_assert_true (atalaya_query_panel_delete_query (fx->panel, "nested", &error));
  g_assert_false (atalaya_query_panel_load_query (fx->panel, "nested", &error));
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/query-panel/inside-habitat", Fixture, NULL, fixture_set_up, test_inside_habitat, fixture_tear_down);
  g_test_add ("/query-panel/attribute", Fixture, NULL, fixture_set_up, test_attribute, fixture_tear_down);
  g_test_add ("/query-panel/injection", Fixture, NULL, fixture_set_up, test_injection, fixture_tear_down);
  g_test_add ("/query-panel/drawn-polygon", Fixture, NULL, fixture_set_up, test_drawn_polygon, fixture_tear_down);
  g_test_add ("/query-panel/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/query-panel/ready", Fixture, NULL, fixture_set_up, test_ready, fixture_tear_down);
  g_test_add ("/query-panel/save-as-layer", Fixture, NULL, fixture_set_up, test_save_as_layer, fixture_tear_down);
  g_test_add ("/query-panel/saved-queries", Fixture, NULL, fixture_set_up, test_saved_queries, fixture_tear_down);

  return g_test_run ();
}
