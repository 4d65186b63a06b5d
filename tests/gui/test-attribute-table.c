/* test-attribute-table.c: the attribute table and the identify panel
 *
 * Runs the real widgets under Xvfb on a store of 100,000 points made here
 * (a generated CSV imported with gis_store_import()), and checks what the
 * table model holds against SQL and what the rows on screen show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-attribute-table"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gis.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

#include "atalaya-attribute-table.h"
#include "atalaya-identify-panel.h"

#define N_POINTS        100000

static const char *const categories[] = {
  "hazardous_waste", "illegal_dumping", "illegal_logging", "ods_smuggling", "wildlife_trafficking",
};

static struct
{
  char     *dir;
  char     *path;
  GisStore *store;     /* the test's own connection, for SQL */
  GisLayer *layer;
} data;

typedef struct
{
  GtkWindow             *window;
  AtalayaAttributeTable *table;
  guint                  n_selection_changed;
  GisExtent              zoom_extent;
  guint                  n_zoom;
} Fixture;

/* ---- helpers ----------------------------------------------------------- */

/* Lets GTK lay out and draw a few frames. */
static void
settle (void)
{
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (G_USEC_PER_SEC / 200);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static gboolean
label_has_text (GtkWidget     *widget,
                gconstpointer  text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
label_has_prefix (GtkWidget     *widget,
                  gconstpointer  text)
{
  return g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), text);
}

static gboolean
button_has_tooltip (GtkWidget     *widget,
                    gconstpointer  text)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0;
}

static gboolean
button_has_label (GtkWidget     *widget,
                  gconstpointer  text)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0;
}

static gboolean
is_operator_dropdown (GtkWidget     *widget,
                      gconstpointer  unused)
{
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (widget));

  return model != NULL && g_list_model_get_n_items (model) == GIS_FILTER_N_OPERATORS;
}

static GtkColumnView *
get_column_view (Fixture *fixture)
{
  GtkWidget *view = find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_COLUMN_VIEW, NULL, NULL);

  g_assert_nonnull (view);
  return GTK_COLUMN_VIEW (view);
}

static GtkWidget *
get_list_view (Fixture *fixture)
{
  GtkWidget *list = find_widget (GTK_WIDGET (get_column_view (fixture)), GTK_TYPE_LIST_VIEW, NULL, NULL);

  g_assert_nonnull (list);
  return list;
}

static GtkSelectionModel *
get_selection (Fixture *fixture)
{
  return gtk_column_view_get_model (get_column_view (fixture));
}

static GtkColumnViewColumn *
get_column (Fixture    *fixture,
            const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (get_column_view (fixture));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  g_error ("No column “%s”", title);
  return NULL;
}

static char *
site_name (gint64 fid)
{
  return g_strdup_printf ("Site %06" G_GINT64_FORMAT, fid);
}

/* The on-screen label showing @text in the table's rows, or NULL. */
static GtkWidget *
find_row_label (Fixture    *fixture,
                const char *text)
{
  GtkWidget *label = find_widget (get_list_view (fixture), GTK_TYPE_LABEL, label_has_text, text);

  if (label == NULL || !gtk_widget_is_drawable (label))
    return NULL;
  return label;
}

/* Whether the list view shows @label inside its visible area. */
static gboolean
is_in_view (Fixture   *fixture,
            GtkWidget *label)
{
  GtkWidget *list = get_list_view (fixture);
  graphene_point_t point;

  if (!gtk_widget_compute_point (label, list, &GRAPHENE_POINT_INIT (0, 0), &point))
    return FALSE;
  return point.y >= 0 && point.y + gtk_widget_get_height (label) <= gtk_widget_get_height (list);
}

/* The texts of the row showing @name, in column order. */
static GPtrArray *
row_texts (Fixture    *fixture,
           const char *name)
{
  GtkWidget *label = find_row_label (fixture, name);
  GtkWidget *list = get_list_view (fixture);
  GtkWidget *row;
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (label);
  row = label;
  while (gtk_widget_get_parent (row) != list)
    row = gtk_widget_get_parent (row);

  for (GtkWidget *cell = gtk_widget_get_first_child (row);
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      GtkWidget *cell_label = find_widget (cell, GTK_TYPE_LABEL, NULL, NULL);

      g_ptr_array_add (texts, g_strdup (cell_label != NULL ? gtk_label_get_text (GTK_LABEL (cell_label)) : ""));
    }
  return texts;
}

