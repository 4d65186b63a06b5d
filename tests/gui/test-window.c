/* test-window.c: the main window opens a store and lists its layers
 *
 * Drives the real AtalayaApplication and AtalayaWindow under Xvfb: a small
 * store made here with the gis/ API is opened through
 * atalaya_window_open_store(), and the test checks both the model the
 * window shows and the widgets it renders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include "gui-util.h"
#include <glib/gstdio.h>
#include <adwaita.h>

#include "gis.h"

#include "atalaya-application.h"
#include "atalaya-layer-row.h"
#include "atalaya-window.h"

#define LAYER_NAME      "Border ports"

typedef struct
{
  char               *dir;
  AtalayaApplication *app;
  AtalayaWindow      *window;
} Fixture;

/* ---- helpers ----------------------------------------------------------- */

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
any_widget (GtkWidget     *widget,
            gconstpointer  data)
{
  return TRUE;
}

static gboolean
label_has_text (GtkWidget     *widget,
                gconstpointer  text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
status_page_has_title (GtkWidget     *widget,
                       gconstpointer  title)
{
  return g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0;
}

static GtkWidget *
find_label (AtalayaWindow *window,
            const char    *text)
{
  return find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, label_has_text, text);
}

/* Whether @window shows @text in a label that is on screen. */
static gboolean
shows_label (AtalayaWindow *window,
             const char    *text)
{
  GtkWidget *label = find_label (window, text);

  return label != NULL && gtk_widget_is_drawable (label);
}

/* Whether @window shows the status page titled @title as its content. */
static gboolean
shows_status_page (AtalayaWindow *window,
                   const char    *title)
{
  GtkWidget *page;
  GtkWidget *stack;

  page = find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, status_page_has_title, title);
  if (page == NULL)
    return FALSE;
  stack = gtk_widget_get_ancestor (page, GTK_TYPE_STACK);
  g_assert_nonnull (stack);

  return gtk_stack_get_visible_child (GTK_STACK (stack)) == page &&
         gtk_widget_is_drawable (page);
}

typedef struct
{
  AtalayaWindow *window;
  const char    *text;
} LabelWait;

static gboolean
label_is_shown (gpointer data)
{
  LabelWait *wait = data;

  return shows_label (wait->window, wait->text);
}

static gboolean
store_is_set (gpointer data)
{
  return atalaya_window_get_store (data) != NULL;
}

static gboolean
is_not_loading (gpointer data)
{
  return !atalaya_window_get_loading (data);
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Deletes @path and, if it is a directory, everything in it. */
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

  if (g_remove (path) != 0)
    g_test_message ("Could not remove %s", path);
}

