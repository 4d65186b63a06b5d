/* test-feature-form.c: the feature form edits through the editor
 *
 * Drives the real AtalayaFeatureForm under Xvfb on a store made here: a
 * point layer of cases and a habitat layer.  The form shows the feature,
 * its position and habitat; a changed field is saved to the store and
 * undone through the editor; invalid numbers block Save; Delete and
 * Cancel do what they say.
 *
 * With ATALAYA_TEST_PAUSE=<seconds>, the test stops that long on the
 * filled form (for screenshots).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-feature-form"

#include "config.h"

#include "gui-util.h"
#include <glib/gstdio.h>
#include <adwaita.h>
#include <string.h>

#include "gis.h"

#include "atalaya-feature-form.h"


typedef struct
{
  char       *dir;
  GisStore   *store;
  GisLayer   *cases;
  GisLayer   *habitat;
  GisEditor  *editor;
  GtkWindow  *window;
  AtalayaFeatureForm *form;
  guint       n_saved;
  guint       n_deleted;
  guint       n_cancelled;
  gint64      last_fid;
} Fixture;

/* ---- helpers ------------------------------------------------------------------- */

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
pause_for_screenshot (void)
{
  const char *pause = g_getenv ("ATALAYA_TEST_PAUSE");
  gint64 end;

  if (pause == NULL)
    return;
  end = g_get_monotonic_time () + (gint64) (g_ascii_strtod (pause, NULL) * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->form),
                                                   ATALAYA_TYPE_FEATURE_FORM, name);

  g_assert_nonnull (object);
  return object;
}

/* The row titled @title among the form's descendants. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_row (c, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
entry_row (Fixture    *f,
           const char *title)
{
  GtkWidget *row = find_row (GTK_WIDGET (f->form), title);

  g_assert_nonnull (row);
  g_assert_true (ADW_IS_ENTRY_ROW (row));
  return row;
}

static gboolean
action_enabled (Fixture    *f,
                const char *name)
{
  GtkWidget *button = child (f, name);

  return gtk_widget_get_visible (button) && gtk_widget_is_sensitive (button);
}

static void
click (Fixture    *f,
       const char *name)
{
  GtkWidget *button = child (f, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  /* "clicked" runs the button's action at once */
  g_signal_emit_by_name (button, "clicked");
  drain ();
}

static char *
stored_text (Fixture    *f,
             const char *column,
             gint64      fid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT CAST(\"%s\" AS TEXT) FROM \"%s\" WHERE fid = %" G_GINT64_FORMAT,
                                          column, gis_layer_get_table_name (f->cases), fid);
  g_autoptr(GisCursor) cursor = gis_store_query (f->store, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (gis_cursor_next (cursor, NULL, &error) && gis_cursor_get_text (cursor, 0) != NULL)
    text = g_strdup (gis_cursor_get_text (cursor, 0));
  g_assert_no_error (error);
  return text;
}

static GisLayer *
import_csv (Fixture      *f,
            const char   *name,
            const char   *contents,
            const char   *layer_name,
            GisLayerRole  role)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  g_autoptr(GError) error = NULL;
  GisLayer *layer;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  options->layer_name = g_strdup (layer_name);
  options->role = role;
  layer = gis_store_import (f->store, path, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return layer;
}

static void
on_saved (AtalayaFeatureForm *form,
          GisLayer           *layer,
          gint64              fid,
          Fixture            *f)
{
  f->n_saved++;
  f->last_fid = fid;
}

static void
on_deleted (AtalayaFeatureForm *form,
            GisLayer           *layer,
            gint64              fid,
            Fixture            *f)
{
  f->n_deleted++;
  f->last_fid = fid;
}

static void
on_cancelled (AtalayaFeatureForm *form,
              Fixture            *f)
{
  f->n_cancelled++;
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
          g_autofree char *sub = g_build_filename (path, name, NULL);
          remove_recursively (sub);
        }
    }
  g_remove (path);
}