/* The values of feature @fid as the table formats them, from SQL. */
static GPtrArray *
sql_texts (gint64 fid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.layer));
  g_autofree char *sql = g_strdup_printf ("SELECT fid, name, category, severity, score, lon, lat "
                                          "FROM %s WHERE fid = ?1", qt);
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  stmt = gis_sql_prepare (gis_store_get_db (data.store), sql, &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, fid);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  for (int c = 0; c < sqlite3_column_count (stmt); c++)
    {
      if (sqlite3_column_type (stmt, c) == SQLITE_FLOAT)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_ptr_array_add (texts, g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g",
                                                             sqlite3_column_double (stmt, c))));
        }
      else
        g_ptr_array_add (texts, g_strdup ((const char *) sqlite3_column_text (stmt, c)));
    }
  return texts;
}

static void
assert_row_shows (Fixture *fixture,
                  gint64   fid)
{
  g_autofree char *name = site_name (fid);
  g_autoptr(GPtrArray) shown = row_texts (fixture, name);
  g_autoptr(GPtrArray) expected = sql_texts (fid);

  g_assert_cmpuint (shown->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (g_ptr_array_index (shown, i), ==, g_ptr_array_index (expected, i));
}

static gint64
sql_first_fid (const char *order_by)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.layer));
  g_autofree char *sql = g_strdup_printf ("SELECT fid FROM %s ORDER BY %s LIMIT 1", qt, order_by);

  stmt = gis_sql_prepare (gis_store_get_db (data.store), sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
sql_count (const char *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *qt = gis_sql_quote_ident (gis_layer_get_table_name (data.layer));
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s", qt, where);

  stmt = gis_sql_prepare (gis_store_get_db (data.store), sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* ---- waiting ------------------------------------------------------------ */

static gboolean
model_is_ready (gpointer user_data)
{
  Fixture *fixture = user_data;
  GisFeatureModel *model = atalaya_attribute_table_get_model (fixture->table);

  return model != NULL &&
         !gis_feature_model_get_loading (model) &&
         gis_feature_model_get_columns (model) != NULL;
}

typedef struct
{
  Fixture    *fixture;
  const char *text;
} LabelWait;

static gboolean
row_label_is_shown (gpointer user_data)
{
  LabelWait *wait = user_data;

  return find_row_label (wait->fixture, wait->text) != NULL;
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
is_not_loading (gpointer user_data)
{
  Fixture *fixture = user_data;

  return !gis_feature_model_get_loading (atalaya_attribute_table_get_model (fixture->table));
}

static gboolean
zoom_came (gpointer user_data)
{
  return ((Fixture *) user_data)->n_zoom > 0;
}

static void
wait_for_reload (Fixture *fixture)
{
  g_assert_true (gis_feature_model_get_loading (atalaya_attribute_table_get_model (fixture->table)));
  wait_for (is_not_loading, fixture, "the table to reload");
  settle ();
}

static void
wait_for_row (Fixture *fixture,
              gint64   fid)
{
  g_autofree char *name = site_name (fid);
  LabelWait wait = { fixture, name };

  wait_for (row_label_is_shown, &wait, name);
}

/* ---- the store ---------------------------------------------------------- */

static void
build_store (void)
{
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) csv = g_string_sized_new (N_POINTS * 64);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  g_autofree char *csv_path = NULL;
  gint64 t0 = g_get_monotonic_time ();

  data.dir = g_dir_make_tmp ("atalaya-test-table-XXXXXX", &error);
  g_assert_no_error (error);
  csv_path = g_build_filename (data.dir, "incidents.csv", NULL);
  data.path = g_build_filename (data.dir, "table.sqlite", NULL);

  g_string_append (csv, "name,category,severity,score,lon,lat\n");
  for (guint i = 1; i <= N_POINTS; i++)
    {
      char score[G_ASCII_DTOSTR_BUF_SIZE], lon[G_ASCII_DTOSTR_BUF_SIZE], lat[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (csv, "Site %06u,%s,%d,%s,%s,%s\n", i,
                              categories[g_rand_int_range (rand, 0, G_N_ELEMENTS (categories))],
                              g_rand_int_range (rand, 1, 6),
                              g_ascii_formatd (score, sizeof score, "%.2f", g_rand_double_range (rand, 0, 100)),
                              g_ascii_formatd (lon, sizeof lon, "%.5f", g_rand_double_range (rand, -117, -97)),
                              g_ascii_formatd (lat, sizeof lat, "%.5f", g_rand_double_range (rand, 26, 33)));
    }
  g_file_set_contents (csv_path, csv->str, csv->len, &error);
  g_assert_no_error (error);

  data.store = gis_store_create (data.path, &error);
  g_assert_no_error (error);

  options->layer_name = g_strdup ("Incidents");
  options->role = GIS_LAYER_ROLE_INCIDENT;
  options->x_field = g_strdup ("lon");
  options->y_field = g_strdup ("lat");
  data.layer = gis_store_import (data.store, csv_path, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gis_layer_get_feature_count (data.layer), ==, N_POINTS);

  g_test_message ("Made a store of %d points in %.2f s", N_POINTS,
                  (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
}

static void
remove_recursively (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_recursively (child);
        }
    }
  g_remove (path);
}

/* ---- fixture ------------------------------------------------------------ */

static void
on_selection_changed (AtalayaAttributeTable *table,
                      Fixture               *fixture)
{
  fixture->n_selection_changed++;
}

static void
on_zoom_to_selection (AtalayaAttributeTable *table,
                      const GisExtent       *extent,
                      Fixture               *fixture)
{
  fixture->zoom_extent = *extent;
  fixture->n_zoom++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1000, 600);
  fixture->table = ATALAYA_ATTRIBUTE_TABLE (atalaya_attribute_table_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->table));
  g_signal_connect (fixture->table, "selection-changed", G_CALLBACK (on_selection_changed), fixture);
  g_signal_connect (fixture->table, "zoom-to-selection", G_CALLBACK (on_zoom_to_selection), fixture);
  gtk_window_present (fixture->window);
  wait_for (is_mapped, fixture->window, "the window to be mapped");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  AtalayaAttributeTable *table = fixture->table;
  GisFeatureModel *model = atalaya_attribute_table_get_model (table);

  /* Nothing may keep the table or its model alive. */
  g_object_add_weak_pointer (G_OBJECT (table), (gpointer *) &table);
  if (model != NULL)
    g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  gtk_window_destroy (fixture->window);
  settle ();
  g_assert_null (table);
  g_assert_null (model);
}

/* Shows the layer and waits for its first rows. */
static void
show_layer (Fixture *fixture)
{
  gint64 t0 = g_get_monotonic_time ();
  double seconds;

  atalaya_attribute_table_set_layer (fixture->table, data.path, data.layer);
  g_assert_true (atalaya_attribute_table_get_layer (fixture->table) == data.layer);
  wait_for (model_is_ready, fixture, "the table to load");
  seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  g_test_message ("set_layer to ready for %d rows: %.3f s (the model's load: %.3f s)",
                  N_POINTS, seconds,
                  gis_feature_model_get_load_seconds (atalaya_attribute_table_get_model (fixture->table)));
  g_assert_cmpfloat (seconds, <, 5.0);

  t0 = g_get_monotonic_time ();
  wait_for_row (fixture, 1);
  g_test_message ("first rows drawn %.3f s later",
                  (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
  settle ();
}

/* ---- tests ------------------------------------------------------------ */

static void
test_table_empty (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_assert_null (atalaya_attribute_table_get_layer (fixture->table));
  g_assert_null (atalaya_attribute_table_get_model (fixture->table));
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text, "No Layer"));
  g_assert_cmpuint (atalaya_attribute_table_get_n_selected (fixture->table), ==, 0);
}

static void
test_table_load (Fixture       *fixture,
                 gconstpointer  user_data)
{
  GisFeatureModel *model;
  g_autofree char *count = g_strdup_printf ("%d features", N_POINTS);

  show_layer (fixture);
  model = atalaya_attribute_table_get_model (fixture->table);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_POINTS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_selection (fixture))), ==, N_POINTS);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (get_column_view (fixture))), ==, 7);
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text, "Incidents"));
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text, count));

  /* the first rows, as SQL has them */
  for (gint64 fid = 1; fid <= 5; fid++)
    assert_row_shows (fixture, fid);
  g_assert_true (is_in_view (fixture, find_row_label (fixture, "Site 000001")));

  /* numbers are right-aligned */
  {
    g_autoptr(GPtrArray) texts = row_texts (fixture, "Site 000001");
    GtkWidget *severity = find_widget (get_list_view (fixture), GTK_TYPE_LABEL, label_has_text,
                                       g_ptr_array_index (texts, 3));
    GtkWidget *name = find_row_label (fixture, "Site 000001");

    g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (severity)), ==, 1.0);
    g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (name)), ==, 0.0);
  }
  g_assert_cmpuint (fixture->n_selection_changed, ==, 0);
}

