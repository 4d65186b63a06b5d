/* test-sql-console.c: the SQL console of the window on the sample store
 *
 * The real window under Xvfb on a copy of the sample store, its console
 * opened with win.sql-console: counts agree with SQLite's own, asked
 * directly; the table has the result's rows and columns; geometries
 * reach the map (the pixel at a port turns to the overlay's colour, and
 * back when the console closes); writes of every kind are refused and
 * leave the store's checksum as it was; a query counting to a billion
 * stops within moments of Cancel; the history keeps distinct statements,
 * most recent first, at most fifty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-sql-console"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "atalaya-application.h"
#include "atalaya-sql-console-private.h"
#include "atalaya-window-private.h"

typedef struct
{
  char               *dir;
  char               *store_path;
  AtalayaApplication *app;
  AtalayaWindow      *window;
  AtalayaSqlConsole  *console;
} Fixture;

/* ---- helpers -------------------------------------------------------------------- */

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

/* One integer from SQLite itself: no Atalaya code between. */
static gint64
sqlite_int (const char *store_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_open_v2 (store_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static gboolean
console_is_idle (gpointer data)
{
  return !atalaya_sql_console_get_running (data);
}

/* Types @sql and runs it, as Ctrl+Return does; waits for the answer. */
static void
run (Fixture    *fx,
     const char *sql)
{
  atalaya_sql_console_set_text (fx->console, sql);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.run", NULL));
  g_assert_true (atalaya_sql_console_get_running (fx->console));
  wait_for (console_is_idle, fx->console, "the query to end");
  g_test_message ("%s → %s", sql, gtk_label_get_text (fx->console->status_label));
}

static const char *
status_text (Fixture *fx)
{
  return gtk_label_get_text (fx->console->status_label);
}

static const char *
result_page (Fixture *fx)
{
  return gtk_stack_get_visible_child_name (fx->console->result_stack);
}

static guint
n_table_rows (Fixture *fx)
{
  GtkSelectionModel *model = gtk_column_view_get_model (fx->console->column_view);

  return model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
}

static gboolean
label_has_text (GtkWidget     *widget,
                gconstpointer  text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static void
wait_frames (int n)
{
  for (int i = 0; i < n; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static gboolean
button_has_action (GtkWidget     *widget,
                   gconstpointer  action)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

/* Whether the button of @action can be pressed: the action is enabled. */
static gboolean
action_enabled (Fixture    *fx,
                const char *action)
{
  GtkWidget *button = find_widget (GTK_WIDGET (fx->console), GTK_TYPE_BUTTON, button_has_action, action);

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button);
}

static gboolean
overlay_is_set (gpointer data)
{
  AtalayaWindow *window = data;

  return atalaya_map_controller_get_overlay (window->controller) != NULL;
}

/* The pixel of the map's image @dx_px right of @lon, @lat, as 0xAARRGGBB. */
static guint32
map_pixel_right (Fixture *fx,
                 double   lon,
                 double   lat,
                 double   dx_px)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  GdkTexture *texture = atalaya_map_view_get_texture (fx->window->map_view);
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  double scale = (double) w / gis_viewport_get_width (viewport);
  g_autofree guint32 *pixels = g_malloc ((gsize) w * h * 4);
  double px, py;
  int x, y;

  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));
  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  x = (int) floor ((px + dx_px) * scale);
  y = (int) floor (py * scale);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, w);
  g_assert_cmpint (y, <, h);
  return pixels[y * w + x];
}

static guint32
map_pixel (Fixture *fx,
           double   lon,
           double   lat)
{
  return map_pixel_right (fx, lon, lat, 0);
}

static void
assert_color (guint32     p,
              const char *expected)
{
  GisColor c;

  g_assert_true (gis_color_parse (expected, &c));
  g_test_message ("pixel %08x, expected %s", p, expected);
  g_assert_cmpint ((p >> 24) & 0xff, ==, 0xff);
  g_assert_cmpint (abs ((int) ((p >> 16) & 0xff) - (int) lround (c.r * 255)), <=, 2);
  g_assert_cmpint (abs ((int) ((p >> 8) & 0xff) - (int) lround (c.g * 255)), <=, 2);
  g_assert_cmpint (abs ((int) (p & 0xff) - (int) lround (c.b * 255)), <=, 2);
}

