/* atalaya-window.c: the main window, showing one store
 *
 * The window opens a store on a worker thread, then lists its layers.
 * Its content is a stack: a status page while no store is open, a
 * spinner while one opens, and the layer list (or an empty-store page)
 * once it is open.  Errors show as toasts, keeping what was shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "atalaya-attribute-table.h"
#include "atalaya-feature-form.h"
#include "atalaya-identify-panel.h"
#include "atalaya-import-dialog.h"
#include "atalaya-layer-row.h"
#include "atalaya-map-controller.h"
#include "atalaya-map-view.h"
#include "atalaya-query-panel.h"
#include "atalaya-status-bar.h"
#include "atalaya-time-bar.h"
#include "atalaya-window-private.h"

#define MAX_RECENT_STORES 10

G_DEFINE_FINAL_TYPE (AtalayaWindow, atalaya_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_LOADING,
  PROP_TOOL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void watch_layers (AtalayaWindow *self);
static void update_store_menu (AtalayaWindow *self);

/* the names of AtalayaMapTool, as the win.tool action takes them */
static const char *const tool_names[] = { "pan", "select", "add-point", "move-point", "draw-polygon", "pick-point" };

/* ---- presentation ------------------------------------------------------ */

/* The directory of @path for display, with the home directory as "~". */
static char *
display_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  const char *home = g_get_home_dir ();
  gsize home_len = home != NULL ? strlen (home) : 0;

  if (home_len > 1 &&
      strncmp (dir, home, home_len) == 0 &&
      (dir[home_len] == '/' || dir[home_len] == '\0'))
    {
      g_autofree char *rest = g_filename_display_name (dir + home_len);

      return g_strconcat ("~", rest, NULL);
    }

  return g_filename_display_name (dir);
}

static void
atalaya_window_update_title (AtalayaWindow *self)
{
  g_autofree char *name = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *n_layers = NULL;
  g_autofree char *subtitle = NULL;
  const char *path;
  guint n;

  g_assert (ATALAYA_IS_WINDOW (self));

  if (self->store == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Atalaya"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Atalaya"));
      return;
    }

  path = gis_store_get_path (self->store);
  name = g_filename_display_basename (path);
  directory = display_directory (path);
  n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;
  n_layers = g_strdup_printf (ngettext ("%u layer", "%u layers", n), n);
  /* Translators: the window subtitle: a number of layers, then the
   * folder of the store, as in "12 layers · ~/Stores". */
  subtitle = g_strdup_printf (C_("window subtitle", "%s · %s"), n_layers, directory);

  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), path);
  gtk_window_set_title (GTK_WINDOW (self), name);
}

static void
atalaya_window_update_view (AtalayaWindow *self)
{
  const char *page;

  g_assert (ATALAYA_IS_WINDOW (self));

  if (self->opening_file != NULL)
    page = "loading";
  else if (self->store == NULL)
    page = "empty";
  else if (self->layers == NULL || g_list_model_get_n_items (self->layers) == 0)
    page = "no-layers";
  else
    page = "layers";

  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_revealer_set_reveal_child (self->bottom_revealer, g_str_equal (page, "layers"));
}

static void
on_layers_items_changed (AtalayaWindow *self,
                         guint          position,
                         guint          removed,
                         guint          added,
                         GListModel    *layers)
{
  g_assert (ATALAYA_IS_WINDOW (self));
  g_assert (G_IS_LIST_MODEL (layers));

  watch_layers (self);
  atalaya_window_update_title (self);
  atalaya_window_update_view (self);
}

/* ---- editing ----------------------------------------------------------------- */

static void
on_editor_changed (GisEditor     *editor,
                   GisLayer      *layer,
                   gint64         fid,
                   AtalayaWindow *self)
{
  /* the registry row changed too (count, extent): list the layers again */
  GisLayer *shown = atalaya_attribute_table_get_layer (self->attribute_table);

  atalaya_map_controller_reload_layer (self->controller, gis_layer_get_id (layer));
  atalaya_window_reload_layers (self);
  if (shown != NULL && gis_layer_get_id (shown) == gis_layer_get_id (layer))
    atalaya_attribute_table_reload (self->attribute_table);
  atalaya_window_actions_update (self);
}

static void
on_editor_notify (GisEditor     *editor,
                  GParamSpec    *pspec,
                  AtalayaWindow *self)
{
  atalaya_window_actions_update (self);
}

static void
set_editor (AtalayaWindow *self,
            GisStore      *store)
{
  if (self->editor != NULL)
    g_signal_handlers_disconnect_by_data (self->editor, self);
  g_clear_object (&self->editor);

  if (self->feature_form != NULL)
    {
      gtk_stack_remove (self->side_stack, GTK_WIDGET (self->feature_form));
      self->feature_form = NULL;
    }

  if (store == NULL || gis_store_is_read_only (store))
    return;

  self->editor = gis_editor_new (store);
  g_signal_connect (self->editor, "changed", G_CALLBACK (on_editor_changed), self);
  g_signal_connect (self->editor, "notify::can-undo", G_CALLBACK (on_editor_notify), self);
  g_signal_connect (self->editor, "notify::can-redo", G_CALLBACK (on_editor_notify), self);

  self->feature_form = ATALAYA_FEATURE_FORM (atalaya_feature_form_new (self->editor));
  gtk_stack_add_named (self->side_stack, GTK_WIDGET (self->feature_form), "form");
  g_signal_connect_swapped (self->feature_form, "deleted", G_CALLBACK (atalaya_window_hide_side), self);
  g_signal_connect_swapped (self->feature_form, "cancelled", G_CALLBACK (atalaya_window_hide_side), self);
}

/* ---- the side pane: identify results, the feature form -------------------------- */

