/* atalaya-layer-row.c: one layer in the layer list
 *
 * Shows a layer's name, role, geometry type and feature count, with a
 * check button bound both ways to the layer's "visible" property.  Rows
 * are recycled by the list view, so the layer can change at any time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-layer-row"

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-format.h"
#include "atalaya-layer-row.h"

struct _AtalayaLayerRow
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkCheckButton *visible_check;
  GtkLabel       *name_label;
  GtkLabel       *details_label;
  GtkLabel       *count_label;
  GtkMenuButton  *menu_button;
  GtkAdjustment  *opacity_adjustment;
  GtkButton      *zoom_button;
  GtkButton      *style_button;
  GtkButton      *table_button;
  GtkButton      *remove_button;

  /* Owned */
  GisLayer       *layer;
  GBinding       *visible_binding;
  GBinding       *opacity_binding;
};

G_DEFINE_FINAL_TYPE (AtalayaLayerRow, atalaya_layer_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LAYER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_feature_count (gint64 count)
{
  /* The ' flag groups thousands as the user's LC_NUMERIC says. */
  g_autofree char *number = atalaya_format_user ("%'" G_GINT64_FORMAT, count);

  return g_strdup_printf (ngettext ("%s feature", "%s features", (gulong) MIN (count, G_MAXLONG)),
                          number);
}

static void
atalaya_layer_row_update (AtalayaLayerRow *self)
{
  g_autofree char *details = NULL;
  g_autofree char *count = NULL;

  g_assert (ATALAYA_IS_LAYER_ROW (self));

  if (self->layer == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->details_label, "");
      gtk_label_set_text (self->count_label, "");
      return;
    }

  /* Translators: a layer's role, then its geometry type, as in
   * "Port of entry · Point". */
  details = g_strdup_printf (_("%s · %s"),
                             gis_layer_role_to_label (gis_layer_get_role (self->layer)),
                             gis_geometry_type_to_label (gis_layer_get_geometry_type (self->layer)));
  count = gis_layer_is_raster (self->layer) ? g_strdup ("")
                                            : format_feature_count (gis_layer_get_feature_count (self->layer));

  gtk_label_set_text (self->name_label, gis_layer_get_name (self->layer));
  gtk_label_set_text (self->details_label, details);
  gtk_label_set_text (self->count_label, count);

  /* the window's layer actions take the layer's id */
  {
    GVariant *target = g_variant_new_int64 (gis_layer_get_id (self->layer));

    g_variant_ref_sink (target);
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->zoom_button), target);
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->style_button), target);
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->table_button), target);
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->remove_button), target);
    g_variant_unref (target);
    /* named only once they have a target of the action's type */
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->zoom_button), "win.zoom-to-layer");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->style_button), "win.edit-style");
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->table_button), "win.attribute-table");
    /* a raster has no table of features */
    gtk_widget_set_visible (GTK_WIDGET (self->table_button), !gis_layer_is_raster (self->layer));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->remove_button), "win.remove-layer");
  }
}

static gboolean
opacity_to_percent (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_double (to, g_value_get_double (from) * 100.0);
  return TRUE;
}

static gboolean
percent_to_opacity (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_double (to, g_value_get_double (from) / 100.0);
  return TRUE;
}

/* ---- drag and drop: reorder layers ---------------------------------------- */

static GdkContentProvider *
on_drag_prepare (GtkDragSource   *source,
                 double           x,
                 double           y,
                 AtalayaLayerRow *self)
{
  if (self->layer == NULL)
    return NULL;
  return gdk_content_provider_new_typed (G_TYPE_INT64, gis_layer_get_id (self->layer));
}

static void
on_drag_begin (GtkDragSource   *source,
               GdkDrag         *drag,
               AtalayaLayerRow *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static gboolean
on_drop (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         AtalayaLayerRow *self)
{
  gint64 moved;

  if (self->layer == NULL || !G_VALUE_HOLDS_INT64 (value))
    return FALSE;
  moved = g_value_get_int64 (value);
  if (moved == gis_layer_get_id (self->layer))
    return FALSE;

  /* the dropped layer goes where this one is, above or below it */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.move-layer", "(xxb)",
                              moved, gis_layer_get_id (self->layer),
                              y < gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
  return TRUE;
}

static void
atalaya_layer_row_dispose (GObject *object)
{
  AtalayaLayerRow *self = (AtalayaLayerRow *) object;
  GtkWidget *child;

  g_clear_pointer (&self->visible_binding, g_binding_unbind);
  g_clear_pointer (&self->opacity_binding, g_binding_unbind);
  g_clear_object (&self->layer);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_LAYER_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (atalaya_layer_row_parent_class)->dispose (object);
}

static void
atalaya_layer_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AtalayaLayerRow *self = ATALAYA_LAYER_ROW (object);

  switch (prop_id)
    {
    case PROP_LAYER:
      g_value_set_object (value, self->layer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_layer_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AtalayaLayerRow *self = ATALAYA_LAYER_ROW (object);

  switch (prop_id)
    {
    case PROP_LAYER:
      atalaya_layer_row_set_layer (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_layer_row_class_init (AtalayaLayerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_layer_row_dispose;
  object_class->get_property = atalaya_layer_row_get_property;
  object_class->set_property = atalaya_layer_row_set_property;

  /**
   * AtalayaLayerRow:layer: (nullable)
   *
   * The layer shown.
   */
  properties[PROP_LAYER] =
    g_param_spec_object ("layer", NULL, NULL,
                         GIS_TYPE_LAYER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-layer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, visible_check);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, count_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, opacity_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, style_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, table_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaLayerRow, remove_button);

  gtk_widget_class_set_css_name (widget_class, "layerrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
atalaya_layer_row_init (AtalayaLayerRow *self)
{
  GtkDragSource *source;
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), self);
  g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_begin), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  target = gtk_drop_target_new (G_TYPE_INT64, GDK_ACTION_MOVE);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/**
 * atalaya_layer_row_new:
 *
 * Returns: (transfer full): a row showing no layer
 */
GtkWidget *
atalaya_layer_row_new (void)
{
  return g_object_new (ATALAYA_TYPE_LAYER_ROW, NULL);
}

/**
 * atalaya_layer_row_get_layer:
 * @self: a layer row
 *
 * Returns: (transfer none) (nullable): the layer shown
 */
GisLayer *
atalaya_layer_row_get_layer (AtalayaLayerRow *self)
{
  g_return_val_if_fail (ATALAYA_IS_LAYER_ROW (self), NULL);

  return self->layer;
}

/**
 * atalaya_layer_row_set_layer:
 * @self: a layer row
 * @layer: (nullable): the layer to show
 */
void
atalaya_layer_row_set_layer (AtalayaLayerRow *self,
                             GisLayer        *layer)
{
  g_return_if_fail (ATALAYA_IS_LAYER_ROW (self));
  g_return_if_fail (layer == NULL || GIS_IS_LAYER (layer));

  if (self->layer == layer)
    return;

  g_clear_pointer (&self->visible_binding, g_binding_unbind);
  g_clear_pointer (&self->opacity_binding, g_binding_unbind);
  g_set_object (&self->layer, layer);

  if (layer != NULL)
    {
      self->visible_binding = g_object_bind_property (layer, "visible",
                                                      self->visible_check, "active",
                                                      G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
      self->opacity_binding = g_object_bind_property_full (layer, "opacity",
                                                           self->opacity_adjustment, "value",
                                                           G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                                           opacity_to_percent, percent_to_opacity,
                                                           NULL, NULL);
    }

  atalaya_layer_row_update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYER]);
}
