/* atalaya-window-actions.c: the win.* actions
 *
 * Actions are installed on the class; atalaya_window_actions_update() is
 * the one place that enables and disables them, from the window's state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-window-actions"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include <adwaita.h>

#include "atalaya-export-dialog.h"
#include "atalaya-style-editor.h"
#include "gis-sql-private.h"
#include "atalaya-window-private.h"

static void
open_store_response_cb (AtalayaWindow        *self,
                        int                   response,
                        GtkFileChooserNative *native)
{
  g_assert (ATALAYA_IS_WINDOW (self));
  g_assert (GTK_IS_FILE_CHOOSER_NATIVE (native));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        atalaya_window_open_store (self, file);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
atalaya_window_actions_open_store (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  g_autoptr(GtkFileFilter) stores = NULL;
  g_autoptr(GtkFileFilter) all_files = NULL;
  g_autofree char *last_store = NULL;
  GtkFileChooserNative *native;

  g_assert (ATALAYA_IS_WINDOW (self));

  native = gtk_file_chooser_native_new (_("Open Store"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  stores = gtk_file_filter_new ();
  gtk_file_filter_set_name (stores, _("SpatiaLite stores"));
  gtk_file_filter_add_pattern (stores, "*.sqlite");
  gtk_file_filter_add_pattern (stores, "*.db");
  gtk_file_filter_add_pattern (stores, "*.atalaya");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), stores);

  all_files = gtk_file_filter_new ();
  gtk_file_filter_set_name (all_files, _("All files"));
  gtk_file_filter_add_pattern (all_files, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all_files);

  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (native), stores);

  /* Start where the last store was. */
  last_store = g_settings_get_string (self->settings, "last-store");
  if (last_store[0] != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (last_store);
      g_autoptr(GFile) folder = g_file_get_parent (file);

      if (folder != NULL && g_file_query_exists (folder, NULL))
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
    }

  g_signal_connect_object (native,
                           "response",
                           G_CALLBACK (open_store_response_cb),
                           self,
                           G_CONNECT_SWAPPED);

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
atalaya_window_actions_close_store (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  g_assert (ATALAYA_IS_WINDOW (widget));

  atalaya_window_close_store (ATALAYA_WINDOW (widget));
}

/* ---- new store ------------------------------------------------------------ */

static void
new_store_response_cb (AtalayaWindow        *self,
                       int                   response,
                       GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GisStore) store = NULL;
          g_autofree char *with_ext = NULL;

          if (!g_str_has_suffix (path, ".sqlite") && !g_str_has_suffix (path, ".db"))
            with_ext = g_strconcat (path, ".sqlite", NULL);
          store = gis_store_create (with_ext != NULL ? with_ext : path, &error);
          if (store == NULL)
            atalaya_window_show_error (self, error);
          else
            {
              g_autoptr(GFile) created = g_file_new_for_path (gis_store_get_path (store));

              g_clear_object (&store);
              atalaya_window_open_store (self, created);
            }
        }
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
atalaya_window_actions_new_store (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("New Store"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Create"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  /* Translators: the file name offered for a new store; keep ".sqlite"
   * and use characters that are safe in file names */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), _("enforcement.sqlite"));
  g_signal_connect_object (native, "response", G_CALLBACK (new_store_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
atalaya_window_actions_open_recent (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));

  atalaya_window_open_store (self, file);
}

/* ---- the map ----------------------------------------------------------------- */

static void
atalaya_window_actions_zoom (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);

  if (g_str_equal (action_name, "win.zoom-in"))
    atalaya_map_view_zoom_in (self->map_view);
  else if (g_str_equal (action_name, "win.zoom-out"))
    atalaya_map_view_zoom_out (self->map_view);
  else
    atalaya_window_zoom_full (self);
}

static void
atalaya_window_actions_zoom_to_layer (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisLayer *layer = atalaya_window_find_layer (self, g_variant_get_int64 (param));

  if (layer != NULL && !gis_extent_is_empty (gis_layer_get_extent (layer)))
    atalaya_map_view_zoom_to_lonlat (self->map_view, gis_layer_get_extent (layer));
}