void
atalaya_window_show_side (AtalayaWindow *self,
                          const char    *page,
                          const char    *title)
{
  GtkWidget *side = gtk_paned_get_end_child (self->map_paned);
  int width = gtk_widget_get_width (GTK_WIDGET (self->map_paned));

  gtk_stack_set_visible_child_name (self->side_stack, page);
  adw_window_title_set_title (self->side_title, title);
  if (!gtk_widget_get_visible (side))
    {
      gtk_widget_set_visible (side, TRUE);
      if (width > 700)
        gtk_paned_set_position (self->map_paned, width - 340);
    }
}

void
atalaya_window_hide_side (AtalayaWindow *self)
{
  GtkWidget *side = gtk_paned_get_end_child (self->map_paned);

  if (side != NULL)
    gtk_widget_set_visible (side, FALSE);
}

static void
show_feature_form (AtalayaWindow *self,
                   GisLayer      *layer,
                   gint64         fid)
{
  if (self->feature_form == NULL)
    return;
  atalaya_feature_form_set_feature (self->feature_form, layer, fid);
  atalaya_window_show_side (self, "form", gis_layer_get_name (layer));
}

static GtkWidget *
build_side_pane (AtalayaWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->side_title = ADW_WINDOW_TITLE (adw_window_title_new ("", NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->side_title));
  gtk_widget_set_tooltip_text (close, _("Close the Panel"));
  gtk_widget_add_css_class (close, "flat");
  g_signal_connect_swapped (close, "clicked", G_CALLBACK (atalaya_window_hide_side), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), close);
  gtk_widget_add_css_class (header, "flat");

  self->side_stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->side_stack), TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->side_stack));
  gtk_widget_set_size_request (box, 280, -1);
  gtk_widget_set_visible (box, FALSE);
  return box;
}

/* ---- clicks on the map ----------------------------------------------------------- */

/**
 * atalaya_window_identify_at: (skip)
 *
 * Lists, in the side pane, every feature drawn under pixel (@x, @y) of
 * the map, nearest first, with all its attributes.
 */
void
atalaya_window_identify_at (AtalayaWindow *self,
                            double         x,
                            double         y)
{
  g_autoptr(GArray) hits = atalaya_map_controller_hit_test (self->controller, x, y, 5, -1);
  g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < hits->len && features->len < 25; i++)
    {
      AtalayaHit *hit = &g_array_index (hits, AtalayaHit, i);
      GisLayer *layer = atalaya_window_find_layer (self, hit->layer_id);
      g_autoptr(GError) error = NULL;
      GisFeature *feature;

      if (layer == NULL)
        continue;
      feature = gis_store_get_feature (self->store, layer, hit->fid, &error);
      if (feature == NULL)
        {
          g_warning ("Identify: %s", error->message);
          continue;
        }
      g_ptr_array_add (features, feature);
    }

  atalaya_identify_panel_set_results (self->identify_panel, features);
  atalaya_window_show_side (self, "identify", _("Identify"));
}

/* ---- the attribute table ----------------------------------------------------------- */

static void
on_table_selection_changed (AtalayaAttributeTable *table,
                            AtalayaWindow         *self)
{
  GisLayer *layer = atalaya_attribute_table_get_layer (table);
  g_autofree gint64 *fids = NULL;
  gsize n = 0;

  if (layer == NULL)
    return;
  fids = atalaya_attribute_table_get_selected_fids (table, &n);
  atalaya_map_controller_set_selection (self->controller, gis_layer_get_id (layer), fids, n);
}

static void
on_table_zoom_to_selection (AtalayaAttributeTable *table,
                            const GisExtent       *lonlat,
                            AtalayaWindow         *self)
{
  if (lonlat->min_x == lonlat->max_x && lonlat->min_y == lonlat->max_y)
    {
      double px, py;

      if (gis_viewport_lonlat_to_pixel (atalaya_map_view_get_viewport (self->map_view),
                                        lonlat->min_x, lonlat->min_y, &px, &py))
        gis_viewport_pan_pixels (atalaya_map_view_get_viewport (self->map_view),
                                 gis_viewport_get_width (atalaya_map_view_get_viewport (self->map_view)) / 2.0 - px,
                                 gis_viewport_get_height (atalaya_map_view_get_viewport (self->map_view)) / 2.0 - py);
      return;
    }
  atalaya_map_view_zoom_to_lonlat (self->map_view, lonlat);
}

/**
 * atalaya_window_show_table: (skip)
 *
 * Opens the attribute table of @layer under the map.
 */
void
atalaya_window_show_table (AtalayaWindow *self,
                           GisLayer      *layer)
{
  GtkWidget *table = GTK_WIDGET (self->attribute_table);
  int height = gtk_widget_get_height (GTK_WIDGET (self->content_paned));
  gsize n = 0;
  const gint64 *fids;

  if (self->store == NULL || layer == NULL)
    return;
  atalaya_attribute_table_set_layer (self->attribute_table, gis_store_get_path (self->store), layer);
  fids = atalaya_map_controller_get_selection (self->controller, gis_layer_get_id (layer), &n);
  if (n > 0)
    atalaya_attribute_table_select_fids (self->attribute_table, fids, n);
  if (!gtk_widget_get_visible (table))
    {
      gtk_widget_set_visible (table, TRUE);
      if (height > 500)
        gtk_paned_set_position (self->content_paned, height - 300);
    }
}

static void
hide_table (AtalayaWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->attribute_table), FALSE);
}

/* The selection of @layer_id changed on the map: show it in the table. */
static void
sync_table_selection (AtalayaWindow *self,
                      gint64         layer_id)
{
  GisLayer *shown = atalaya_attribute_table_get_layer (self->attribute_table);
  const gint64 *fids;
  gsize n = 0;

  if (shown == NULL || gis_layer_get_id (shown) != layer_id ||
      !gtk_widget_get_visible (GTK_WIDGET (self->attribute_table)))
    return;
  fids = atalaya_map_controller_get_selection (self->controller, layer_id, &n);
  atalaya_attribute_table_select_fids (self->attribute_table, fids, n);
}