/* ---- fixture ---------------------------------------------------------------------- */

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
  g_autoptr(GSettings) settings = NULL;

  if (sample == NULL || !g_file_test (sample, G_FILE_TEST_EXISTS))
    return;

  /* every test starts without history (the memory backend lives as long
   * as the process) */
  settings = g_settings_new (APP_ID);
  g_settings_reset (settings, "sql-history");

  fx->dir = g_dir_make_tmp ("atalaya-sql-console-XXXXXX", &error);
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

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.sql-console", NULL));
  fx->console = fx->window->sql_console;
  g_assert_nonnull (fx->console);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->console)));
  g_assert_cmpstr (atalaya_sql_console_get_store_path (fx->console), ==, fx->store_path);
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

/* ---- tests ------------------------------------------------------------------------- */

static void
test_count (Fixture       *fx,
            gconstpointer  data)
{
  const char *sql = "SELECT count(*) FROM incidents WHERE severity >= 3";
  g_autofree char *expected = NULL;

  SKIP_WITHOUT_SAMPLE (fx);

  expected = g_strdup_printf ("%" G_GINT64_FORMAT, sqlite_int (fx->store_path, sql));
  run (fx, sql);
  g_assert_cmpstr (result_page (fx), ==, "table");
  g_assert_cmpuint (n_table_rows (fx), ==, 1);
  g_assert_cmpstr (atalaya_sql_console_get_cell (fx->console, 0, 0), ==, expected);
  g_assert_true (g_str_has_prefix (status_text (fx), "1 row in "));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fx->console->status_label), "error"));

  /* and the cell on screen shows it */
  wait_frames (10);
  g_assert_nonnull (find_widget (GTK_WIDGET (fx->console->column_view), GTK_TYPE_LABEL,
                                 label_has_text, expected));

  /* SpatiaLite's functions are there */
  run (fx, "SELECT ST_AsText(MakePoint(1.5, 2, 4326)), ST_Distance(MakePoint(0, 0), MakePoint(3, 4))");
  g_assert_cmpstr (result_page (fx), ==, "table");
  g_assert_cmpstr (atalaya_sql_console_get_cell (fx->console, 0, 0), ==, "POINT(1.5 2)");
  g_assert_cmpstr (atalaya_sql_console_get_cell (fx->console, 0, 1), ==, "5");

  /* and the spatial index: SpatialIndex against the R*Tree read directly */
  g_free (expected);
  expected = g_strdup_printf ("%" G_GINT64_FORMAT,
                              sqlite_int (fx->store_path, "SELECT count(*) FROM idx_ports_geom "
                                                          "WHERE xmax >= -120 AND xmin <= -100 "
                                                          "AND ymax >= 30 AND ymin <= 40"));
  run (fx, "SELECT count(*) FROM ports WHERE rowid IN (SELECT rowid FROM SpatialIndex "
           "WHERE f_table_name = 'ports' AND search_frame = BuildMbr(-120, 30, -100, 40))");
  g_assert_cmpstr (result_page (fx), ==, "table");
  g_assert_cmpstr (atalaya_sql_console_get_cell (fx->console, 0, 0), ==, expected);
  g_assert_cmpstr (expected, !=, "0");
  run (fx, "SELECT fid, distance FROM KNN WHERE f_table_name = 'ports' "
           "AND ref_geometry = MakePoint(-100, 40) AND max_items = 5");
  g_assert_cmpstr (result_page (fx), ==, "table");
  g_assert_cmpuint (n_table_rows (fx), ==, 5);
}

