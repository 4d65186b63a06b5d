/* test-export-dialog.c: the map export dialog of the window on the sample store
 *
 * The real window under Xvfb on a copy of the sample store, the dialog
 * opened with win.export-map and driven through its widgets: the preview
 * arrives from its worker with the map drawn at the frame's centre; a
 * French PDF read back with pdftotext has the title and the French text
 * of the page; a PNG at 150 DPI on Letter is 1275 × 1650 pixels; an
 * atlas of the states pages through its preview, and Cancel during its
 * export leaves no file.  The file chooser is bypassed through
 * atalaya_export_dialog_export_to().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-export-dialog"

#include "config.h"

#include "gui-util.h"
#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "atalaya-application.h"
#include "atalaya-export-dialog-private.h"
#include "atalaya-window-private.h"
#include "gis-compose-i18n-private.h"

typedef struct
{
  char                *dir;
  char                *store_path;
  AtalayaApplication  *app;
  AtalayaWindow       *window;
  AtalayaExportDialog *dialog;
  GStrv                exported;
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

/* drawn at its size: the view has an extent to export */
static gboolean
map_is_drawn (gpointer data)
{
  AtalayaWindow *window = data;
  GisViewport *viewport = atalaya_map_view_get_viewport (window->map_view);

  return map_is_settled (window) && gis_viewport_get_width (viewport) > 1 &&
         atalaya_map_view_get_texture (window->map_view) != NULL;
}

static gboolean
preview_is_ready (gpointer data)
{
  AtalayaExportDialog *dialog = data;

  return !atalaya_export_dialog_get_previewing (dialog) &&
         (dialog->preview_surface != NULL || dialog->preview_error != NULL);
}

static gboolean
export_is_done (gpointer data)
{
  return !atalaya_export_dialog_get_exporting (data);
}

static void
on_exported (AtalayaExportDialog *dialog,
             const char *const   *files,
             Fixture             *fx)
{
  g_strfreev (fx->exported);
  fx->exported = g_strdupv ((char **) files);
}

static AtalayaExportDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ATALAYA_IS_EXPORT_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ATALAYA_EXPORT_DIALOG (w);
    }
  return NULL;
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
  fx->dir = g_dir_make_tmp ("atalaya-export-dialog-XXXXXX", &error);
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
  wait_for (map_is_drawn, fx->window, "the map to be drawn");

  g_assert_null (find_dialog ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->window), "win.export-map", NULL));
  fx->dialog = find_dialog ();
  g_assert_nonnull (fx->dialog);
  g_object_ref (fx->dialog);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (fx->dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (fx->dialog)) == GTK_WINDOW (fx->window));
  g_signal_connect (fx->dialog, "exported", G_CALLBACK (on_exported), fx);
  wait_for (preview_is_ready, fx->dialog, "the first preview");
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  if (fx->dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (fx->dialog, fx);
      gtk_window_destroy (GTK_WINDOW (fx->dialog));
      g_clear_object (&fx->dialog);
    }
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
      g_autoptr(GDir) dir = g_dir_open (fx->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (fx->dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (fx->dir);
    }
  g_free (fx->dir);
  g_free (fx->store_path);
  g_strfreev (fx->exported);
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

/* After an edit: the debounce, then the render. */
static void
wait_for_preview (Fixture    *fx,
                  const char *what)
{
  g_assert_true (atalaya_export_dialog_get_previewing (fx->dialog));
  wait_for (preview_is_ready, fx->dialog, what);
  if (fx->dialog->preview_error != NULL)
    g_error ("preview failed: %s", fx->dialog->preview_error->message);
  g_test_message ("preview %d × %d px in %.0f ms (%.0f ms reading the store)",
                  cairo_image_surface_get_width (fx->dialog->preview_surface),
                  cairo_image_surface_get_height (fx->dialog->preview_surface),
                  fx->dialog->preview_ms, fx->dialog->preview_load_ms);
}

static guint32
preview_pixel (AtalayaExportDialog *dialog,
               double               x_pt,
               double               y_pt)
{
  cairo_surface_t *s = dialog->preview_surface;
  double scale = cairo_image_surface_get_width (s) / dialog->page_width_pt;
  int x = (int) (x_pt * scale), y = (int) (y_pt * scale);

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (s));
  cairo_surface_flush (s);
  return *(guint32 *) (cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s) + x * 4);
}

