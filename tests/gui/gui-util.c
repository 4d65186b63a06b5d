/* gui-util.c: what every GUI test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "gui-util.h"

#define TIMEOUT_SECONDS 60

/**
 * gui_test_init:
 *
 * gtk_test_init() for a run under Xvfb: X11 only, and no accessibility
 * bus (there is no session bus, and gtk_test_init() makes GTK's warning
 * about it fatal).
 */
void
gui_test_init (int    *argc,
               char ***argv)
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  gdk_set_allowed_backends ("x11");
  gtk_test_init (argc, argv, NULL);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @predicate holds; fails after a minute. */
void
wait_for (Predicate   predicate,
          gpointer    data,
          const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %d s waiting for %s", TIMEOUT_SECONDS, what);
  g_source_remove (id);
}

/* The first event controller of @widget that is a @type (driving gestures
 * by emitting its signals, as libshumate's tests/map.c does). */
gpointer
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;   /* the widget keeps it alive */
    }
  g_error ("no %s on %s", g_type_name (type), G_OBJECT_TYPE_NAME (widget));
  return NULL;
}

/* The first descendant of @widget (or @widget) that is a @type and, when
 * @match is given, for which it returns TRUE. */
GtkWidget *
find_widget (GtkWidget     *widget,
             GType          type,
             gboolean     (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer  match_data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (match == NULL || match (widget, match_data)))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, match_data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The store's checksum, read on a connection of its own. */
char *
gui_store_checksum (const char *store_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  char *sum;

  g_assert_no_error (error);
  sum = gis_store_checksum (store, &error);
  g_assert_no_error (error);
  return sum;
}

/* The first value of a SELECT, with SpatiaLite's functions, on a
 * read-only connection of its own: an answer independent of the window. */
double
gui_sql_double (const char *store_path,
                const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GisStore) store = gis_store_open (store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  GisCursor *cursor;
  double v;

  g_assert_no_error (error);
  cursor = gis_store_query (store, sql, &error);
  g_assert_no_error (error);
  g_assert_true (gis_cursor_next (cursor, NULL, &error));
  g_assert_no_error (error);
  v = gis_cursor_get_double (cursor, 0);
  gis_cursor_free (cursor);
  return v;
}