static void
test_rows_and_columns (Fixture       *fx,
                       gconstpointer  data)
{
  const char *const titles[] = { "fid", "port_name", "staff", "remark" };
  GListModel *columns;
  gint64 n;

  SKIP_WITHOUT_SAMPLE (fx);

  n = sqlite_int (fx->store_path, "SELECT count(*) FROM ports WHERE country = 'US'");
  g_assert_cmpint (n, >, 1);
  run (fx, "SELECT fid, port_name, staff, NULL AS remark FROM ports WHERE country = 'US' ORDER BY fid");
  g_assert_cmpstr (result_page (fx), ==, "table");
  g_assert_cmpuint (n_table_rows (fx), ==, n);
  g_assert_cmpuint (atalaya_sql_console_get_n_result_rows (fx->console), ==, n);
  g_assert_false (atalaya_sql_console_get_result_capped (fx->console));
  g_assert_cmpint (atalaya_sql_console_get_geometry_column (fx->console), ==, -1);

  columns = gtk_column_view_get_columns (fx->console->column_view);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, G_N_ELEMENTS (titles));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, titles[i]);
    }
  g_assert_null (atalaya_sql_console_get_cell (fx->console, 0, 3));
  {
    g_autofree char *status = g_strdup_printf ("%" G_GINT64_FORMAT " rows in ", n);

    g_assert_true (g_str_has_prefix (status_text (fx), status));
  }

  /* an empty result still has its columns */
  run (fx, "SELECT fid, port_name FROM ports WHERE 0");
  g_assert_cmpstr (result_page (fx), ==, "table");
  g_assert_cmpuint (n_table_rows (fx), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 2);
  g_assert_true (g_str_has_prefix (status_text (fx), "0 rows in "));

  /* an SQL error: the message in the status line */
  run (fx, "SELECT x FROM nowhere");
  g_assert_cmpstr (result_page (fx), ==, "message");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fx->console->status_label), "error"));
  g_assert_nonnull (strstr (status_text (fx), "nowhere"));
  g_assert_cmpuint (n_table_rows (fx), ==, 0);

  /* Clear empties the table */
  run (fx, "SELECT 1");
  g_assert_cmpuint (n_table_rows (fx), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.clear", NULL));
  g_assert_cmpstr (result_page (fx), ==, "empty");
  g_assert_cmpuint (n_table_rows (fx), ==, 0);
}

static void
test_row_cap (Fixture       *fx,
              gconstpointer  data)
{
  SKIP_WITHOUT_SAMPLE (fx);

  /* 100,000 incidents and one more row */
  run (fx, "SELECT fid, category FROM incidents UNION ALL SELECT 0, 'x'");
  g_assert_cmpuint (n_table_rows (fx), ==, ATALAYA_SQL_CONSOLE_MAX_ROWS);
  g_assert_true (atalaya_sql_console_get_result_capped (fx->console));
  g_assert_true (g_str_has_prefix (status_text (fx), "First 100,000 rows in ") ||
                 g_str_has_prefix (status_text (fx), "First 100000 rows in "));

  /* exactly the cap: not capped */
  run (fx, "SELECT fid FROM incidents");
  g_assert_cmpuint (n_table_rows (fx), ==, ATALAYA_SQL_CONSOLE_MAX_ROWS);
  g_assert_false (atalaya_sql_console_get_result_capped (fx->console));
}