static char *
export_and_wait (Fixture    *fx,
                 const char *name)
{
  g_autofree char *path = g_build_filename (fx->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  atalaya_export_dialog_export_to (fx->dialog, file);
  g_assert_true (atalaya_export_dialog_get_exporting (fx->dialog));
  g_assert_false (gtk_widget_get_sensitive (fx->dialog->settings_box));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->dialog->progress_bar)));
  wait_for (export_is_done, fx->dialog, "the export");
  g_test_message ("exported in %.2f s", fx->dialog->export_seconds);
  return g_steal_pointer (&path);
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* The first preview shows the window's map: its shown layers, its CRS,
 * its view; the map is drawn at the frame's centre. */
static void
test_preview (Fixture       *fx,
              gconstpointer  data)
{
  AtalayaExportDialog *d;
  guint32 background, centre;

  SKIP_WITHOUT_SAMPLE (fx);
  d = fx->dialog;
  g_assert_null (d->preview_error);
  g_assert_nonnull (d->preview_surface);
  g_assert_cmpint (cairo_image_surface_get_width (d->preview_surface), >, 100);
  g_assert_cmpuint (d->n_pages, ==, 1);
  g_assert_true (d->has_frame);
  g_test_message ("first preview in %.0f ms (%.0f ms reading the store)", d->preview_ms, d->preview_load_ms);

  /* the defaults: the map's view, CRS and shown layers */
  g_assert_cmpuint (adw_combo_row_get_selected (d->extent_row), ==, 0);
  g_assert_cmpstr (g_ptr_array_index (d->crs_ids, adw_combo_row_get_selected (d->crs_row)), ==,
                   atalaya_status_bar_get_crs_id (fx->window->status_bar));
  g_assert_cmpuint (d->layer_checks->len, ==, g_list_model_get_n_items (fx->window->layers));
  for (guint i = 0; i < d->layer_checks->len; i++)
    g_assert_true (gtk_check_button_get_active (g_ptr_array_index (d->layer_checks, i)));

  /* white paper in the margin, the map at the frame's centre */
  background = preview_pixel (d, 2, 2);
  centre = preview_pixel (d, d->frame_x_pt + d->frame_width_pt / 2, d->frame_y_pt + d->frame_height_pt / 2);
  g_test_message ("margin 0x%08x, frame centre 0x%08x", background, centre);
  g_assert_cmphex (background, ==, 0xffffffff);
  g_assert_cmphex (centre, !=, background);

  /* an edit previews again, keeping the layers read */
  choose (d->orientation_row, "Landscape");
  wait_for_preview (fx, "the landscape preview");
  g_assert_cmpfloat (d->page_width_pt, >, d->page_height_pt);
  g_assert_cmpfloat (d->preview_load_ms, ==, 0);
  g_assert_cmpfloat (cairo_image_surface_get_width (d->preview_surface), >,
                     cairo_image_surface_get_height (d->preview_surface));
}