static void
test_table_sort (Fixture       *fixture,
                 gconstpointer  user_data)
{
  GisFeatureModel *model;
  gint64 first;

  show_layer (fixture);
  model = atalaya_attribute_table_get_model (fixture->table);

  /* A click on a header sorts through the column view's sorter. */
  gtk_column_view_sort_by_column (get_column_view (fixture), get_column (fixture, "severity"),
                                  GTK_SORT_DESCENDING);
  wait_for_reload (fixture);
  g_assert_cmpstr (gis_feature_model_get_sort_column (model), ==, "severity");
  g_assert_true (gis_feature_model_get_sort_descending (model));
  first = sql_first_fid ("severity DESC, fid");
  g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, first);
  wait_for_row (fixture, first);
  assert_row_shows (fixture, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_POINTS);

  gtk_column_view_sort_by_column (get_column_view (fixture), get_column (fixture, "score"),
                                  GTK_SORT_ASCENDING);
  wait_for_reload (fixture);
  first = sql_first_fid ("score, fid");
  g_assert_cmpstr (gis_feature_model_get_sort_column (model), ==, "score");
  g_assert_false (gis_feature_model_get_sort_descending (model));
  g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, first);
  wait_for_row (fixture, first);
  assert_row_shows (fixture, first);
  {
    g_autofree char *name = site_name (first);

    g_assert_true (is_in_view (fixture, find_row_label (fixture, name)));
  }

  gtk_column_view_sort_by_column (get_column_view (fixture), NULL, GTK_SORT_ASCENDING);
  wait_for_reload (fixture);
  g_assert_null (gis_feature_model_get_sort_column (model));
  g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, 1);
  g_assert_cmpuint (fixture->n_selection_changed, ==, 0);
}