static void
test_geometry_overlay (Fixture       *fx,
                       gconstpointer  data)
{
  GisViewport *viewport;
  GisLayerData *overlay;
  guint32 before, on, after;
  double lon, lat, px, py;
  gint64 n_ports;

  SKIP_WITHOUT_SAMPLE (fx);

  n_ports = sqlite_int (fx->store_path, "SELECT count(*) FROM ports");
  /* the first port's position, as SpatiaLite reads it */
  run (fx, "SELECT X(geom), Y(geom) FROM ports ORDER BY fid LIMIT 1");
  lon = g_ascii_strtod (atalaya_sql_console_get_cell (fx->console, 0, 0), NULL);
  lat = g_ascii_strtod (atalaya_sql_console_get_cell (fx->console, 0, 1), NULL);
  g_assert_null (atalaya_map_controller_get_overlay (fx->window->controller));

  /* close in on the port */
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  g_assert_true (gis_viewport_lonlat_to_pixel (viewport, lon, lat, &px, &py));
  gis_viewport_zoom_at (viewport, 64.0, px, py);
  settle (fx);
  before = map_pixel (fx, lon, lat);
  assert_color (before, GIS_STYLE_PORT_FILL);

  run (fx, "SELECT fid, port_name, geom FROM ports ORDER BY fid");
  g_assert_cmpuint (n_table_rows (fx), ==, n_ports);
  g_assert_cmpint (atalaya_sql_console_get_geometry_column (fx->console), ==, 2);
  g_assert_true (g_str_has_prefix (atalaya_sql_console_get_cell (fx->console, 0, 2), "POINT ("));
  wait_for (overlay_is_set, fx->window, "the overlay");
  overlay = atalaya_map_controller_get_overlay (fx->window->controller);
  g_assert_cmpuint (gis_layer_data_get_n_features (overlay), ==, n_ports);
  for (guint i = 0; i < n_ports; i++)
    g_assert_cmpint (gis_layer_data_get_feature_kind (overlay, i), ==, GIS_FEATURE_POINT);
  g_assert_nonnull (strstr (status_text (fx), "on the map"));
  settle (fx);
  on = map_pixel (fx, lon, lat);
  assert_color (on, GIS_STYLE_OVERLAY_COLOR);

  /* the row picked in the table is highlighted: a ring around the symbol */
  {
    GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (fx->console->column_view));
    GisColor yellow;
    guint32 ring;

    g_assert_true (gis_color_parse (GIS_STYLE_SELECTION_COLOR, &yellow));
    g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, GTK_INVALID_LIST_POSITION);
    g_assert_cmpuint (map_pixel_right (fx, lon, lat, 6.5) & 0xffffff, !=, 0xffd000);
    gtk_single_selection_set_selected (selection, 0);
    settle (fx);
    ring = map_pixel_right (fx, lon, lat, 6.5);
    assert_color (ring, GIS_STYLE_SELECTION_COLOR);
    assert_color (map_pixel (fx, lon, lat), GIS_STYLE_OVERLAY_COLOR);
    gtk_single_selection_set_selected (selection, GTK_INVALID_LIST_POSITION);
    settle (fx);
    g_assert_cmpuint (map_pixel_right (fx, lon, lat, 6.5), !=, ring);
  }

  /* Zoom to Result shows every port */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.zoom-to-result", NULL));
  {
    const GisExtent *all = gis_layer_data_get_extent (overlay);
    double x0, y0, x1, y1;

    gis_viewport_pixel_to_map (viewport, 0, gis_viewport_get_height (viewport), &x0, &y0);
    gis_viewport_pixel_to_map (viewport, gis_viewport_get_width (viewport), 0, &x1, &y1);
    g_assert_cmpfloat (x0, <=, all->min_x);
    g_assert_cmpfloat (x1, >=, all->max_x);
    g_assert_cmpfloat (y0, <=, all->min_y);
    g_assert_cmpfloat (y1, >=, all->max_y);
  }

  /* a polygon result: the countries */
  run (fx, "SELECT rowid, geom FROM countries");
  wait_for (overlay_is_set, fx->window, "the overlay");
  overlay = atalaya_map_controller_get_overlay (fx->window->controller);
  g_assert_cmpuint (gis_layer_data_get_n_features (overlay), ==,
                    sqlite_int (fx->store_path, "SELECT count(*) FROM countries"));
  g_assert_false (gis_layer_data_is_point_layer (overlay));

  /* a result without geometry removes the overlay */
  run (fx, "SELECT 1");
  g_assert_null (atalaya_map_controller_get_overlay (fx->window->controller));

  /* closing the console removes it too, and the port shows again */
  run (fx, "SELECT geom FROM ports");
  wait_for (overlay_is_set, fx->window, "the overlay");
  g_assert_true (g_str_has_prefix (atalaya_sql_console_get_cell (fx->console, 0, 0), "POINT ("));
  gtk_window_close (GTK_WINDOW (fx->console));
  wait_frames (5);
  g_assert_null (fx->window->sql_console);
  g_assert_null (atalaya_map_controller_get_overlay (fx->window->controller));
  {
    GisExtent e = { lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05 };

    atalaya_map_view_zoom_to_lonlat (fx->window->map_view, &e);
  }
  settle (fx);
  after = map_pixel (fx, lon, lat);
  assert_color (after, GIS_STYLE_PORT_FILL);
}