/* A French PDF: the title as typed, the page's own text in French. */
static void
test_pdf_french (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autofree char *pdftotext = NULL;
  const char *legend = gis_compose_tr (GIS_LANGUAGE_FR, "Legend");
  const char *crs = gis_compose_tr (GIS_LANGUAGE_FR, "CEC North American Atlas LAEA");

  SKIP_WITHOUT_SAMPLE (fx);
  gtk_editable_set_text (GTK_EDITABLE (fx->dialog->title_row), "Ports et incidents à la frontière");
  choose (fx->dialog->language_row, "Français");
  wait_for_preview (fx, "the French preview");
  g_assert_cmpstr (fx->dialog->page_title, ==, "Ports et incidents à la frontière");

  pdf = export_and_wait (fx, "carte.pdf");
  g_assert_nonnull (fx->exported);
  g_assert_cmpuint (g_strv_length (fx->exported), ==, 1);
  g_assert_cmpstr (fx->exported[0], ==, pdf);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  /* done: the dialog closed, the window says where the file went */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fx->dialog)));
  {
    const char *files[] = { pdf, NULL };
    g_autofree char *toast = atalaya_export_dialog_describe_files (files);

    g_assert_cmpstr (toast, ==, "Map exported to carte.pdf");
  }
  {
    /* an atlas of numbered files: the first and the last */
    const char *files[] = { "/x/state-001.png", "/x/state-002.png", "/x/state-097.png", NULL };
    g_autofree char *toast = atalaya_export_dialog_describe_files (files);

    g_assert_cmpstr (toast, ==, "Map exported to 3 files, state-001.png to state-097.png");
  }

  pdftotext = g_find_program_in_path ("pdftotext");
  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext is not installed (poppler-utils)");
      return;
    }
  text = pdf_text (pdf);
  g_test_message ("%s", text);
  /* the notes wrap: compare on one line */
  flat = g_strdelimit (g_strdup (text), "\n", ' ');
  g_assert_nonnull (strstr (flat, "Ports et incidents à la frontière"));
  /* the French catalog is there: the CRS is named in French */
  g_assert_cmpstr (crs, !=, "CEC North American Atlas LAEA");
  g_assert_nonnull (strstr (flat, crs));
  /* the legend's title, "Légende" once the catalog has it */
  g_assert_nonnull (strstr (flat, legend));
  if (g_strcmp0 (legend, "Legend") == 0)
    g_test_message ("the French catalog has no “Legend” yet: the page says it in English");
}

/* PNG at 150 DPI on Letter in portrait: 8.5 × 11 in at 150 px/in. */
static void
test_png_dpi (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *png = NULL;
  cairo_surface_t *image;

  SKIP_WITHOUT_SAMPLE (fx);
  choose (fx->dialog->page_size_row, "Letter, 8.5 × 11 in");
  choose (fx->dialog->format_row, "PNG");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fx->dialog->dpi_row)));
  gtk_spin_button_set_value (fx->dialog->dpi_spin, 150);
  g_assert_cmpstr (adw_action_row_get_subtitle (fx->dialog->dpi_row), ==, "1275 × 1650 pixels");

  png = export_and_wait (fx, "map.png");
  g_assert_nonnull (fx->exported);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1275);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 1650);
  cairo_surface_destroy (image);
}

static gboolean
values_are_loaded (gpointer data)
{
  AtalayaExportDialog *dialog = data;

  return dialog->values_cancellable == NULL &&
         g_list_model_get_n_items (G_LIST_MODEL (dialog->values_model)) > 0;
}

/* A feature framed: a state chosen by its name. */
static void
test_feature (Fixture       *fx,
              gconstpointer  data)
{
  AtalayaExportDialog *d;
  guint texas = GTK_INVALID_LIST_POSITION;

  SKIP_WITHOUT_SAMPLE (fx);
  d = fx->dialog;
  choose (d->extent_row, "All Layers Drawn");
  wait_for_preview (fx, "the preview of all the data");

  choose (d->extent_row, "A Feature");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (d->feature_value_row)));
  /* the boundary polygons with the most features, by their names */
  g_assert_cmpstr (g_ptr_array_index (d->frame_layers, adw_combo_row_get_selected (d->feature_layer_row)), ==,
                   "states_provinces");
  g_assert_cmpstr (g_ptr_array_index (d->feature_fields, adw_combo_row_get_selected (d->feature_field_row)), ==,
                   "name");
  wait_for (values_are_loaded, d, "the names of the states");
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (d->values_model)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (d->values_model, i), "Texas") == 0)
      texas = i;
  g_assert_cmpuint (texas, !=, GTK_INVALID_LIST_POSITION);
  gtk_drop_down_set_selected (d->feature_value_dropdown, texas);
  wait_for_preview (fx, "the preview of Texas");
  g_assert_null (d->preview_error);
  g_assert_true (d->has_frame);
}