/* Makes a store holding one point layer of three ports of entry. */
static char *
make_store (const char *dir)
{
  static const char csv[] =
    "name,longitude,latitude\n"
    "San Ysidro,-117.0297,32.5422\n"
    "Laredo,-99.5075,27.4995\n"
    "Detroit,-83.0458,42.3314\n";
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_path = g_build_filename (dir, "ports.csv", NULL);
  char *store_path = g_build_filename (dir, "test.sqlite", NULL);

  g_file_set_contents (csv_path, csv, -1, &error);
  g_assert_no_error (error);

  store = gis_store_create (store_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  options->layer_name = g_strdup (LAYER_NAME);
  options->role = GIS_LAYER_ROLE_PORT;
  options->x_field = g_strdup ("longitude");
  options->y_field = g_strdup ("latitude");

  layer = gis_store_import (store, csv_path, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (layer);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 3);

  /* The store closes here; the window opens its own connection. */
  return store_path;
}

/* ---- fixture ----------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("atalaya-test-window-XXXXXX", &error);
  g_assert_no_error (error);

  /* Not unique, so tests never meet a running Atalaya over D-Bus. */
  fixture->app = atalaya_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);

  fixture->window = g_object_ref (atalaya_window_new (fixture->app));
  gtk_window_present (GTK_WINDOW (fixture->window));
  wait_for (is_mapped, fixture->window, "the window to be mapped");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  AtalayaWindow *window = fixture->window;

  /* Nothing may keep the window alive: a pending open, a binding or a
   * signal handler would show here.  (A registered GtkApplication keeps
   * itself alive until its shutdown, which only g_application_run()
   * emits, so the application is not checked.) */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  /* An open still running holds the window until its callback. */
  wait_for (pointer_is_null, &window, "the window to be finalized");
  g_clear_object (&fixture->app);

  remove_recursively (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_window_empty (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_null (atalaya_window_get_store (fixture->window));
  g_assert_null (atalaya_window_get_layer_model (fixture->window));
  g_assert_false (atalaya_window_get_loading (fixture->window));
  g_assert_true (shows_status_page (fixture->window, "No Store Open"));
}

static void
test_window_open_store (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *path = make_store (fixture->dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *last_store = NULL;
  g_auto(GStrv) recent = NULL;
  GListModel *layers;
  LabelWait wait = { fixture->window, LAYER_NAME };
  GtkWidget *name_label;

  atalaya_window_open_store (fixture->window, file);
  g_assert_true (atalaya_window_get_loading (fixture->window));

  wait_for (store_is_set, fixture->window, "the store to open");
  g_assert_false (atalaya_window_get_loading (fixture->window));
  g_assert_cmpstr (gis_store_get_path (atalaya_window_get_store (fixture->window)), ==, path);

  /* The model */
  layers = atalaya_window_get_layer_model (fixture->window);
  g_assert_nonnull (layers);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 1);
  g_assert_true (g_list_model_get_item_type (layers) == GIS_TYPE_LAYER);
  layer = g_list_model_get_item (layers, 0);
  g_assert_cmpstr (gis_layer_get_name (layer), ==, LAYER_NAME);
  g_assert_cmpint (gis_layer_get_role (layer), ==, GIS_LAYER_ROLE_PORT);
  g_assert_cmpint (gis_layer_get_feature_count (layer), ==, 3);

  /* The rendered list: one row with the name, role, type and count */
  wait_for (label_is_shown, &wait, "the layer row");
  name_label = find_label (fixture->window, LAYER_NAME);
  g_assert_nonnull (gtk_widget_get_ancestor (name_label, GTK_TYPE_LIST_VIEW));
  g_assert_true (shows_label (fixture->window, "Port of entry · Point"));
  g_assert_true (shows_label (fixture->window, "3 features"));
  g_assert_false (shows_status_page (fixture->window, "No Store Open"));

  /* The visibility check button is bound to the layer both ways */
  {
    GtkWidget *row = gtk_widget_get_ancestor (name_label, ATALAYA_TYPE_LAYER_ROW);
    GtkWidget *check;

    g_assert_nonnull (row);
    g_assert_true (atalaya_layer_row_get_layer (ATALAYA_LAYER_ROW (row)) == layer);
    check = find_widget (row, GTK_TYPE_CHECK_BUTTON, any_widget, NULL);
    g_assert_nonnull (check);
    g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
    gis_layer_set_visible (layer, FALSE);
    g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    g_assert_true (gis_layer_get_visible (layer));
  }

  /* The title names the store */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "test.sqlite");

  /* Settings remember the store */
  settings = g_settings_new (APP_ID);
  last_store = g_settings_get_string (settings, "last-store");
  g_assert_cmpstr (last_store, ==, path);
  recent = g_settings_get_strv (settings, "recent-stores");
  g_assert_cmpstr (recent[0], ==, path);

  /* win.close-store goes back to the status page */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.close-store", NULL));
  g_assert_null (atalaya_window_get_store (fixture->window));
  g_assert_null (atalaya_window_get_layer_model (fixture->window));
  wait_for (is_mapped, fixture->window, "the window to be mapped");
  drain_main_context ();
  g_assert_true (shows_status_page (fixture->window, "No Store Open"));
}