static void
test_table_select_from_map (Fixture       *fixture,
                            gconstpointer  user_data)
{
  static const gint64 fids[] = { 99990, 50000, 50001 };
  GtkSelectionModel *selection;
  GisFeatureModel *model;
  GtkAdjustment *vadjustment;
  g_autofree gint64 *selected = NULL;
  gsize n = 0;

  show_layer (fixture);
  model = atalaya_attribute_table_get_model (fixture->table);
  selection = get_selection (fixture);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (get_column_view (fixture)));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0.0);

  atalaya_attribute_table_select_fids (fixture->table, fids, G_N_ELEMENTS (fids));
  g_assert_cmpuint (fixture->n_selection_changed, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (fids); i++)
    g_assert_true (gtk_selection_model_is_selected (selection,
                                                    gis_feature_model_get_position (model, fids[i])));
  g_assert_false (gtk_selection_model_is_selected (selection, 0));
  g_assert_false (gtk_selection_model_is_selected (selection, 49998));

  selected = atalaya_attribute_table_get_selected_fids (fixture->table, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (selected[0], ==, 50000);
  g_assert_cmpint (selected[1], ==, 50001);
  g_assert_cmpint (selected[2], ==, 99990);

  /* scrolled to the first in the table's order */
  wait_for_row (fixture, 50000);
  settle ();
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >, 0.0);
  g_assert_true (is_in_view (fixture, find_row_label (fixture, "Site 050000")));
  g_assert_null (find_row_label (fixture, "Site 000001"));

  /* the selection stays across a sort, and is not "changed" */
  gtk_column_view_sort_by_column (get_column_view (fixture), get_column (fixture, "name"),
                                  GTK_SORT_DESCENDING);
  wait_for_reload (fixture);
  g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, N_POINTS);
  for (guint i = 0; i < G_N_ELEMENTS (fids); i++)
    g_assert_true (gtk_selection_model_is_selected (selection,
                                                    gis_feature_model_get_position (model, fids[i])));
  g_assert_cmpuint (gtk_bitset_get_size (gtk_selection_model_get_selection (selection)), ==, 3);
  g_assert_cmpuint (fixture->n_selection_changed, ==, 0);

  /* zoom to selection: the box of the three points */
  {
    g_autoptr(GError) error = NULL;
    GisExtent expected;
    GtkWidget *zoom = find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_BUTTON,
                                   button_has_tooltip, "Zoom to Selection");

    g_assert_nonnull (zoom);
    g_assert_true (gtk_widget_get_sensitive (zoom));
    g_assert_true (gis_store_get_extent_of_fids (data.store, data.layer, fids, G_N_ELEMENTS (fids),
                                                 &expected, &error));
    g_signal_emit_by_name (zoom, "clicked");
    wait_for (zoom_came, fixture, "zoom-to-selection");
    g_assert_cmpfloat (fixture->zoom_extent.min_x, ==, expected.min_x);
    g_assert_cmpfloat (fixture->zoom_extent.max_y, ==, expected.max_y);
    g_assert_false (gis_extent_is_empty (&fixture->zoom_extent));
  }

  /* an empty selection from the map clears it */
  atalaya_attribute_table_select_fids (fixture->table, NULL, 0);
  g_assert_true (gtk_bitset_is_empty (gtk_selection_model_get_selection (selection)));
  g_assert_cmpuint (atalaya_attribute_table_get_n_selected (fixture->table), ==, 0);
  g_assert_cmpuint (fixture->n_selection_changed, ==, 0);
}