static gboolean
export_has_started (gpointer data)
{
  Fixture *fx = data;
  g_autofree char *path = g_build_filename (fx->dir, "states.pdf", NULL);

  return !atalaya_export_dialog_get_exporting (fx->dialog) || g_file_test (path, G_FILE_TEST_EXISTS);
}

/* An atlas of the states: pages through the preview; Stop during its
 * export leaves no file and keeps the dialog open. */
static void
test_atlas_cancel (Fixture       *fx,
                   gconstpointer  data)
{
  AtalayaExportDialog *d;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *first_title = NULL;

  SKIP_WITHOUT_SAMPLE (fx);
  d = fx->dialog;
  adw_expander_row_set_enable_expansion (d->atlas_row, TRUE);
  choose (d->atlas_layer_row, "states_provinces");
  choose (d->atlas_field_row, "name");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (d->extent_row)));
  wait_for_preview (fx, "the atlas preview");
  g_assert_cmpuint (d->n_pages, ==, 97);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (d->next_page_button)));
  g_assert_nonnull (strstr (gtk_label_get_text (d->page_label), "Page 1 of 97"));
  first_title = g_strdup (d->page_title);

  g_signal_emit_by_name (d->next_page_button, "clicked");
  g_assert_cmpuint (d->page, ==, 1);
  wait_for (preview_is_ready, d, "the second page");
  g_test_message ("page 2 drawn in %.0f ms", d->preview_ms);
  g_assert_cmpfloat (d->preview_load_ms, ==, 0);
  g_assert_nonnull (strstr (gtk_label_get_text (d->page_label), "Page 2 of 97"));
  g_assert_cmpstr (d->page_title, !=, first_title);

  path = g_build_filename (fx->dir, "states.pdf", NULL);
  file = g_file_new_for_path (path);
  atalaya_export_dialog_export_to (d, file);
  g_assert_true (atalaya_export_dialog_get_exporting (d));
  wait_for (export_has_started, fx, "the PDF to be started");
  g_assert_true (atalaya_export_dialog_get_exporting (d));
  g_signal_emit_by_name (d->cancel_button, "clicked");
  wait_for (export_is_done, d, "the export to stop");

  g_assert_null (fx->exported);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (d)));
  g_assert_cmpstr (gtk_label_get_text (d->status_label), ==, "Export stopped: no file was written.");
  g_assert_true (gtk_widget_get_sensitive (d->settings_box));
  /* the preview comes back */
  wait_for (preview_is_ready, d, "the preview after the export");
  g_assert_cmpuint (d->n_pages, ==, 97);
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("ATALAYA_LOCALEDIR");

  /* the pages' French comes from the built catalogs */
  if (localedir != NULL)
    bindtextdomain (GETTEXT_PACKAGE, localedir);
  gui_test_init (&argc, &argv);
  gis_init ();

  g_test_add ("/export-dialog/preview", Fixture, NULL, fixture_set_up, test_preview, fixture_tear_down);
  g_test_add ("/export-dialog/pdf-french", Fixture, NULL, fixture_set_up, test_pdf_french, fixture_tear_down);
  g_test_add ("/export-dialog/png-dpi", Fixture, NULL, fixture_set_up, test_png_dpi, fixture_tear_down);
  g_test_add ("/export-dialog/feature", Fixture, NULL, fixture_set_up, test_feature, fixture_tear_down);
  g_test_add ("/export-dialog/atlas-cancel", Fixture, NULL, fixture_set_up, test_atlas_cancel,
              fixture_tear_down);
  return g_test_run ();
}