/* ---- fixture ------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;

  f->dir = g_dir_make_tmp ("atalaya-test-form-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (f->dir, "store.sqlite", NULL);
  f->store = gis_store_create (store_path, &error);
  g_assert_no_error (error);

  f->cases = import_csv (f, "cases.csv",
                         "name,species,count,weight_kg,occurred_at,longitude,latitude\n"
                         "Case 1,Lynx,2,12.5,2023-05-04T00:00:00Z,-111.5,31.5\n"
                         "Case 2,Ocelot,1,9.25,2023-06-01T00:00:00Z,-95.0,40.0\n"
                         "Case 3,Jaguar,1,60,,-110.5,32.5\n",
                         "Wildlife cases", GIS_LAYER_ROLE_INCIDENT);
  f->habitat = import_csv (f, "habitat.csv",
                           "name,wkt\n"
                           "Sonoran Wildlife Refuge,\"POLYGON((-112 31,-110 31,-110 33,-112 33,-112 31))\"\n"
                           "Overlap Marsh,\"POLYGON((-111 32,-109 32,-109 34,-111 34,-111 32))\"\n",
                           "habitat", GIS_LAYER_ROLE_HABITAT);

  f->editor = gis_editor_new (f->store);
  f->form = ATALAYA_FEATURE_FORM (g_object_ref_sink (atalaya_feature_form_new (f->editor)));
  g_signal_connect (f->form, "saved", G_CALLBACK (on_saved), f);
  g_signal_connect (f->form, "deleted", G_CALLBACK (on_deleted), f);
  g_signal_connect (f->form, "cancelled", G_CALLBACK (on_cancelled), f);

  f->window = GTK_WINDOW (g_object_ref (gtk_window_new ()));
  gtk_window_set_default_size (f->window, 380, 640);
  gtk_window_set_title (f->window, "Feature");
  gtk_window_set_child (f->window, GTK_WIDGET (f->form));
  gtk_window_present (f->window);
  wait_for (is_mapped, f->form, "the form to be mapped");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (f->window);
  g_clear_object (&f->window);
  g_clear_object (&f->form);
  g_clear_object (&f->editor);
  g_clear_object (&f->cases);
  g_clear_object (&f->habitat);
  g_clear_object (&f->store);
  remove_recursively (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

/* ---- tests ---------------------------------------------------------------------- */

static void
test_shows_feature (Fixture       *f,
                    gconstpointer  data)
{
  atalaya_feature_form_set_feature (f->form, f->cases, 3);
  drain ();

  g_assert_cmpstr (gtk_label_get_text (child (f, "title_label")), ==, "Feature #3");
  g_assert_cmpstr (gtk_label_get_text (child (f, "subtitle_label")), ==, "Wildlife cases");
  g_assert_cmpstr (gtk_label_get_text (child (f, "fid_label")), ==, "3");
  g_assert_cmpstr (gtk_label_get_text (child (f, "position_label")), ==, "-110.5, 32.5");
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "habitat_row")), ==,
                   "Inside: Sonoran Wildlife Refuge (habitat #1), Overlap Marsh (habitat #2)");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "name"))), ==, "Case 3");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "weight_kg"))), ==, "60");
  g_assert_true (gtk_widget_get_mapped (entry_row (f, "species")));

  /* nothing changed: nothing to save */
  g_assert_false (action_enabled (f, "save_button"));
  g_assert_true (action_enabled (f, "delete_button"));

  atalaya_feature_form_set_feature (f->form, f->cases, 2);
  drain ();
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "habitat_row")), ==, "Not inside any habitat");

  /* a polygon layer is shown, not edited */
  atalaya_feature_form_set_feature (f->form, f->habitat, 1);
  drain ();
  g_assert_false (gtk_widget_get_visible (child (f, "save_button")));
  g_assert_false (ADW_IS_ENTRY_ROW (find_row (GTK_WIDGET (f->form), "name")));
  g_assert_true (gtk_widget_get_visible (child (f, "message_label")));
}