/* A new display CRS projects the overlay again. */
static void
test_overlay_follows_crs (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GisCrs) mercator = gis_crs_new ("EPSG:3857", NULL);
  g_autoptr(GisCrs) wgs = gis_crs_new_storage ();
  g_autoptr(GisTransform) t = gis_transform_new (wgs, mercator, NULL);
  g_autoptr(GError) error = NULL;
  GisViewport *viewport;
  GisLayerData *overlay;
  GisExtent e;
  double x, y;

  SKIP_WITHOUT_SAMPLE (fx);

  run (fx, "SELECT MakePoint(-106.45, 31.76, 4326) AS p");
  wait_for (overlay_is_set, fx->window, "the overlay");
  viewport = atalaya_map_view_get_viewport (fx->window->map_view);
  g_assert_true (gis_viewport_set_crs (viewport, mercator, &error));
  g_assert_no_error (error);
  /* dropped at once, projected again on a worker */
  g_assert_null (atalaya_map_controller_get_overlay (fx->window->controller));
  wait_for (overlay_is_set, fx->window, "the overlay in the new CRS");
  overlay = atalaya_map_controller_get_overlay (fx->window->controller);
  g_assert_true (gis_crs_equal (gis_layer_data_get_crs (overlay), mercator));
  x = -106.45;
  y = 31.76;
  g_assert_true (gis_transform_point (t, &x, &y));
  gis_layer_data_get_feature_extent (overlay, 0, &e);
  g_assert_cmpfloat_with_epsilon (e.min_x, x, 1e-6);
  g_assert_cmpfloat_with_epsilon (e.min_y, y, 1e-6);

  /* geometries in another SRID land at the same place */
  run (fx, "SELECT ST_Transform(MakePoint(-106.45, 31.76, 4326), 5070)");
  wait_for (overlay_is_set, fx->window, "the overlay from EPSG:5070");
  overlay = atalaya_map_controller_get_overlay (fx->window->controller);
  gis_layer_data_get_feature_extent (overlay, 0, &e);
  g_assert_cmpfloat_with_epsilon (e.min_x, x, 1e-3);
  g_assert_cmpfloat_with_epsilon (e.min_y, y, 1e-3);
}

static void
test_writes_refused (Fixture       *fx,
                     gconstpointer  data)
{
  const char *const writes[] = {
    "DELETE FROM ports",
    "DROP TABLE ports",
    "SELECT DiscardGeometryColumn('ports', 'geom')",
    "SELECT DropGeoTable('ports')",
    "UPDATE ports SET port_name = 'x'",
    "INSERT INTO ports (fid) VALUES (100000)",
    "CREATE TABLE t (x)",
    "ATTACH DATABASE ':memory:' AS other",
    "PRAGMA user_version = 7",
    "WITH d AS (SELECT 1) DELETE FROM ports",
    "DELETE FROM idx_ports_geom",
    "INSERT INTO idx_ports_geom VALUES (100000, 0, 1, 0, 1)",
    "SELECT DisableSpatialIndex('ports', 'geom')",
    "SELECT 1; DELETE FROM ports",
  };
  g_autofree char *before = NULL;
  gint64 n_ports;

  SKIP_WITHOUT_SAMPLE (fx);

  before = gui_store_checksum (fx->store_path);
  n_ports = sqlite_int (fx->store_path, "SELECT count(*) FROM ports");

  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    {
      g_autofree char *after = NULL;

      g_test_message ("%s", writes[i]);
      run (fx, writes[i]);
      g_test_message ("→ %s", status_text (fx));
      g_assert_cmpstr (result_page (fx), ==, "message");
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fx->console->status_label), "error"));
      g_assert_cmpuint (n_table_rows (fx), ==, 0);
      /* the refusal says so, and names what the user can rely on */
      if (strstr (writes[i], "; DELETE") == NULL)
        {
          g_assert_nonnull (strstr (status_text (fx), "Refused"));
          g_assert_nonnull (strstr (status_text (fx), "Nothing was changed"));
          g_assert_cmpstr (adw_status_page_get_title (fx->console->message_page), ==, "Statement Refused");
        }
      after = gui_store_checksum (fx->store_path);
      g_assert_cmpstr (after, ==, before);
    }
  g_assert_cmpint (sqlite_int (fx->store_path, "SELECT count(*) FROM ports"), ==, n_ports);

  /* the console still reads */
  run (fx, "SELECT count(*) FROM ports");
  g_assert_cmpint (g_ascii_strtoll (atalaya_sql_console_get_cell (fx->console, 0, 0), NULL, 10), ==, n_ports);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  gboolean waited = FALSE;
  gint64 t0, elapsed_us;

  SKIP_WITHOUT_SAMPLE (fx);

  atalaya_sql_console_set_text (fx->console,
                                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                "WHERE x < 1000000000) SELECT count(*) FROM c");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.run", NULL));
  g_timeout_add (500, on_timeout, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (atalaya_sql_console_get_running (fx->console));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->console->spinner)));
  g_assert_nonnull (strstr (status_text (fx), "Running"));
  /* while it runs, Run is off and Cancel on */
  g_assert_false (action_enabled (fx, "console.run"));
  g_assert_true (action_enabled (fx, "console.cancel"));

  t0 = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.cancel", NULL));
  wait_for (console_is_idle, fx->console, "the query to stop");
  elapsed_us = g_get_monotonic_time () - t0;
  g_test_message ("stopped %.3f s after Cancel", elapsed_us / 1e6);
  g_assert_cmpint (elapsed_us, <, 2 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (status_text (fx), "Cancelled after "));
  g_assert_cmpstr (result_page (fx), ==, "message");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->console->spinner)));
  g_assert_true (action_enabled (fx, "console.run"));
  g_assert_false (action_enabled (fx, "console.cancel"));

  /* the console works on */
  run (fx, "SELECT 6 * 7");
  g_assert_cmpstr (atalaya_sql_console_get_cell (fx->console, 0, 0), ==, "42");

  /* closing the console while a query runs stops it */
  atalaya_sql_console_set_text (fx->console,
                                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                "WHERE x < 1000000000) SELECT count(*) FROM c");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.run", NULL));
  wait_frames (5);
  gtk_window_close (GTK_WINDOW (fx->console));
  wait_frames (5);
  g_assert_null (fx->window->sql_console);
}