/* ---- the query panel ----------------------------------------------------------------- */

static void
on_query_selected (AtalayaQueryPanel *panel,
                   gint64             layer_id,
                   GArray            *fids,
                   AtalayaWindow     *self)
{
  if (layer_id < 0)
    return;
  atalaya_map_controller_set_selection (self->controller, layer_id,
                                        (const gint64 *) (gpointer) fids->data, fids->len);
  sync_table_selection (self, layer_id);
  atalaya_window_actions_update (self);
}

static void
on_query_layer_saved (AtalayaQueryPanel *panel,
                      const char        *name,
                      AtalayaWindow     *self)
{
  g_autofree char *text = g_strdup_printf (_("Layer “%s” added"), name);

  atalaya_window_reload_layers (self);
  atalaya_window_show_message (self, text);
}

/**
 * atalaya_window_show_query_panel: (skip)
 *
 * Shows the query panel in the side pane.
 */
void
atalaya_window_show_query_panel (AtalayaWindow *self)
{
  if (self->store == NULL)
    return;
  atalaya_window_show_side (self, "query", _("Query"));
}

/* ---- the coverage panel -------------------------------------------------------------- */

static void
on_coverage_layers_saved (AtalayaCoveragePanel *panel,
                          const char *const    *names,
                          AtalayaWindow        *self)
{
  guint n = g_strv_length ((char **) names);
  g_autofree char *text = g_strdup_printf (ngettext ("%u layer added", "%u layers added", n), n);

  atalaya_window_reload_layers (self);
  atalaya_window_show_message (self, text);
}

/**
 * atalaya_window_show_coverage_panel: (skip)
 *
 * Shows the coverage gaps panel in the side pane.
 */
void
atalaya_window_show_coverage_panel (AtalayaWindow *self)
{
  if (self->store == NULL)
    return;
  atalaya_window_show_side (self, "coverage", _("Coverage Gaps"));
}

/**
 * atalaya_window_show_hotspots_panel: (skip)
 *
 * Shows the hotspots panel in the side pane.
 */
void
atalaya_window_show_hotspots_panel (AtalayaWindow *self)
{
  if (self->store == NULL)
    return;
  atalaya_window_show_side (self, "hotspots", _("Hotspots"));
}

/**
 * atalaya_window_show_indicators_panel: (skip)
 *
 * Shows the indicator charts in the side pane.
 */
void
atalaya_window_show_indicators_panel (AtalayaWindow *self)
{
  if (self->store == NULL)
    return;
  atalaya_window_show_side (self, "indicators", _("Indicators"));
}

static gboolean
active_point_layer (AtalayaWindow  *self,
                    GisLayer      **out_layer)
{
  GisLayer *layer = atalaya_window_get_active_layer (self);
  g_autoptr(GError) error = NULL;

  if (layer == NULL)
    {
      atalaya_window_show_message (self, _("Select the layer to edit in the layer list first"));
      return FALSE;
    }
  if (!gis_layer_is_point_layer (layer))
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is not a point layer; only point layers can be edited"),
                                               gis_layer_get_name (layer));

      atalaya_window_show_message (self, text);
      return FALSE;
    }
  *out_layer = layer;
  return TRUE;
}

static void
select_hits (AtalayaWindow *self,
             gint64         layer_id,
             GArray        *fids,
             gboolean       add)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  gsize n_old = 0;
  const gint64 *old = atalaya_map_controller_get_selection (self->controller, layer_id, &n_old);

  if (!add)
    atalaya_map_controller_clear_selection (self->controller);
  else if (old != NULL)
    g_array_append_vals (all, old, (guint) n_old);
  g_array_append_vals (all, fids->data, fids->len);
  atalaya_map_controller_set_selection (self->controller, layer_id,
                                        (const gint64 *) (gpointer) all->data, all->len);
  sync_table_selection (self, layer_id);
}

static void
on_map_clicked (AtalayaMapView *view,
                double          lon,
                double          lat,
                double          x,
                double          y,
                int             n_press,
                guint           modifiers,
                AtalayaWindow  *self)
{
  AtalayaMapTool tool = atalaya_map_view_get_tool (view);

  if (self->store == NULL || n_press != 1)
    return;

  switch (tool)
    {
    case ATALAYA_MAP_TOOL_SELECT:
      {
        GisLayer *layer = atalaya_window_get_active_layer (self);
        g_autoptr(GArray) hits = NULL;
        g_autoptr(GArray) fids = g_array_new (FALSE, FALSE, sizeof (gint64));
        gint64 layer_id;

        if (layer == NULL)
          {
            atalaya_window_show_message (self, _("Select a layer in the layer list to select its features"));
            return;
          }
        layer_id = gis_layer_get_id (layer);
        hits = atalaya_map_controller_hit_test (self->controller, x, y, 5, layer_id);
        if (hits->len > 0)
          g_array_append_val (fids, g_array_index (hits, AtalayaHit, 0).fid);
        select_hits (self, layer_id, fids, (modifiers & GDK_SHIFT_MASK) != 0);
      }
      break;

    case ATALAYA_MAP_TOOL_ADD_POINT:
      {
        GisLayer *layer;
        g_autoptr(GError) error = NULL;
        gint64 fid = 0;
        gint64 layer_id;

        if (self->editor == NULL || !active_point_layer (self, &layer))
          return;
        layer_id = gis_layer_get_id (layer);
        if (!gis_editor_add_point (self->editor, layer, lon, lat, NULL, &fid, &error))
          {
            atalaya_window_show_error (self, error);
            return;
          }
        /* the editor's "changed" re-listed the layers: find the new row */
        layer = atalaya_window_find_layer (self, layer_id);
        if (layer != NULL)
          show_feature_form (self, layer, fid);
      }
      break;

    case ATALAYA_MAP_TOOL_MOVE_POINT:
      {
        GisLayer *layer;
        g_autoptr(GArray) hits = NULL;

        /* a click (not a drag) on a point of the edited layer opens its form */
        if (self->editor == NULL || !active_point_layer (self, &layer))
          return;
        hits = atalaya_map_controller_hit_test (self->controller, x, y, 8, gis_layer_get_id (layer));
        if (hits->len > 0)
          show_feature_form (self, layer, g_array_index (hits, AtalayaHit, 0).fid);
      }
      break;

    case ATALAYA_MAP_TOOL_DRAW_POLYGON:
    case ATALAYA_MAP_TOOL_PICK_POINT:
      /* the map view draws; the query panel takes the shape */
      break;

    case ATALAYA_MAP_TOOL_PAN:
    default:
      atalaya_window_identify_at (self, x, y);
      break;
    }
}