static void
atalaya_window_actions_time_filter (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  gint64 from, to;

  atalaya_time_bar_set_filtering (self->time_bar,
                                  !atalaya_time_bar_get_filter (self->time_bar, &from, &to));
}

/* ---- layer order and removal ---------------------------------------------------- */

/* Puts layer @moved just above (or below) layer @target in the drawing
 * order and saves the new order. */
static void
atalaya_window_actions_move_layer (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  gint64 moved_id, target_id;
  gboolean above;
  GisLayer *moved = NULL;
  guint n;

  g_variant_get (param, "(xxb)", &moved_id, &target_id, &above);
  if (self->layers == NULL || moved_id == target_id)
    return;

  /* the drawing order without the moved layer, bottom first */
  n = g_list_model_get_n_items (self->layers);
  for (guint i = 0; i < n; i++)
    {
      GisLayer *layer = g_list_model_get_item (self->layers, i);

      g_object_unref (layer);   /* the model keeps it */
      if (gis_layer_get_id (layer) == moved_id)
        moved = layer;
      else
        g_ptr_array_add (order, layer);
    }
  if (moved == NULL)
    return;

  for (guint i = 0; i < order->len; i++)
    if (gis_layer_get_id (g_ptr_array_index (order, i)) == target_id)
      {
        /* the panel shows the top first: "above" in the panel is drawn later */
        g_ptr_array_insert (order, above ? (int) i + 1 : (int) i, moved);
        break;
      }
  if (order->len != n)
    g_ptr_array_add (order, moved);

  for (guint i = 0; i < order->len; i++)
    {
      GisLayer *layer = g_ptr_array_index (order, i);
      g_autoptr(GError) error = NULL;

      gis_layer_set_z_order (layer, (int) i);
      if (!gis_store_save_layer_properties (self->store, layer, &error))
        {
          atalaya_window_show_error (self, error);
          break;
        }
    }
  atalaya_window_reload_layers (self);
}

static void
remove_layer_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          AtalayaWindow    *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "layer-id"));
  GisLayer *layer;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "remove") != 0 || self->store == NULL)
    return;
  layer = atalaya_window_find_layer (self, id);
  if (layer == NULL)
    return;
  if (!gis_store_remove_layer (self->store, layer, &error))
    {
      atalaya_window_show_error (self, error);
      return;
    }
  atalaya_window_reload_layers (self);
}

static void
atalaya_window_actions_remove_layer (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisLayer *layer = atalaya_window_find_layer (self, g_variant_get_int64 (param));
  GtkWidget *dialog;

  if (layer == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove Layer?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "“%s” and its %" PRId64 " feature will be deleted from "
                                               "the store. This cannot be undone.",
                                               "“%s” and its %" PRId64 " features will be deleted from "
                                               "the store. This cannot be undone.",
                                               (gulong) MIN (gis_layer_get_feature_count (layer), G_MAXLONG)),
                                  gis_layer_get_name (layer), gis_layer_get_feature_count (layer));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data (G_OBJECT (dialog), "layer-id", GSIZE_TO_POINTER ((gsize) gis_layer_get_id (layer)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_layer_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- selection --------------------------------------------------------------------- */

static void
atalaya_window_actions_clear_selection (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);

  atalaya_map_controller_clear_selection (self->controller);
}

static void
atalaya_window_actions_zoom_to_selection (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisViewport *viewport = atalaya_map_view_get_viewport (self->map_view);
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;
  GisExtent all;

  gis_extent_init_empty (&all);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);
      gsize n_fids;
      const gint64 *fids = atalaya_map_controller_get_selection (self->controller,
                                                                 gis_layer_get_id (layer), &n_fids);
      GisExtent e;

      if (fids != NULL &&
          atalaya_map_controller_get_fids_extent (self->controller, gis_layer_get_id (layer),
                                                  fids, n_fids, &e))
        gis_extent_add_extent (&all, &e);
    }
  if (gis_extent_is_empty (&all))
    return;

  /* a single point: keep the scale, centre it */
  if (all.max_x - all.min_x < gis_viewport_get_resolution (viewport) &&
      all.max_y - all.min_y < gis_viewport_get_resolution (viewport))
    gis_viewport_set_center (viewport, all.min_x, all.min_y);
  else
    gis_viewport_fit_extent (viewport, &all, 48);
}

