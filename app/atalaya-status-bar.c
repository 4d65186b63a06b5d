/* atalaya-status-bar.c: cursor position, scale and display CRS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-status-bar"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "atalaya-format.h"
#include "atalaya-status-bar.h"

struct _AtalayaStatusBar
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *box;
  GtkLabel      *message_label;
  GtkLabel      *lonlat_label;
  GtkLabel      *map_label;
  GtkLabel      *scale_label;
  GtkDropDown   *crs_dropdown;

  /* Owned */
  GtkStringList *crs_labels;
  GPtrArray     *crs_ids;        /* parallel to crs_labels, without "Other…" */
  char          *crs_id;
  guint          selected;
  gboolean       updating;

  GisViewport   *viewport;
};

G_DEFINE_FINAL_TYPE (AtalayaStatusBar, atalaya_status_bar, GTK_TYPE_WIDGET)

enum {
  CRS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- formatting ------------------------------------------------------------ */

/**
 * atalaya_format_lonlat:
 *
 * Returns: (transfer full): "32.54000° N, 117.03000° W"
 */
char *
atalaya_format_lonlat (double lon,
                       double lat)
{
  /* Translators: latitude then longitude; the first %s is N or S, the
   * second E or W, as translated below */
  return g_strdup_printf (_("%.5f° %s, %.5f° %s"),
                          fabs (lat), lat >= 0 ? C_("compass", "N") : C_("compass", "S"),
                          fabs (lon), lon >= 0 ? C_("compass", "E") : C_("compass", "W"));
}

/**
 * atalaya_format_scale:
 *
 * Returns: (transfer full): "1:12,345,678" grouped as the user's locale does
 */
char *
atalaya_format_scale (double scale)
{
  return atalaya_format_user ("1:%'.0f", scale);
}

static char *
format_map_coordinate (GisCrs *crs,
                       double  x,
                       double  y)
{
  if (gis_crs_is_geographic (crs))
    return atalaya_format_user ("x %.6f  y %.6f", x, y);
  /* Translators: easting and northing in metres */
  return atalaya_format_user (_("x %'.0f m  y %'.0f m"), x, y);
}

/* ---- the scale -------------------------------------------------------------- */

static void
update_scale (AtalayaStatusBar *self)
{
  double scale;
  g_autofree char *text = NULL;

  if (self->viewport == NULL)
    return;
  scale = gis_viewport_get_scale (self->viewport, 96.0);
  if (!(scale > 0) || !isfinite (scale))
    {
      gtk_label_set_text (self->scale_label, "");
      return;
    }
  text = atalaya_format_scale (scale);
  gtk_label_set_text (self->scale_label, text);
}

static void
on_viewport_changed (GisViewport      *viewport,
                     AtalayaStatusBar *self)
{
  update_scale (self);
}

/* ---- the CRS ----------------------------------------------------------------- */

static void
select_crs_index (AtalayaStatusBar *self,
                  guint             index)
{
  self->updating = TRUE;
  self->selected = index;
  gtk_drop_down_set_selected (self->crs_dropdown, index);
  self->updating = FALSE;
}

static guint
add_crs (AtalayaStatusBar *self,
         const char       *id,
         const char       *label)
{
  guint index = self->crs_ids->len;

  for (guint i = 0; i < self->crs_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->crs_ids, i), id) == 0)
      return i;

  g_ptr_array_add (self->crs_ids, g_strdup (id));
  gtk_string_list_splice (self->crs_labels, index, 0, (const char *const[]) { label, NULL });
  return index;
}

/**
 * atalaya_status_bar_set_crs_id:
 * @self: a status bar
 * @crs_id: a preset id, "EPSG:code", or any definition gis_crs_new() takes
 * @error: return location for a #GIS_ERROR_CRS error
 *
 * Sets the display CRS of the viewport and shows it.
 *
 * Returns: %TRUE on success
 */
gboolean
atalaya_status_bar_set_crs_id (AtalayaStatusBar  *self,
                               const char        *crs_id,
                               GError           **error)
{
  g_autoptr(GisCrs) crs = NULL;
  guint index;

  g_return_val_if_fail (ATALAYA_IS_STATUS_BAR (self), FALSE);
  g_return_val_if_fail (crs_id != NULL, FALSE);

  crs = gis_crs_new (crs_id, error);
  if (crs == NULL)
    return FALSE;
  if (self->viewport != NULL && !gis_viewport_set_crs (self->viewport, crs, error))
    return FALSE;

  index = add_crs (self, crs_id, gis_crs_get_name (crs));
  select_crs_index (self, index);
  g_free (self->crs_id);
  self->crs_id = g_strdup (crs_id);
  update_scale (self);
  g_signal_emit (self, signals[CRS_CHANGED], 0, crs_id);
  return TRUE;
}

const char *
atalaya_status_bar_get_crs_id (AtalayaStatusBar *self)
{
  g_return_val_if_fail (ATALAYA_IS_STATUS_BAR (self), NULL);
  return self->crs_id;
}

static void
on_other_crs_response (AdwMessageDialog *dialog,
                       const char       *response,
                       AtalayaStatusBar *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "use") != 0)
    {
      select_crs_index (self, self->selected);
      return;
    }

  if (!atalaya_status_bar_set_crs_id (self, gtk_editable_get_text (entry), &error))
    {
      atalaya_status_bar_set_message (self, error->message);
      select_crs_index (self, self->selected);
    }
}