static void
on_map_box_selected (AtalayaMapView  *view,
                     const GisExtent *box,
                     AtalayaWindow   *self)
{
  GisLayer *layer = atalaya_window_get_active_layer (self);
  g_autoptr(GArray) fids = NULL;
  GdkModifierType state = 0;

  if (layer == NULL)
    {
      atalaya_window_show_message (self, _("Select a layer in the layer list to select its features"));
      return;
    }
  fids = atalaya_map_controller_select_box (self->controller, gis_layer_get_id (layer), box);
  {
    GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (GTK_WIDGET (self)));
    GdkDevice *keyboard = seat != NULL ? gdk_seat_get_keyboard (seat) : NULL;

    if (keyboard != NULL)
      state = gdk_device_get_modifier_state (keyboard);
  }
  select_hits (self, gis_layer_get_id (layer), fids, (state & GDK_SHIFT_MASK) != 0);
}

static gboolean
on_map_move_begin (AtalayaMapView *view,
                   double          lon,
                   double          lat,
                   AtalayaWindow  *self)
{
  GisLayer *layer;
  g_autoptr(GArray) hits = NULL;
  double px, py;

  if (self->editor == NULL || !active_point_layer (self, &layer))
    return FALSE;
  if (!gis_viewport_lonlat_to_pixel (atalaya_map_view_get_viewport (view), lon, lat, &px, &py))
    return FALSE;
  hits = atalaya_map_controller_hit_test (self->controller, px, py, 8, gis_layer_get_id (layer));
  if (hits->len == 0)
    return FALSE;
  self->moving_layer = gis_layer_get_id (layer);
  self->moving_fid = g_array_index (hits, AtalayaHit, 0).fid;
  return TRUE;
}

static void
on_map_move_end (AtalayaMapView *view,
                 double          lon,
                 double          lat,
                 AtalayaWindow  *self)
{
  GisLayer *layer = atalaya_window_find_layer (self, self->moving_layer);
  g_autoptr(GError) error = NULL;

  if (layer == NULL || self->editor == NULL)
    return;
  if (!gis_editor_move_point (self->editor, layer, self->moving_fid, lon, lat, &error))
    atalaya_window_show_error (self, error);
}

static void
on_map_file_dropped (AtalayaMapView *view,
                     GFile          *file,
                     AtalayaWindow  *self)
{
  atalaya_window_import_file (self, file);
}

static void
on_import_dialog_imported (AtalayaImportDialog *dialog,
                           GisLayer            *layer,
                           AtalayaWindow       *self)
{
  atalaya_window_reload_layers (self);
}

/**
 * atalaya_window_import_file: (skip)
 * @file: (nullable): a file to import, or %NULL to choose one
 */
void
atalaya_window_import_file (AtalayaWindow *self,
                            GFile         *file)
{
  AtalayaImportDialog *dialog;

  if (self->store == NULL)
    return;
  dialog = atalaya_import_dialog_new (GTK_WINDOW (self), gis_store_get_path (self->store));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_import_dialog_imported), self, 0);
  if (file != NULL)
    atalaya_import_dialog_set_file (dialog, file);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Shows @store and its @layers (both may be NULL: no store). */
static void
atalaya_window_set_store (AtalayaWindow *self,
                          GisStore      *store,
                          GListModel    *layers)
{
  g_assert (ATALAYA_IS_WINDOW (self));
  g_assert (store == NULL || GIS_IS_STORE (store));
  g_assert ((store == NULL) == (layers == NULL));

  if (self->store == store)
    return;

  /* the console queries one store */
  atalaya_window_close_sql_console (self);

  if (self->layers != NULL)
    g_signal_handlers_disconnect_by_func (self->layers, on_layers_items_changed, self);

  g_set_object (&self->layers, layers);
  g_set_object (&self->store, store);

  if (self->layers != NULL)
    g_signal_connect_object (self->layers,
                             "items-changed",
                             G_CALLBACK (on_layers_items_changed),
                             self,
                             G_CONNECT_SWAPPED);
  watch_layers (self);

  gtk_sort_list_model_set_model (self->display_layers, self->layers);
  atalaya_map_controller_set_store (self->controller, store, layers);
  atalaya_query_panel_set_store (self->query_panel, store, layers);
  atalaya_coverage_panel_set_store (self->coverage_panel, store, layers);
  atalaya_hotspots_panel_set_store (self->hotspots_panel, store, layers);
  atalaya_indicators_panel_set_store (self->indicators_panel, store);
  set_editor (self, store);
  atalaya_window_hide_side (self);
  hide_table (self);
  self->fitted = FALSE;
  if (store != NULL)
    atalaya_window_zoom_full (self);

  atalaya_window_update_title (self);
  atalaya_window_update_view (self);
  atalaya_window_actions_update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/* ---- layers --------------------------------------------------------------- */

/**
 * atalaya_window_find_layer: (skip)
 *
 * Returns: (transfer none) (nullable): the layer with that id
 */
GisLayer *
atalaya_window_find_layer (AtalayaWindow *self,
                           gint64         layer_id)
{
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);

      if (gis_layer_get_id (layer) == layer_id)
        return layer;   /* the model keeps it alive */
    }
  return NULL;
}