/* Selecting before the list is ready applies it when it is. */
static void
test_table_select_early (Fixture       *fixture,
                         gconstpointer  user_data)
{
  static const gint64 fids[] = { 70000 };
  GisFeatureModel *model;

  atalaya_attribute_table_set_layer (fixture->table, data.path, data.layer);
  atalaya_attribute_table_select_fids (fixture->table, fids, 1);
  wait_for (model_is_ready, fixture, "the table to load");
  model = atalaya_attribute_table_get_model (fixture->table);
  g_assert_true (gtk_selection_model_is_selected (get_selection (fixture),
                                                  gis_feature_model_get_position (model, 70000)));
  wait_for_row (fixture, 70000);
  g_assert_cmpuint (fixture->n_selection_changed, ==, 0);
}

static void
test_table_user_selection (Fixture       *fixture,
                           gconstpointer  user_data)
{
  GisFeatureModel *model;
  GtkWidget *list;
  g_autofree gint64 *selected = NULL;
  gsize n = 0;
  gint64 fid3, fid5;
  GtkWidget *clear;

  show_layer (fixture);
  model = atalaya_attribute_table_get_model (fixture->table);
  list = get_list_view (fixture);

  gtk_column_view_sort_by_column (get_column_view (fixture), get_column (fixture, "score"),
                                  GTK_SORT_DESCENDING);
  wait_for_reload (fixture);
  fid3 = gis_feature_model_get_fid (model, 3);
  fid5 = gis_feature_model_get_fid (model, 5);

  /* a click on the row at 3: what GtkListView does on a click */
  g_assert_true (gtk_widget_activate_action (list, "list.select-item", "(ubb)", 3, FALSE, FALSE));
  g_assert_cmpuint (fixture->n_selection_changed, ==, 1);
  selected = atalaya_attribute_table_get_selected_fids (fixture->table, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (selected[0], ==, fid3);
  g_clear_pointer (&selected, g_free);

  /* Ctrl+click on the row at 5 adds it */
  g_assert_true (gtk_widget_activate_action (list, "list.select-item", "(ubb)", 5, TRUE, FALSE));
  g_assert_cmpuint (fixture->n_selection_changed, ==, 2);
  selected = atalaya_attribute_table_get_selected_fids (fixture->table, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (selected[0], ==, MIN (fid3, fid5));
  g_assert_cmpint (selected[1], ==, MAX (fid3, fid5));
  g_clear_pointer (&selected, g_free);
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text,
                                 "100000 features · 2 selected"));

  /* a plain click replaces the selection */
  g_assert_true (gtk_widget_activate_action (list, "list.select-item", "(ubb)", 0, FALSE, FALSE));
  g_assert_cmpuint (fixture->n_selection_changed, ==, 3);
  selected = atalaya_attribute_table_get_selected_fids (fixture->table, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (selected[0], ==, gis_feature_model_get_fid (model, 0));
  g_clear_pointer (&selected, g_free);

  /* Clear Selection */
  clear = find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_BUTTON, button_has_tooltip, "Clear Selection");
  g_assert_nonnull (clear);
  g_assert_true (gtk_widget_get_sensitive (clear));
  g_signal_emit_by_name (clear, "clicked");
  g_assert_cmpuint (fixture->n_selection_changed, ==, 4);
  g_assert_cmpuint (atalaya_attribute_table_get_n_selected (fixture->table), ==, 0);
  g_assert_true (gtk_bitset_is_empty (gtk_selection_model_get_selection (get_selection (fixture))));
  g_assert_false (gtk_widget_get_sensitive (clear));

  /* select all (Ctrl+A) */
  g_assert_true (gtk_widget_activate_action (list, "list.select-all", NULL));
  g_assert_cmpuint (fixture->n_selection_changed, ==, 5);
  g_assert_cmpuint (atalaya_attribute_table_get_n_selected (fixture->table), ==, N_POINTS);
}