/* ---- export ---------------------------------------------------------------------------- */

typedef struct
{
  char   *store_path;
  char   *layer_name;
  char   *sql;           /* NULL: the whole layer */
  char   *output;
  guint64 count;
  gboolean raster;       /* a grid, to GeoTIFF */
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_free (job->store_path);
  g_free (job->layer_name);
  g_free (job->sql);
  g_free (job->output);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisExportOptions) options = gis_export_options_new ();
  GError *error = NULL;
  gboolean ok;

  store = gis_store_open (job->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  options->overwrite = TRUE;   /* the file chooser asked already */
  options->layer_name = g_strdup (job->layer_name);

  if (job->sql != NULL)
    ok = gis_store_export_query (store, job->sql, job->output, options, NULL, NULL,
                                 cancellable, &job->count, &error);
  else
    {
      g_autoptr(GisLayer) layer = gis_store_get_layer (store, job->layer_name, &error);

      ok = layer != NULL &&
           gis_store_export_layer (store, layer, job->output, options, NULL, NULL,
                                   cancellable, &job->count, &error);
    }
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AtalayaWindow *self = ATALAYA_WINDOW (object);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    atalaya_window_show_error (self, error);
  else
    {
      g_autofree char *name = g_path_get_basename (job->output);
      g_autofree char *text = job->raster
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Exported a grid of %" PRIu64 " cell to %s",
                                        "Exported a grid of %" PRIu64 " cells to %s",
                                        job->count),
                           job->count, name)
        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Exported %" PRIu64 " feature to %s",
                                        "Exported %" PRIu64 " features to %s",
                                        job->count),
                           job->count, name);

      atalaya_window_show_message (self, text);
    }
}