/**
 * atalaya_window_get_active_layer: (skip)
 *
 * Returns: (transfer none) (nullable): the layer selected in the panel
 */
GisLayer *
atalaya_window_get_active_layer (AtalayaWindow *self)
{
  return gtk_single_selection_get_selected_item (self->layer_selection);
}

/* Lists the store's layers again: after an import, a removal or a new
 * order.  The map keeps each layer's data by id. */
void
atalaya_window_reload_layers (AtalayaWindow *self)
{
  g_autoptr(GListModel) layers = NULL;
  g_autoptr(GError) error = NULL;
  GisLayer *active;
  gint64 active_id = -1;

  if (self->store == NULL)
    return;

  active = atalaya_window_get_active_layer (self);
  if (active != NULL)
    active_id = gis_layer_get_id (active);

  layers = gis_store_list_layers (self->store, &error);
  if (layers == NULL)
    {
      atalaya_window_show_error (self, error);
      return;
    }

  if (self->layers != NULL)
    g_signal_handlers_disconnect_by_func (self->layers, on_layers_items_changed, self);
  g_set_object (&self->layers, layers);
  g_signal_connect_object (self->layers, "items-changed",
                           G_CALLBACK (on_layers_items_changed), self, G_CONNECT_SWAPPED);
  gtk_sort_list_model_set_model (self->display_layers, self->layers);
  atalaya_map_controller_set_store (self->controller, self->store, self->layers);
  atalaya_query_panel_set_store (self->query_panel, self->store, self->layers);
  atalaya_coverage_panel_set_store (self->coverage_panel, self->store, self->layers);
  atalaya_hotspots_panel_set_store (self->hotspots_panel, self->store, self->layers);
  /* a new result layer may be an emerging hot spot result */
  atalaya_indicators_panel_set_store (self->indicators_panel, self->store);

  /* keep the same layer selected */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->display_layers)); i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (G_LIST_MODEL (self->display_layers), i);

      if (gis_layer_get_id (layer) == active_id)
        gtk_single_selection_set_selected (self->layer_selection, i);
    }

  atalaya_window_update_title (self);
  atalaya_window_update_view (self);
  atalaya_window_actions_update (self);
}

/* Shows every layer of the store: the extent of their data in the display
 * CRS where it is loaded (a layer crossing the antimeridian, such as the
 * Aleutians, spans all longitudes but is compact there), otherwise the
 * registry's extents. */
void
atalaya_window_zoom_full (AtalayaWindow *self)
{
  GisViewport *viewport = atalaya_map_view_get_viewport (self->map_view);
  GisExtent lonlat, map;
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;
  gboolean all_loaded = TRUE;

  gis_extent_init_empty (&lonlat);
  gis_extent_init_empty (&map);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);
      GisLayerData *data = atalaya_map_controller_get_data (self->controller, gis_layer_get_id (layer));

      if (gis_extent_is_empty (gis_layer_get_extent (layer)))
        continue;
      gis_extent_add_extent (&lonlat, gis_layer_get_extent (layer));
      if (data != NULL)
        gis_extent_add_extent (&map, gis_layer_data_get_extent (data));
      else
        all_loaded = FALSE;
    }

  /* before the map has a size, the fit waits for it */
  if (gis_viewport_get_width (viewport) <= 1 || gis_extent_is_empty (&lonlat))
    return;

  if (all_loaded && !gis_extent_is_empty (&map))
    {
      gis_viewport_fit_extent (viewport, &map, 24);
      self->fitted = TRUE;
    }
  else
    {
      /* set first: fitting changes the viewport, which calls back here */
      self->fitted = TRUE;
      self->fitted = atalaya_map_view_zoom_to_lonlat (self->map_view, &lonlat);
      /* fit again once the data is in, unless the user moves first */
      self->fit_on_data = TRUE;
    }
}

static gboolean
save_dirty_layers (gpointer user_data)
{
  AtalayaWindow *self = user_data;
  GHashTableIter iter;
  GisLayer *layer;

  self->save_id = 0;
  if (self->store == NULL)
    {
      g_hash_table_remove_all (self->dirty_layers);
      return G_SOURCE_REMOVE;
    }

  g_hash_table_iter_init (&iter, self->dirty_layers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &layer))
    {
      g_autoptr(GError) error = NULL;

      if (!gis_store_save_layer_properties (self->store, layer, &error))
        atalaya_window_show_error (self, error);
    }
  g_hash_table_remove_all (self->dirty_layers);
  return G_SOURCE_REMOVE;
}

/* Visibility and opacity are saved in the store, a moment after the last
 * change so that dragging the opacity slider is one write. */
static void
on_layer_property_changed (GisLayer      *layer,
                           GParamSpec    *pspec,
                           AtalayaWindow *self)
{
  g_hash_table_insert (self->dirty_layers,
                       g_memdup2 (&(gint64) { gis_layer_get_id (layer) }, sizeof (gint64)),
                       g_object_ref (layer));
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (400, save_dirty_layers, self);
}

static void
watch_layers (AtalayaWindow *self)
{
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);

      g_signal_handlers_disconnect_by_func (layer, on_layer_property_changed, self);
      g_signal_connect_object (layer, "notify::visible", G_CALLBACK (on_layer_property_changed), self, 0);
      g_signal_connect_object (layer, "notify::opacity", G_CALLBACK (on_layer_property_changed), self, 0);
    }
}