static void
test_table_filter (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GisFeatureModel *model;
  GtkWidget *entry;
  GtkDropDown *column_dropdown, *operator_dropdown;
  GtkWidget *popover;
  GtkWidget *value_entry;
  GtkWidget *apply;
  g_autofree char *count = NULL;
  gint64 expected;

  show_layer (fixture);
  model = atalaya_attribute_table_get_model (fixture->table);

  /* the search entry: a free-text filter */
  entry = find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "site 00001");
  g_signal_emit_by_name (entry, "search-changed");
  wait_for_reload (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  g_assert_cmpint (gis_feature_model_get_fid (model, 0), ==, 10);
  wait_for_row (fixture, 10);
  assert_row_shows (fixture, 19);
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text,
                                 "10 of 100000 features"));

  /* the advanced filter, with the search: severity ≥ 4 */
  popover = find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  g_assert_nonnull (popover);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (popover)));
  column_dropdown = GTK_DROP_DOWN (find_widget (popover, GTK_TYPE_DROP_DOWN, NULL, NULL));
  operator_dropdown = GTK_DROP_DOWN (find_widget (popover, GTK_TYPE_DROP_DOWN, is_operator_dropdown, NULL));
  g_assert_nonnull (operator_dropdown);
  g_assert_true (column_dropdown != operator_dropdown);
  value_entry = find_widget (popover, GTK_TYPE_ENTRY, NULL, NULL);
  apply = find_widget (popover, GTK_TYPE_BUTTON, button_has_label, "_Apply");
  g_assert_nonnull (apply);

  gtk_drop_down_set_selected (column_dropdown, 3);   /* fid, name, category, severity */
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (column_dropdown)),
                   ==, "severity");
  gtk_drop_down_set_selected (operator_dropdown, GIS_FILTER_GREATER_OR_EQUAL);
  gtk_editable_set_text (GTK_EDITABLE (value_entry), "4");
  g_signal_emit_by_name (value_entry, "activate");
  wait_for_reload (fixture);
  expected = sql_count ("name LIKE '%site 00001%' AND severity >= 4");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected);
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text,
                                 "severity ≥ 4"));

  /* without the search */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_signal_emit_by_name (entry, "search-changed");
  wait_for_reload (fixture);
  expected = sql_count ("severity >= 4");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected);
  count = g_strdup_printf ("%" G_GINT64_FORMAT " of %d features", expected, N_POINTS);
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text, count));

  /* a value that is not a number: an error shown, the rows kept */
  gtk_editable_set_text (GTK_EDITABLE (value_entry), "four");
  g_signal_emit_by_name (value_entry, "activate");
  wait_for (is_not_loading, fixture, "the filter to fail");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected);
  g_assert_nonnull (gis_feature_model_get_error (model));
  {
    GtkWidget *error_label = find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL,
                                          label_has_prefix, "“four” is not a number");

    g_assert_nonnull (error_label);
    g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (error_label))));
  }

  /* Clear: all the features again */
  {
    GtkWidget *clear = find_widget (popover, GTK_TYPE_BUTTON, button_has_label, "C_lear");

    g_assert_nonnull (clear);
    g_signal_emit_by_name (clear, "clicked");
  }
  wait_for_reload (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_POINTS);
  g_assert_null (gis_feature_model_get_error (model));
  g_assert_nonnull (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL, label_has_text, "Filter"));

  /* Apply with "is empty": no value needed */
  gtk_drop_down_set_selected (operator_dropdown, GIS_FILTER_IS_NULL);
  g_assert_false (gtk_widget_get_sensitive (value_entry));
  g_signal_emit_by_name (apply, "clicked");
  wait_for_reload (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  gtk_drop_down_set_selected (operator_dropdown, GIS_FILTER_EQUAL);
  g_assert_true (gtk_widget_get_sensitive (value_entry));
  g_signal_emit_by_name (find_widget (popover, GTK_TYPE_BUTTON, button_has_label, "C_lear"), "clicked");
  wait_for_reload (fixture);

  /* nothing matches: the empty state */
  gtk_editable_set_text (GTK_EDITABLE (entry), "no such site");
  g_signal_emit_by_name (entry, "search-changed");
  wait_for_reload (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_true (gtk_widget_is_drawable (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL,
                                                      label_has_text, "No Matching Features")));
}