static void
test_save_and_undo (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *species = NULL;
  g_autofree char *weight = NULL;
  GtkWidget *count_row;

  atalaya_feature_form_set_feature (f->form, f->cases, 1);
  drain ();

  count_row = entry_row (f, "count");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (count_row)), ==, "2");

  /* an invalid number blocks Save and marks the row */
  gtk_editable_set_text (GTK_EDITABLE (count_row), "two");
  g_assert_true (gtk_widget_has_css_class (count_row, "error"));
  g_assert_false (action_enabled (f, "save_button"));
  g_assert_true (atalaya_feature_form_get_modified (f->form));

  gtk_editable_set_text (GTK_EDITABLE (count_row), "42");
  g_assert_false (gtk_widget_has_css_class (count_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f, "species")), "Lynx rufus");
  g_assert_true (action_enabled (f, "save_button"));

  pause_for_screenshot ();

  click (f, "save_button");
  g_assert_cmpuint (f->n_saved, ==, 1);
  g_assert_cmpint (f->last_fid, ==, 1);
  count = stored_text (f, "count", 1);
  species = stored_text (f, "species", 1);
  weight = stored_text (f, "weight_kg", 1);
  g_assert_cmpstr (count, ==, "42");
  g_assert_cmpstr (species, ==, "Lynx rufus");
  /* untouched fields stay as they were */
  g_assert_cmpstr (weight, ==, "12.5");
  g_assert_false (atalaya_feature_form_get_modified (f->form));
  g_assert_false (action_enabled (f, "save_button"));
  g_assert_cmpstr (gis_editor_get_undo_label (f->editor), ==, "Undo Edit Attributes");

  /* undo through the editor: the store and the form go back */
  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  drain ();
  g_clear_pointer (&count, g_free);
  g_clear_pointer (&species, g_free);
  count = stored_text (f, "count", 1);
  species = stored_text (f, "species", 1);
  g_assert_cmpstr (count, ==, "2");
  g_assert_cmpstr (species, ==, "Lynx");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "count"))), ==, "2");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "species"))), ==, "Lynx");

  /* and redo */
  g_assert_true (gis_editor_redo (f->editor, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "count"))), ==, "42");

  /* an emptied field is stored as NULL */
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f, "weight_kg")), "");
  click (f, "save_button");
  g_clear_pointer (&weight, g_free);
  weight = stored_text (f, "weight_kg", 1);
  g_assert_null (weight);
}

static void
test_cancel_and_delete (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  atalaya_feature_form_set_feature (f->form, f->cases, 2);
  drain ();

  /* Cancel puts back the stored values */
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f, "name")), "Not saved");
  click (f, "cancel_button");
  g_assert_cmpuint (f->n_cancelled, ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "name"))), ==, "Case 2");
  name = stored_text (f, "name", 2);
  g_assert_cmpstr (name, ==, "Case 2");
  g_assert_false (gis_editor_get_can_undo (f->editor));

  /* Delete, then undo brings the same feature back into the form */
  click (f, "delete_button");
  g_assert_cmpuint (f->n_deleted, ==, 1);
  g_assert_cmpint (f->last_fid, ==, 2);
  g_assert_null (stored_text (f, "name", 2));
  g_assert_cmpstr (gtk_label_get_text (child (f, "message_label")), ==, "This feature no longer exists.");
  g_assert_false (action_enabled (f, "delete_button"));

  g_assert_true (gis_editor_undo (f->editor, &error));
  g_assert_no_error (error);
  drain ();
  g_clear_pointer (&name, g_free);
  name = stored_text (f, "name", 2);
  g_assert_cmpstr (name, ==, "Case 2");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "name"))), ==, "Case 2");
  g_assert_true (action_enabled (f, "delete_button"));
}

/* A value the editor refuses shows its message in the form, and nothing
 * is written. */
static void
test_editor_error (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkLabel *message;

  atalaya_feature_form_set_feature (f->form, f->cases, 1);
  drain ();
  before = stored_text (f, "occurred_at", 1);
  g_assert_cmpstr (before, ==, "2023-05-04T00:00:00Z");

  /* the form cannot tell a bad date; the editor can */
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f, "occurred_at")), "last Tuesday");
  g_assert_true (action_enabled (f, "save_button"));
  click (f, "save_button");
  g_assert_cmpuint (f->n_saved, ==, 0);

  message = child (f, "message_label");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (message)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (message), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "occurred_at"));
  g_assert_nonnull (strstr (gtk_label_get_text (message), "last Tuesday"));
  after = stored_text (f, "occurred_at", 1);
  g_assert_cmpstr (after, ==, before);
  g_assert_false (gis_editor_get_can_undo (f->editor));

  /* the text stays for the user to fix */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_row (f, "occurred_at"))), ==, "last Tuesday");
  gtk_editable_set_text (GTK_EDITABLE (entry_row (f, "occurred_at")), "2024-01-15");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (message)));
  click (f, "save_button");
  g_assert_cmpuint (f->n_saved, ==, 1);
  g_clear_pointer (&after, g_free);
  after = stored_text (f, "occurred_at", 1);
  g_assert_cmpstr (after, ==, "2024-01-15T00:00:00Z");
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);
  adw_init ();
  gis_init ();

#define ADD(name, func) \
  g_test_add ("/feature-form/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("shows-feature", test_shows_feature);
  ADD ("save-and-undo", test_save_and_undo);
  ADD ("cancel-and-delete", test_cancel_and_delete);
  ADD ("editor-error", test_editor_error);
#undef ADD

  return g_test_run ();
}