static int
compare_z_desc (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  int za = gis_layer_get_z_order ((GisLayer *) a);
  int zb = gis_layer_get_z_order ((GisLayer *) b);

  if (za != zb)
    return za > zb ? -1 : 1;
  return gis_layer_get_id ((GisLayer *) a) > gis_layer_get_id ((GisLayer *) b) ? -1 : 1;
}

/* ---- the map ------------------------------------------------------------------- */

static void
on_map_cursor_moved (AtalayaMapView *view,
                     double          lon,
                     double          lat,
                     gboolean        valid,
                     AtalayaWindow  *self)
{
  atalaya_status_bar_set_cursor (self->status_bar, lon, lat, valid);
}

/* The first fit waits for the map to have a size. */
static void
on_viewport_changed (GisViewport   *viewport,
                     AtalayaWindow *self)
{
  if (!self->fitted && self->store != NULL && gis_viewport_get_width (viewport) > 1)
    atalaya_window_zoom_full (self);
}

static void
on_map_user_moved (AtalayaWindow *self)
{
  self->fit_on_data = FALSE;
}

static void
on_map_tool_changed (AtalayaWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

static void
on_controller_notify_loading (AtalayaMapController *controller,
                              GParamSpec           *pspec,
                              AtalayaWindow        *self)
{
  gboolean loading = atalaya_map_controller_get_loading (controller);

  gtk_spinner_set_spinning (self->map_spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->map_spinner), loading);
}

static void
on_controller_data_changed (AtalayaMapController *controller,
                            gint64                layer_id,
                            AtalayaWindow        *self)
{
  gint64 min_s, max_s;

  if (self->fit_on_data && !atalaya_map_controller_get_loading (controller))
    {
      self->fit_on_data = FALSE;
      atalaya_window_zoom_full (self);
      self->fit_on_data = FALSE;
    }

  if (atalaya_map_controller_get_time_range (controller, &min_s, &max_s))
    atalaya_time_bar_set_data_range (self->time_bar, min_s, max_s);
  else
    atalaya_time_bar_set_data_range (self->time_bar, 0, -1);
}

static void
on_controller_error (AtalayaMapController *controller,
                     const GError         *error,
                     AtalayaWindow        *self)
{
  atalaya_window_show_error (self, error);
}

static void
on_time_bar_changed (AtalayaTimeBar *bar,
                     AtalayaWindow  *self)
{
  gint64 from = 0, to = 0;
  gboolean enabled = atalaya_time_bar_get_filter (bar, &from, &to);

  atalaya_map_controller_set_time_filter (self->controller, enabled, from, to);
}

static void
on_status_bar_crs_changed (AtalayaStatusBar *bar,
                           const char       *crs_id,
                           AtalayaWindow    *self)
{
  g_settings_set_string (self->settings, "display-crs", crs_id);
}

/* Records @path as the last store and first of the recent stores. */
static void
atalaya_window_remember_store (AtalayaWindow *self,
                               const char    *path)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) previous = NULL;
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_assert (ATALAYA_IS_WINDOW (self));
  g_assert (path != NULL);

  previous = g_settings_get_strv (self->settings, "recent-stores");

  g_strv_builder_add (builder, path);
  for (guint i = 0; previous[i] != NULL && n < MAX_RECENT_STORES; i++)
    {
      if (strcmp (previous[i], path) == 0)
        continue;
      g_strv_builder_add (builder, previous[i]);
      n++;
    }
  recent = g_strv_builder_end (builder);

  g_settings_set_string (self->settings, "last-store", path);
  g_settings_set_strv (self->settings, "recent-stores", (const char * const *) recent);
  update_store_menu (self);
}

/* The open button's menu: a new store, and the recent stores that still
 * exist, most recent first. */
static void
update_store_menu (AtalayaWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) actions = g_menu_new ();
  g_autoptr(GMenu) recent = g_menu_new ();
  g_auto(GStrv) paths = g_settings_get_strv (self->settings, "recent-stores");

  g_menu_append (actions, _("_New Store…"), "win.new-store");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (actions));

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (!g_file_test (paths[i], G_FILE_TEST_IS_REGULAR))
        continue;
      name = g_filename_display_basename (paths[i]);
      item = g_menu_item_new (name, NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-recent",
                                               g_variant_new_string (paths[i]));
      g_menu_append_item (recent, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (recent)) > 0)
    g_menu_append_section (menu, _("Recent Stores"), G_MENU_MODEL (recent));

  adw_split_button_set_menu_model (self->open_button, G_MENU_MODEL (menu));
}

/* ---- opening ----------------------------------------------------------- */

static void
atalaya_window_set_opening_file (AtalayaWindow *self,
                                 GFile         *file)
{
  g_assert (ATALAYA_IS_WINDOW (self));

  if (self->open_cancellable != NULL)
    {
      g_cancellable_cancel (self->open_cancellable);
      g_clear_object (&self->open_cancellable);
    }

  if (g_set_object (&self->opening_file, file))
    {
      atalaya_window_update_view (self);
      atalaya_window_actions_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static void
open_store_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AtalayaWindow) self = user_data;
  g_autoptr(GListModel) layers = NULL;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (ATALAYA_IS_WINDOW (self));
  g_assert (G_IS_TASK (result));

  store = gis_store_open_finish (result, &error);

  /* Cancelled: a newer request replaced this one, or the window closed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (store != NULL)
    layers = gis_store_list_layers (store, &error);

  g_clear_object (&self->open_cancellable);
  atalaya_window_set_opening_file (self, NULL);

  if (layers == NULL)
    {
      atalaya_window_show_error (self, error);
      return;
    }

  atalaya_window_set_store (self, store, layers);
  atalaya_window_remember_store (self, gis_store_get_path (store));
}

/**
 * atalaya_window_open_store:
 * @self: a window
 * @file: a store file
 *
 * Opens @file on a worker thread and shows its layers, replacing the store
 * shown, if any.  An open still running is cancelled.  When the store is
 * open, [property@AtalayaWindow:store] changes; when opening fails, an
 * error toast shows and the window keeps what it showed.  Either way
 * [property@AtalayaWindow:loading] goes back to %FALSE.
 */
void
atalaya_window_open_store (AtalayaWindow *self,
                           GFile         *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (ATALAYA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Cannot open “%s”: stores can only be opened from a local disk"),
                   uri);
      atalaya_window_show_error (self, error);
      return;
    }

  atalaya_window_set_opening_file (self, file);
  self->open_cancellable = g_cancellable_new ();

  gis_store_open_async (path,
                        GIS_STORE_OPEN_READ_WRITE,
                        self->open_cancellable,
                        open_store_cb,
                        g_object_ref (self));
}