/* Another layer replaces the first, and nothing leaks on the way. */
static void
test_table_change_layer (Fixture       *fixture,
                         gconstpointer  user_data)
{
  static const gint64 fids[] = { 5 };
  GisFeatureModel *first_model;

  show_layer (fixture);
  atalaya_attribute_table_select_fids (fixture->table, fids, 1);
  first_model = atalaya_attribute_table_get_model (fixture->table);
  g_object_add_weak_pointer (G_OBJECT (first_model), (gpointer *) &first_model);

  atalaya_attribute_table_set_layer (fixture->table, NULL, NULL);
  g_assert_null (first_model);
  g_assert_cmpuint (atalaya_attribute_table_get_n_selected (fixture->table), ==, 0);
  settle ();
  g_assert_true (gtk_widget_is_drawable (find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_LABEL,
                                                      label_has_text, "No Layer")));

  /* a layer switched while it still loads */
  atalaya_attribute_table_set_layer (fixture->table, data.path, data.layer);
  atalaya_attribute_table_set_layer (fixture->table, NULL, NULL);
  atalaya_attribute_table_set_layer (fixture->table, data.path, data.layer);
  wait_for (model_is_ready, fixture, "the table to load");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (atalaya_attribute_table_get_model (fixture->table))),
                    ==, N_POINTS);
}