static char **
history (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  return g_settings_get_strv (settings, "sql-history");
}

static void
test_history (Fixture       *fx,
              gconstpointer  data)
{
  g_auto(GStrv) h = NULL;
  g_autofree char *text = NULL;

  SKIP_WITHOUT_SAMPLE (fx);

  h = history ();
  g_assert_cmpuint (g_strv_length (h), ==, 0);
  g_clear_pointer (&h, g_strfreev);

  /* most recent first, each once, stripped */
  run (fx, "SELECT 1");
  run (fx, "  SELECT 2\n");
  run (fx, "SELECT 1");
  run (fx, "SELECT x FROM nowhere");   /* errors are kept: fix and run again */
  h = history ();
  g_assert_cmpuint (g_strv_length (h), ==, 3);
  g_assert_cmpstr (h[0], ==, "SELECT x FROM nowhere");
  g_assert_cmpstr (h[1], ==, "SELECT 1");
  g_assert_cmpstr (h[2], ==, "SELECT 2");
  g_clear_pointer (&h, g_strfreev);

  /* Ctrl+Up and Ctrl+Down walk it and come back to the draft */
  atalaya_sql_console_set_text (fx->console, "SELECT draft");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.history-previous", NULL));
  text = atalaya_sql_console_dup_text (fx->console);
  g_assert_cmpstr (text, ==, "SELECT x FROM nowhere");
  g_clear_pointer (&text, g_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.history-previous", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.history-previous", NULL));
  text = atalaya_sql_console_dup_text (fx->console);
  g_assert_cmpstr (text, ==, "SELECT 2");
  g_clear_pointer (&text, g_free);
  /* the oldest: no further back */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.history-previous", NULL));
  text = atalaya_sql_console_dup_text (fx->console);
  g_assert_cmpstr (text, ==, "SELECT 2");
  g_clear_pointer (&text, g_free);
  for (int i = 0; i < 3; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.history-next", NULL));
  text = atalaya_sql_console_dup_text (fx->console);
  g_assert_cmpstr (text, ==, "SELECT draft");
  g_clear_pointer (&text, g_free);

  /* after a run the editor holds the newest entry: Ctrl+Up skips it */
  atalaya_sql_console_set_text (fx->console, "SELECT x FROM nowhere\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.history-previous", NULL));
  text = atalaya_sql_console_dup_text (fx->console);
  g_assert_cmpstr (text, ==, "SELECT 1");
  g_clear_pointer (&text, g_free);

  /* the popover lists them; a click recalls one */
  {
    GtkListBoxRow *row;

    g_assert_cmpstr (gtk_stack_get_visible_child_name (fx->console->history_stack), ==, "list");
    row = gtk_list_box_get_row_at_index (fx->console->history_list, 2);
    g_assert_nonnull (row);
    g_assert_null (gtk_list_box_get_row_at_index (fx->console->history_list, 3));
    g_signal_emit_by_name (fx->console->history_list, "row-activated", row);
    text = atalaya_sql_console_dup_text (fx->console);
    g_assert_cmpstr (text, ==, "SELECT 2");
    g_clear_pointer (&text, g_free);
  }

  /* at most fifty */
  for (int i = 0; i < 60; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %d AS n", i);

      run (fx, sql);
    }
  h = history ();
  g_assert_cmpuint (g_strv_length (h), ==, ATALAYA_SQL_CONSOLE_MAX_HISTORY);
  g_assert_cmpstr (h[0], ==, "SELECT 59 AS n");
  g_assert_cmpstr (h[49], ==, "SELECT 10 AS n");
  g_clear_pointer (&h, g_strfreev);
  g_assert_nonnull (gtk_list_box_get_row_at_index (fx->console->history_list, 49));
  g_assert_null (gtk_list_box_get_row_at_index (fx->console->history_list, 50));

  /* a new console starts on the last statement, selected */
  gtk_window_close (GTK_WINDOW (fx->console));
  wait_frames (2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.sql-console", NULL));
  fx->console = fx->window->sql_console;
  text = atalaya_sql_console_dup_text (fx->console);
  g_assert_cmpstr (text, ==, "SELECT 59 AS n");
  g_assert_true (gtk_text_buffer_get_has_selection (gtk_text_view_get_buffer (fx->console->text_view)));

  /* Clear History */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->console), "console.clear-history", NULL));
  h = history ();
  g_assert_cmpuint (g_strv_length (h), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (fx->console->history_stack), ==, "empty");
}