/**
 * atalaya_window_close_store:
 * @self: a window
 *
 * Stops showing the store, and cancels opening one.
 */
void
atalaya_window_close_store (AtalayaWindow *self)
{
  g_return_if_fail (ATALAYA_IS_WINDOW (self));

  atalaya_window_set_opening_file (self, NULL);
  atalaya_window_set_store (self, NULL, NULL);
}

/**
 * atalaya_window_show_error: (skip)
 * @self: a window
 * @error: what went wrong
 *
 * Shows @error's message in a toast.
 */
void
atalaya_window_show_error (AtalayaWindow *self,
                           const GError  *error)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (ATALAYA_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  /* A toast title is Pango markup; messages quote paths and values. */
  markup = g_markup_escape_text (error->message, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * atalaya_window_show_message: (skip)
 *
 * Shows a short, plain message in a toast.
 */
void
atalaya_window_show_message (AtalayaWindow *self,
                             const char    *message)
{
  g_autofree char *markup = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (markup);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- GObject ----------------------------------------------------------- */

static gboolean
atalaya_window_close_request (GtkWindow *window)
{
  AtalayaWindow *self = (AtalayaWindow *) window;
  int width;
  int height;

  g_assert (ATALAYA_IS_WINDOW (self));

  /* The default size follows the window's size while it is neither
   * maximized nor fullscreen, so it is the size to come back to. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (atalaya_window_parent_class)->close_request (window);
}

static void
atalaya_window_dispose (GObject *object)
{
  AtalayaWindow *self = (AtalayaWindow *) object;

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->opening_file);

  if (self->save_id != 0)
    {
      g_source_remove (self->save_id);
      save_dirty_layers (self);
    }
  g_clear_pointer (&self->dirty_layers, g_hash_table_unref);

  atalaya_window_close_sql_console (self);
  if (self->layers != NULL)
    g_signal_handlers_disconnect_by_func (self->layers, on_layers_items_changed, self);
  if (self->controller != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->controller, self);
      atalaya_map_controller_set_store (self->controller, NULL, NULL);
    }
  if (self->editor != NULL)
    g_signal_handlers_disconnect_by_data (self->editor, self);
  g_clear_object (&self->editor);
  g_clear_object (&self->controller);
  g_clear_object (&self->display_layers);
  g_clear_object (&self->layers);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_WINDOW);

  G_OBJECT_CLASS (atalaya_window_parent_class)->dispose (object);
}

static void
atalaya_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AtalayaWindow *self = ATALAYA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, atalaya_window_get_loading (self));
      break;

    case PROP_TOOL:
      g_value_set_string (value, self->map_view != NULL
                                 ? tool_names[atalaya_map_view_get_tool (self->map_view)]
                                 : "pan");
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  AtalayaWindow *self = ATALAYA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TOOL:
      for (guint i = 0; i < G_N_ELEMENTS (tool_names) && self->map_view != NULL; i++)
        if (g_strcmp0 (g_value_get_string (value), tool_names[i]) == 0)
          atalaya_map_view_set_tool (self->map_view, (AtalayaMapTool) i);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_window_class_init (AtalayaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = atalaya_window_dispose;
  object_class->get_property = atalaya_window_get_property;
  object_class->set_property = atalaya_window_set_property;

  window_class->close_request = atalaya_window_close_request;

  /**
   * AtalayaWindow:store: (nullable)
   *
   * The store shown.  Changes once a store has opened and its layers are
   * listed.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         GIS_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaWindow:loading:
   *
   * Whether a store is being opened.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaWindow:tool:
   *
   * The map tool: "pan" (and identify), "select", "add-point",
   * "move-point", "draw-polygon" or "pick-point".
   */
  properties[PROP_TOOL] =
    g_param_spec_string ("tool", NULL, NULL, "pan",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The template names these types in XML. */
  g_type_ensure (ATALAYA_TYPE_LAYER_ROW);
  g_type_ensure (ATALAYA_TYPE_MAP_VIEW);
  g_type_ensure (ATALAYA_TYPE_STATUS_BAR);
  g_type_ensure (ATALAYA_TYPE_TIME_BAR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, layer_list_view);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, layer_selection);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, main_paned);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, content_paned);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, map_paned);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, map_view);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, map_spinner);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, bottom_revealer);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, time_bar);
  gtk_widget_class_bind_template_child (widget_class, AtalayaWindow, status_bar);

  atalaya_window_class_actions_init (klass);
}