static void
ask_other_crs (AtalayaStatusBar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *entry;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Display CRS"),
                                   _("An EPSG code such as EPSG:32613, or a PROJ or WKT definition."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "EPSG:32613");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "use", _("_Use"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "use",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "use");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_other_crs_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_crs_selected (AtalayaStatusBar *self)
{
  guint index = gtk_drop_down_get_selected (self->crs_dropdown);
  g_autoptr(GError) error = NULL;

  if (self->updating || index == GTK_INVALID_LIST_POSITION || index == self->selected)
    return;

  if (index >= self->crs_ids->len)
    {
      ask_other_crs (self);
      return;
    }

  if (!atalaya_status_bar_set_crs_id (self, g_ptr_array_index (self->crs_ids, index), &error))
    {
      atalaya_status_bar_set_message (self, error->message);
      select_crs_index (self, self->selected);
    }
}

/* ---- object ------------------------------------------------------------------- */

static void
atalaya_status_bar_dispose (GObject *object)
{
  AtalayaStatusBar *self = (AtalayaStatusBar *) object;

  atalaya_status_bar_set_viewport (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_STATUS_BAR);

  G_OBJECT_CLASS (atalaya_status_bar_parent_class)->dispose (object);
}

static void
atalaya_status_bar_finalize (GObject *object)
{
  AtalayaStatusBar *self = (AtalayaStatusBar *) object;

  g_clear_object (&self->crs_labels);
  g_clear_pointer (&self->crs_ids, g_ptr_array_unref);
  g_free (self->crs_id);

  G_OBJECT_CLASS (atalaya_status_bar_parent_class)->finalize (object);
}

static void
atalaya_status_bar_class_init (AtalayaStatusBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_status_bar_dispose;
  object_class->finalize = atalaya_status_bar_finalize;

  /**
   * AtalayaStatusBar::crs-changed:
   * @crs_id: the new display CRS, as atalaya_status_bar_set_crs_id() took it
   */
  signals[CRS_CHANGED] =
    g_signal_new ("crs-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-status-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaStatusBar, box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaStatusBar, message_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaStatusBar, lonlat_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaStatusBar, map_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaStatusBar, scale_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaStatusBar, crs_dropdown);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "statusbar");
}

static void
atalaya_status_bar_init (AtalayaStatusBar *self)
{
  guint n;
  const GisCrsPreset *presets = gis_crs_get_presets (&n);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->crs_ids = g_ptr_array_new_with_free_func (g_free);
  self->crs_labels = gtk_string_list_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (self->crs_ids, g_strdup (presets[i].id));
      gtk_string_list_append (self->crs_labels, _(presets[i].label));
    }
  gtk_string_list_append (self->crs_labels, _("Other CRS…"));

  self->updating = TRUE;
  gtk_drop_down_set_model (self->crs_dropdown, G_LIST_MODEL (self->crs_labels));
  gtk_drop_down_set_selected (self->crs_dropdown, 0);
  self->updating = FALSE;
  self->crs_id = g_strdup (presets[0].id);

  g_signal_connect_swapped (self->crs_dropdown, "notify::selected",
                            G_CALLBACK (on_crs_selected), self);
}

GtkWidget *
atalaya_status_bar_new (void)
{
  return g_object_new (ATALAYA_TYPE_STATUS_BAR, NULL);
}

/**
 * atalaya_status_bar_set_viewport:
 * @self: a status bar
 * @viewport: (nullable): the map's viewport, for the scale and the CRS
 */
void
atalaya_status_bar_set_viewport (AtalayaStatusBar *self,
                                 GisViewport      *viewport)
{
  g_return_if_fail (ATALAYA_IS_STATUS_BAR (self));

  if (self->viewport == viewport)
    return;
  if (self->viewport != NULL)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_set_object (&self->viewport, viewport);
  if (viewport != NULL)
    {
      g_signal_connect (viewport, "changed", G_CALLBACK (on_viewport_changed), self);
      update_scale (self);
    }
}

void
atalaya_status_bar_set_cursor (AtalayaStatusBar *self,
                               double            lon,
                               double            lat,
                               gboolean          valid)
{
  g_autofree char *lonlat = NULL;
  g_autofree char *map = NULL;
  double px, py, mx, my;

  g_return_if_fail (ATALAYA_IS_STATUS_BAR (self));

  if (!valid || self->viewport == NULL)
    {
      gtk_label_set_text (self->lonlat_label, "");
      gtk_label_set_text (self->map_label, "");
      return;
    }

  lonlat = atalaya_format_lonlat (lon, lat);
  gtk_label_set_text (self->lonlat_label, lonlat);

  if (gis_viewport_lonlat_to_pixel (self->viewport, lon, lat, &px, &py))
    {
      gis_viewport_pixel_to_map (self->viewport, px, py, &mx, &my);
      map = format_map_coordinate (gis_viewport_get_crs (self->viewport), mx, my);
    }
  gtk_label_set_text (self->map_label, map != NULL ? map : "");
}

void
atalaya_status_bar_set_message (AtalayaStatusBar *self,
                                const char       *message)
{
  g_return_if_fail (ATALAYA_IS_STATUS_BAR (self));
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
}