static gboolean
shortcut_has_title (GtkWidget     *widget,
                    gconstpointer  title)
{
  g_autofree char *t = NULL;

  g_object_get (widget, "title", &t, NULL);
  return g_strcmp0 (t, title) == 0;
}

/* The shortcuts window lists the console's keys. */
static void
test_shortcuts (Fixture       *fx,
                gconstpointer  data)
{
  GtkShortcutsWindow *help;
  GtkWidget *shortcut;
  g_autofree char *accel = NULL;

  SKIP_WITHOUT_SAMPLE (fx);

  help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fx->window));
  g_assert_nonnull (help);
  shortcut = find_widget (GTK_WIDGET (help), GTK_TYPE_SHORTCUTS_SHORTCUT, shortcut_has_title, "SQL console");
  g_assert_nonnull (shortcut);
  g_object_get (shortcut, "accelerator", &accel, NULL);
  g_assert_cmpstr (accel, ==, "<Shift><Control>q");
  g_assert_nonnull (find_widget (GTK_WIDGET (help), GTK_TYPE_SHORTCUTS_SHORTCUT, shortcut_has_title,
                                 "Run the statement or the selected text"));
}

static void
test_store_change_closes (Fixture       *fx,
                          gconstpointer  data)
{
  SKIP_WITHOUT_SAMPLE (fx);

  run (fx, "SELECT geom FROM ports");
  wait_for (overlay_is_set, fx->window, "the overlay");
  /* the same store listed again (after an edit) keeps the console */
  atalaya_window_reload_layers (fx->window);
  g_assert_nonnull (fx->window->sql_console);
  g_assert_nonnull (atalaya_map_controller_get_overlay (fx->window->controller));

  atalaya_window_close_store (fx->window);
  g_assert_null (fx->window->sql_console);
  g_assert_null (atalaya_map_controller_get_overlay (fx->window->controller));
  gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.sql-console", NULL);
  g_assert_null (fx->window->sql_console);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/sql-console/count", Fixture, NULL, fixture_set_up, test_count, fixture_tear_down);
  g_test_add ("/sql-console/rows-and-columns", Fixture, NULL, fixture_set_up, test_rows_and_columns, fixture_tear_down);
  g_test_add ("/sql-console/row-cap", Fixture, NULL, fixture_set_up, test_row_cap, fixture_tear_down);
  g_test_add ("/sql-console/geometry-overlay", Fixture, NULL, fixture_set_up, test_geometry_overlay, fixture_tear_down);
  g_test_add ("/sql-console/overlay-follows-crs", Fixture, NULL, fixture_set_up, test_overlay_follows_crs, fixture_tear_down);
  g_test_add ("/sql-console/writes-refused", Fixture, NULL, fixture_set_up, test_writes_refused, fixture_tear_down);
  g_test_add ("/sql-console/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/sql-console/history", Fixture, NULL, fixture_set_up, test_history, fixture_tear_down);
  g_test_add ("/sql-console/shortcuts", Fixture, NULL, fixture_set_up, test_shortcuts, fixture_tear_down);
  g_test_add ("/sql-console/store-change-closes", Fixture, NULL, fixture_set_up, test_store_change_closes, fixture_tear_down);

  return g_test_run ();
}