static void
test_window_open_error (Fixture       *fixture,
                        gconstpointer  user_data)
{
  static const char contents[] = "This is not a SpatiaLite store.\n";
  /* The toast title is markup: the name checks that the message is
   * escaped. */
  g_autofree char *path = g_build_filename (fixture->dir, "ports <&> habitat.sqlite", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GError) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  LabelWait wait = { fixture->window, NULL };

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  /* The message the toast must show is the one gis/ gives. */
  store = gis_store_open (path, GIS_STORE_OPEN_READ_WRITE, &expected);
  g_assert_null (store);
  g_assert_nonnull (expected);
  g_test_message ("Expected error: %s", expected->message);

  atalaya_window_open_store (fixture->window, file);
  g_assert_true (atalaya_window_get_loading (fixture->window));
  wait_for (is_not_loading, fixture->window, "the store to fail to open");

  g_assert_null (atalaya_window_get_store (fixture->window));
  g_assert_null (atalaya_window_get_layer_model (fixture->window));

  wait.text = expected->message;
  wait_for (label_is_shown, &wait, "the error toast");
  g_assert_nonnull (gtk_widget_get_ancestor (find_label (fixture->window, expected->message),
                                             ADW_TYPE_TOAST_OVERLAY));
  g_assert_true (shows_status_page (fixture->window, "No Store Open"));

  /* The file was left as it was. */
  g_file_get_contents (path, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, contents);
}

/* A newer open replaces one still running, whose outcome is dropped. */
static void
test_window_open_replaced (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *path = make_store (fixture->dir);
  g_autofree char *bad_path = g_build_filename (fixture->dir, "not-a-store.sqlite", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  g_autoptr(GError) expected = NULL;
  g_autoptr(GError) error = NULL;
  LabelWait wait = { fixture->window, LAYER_NAME };

  g_file_set_contents (bad_path, "Not a store either.\n", -1, &error);
  g_assert_no_error (error);
  g_assert_null (gis_store_open (bad_path, GIS_STORE_OPEN_READ_WRITE, &expected));

  atalaya_window_open_store (fixture->window, bad_file);
  atalaya_window_open_store (fixture->window, file);

  wait_for (store_is_set, fixture->window, "the second store to open");
  wait_for (label_is_shown, &wait, "the layer row");
  g_assert_false (atalaya_window_get_loading (fixture->window));
  g_assert_cmpstr (gis_store_get_path (atalaya_window_get_store (fixture->window)), ==, path);

  /* Let the first open finish: it must neither show its error nor
   * replace the store. */
  for (guint i = 0; i < 50; i++)
    {
      g_usleep (G_USEC_PER_SEC / 100);
      drain_main_context ();
    }
  g_assert_null (find_label (fixture->window, expected->message));
  g_assert_cmpstr (gis_store_get_path (atalaya_window_get_store (fixture->window)), ==, path);
}

/* The window size is saved on close and restored by new windows. */
static void
test_window_size (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  AtalayaWindow *second;
  gboolean handled = TRUE;
  int width;
  int height;

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 640);
  g_signal_emit_by_name (fixture->window, "close-request", &handled);
  g_assert_false (handled);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_settings_set_int (settings, "window-width", 720);
  g_settings_set_int (settings, "window-height", 480);
  second = atalaya_window_new (fixture->app);
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 720);
  g_assert_cmpint (height, ==, 480);
  gtk_window_destroy (GTK_WINDOW (second));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/window/empty", Fixture, NULL,
              fixture_set_up, test_window_empty, fixture_tear_down);
  g_test_add ("/window/size", Fixture, NULL,
              fixture_set_up, test_window_size, fixture_tear_down);
  g_test_add ("/window/open-store", Fixture, NULL,
              fixture_set_up, test_window_open_store, fixture_tear_down);
  g_test_add ("/window/open-error", Fixture, NULL,
              fixture_set_up, test_window_open_error, fixture_tear_down);
  g_test_add ("/window/open-replaced", Fixture, NULL,
              fixture_set_up, test_window_open_replaced, fixture_tear_down);

  ret = g_test_run ();

  gis_shutdown ();

  return ret;
}
