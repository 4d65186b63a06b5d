/* test-style-editor.c: the style dialog makes the style it shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-style-editor"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "atalaya-style-editor.h"

typedef struct
{
  char     *dir;
  GisStore *store;
  GisLayer *layer;
} Fixture;

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GisImportOptions) options = gis_import_options_new ();
  static const char rows[] =
    "kind,value,lon,lat\n"
    "hazardous_waste,1.5,-100,30\n"
    "ods_smuggling,2.5,-101,31\n"
    "hazardous_waste,3.5,-102,32\n"
    "illegal_logging,9,-103,33\n";

  fx->dir = g_dir_make_tmp ("atalaya-style-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (fx->dir, "s.sqlite", NULL);
  csv = g_build_filename (fx->dir, "incidents.csv", NULL);
  g_assert_true (g_file_set_contents (csv, rows, -1, NULL));
  fx->store = gis_store_create (store_path, &error);
  g_assert_no_error (error);
  options->role = GIS_LAYER_ROLE_INCIDENT;
  fx->layer = gis_store_import (fx->store, csv, options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->layer);
  g_clear_object (&fx->store);
  rm_rf (fx->dir);
  g_free (fx->dir);
}

static AdwComboRow *
find_combo (GtkWidget  *widget,
            const char *title)
{
  if (ADW_IS_COMBO_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_COMBO_ROW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      AdwComboRow *found = find_combo (c, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_default_round_trip (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GisStyle) original = gis_style_new_default (fx->layer);
  AtalayaStyleEditor *editor = atalaya_style_editor_new (NULL, fx->store, fx->layer, original);
  g_autoptr(GisStyle) again = atalaya_style_editor_get_style (editor);
  const GisSymbol *a = gis_style_get_symbol (original);
  const GisSymbol *b = gis_style_get_symbol (again);

  /* nothing changed in the dialog: the same symbol comes back
   * (colours go through GdkRGBA floats) */
  g_assert_cmpint (gis_style_get_kind (again), ==, GIS_STYLE_SINGLE);
  g_assert_cmpfloat_with_epsilon (a->fill.r, b->fill.r, 1e-6);
  g_assert_cmpfloat_with_epsilon (a->fill.a, b->fill.a, 1e-6);
  g_assert_cmpfloat (a->size_px, ==, b->size_px);
  g_assert_cmpint (a->shape, ==, b->shape);
  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_categorized (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GisStyle) original = gis_style_new_default (fx->layer);
  AtalayaStyleEditor *editor = atalaya_style_editor_new (NULL, fx->store, fx->layer, original);
  AdwComboRow *kind = find_combo (GTK_WIDGET (editor), "Style");
  AdwComboRow *field = find_combo (GTK_WIDGET (editor), "Field");
  g_autoptr(GisStyle) style = NULL;

  g_assert_nonnull (kind);
  g_assert_nonnull (field);
  adw_combo_row_set_selected (field, 0);            /* kind */
  adw_combo_row_set_selected (kind, GIS_STYLE_CATEGORIZED);

  style = atalaya_style_editor_get_style (editor);
  g_assert_cmpint (gis_style_get_kind (style), ==, GIS_STYLE_CATEGORIZED);
  g_assert_cmpstr (gis_style_get_field (style), ==, "kind");
  /* the distinct values, most frequent first */
  g_assert_cmpuint (gis_style_get_n_categories (style), ==, 3);
  g_assert_cmpstr (gis_style_get_category_value (style, 0), ==, "hazardous_waste");
  /* each its own colour */
  g_assert_false (gis_color_equal (&gis_style_get_category_symbol (style, 0)->fill,
                                   &gis_style_get_category_symbol (style, 1)->fill));

  /* to look at it: ATALAYA_TEST_LINGER=3 keeps it on screen */
  if (g_getenv ("ATALAYA_TEST_LINGER") != NULL)
    {
      gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC * atoi (g_getenv ("ATALAYA_TEST_LINGER"));

      gtk_window_present (GTK_WINDOW (editor));
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
    }
  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_graduated (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GisStyle) original = gis_style_new_default (fx->layer);
  AtalayaStyleEditor *editor = atalaya_style_editor_new (NULL, fx->store, fx->layer, original);
  AdwComboRow *kind = find_combo (GTK_WIDGET (editor), "Style");
  AdwComboRow *field = find_combo (GTK_WIDGET (editor), "Field");
  AdwComboRow *method = find_combo (GTK_WIDGET (editor), "Classes by");
  g_autoptr(GisStyle) style = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GisStyle) parsed = NULL;

  adw_combo_row_set_selected (field, 1);            /* value */
  adw_combo_row_set_selected (kind, GIS_STYLE_GRADUATED);
  adw_combo_row_set_selected (method, GIS_CLASSIFY_EQUAL_INTERVAL);
  style = atalaya_style_editor_get_style (editor);
  g_assert_cmpint (gis_style_get_kind (style), ==, GIS_STYLE_GRADUATED);
  g_assert_cmpstr (gis_style_get_field (style), ==, "value");
  g_assert_cmpint (gis_style_get_method (style), ==, GIS_CLASSIFY_EQUAL_INTERVAL);
  g_assert_cmpuint (gis_style_get_n_classes (style), ==, 5);

  /* what the store keeps reads back the same */
  json = gis_style_to_json (style);
  parsed = gis_style_new_from_json (json, NULL);
  g_assert_true (gis_style_equal (style, parsed));
  gtk_window_destroy (GTK_WINDOW (editor));
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);
  adw_init ();
  gis_init ();

  g_test_add ("/style-editor/default-round-trip", Fixture, NULL, fixture_setup, test_default_round_trip, fixture_teardown);
  g_test_add ("/style-editor/categorized", Fixture, NULL, fixture_setup, test_categorized, fixture_teardown);
  g_test_add ("/style-editor/graduated", Fixture, NULL, fixture_setup, test_graduated, fixture_teardown);

  return g_test_run ();
}