static void
atalaya_window_init (AtalayaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->dirty_layers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  update_store_menu (self);

  /* the panel shows the top layer first */
  self->display_layers = gtk_sort_list_model_new (NULL,
                                                  GTK_SORTER (gtk_custom_sorter_new (compare_z_desc, NULL, NULL)));
  gtk_single_selection_set_model (self->layer_selection, G_LIST_MODEL (self->display_layers));

  self->controller = atalaya_map_controller_new (self->map_view);
  g_signal_connect (self->controller, "notify::loading", G_CALLBACK (on_controller_notify_loading), self);
  g_signal_connect (self->controller, "data-changed", G_CALLBACK (on_controller_data_changed), self);
  g_signal_connect (self->controller, "error", G_CALLBACK (on_controller_error), self);
  g_signal_connect (self->map_view, "cursor-moved", G_CALLBACK (on_map_cursor_moved), self);
  g_signal_connect_swapped (self->map_view, "notify::tool", G_CALLBACK (on_map_tool_changed), self);
  g_signal_connect_swapped (self->map_view, "user-moved", G_CALLBACK (on_map_user_moved), self);
  g_signal_connect (self->time_bar, "changed", G_CALLBACK (on_time_bar_changed), self);

  atalaya_status_bar_set_viewport (self->status_bar, atalaya_map_view_get_viewport (self->map_view));
  g_signal_connect_object (atalaya_map_view_get_viewport (self->map_view), "changed",
                           G_CALLBACK (on_viewport_changed), self, 0);
  {
    g_autofree char *crs = g_settings_get_string (self->settings, "display-crs");
    g_autoptr(GError) error = NULL;

    if (crs[0] != '\0' && !atalaya_status_bar_set_crs_id (self->status_bar, crs, &error))
      g_warning ("Display CRS “%s” from the settings: %s", crs, error->message);
  }
  g_signal_connect (self->status_bar, "crs-changed", G_CALLBACK (on_status_bar_crs_changed), self);
  gtk_widget_set_visible (GTK_WIDGET (self->map_spinner), FALSE);

  gtk_paned_set_end_child (self->map_paned, build_side_pane (self));
  self->identify_panel = ATALAYA_IDENTIFY_PANEL (atalaya_identify_panel_new ());
  gtk_stack_add_named (self->side_stack, GTK_WIDGET (self->identify_panel), "identify");
  self->query_panel = ATALAYA_QUERY_PANEL (atalaya_query_panel_new (self->map_view));
  gtk_stack_add_named (self->side_stack, GTK_WIDGET (self->query_panel), "query");
  g_signal_connect (self->query_panel, "selected", G_CALLBACK (on_query_selected), self);
  g_signal_connect (self->query_panel, "layer-saved", G_CALLBACK (on_query_layer_saved), self);
  self->coverage_panel = ATALAYA_COVERAGE_PANEL (atalaya_coverage_panel_new ());
  gtk_stack_add_named (self->side_stack, GTK_WIDGET (self->coverage_panel), "coverage");
  /* the uncovered facilities: a selection, as a query's */
  g_signal_connect (self->coverage_panel, "selected", G_CALLBACK (on_query_selected), self);
  g_signal_connect (self->coverage_panel, "layers-saved", G_CALLBACK (on_coverage_layers_saved), self);
  self->hotspots_panel = ATALAYA_HOTSPOTS_PANEL (atalaya_hotspots_panel_new ());
  gtk_stack_add_named (self->side_stack, GTK_WIDGET (self->hotspots_panel), "hotspots");
  g_signal_connect (self->hotspots_panel, "layers-saved", G_CALLBACK (on_coverage_layers_saved), self);
  self->indicators_panel = ATALAYA_INDICATORS_PANEL (atalaya_indicators_panel_new ());
  gtk_stack_add_named (self->side_stack, GTK_WIDGET (self->indicators_panel), "indicators");
  self->attribute_table = ATALAYA_ATTRIBUTE_TABLE (atalaya_attribute_table_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->attribute_table), -1, 160);
  gtk_widget_set_visible (GTK_WIDGET (self->attribute_table), FALSE);
  gtk_paned_set_end_child (self->content_paned, GTK_WIDGET (self->attribute_table));
  g_signal_connect (self->attribute_table, "selection-changed", G_CALLBACK (on_table_selection_changed), self);
  g_signal_connect (self->attribute_table, "zoom-to-selection", G_CALLBACK (on_table_zoom_to_selection), self);
  g_signal_connect (self->map_view, "clicked", G_CALLBACK (on_map_clicked), self);
  g_signal_connect (self->map_view, "box-selected", G_CALLBACK (on_map_box_selected), self);
  g_signal_connect (self->map_view, "move-begin", G_CALLBACK (on_map_move_begin), self);
  g_signal_connect (self->map_view, "move-end", G_CALLBACK (on_map_move_end), self);
  g_signal_connect (self->map_view, "file-dropped", G_CALLBACK (on_map_file_dropped), self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  atalaya_window_update_title (self);
  atalaya_window_update_view (self);
  atalaya_window_actions_update (self);
}

/* ---- public API -------------------------------------------------------- */

/**
 * atalaya_window_new:
 * @application: the application
 *
 * Returns: (transfer none): a new window, showing no store
 */
AtalayaWindow *
atalaya_window_new (AtalayaApplication *application)
{
  g_return_val_if_fail (ATALAYA_IS_APPLICATION (application), NULL);

  return g_object_new (ATALAYA_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * atalaya_window_get_store:
 * @self: a window
 *
 * Returns: (transfer none) (nullable): the store shown
 */
GisStore *
atalaya_window_get_store (AtalayaWindow *self)
{
  g_return_val_if_fail (ATALAYA_IS_WINDOW (self), NULL);

  return self->store;
}

/**
 * atalaya_window_get_layer_model:
 * @self: a window
 *
 * Returns: (transfer none) (nullable): the #GisLayer list shown, or %NULL
 *   when no store is open
 */
GListModel *
atalaya_window_get_layer_model (AtalayaWindow *self)
{
  g_return_val_if_fail (ATALAYA_IS_WINDOW (self), NULL);

  return self->layers;
}

/**
 * atalaya_window_get_loading:
 * @self: a window
 *
 * Returns: whether a store is being opened
 */
gboolean
atalaya_window_get_loading (AtalayaWindow *self)
{
  g_return_val_if_fail (ATALAYA_IS_WINDOW (self), FALSE);

  return self->opening_file != NULL;
}