static void
test_identify_panel (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  AtalayaIdentifyPanel *panel = ATALAYA_IDENTIFY_PANEL (atalaya_identify_panel_new ());
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisFeature) feature = NULL;
  g_autofree char *title = NULL;
  GtkWidget *row;

  gtk_window_set_default_size (window, 420, 700);
  gtk_window_set_child (window, GTK_WIDGET (panel));
  gtk_window_present (window);
  wait_for (is_mapped, window, "the identify window to be mapped");

  g_assert_true (gtk_widget_is_drawable (find_widget (GTK_WIDGET (panel), GTK_TYPE_LABEL, label_has_text,
                                                      "Click the map to identify features")));

  /* features of the layer near the third point */
  feature = gis_store_get_feature (data.store, data.layer, 3, &error);
  g_assert_no_error (error);
  {
    GisExtent extent;
    GVariant *score;

    g_assert_true (gis_feature_get_extent (feature, &extent));
    found = gis_store_identify (data.store, data.layer, extent.min_x, extent.min_y, 5000.0, 4, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, >=, 1);
    g_assert_cmpint (gis_feature_get_fid (g_ptr_array_index (found, 0)), ==, 3);
    score = gis_feature_get_value (feature, 3);
    g_assert_true (g_variant_is_of_type (score, G_VARIANT_TYPE_DOUBLE));
  }
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (all, g_object_ref (g_ptr_array_index (found, i)));

  atalaya_identify_panel_set_results (panel, all);
  settle ();
  g_assert_cmpuint (atalaya_identify_panel_get_n_results (panel), ==, all->len);

  /* the group of the layer, the feature titled by its name, its values */
  g_assert_nonnull (find_widget (GTK_WIDGET (panel), GTK_TYPE_LABEL, label_has_text, "Incidents"));
  title = gis_feature_dup_title (feature);
  g_assert_cmpstr (title, ==, "Site 000003");
  row = find_widget (GTK_WIDGET (panel), GTK_TYPE_LABEL, label_has_text, "Site 000003");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_drawable (row));
  g_assert_nonnull (gtk_widget_get_ancestor (row, ADW_TYPE_EXPANDER_ROW));
  g_assert_nonnull (find_widget (GTK_WIDGET (panel), GTK_TYPE_LABEL, label_has_text, "Point · 0 m away"));
  {
    g_autofree char *category = gis_feature_format_value (feature, 1);
    GtkWidget *value = find_widget (GTK_WIDGET (panel), GTK_TYPE_LABEL, label_has_text, category);

    g_assert_nonnull (value);
    g_assert_true (gtk_widget_is_drawable (value));
    g_assert_true (gtk_label_get_selectable (GTK_LABEL (value)));
  }

  atalaya_identify_panel_clear (panel);
  settle ();
  g_assert_cmpuint (atalaya_identify_panel_get_n_results (panel), ==, 0);
  g_assert_true (gtk_widget_is_drawable (find_widget (GTK_WIDGET (panel), GTK_TYPE_LABEL, label_has_text,
                                                      "Click the map to identify features")));

  gtk_window_destroy (window);
  settle ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  gui_test_init (&argc, &argv);
  adw_init ();
  gis_init ();

  build_store ();

  g_test_add ("/attribute-table/empty", Fixture, NULL, fixture_set_up, test_table_empty, fixture_tear_down);
  g_test_add ("/attribute-table/load", Fixture, NULL, fixture_set_up, test_table_load, fixture_tear_down);
  g_test_add ("/attribute-table/sort", Fixture, NULL, fixture_set_up, test_table_sort, fixture_tear_down);
  g_test_add ("/attribute-table/select-from-map", Fixture, NULL, fixture_set_up,
              test_table_select_from_map, fixture_tear_down);
  g_test_add ("/attribute-table/select-early", Fixture, NULL, fixture_set_up,
              test_table_select_early, fixture_tear_down);
  g_test_add ("/attribute-table/user-selection", Fixture, NULL, fixture_set_up,
              test_table_user_selection, fixture_tear_down);
  g_test_add ("/attribute-table/filter", Fixture, NULL, fixture_set_up, test_table_filter, fixture_tear_down);
  g_test_add ("/attribute-table/change-layer", Fixture, NULL, fixture_set_up,
              test_table_change_layer, fixture_tear_down);
  g_test_add_func ("/identify-panel/results", test_identify_panel);

  ret = g_test_run ();

  g_clear_object (&data.layer);
  g_clear_object (&data.store);
  remove_recursively (data.dir);
  g_clear_pointer (&data.dir, g_free);
  g_clear_pointer (&data.path, g_free);

  return ret;
}