static void
export_response_cb (GtkFileChooserNative *native,
                    int                   response,
                    AtalayaWindow        *self)
{
  ExportJob *job = g_object_steal_data (G_OBJECT (native), "job");

  if (response == GTK_RESPONSE_ACCEPT && job != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autoptr(GTask) task = NULL;

      job->output = file != NULL ? g_file_get_path (file) : NULL;
      if (job->output != NULL && gis_export_format_from_path (job->output) == GIS_EXPORT_FORMAT_AUTO)
        {
          char *with_ext = g_strconcat (job->output, job->raster ? ".tif" : ".gpkg", NULL);

          g_free (job->output);
          job->output = with_ext;
        }
      if (job->output != NULL)
        {
          task = g_task_new (self, NULL, export_cb, NULL);
          g_task_set_source_tag (task, export_response_cb);
          g_task_set_task_data (task, g_steal_pointer (&job), export_job_free);
          g_task_run_in_thread (task, export_thread);
        }
    }
  if (job != NULL)
    export_job_free (job);

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
ask_export_file (AtalayaWindow *self,
                 ExportJob     *job)
{
  static const struct { const char *name; const char *pattern; } filters[] = {
    { N_("GeoPackage"), "*.gpkg" },
    { N_("GeoJSON"), "*.geojson" },
    { N_("Shapefile"), "*.shp" },
    { N_("CSV"), "*.csv" },
    { N_("KML"), "*.kml" },
  };
  static const struct { const char *name; const char *pattern; } raster_filters[] = {
    { N_("GeoTIFF"), "*.tif" },
  };
  GtkFileChooserNative *native;
  g_autofree char *name = g_strconcat (job->layer_name, job->raster ? ".tif" : ".gpkg", NULL);

  native = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  /* a raster goes to GeoTIFF only; features to the vector formats */
  for (guint i = 0; i < (job->raster ? G_N_ELEMENTS (raster_filters) : G_N_ELEMENTS (filters)); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(job->raster ? raster_filters[i].name : filters[i].name));
      gtk_file_filter_add_pattern (filter, job->raster ? raster_filters[i].pattern : filters[i].pattern);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }
  g_object_set_data_full (G_OBJECT (native), "job", job, export_job_free);
  g_signal_connect_object (native, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
atalaya_window_actions_export_layer (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisLayer *layer = atalaya_window_get_active_layer (self);
  ExportJob *job;

  if (layer == NULL || self->store == NULL)
    {
      atalaya_window_show_message (self, _("Select the layer to export in the layer list"));
      return;
    }
  job = g_new0 (ExportJob, 1);
  job->store_path = g_strdup (gis_store_get_path (self->store));
  job->layer_name = g_strdup (gis_layer_get_name (layer));
  job->raster = gis_layer_is_raster (layer);
  ask_export_file (self, job);
}

/* The selected features of the active layer.  The statement is built
 * from the layer's own table name (quoted) and integer fids only. */
static void
atalaya_window_actions_export_selection (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisLayer *layer = atalaya_window_get_active_layer (self);
  const gint64 *fids;
  gsize n = 0;
  g_autoptr(GString) sql = NULL;
  g_autofree char *qt = NULL;
  ExportJob *job;

  if (layer == NULL || self->store == NULL)
    {
      atalaya_window_show_message (self, _("Select the layer to export in the layer list"));
      return;
    }
  fids = atalaya_map_controller_get_selection (self->controller, gis_layer_get_id (layer), &n);
  if (n == 0)
    {
      atalaya_window_show_message (self, _("No features of this layer are selected"));
      return;
    }

  qt = gis_sql_quote_ident (gis_layer_get_table_name (layer));
  sql = g_string_new (NULL);
  g_string_append_printf (sql, "SELECT * FROM %s WHERE fid IN (", qt);
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (sql, "%s%" G_GINT64_FORMAT, i ? "," : "", fids[i]);
  g_string_append (sql, ") ORDER BY fid");

  job = g_new0 (ExportJob, 1);
  job->store_path = g_strdup (gis_store_get_path (self->store));
  /* Translators: the name of a layer of selected features in an export
   * (and of its file); %s is the layer's name */
  job->layer_name = g_strdup_printf (_("%s selection"), gis_layer_get_name (layer));
  job->sql = g_string_free (g_steal_pointer (&sql), FALSE);
  ask_export_file (self, job);
}

/* ---- map pages ---------------------------------------------------------------------------- */

static void
on_export_dialog_exported (AtalayaExportDialog *dialog,
                           const char *const   *files,
                           AtalayaWindow       *self)
{
  g_autofree char *text = atalaya_export_dialog_describe_files (files);

  atalaya_window_show_message (self, text);
}

static void
atalaya_window_actions_export_map (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisViewport *viewport = atalaya_map_view_get_viewport (self->map_view);
  AtalayaExportDialog *dialog;
  GisViewState state;
  GisExtent view;

  if (self->store == NULL || self->layers == NULL)
    return;
  /* the page shows what the map shows, until told otherwise */
  gis_viewport_get_state (viewport, &state);
  gis_view_state_get_extent (&state, &view);
  dialog = atalaya_export_dialog_new (GTK_WINDOW (self), self->store, self->layers,
                                      atalaya_status_bar_get_crs_id (self->status_bar),
                                      state.width_px > 1 && state.height_px > 1 ? &view : NULL);
  g_signal_connect_object (dialog, "exported", G_CALLBACK (on_export_dialog_exported), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- styles ----------------------------------------------------------------------------- */

typedef struct
{
  AtalayaWindow *window;
  gint64         layer_id;
} StyleTarget;

static void
on_style_applied (AtalayaStyleEditor *editor,
                  GisStyle           *style,
                  StyleTarget        *target)
{
  g_autoptr(GError) error = NULL;

  if (!atalaya_map_controller_set_style (target->window->controller, target->layer_id, style, &error))
    atalaya_window_show_error (target->window, error);
}

static void
atalaya_window_actions_edit_style (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  gint64 id = g_variant_get_int64 (param);
  GisLayer *layer = atalaya_window_find_layer (self, id);
  GisStyle *style = atalaya_map_controller_get_style (self->controller, id);
  AtalayaStyleEditor *editor;
  StyleTarget *target;

  if (layer == NULL || style == NULL || self->store == NULL)
    return;

  editor = atalaya_style_editor_new (GTK_WINDOW (self), self->store, layer, style);
  target = g_new0 (StyleTarget, 1);
  target->window = self;
  target->layer_id = id;
  g_signal_connect_data (editor, "applied", G_CALLBACK (on_style_applied), target,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

/* ---- attribute table --------------------------------------------------------------------- */

static void
atalaya_window_actions_attribute_table (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  GisLayer *layer;

  if (param != NULL)
    layer = atalaya_window_find_layer (self, g_variant_get_int64 (param));
  else
    layer = atalaya_window_get_active_layer (self);
  if (layer == NULL)
    {
      atalaya_window_show_message (self, _("Select a layer in the layer list to see its table"));
      return;
    }
  if (gis_layer_is_raster (layer))
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is a raster: it has cells, not a table of features"),
                                               gis_layer_get_name (layer));

      atalaya_window_show_message (self, text);
      return;
    }
  atalaya_window_show_table (self, layer);
}

/* ---- the SQL console ------------------------------------------------------------------ */

static void
atalaya_window_actions_sql_console (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);

  if (self->store == NULL)
    return;
  if (self->sql_console == NULL)
    {
      self->sql_console = atalaya_sql_console_new (GTK_WINDOW (self),
                                                   gis_store_get_path (self->store),
                                                   self->controller,
                                                   self->map_view);
      g_object_add_weak_pointer (G_OBJECT (self->sql_console), (gpointer *) &self->sql_console);
    }
  gtk_window_present (GTK_WINDOW (self->sql_console));
}

/**
 * atalaya_window_close_sql_console: (skip)
 *
 * Closes the SQL console, if open; its overlay leaves the map.
 */
void
atalaya_window_close_sql_console (AtalayaWindow *self)
{
  AtalayaSqlConsole *console = self->sql_console;

  if (console == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (console), (gpointer *) &self->sql_console);
  self->sql_console = NULL;
  gtk_window_destroy (GTK_WINDOW (console));
}

/* ---- the query panel ------------------------------------------------------------------ */

static void
atalaya_window_actions_query (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  atalaya_window_show_query_panel (ATALAYA_WINDOW (widget));
}

static void
atalaya_window_actions_coverage (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  atalaya_window_show_coverage_panel (ATALAYA_WINDOW (widget));
}

static void
atalaya_window_actions_hotspots (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  atalaya_window_show_hotspots_panel (ATALAYA_WINDOW (widget));
}

static void
atalaya_window_actions_indicators (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  atalaya_window_show_indicators_panel (ATALAYA_WINDOW (widget));
}

/* ---- import and editing ------------------------------------------------------------- */

static void
atalaya_window_actions_import (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  atalaya_window_import_file (ATALAYA_WINDOW (widget), NULL);
}

static void
atalaya_window_actions_undo_redo (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  AtalayaWindow *self = ATALAYA_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self->editor == NULL)
    return;
  if (g_str_equal (action_name, "win.undo"))
    ok = gis_editor_undo (self->editor, &error);
  else
    ok = gis_editor_redo (self->editor, &error);
  if (!ok && error != NULL)
    atalaya_window_show_error (self, error);
}

void
atalaya_window_class_actions_init (AtalayaWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.open-store", NULL,
                                   atalaya_window_actions_open_store);
  gtk_widget_class_install_action (widget_class, "win.new-store", NULL,
                                   atalaya_window_actions_new_store);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s",
                                   atalaya_window_actions_open_recent);
  gtk_widget_class_install_action (widget_class, "win.close-store", NULL,
                                   atalaya_window_actions_close_store);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL,
                                   atalaya_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL,
                                   atalaya_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-full", NULL,
                                   atalaya_window_actions_zoom);
  gtk_widget_class_install_action (widget_class, "win.zoom-to-layer", "x",
                                   atalaya_window_actions_zoom_to_layer);
  /* stateful: the tool buttons show which tool is on */
  gtk_widget_class_install_property_action (widget_class, "win.tool", "tool");
  gtk_widget_class_install_action (widget_class, "win.time-filter", NULL,
                                   atalaya_window_actions_time_filter);
  gtk_widget_class_install_action (widget_class, "win.move-layer", "(xxb)",
                                   atalaya_window_actions_move_layer);
  gtk_widget_class_install_action (widget_class, "win.remove-layer", "x",
                                   atalaya_window_actions_remove_layer);
  gtk_widget_class_install_action (widget_class, "win.export-layer", NULL,
                                   atalaya_window_actions_export_layer);
  gtk_widget_class_install_action (widget_class, "win.export-selection", NULL,
                                   atalaya_window_actions_export_selection);
  gtk_widget_class_install_action (widget_class, "win.export-map", NULL,
                                   atalaya_window_actions_export_map);
  gtk_widget_class_install_action (widget_class, "win.edit-style", "x",
                                   atalaya_window_actions_edit_style);
  gtk_widget_class_install_action (widget_class, "win.attribute-table", "x",
                                   atalaya_window_actions_attribute_table);
  gtk_widget_class_install_action (widget_class, "win.attribute-table-selected", NULL,
                                   atalaya_window_actions_attribute_table);
  gtk_widget_class_install_action (widget_class, "win.import", NULL,
                                   atalaya_window_actions_import);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL,
                                   atalaya_window_actions_undo_redo);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL,
                                   atalaya_window_actions_undo_redo);
  gtk_widget_class_install_action (widget_class, "win.clear-selection", NULL,
                                   atalaya_window_actions_clear_selection);
  gtk_widget_class_install_action (widget_class, "win.zoom-to-selection", NULL,
                                   atalaya_window_actions_zoom_to_selection);
  gtk_widget_class_install_action (widget_class, "win.sql-console", NULL,
                                   atalaya_window_actions_sql_console);
  gtk_widget_class_install_action (widget_class, "win.query", NULL,
                                   atalaya_window_actions_query);
  gtk_widget_class_install_action (widget_class, "win.coverage", NULL,
                                   atalaya_window_actions_coverage);
  gtk_widget_class_install_action (widget_class, "win.hotspots", NULL,
                                   atalaya_window_actions_hotspots);
  gtk_widget_class_install_action (widget_class, "win.indicators", NULL,
                                   atalaya_window_actions_indicators);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-store", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-store", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-full", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.tool", "s", "pan");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.tool", "s", "select");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.tool", "s", "add-point");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.tool", "s", "move-point");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.time-filter", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.export-map", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F6, 0, "win.attribute-table-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, GDK_SHIFT_MASK, "win.clear-selection", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_q, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.sql-console", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.query", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "win.coverage", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.hotspots", NULL);
  /* Ctrl+I imports, and Ctrl+Shift+I is GTK's inspector */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK | GDK_ALT_MASK, "win.indicators", NULL);
}

void
atalaya_window_actions_update (AtalayaWindow *self)
{
  gboolean has_store;
  gboolean loading;

  g_assert (ATALAYA_IS_WINDOW (self));

  has_store = self->store != NULL;
  loading = self->opening_file != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-store", has_store || loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-in", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-out", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-full", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-to-layer", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.tool", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.time-filter", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.move-layer", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-layer", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-selection", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", has_store && !gis_store_is_read_only (self->store));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-style", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.attribute-table", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.attribute-table-selected", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-layer", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-selection", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-map", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", self->editor != NULL && gis_editor_get_can_undo (self->editor));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo", self->editor != NULL && gis_editor_get_can_redo (self->editor));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-to-selection", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sql-console", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.query", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.coverage", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.hotspots", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.indicators", has_store);
}
