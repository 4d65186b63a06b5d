/* atalaya-identify-panel.c: what is at a point of the map
 *
 * Shows the features gis_store_identify() found: a group per layer, in
 * the order the layers first come in the results, and in it an expander
 * row per feature (titled by its name, or "Feature 123") holding its
 * attributes as rows whose values can be selected and copied.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-identify-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "atalaya-format.h"
#include "atalaya-identify-panel.h"

struct _AtalayaIdentifyPanel
{
  GtkWidget          parent_instance;

  /* Template widgets */
  GtkStack          *stack;
  GtkScrolledWindow *scrolled_window;
  GtkBox            *results_box;

  /* Owned */
  GPtrArray         *features;   /* GisFeature */
};

G_DEFINE_FINAL_TYPE (AtalayaIdentifyPanel, atalaya_identify_panel, GTK_TYPE_WIDGET)

/* ---- text --------------------------------------------------------------- */

/* "Point · 12 m away", "Multipolygon · contains the point" */
static char *
describe_feature (GisFeature *feature)
{
  const char *type = gis_geometry_type_to_label (gis_feature_get_geometry_type (feature));
  double distance_m = gis_feature_get_distance_m (feature);
  g_autofree char *where = NULL;

  if (gis_feature_get_contains_point (feature))
    where = g_strdup (_("contains the point"));
  else if (distance_m >= 0.0)
    {
      if (distance_m < 1000.0)
        /* Translators: a distance in metres from the point clicked */
        where = atalaya_format_user (_("%.0f m away"), distance_m);
      else
        /* Translators: a distance in kilometres from the point clicked */
        where = atalaya_format_user (_("%.1f km away"), distance_m / 1000.0);
    }

  if (where == NULL)
    return g_strdup (type);

  /* Translators: a geometry type, then where it is, as in
   * "Point · 12 m away" */
  return g_strdup_printf (C_("identified feature", "%s · %s"), type, where);
}

/* ---- rows --------------------------------------------------------------- */

static GtkWidget *
make_attribute_row (const char *name,
                    const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value != NULL ? value : _("(empty)"));
  g_autofree char *escaped = g_markup_escape_text (name, -1);

  /* Titles are markup: the field name is escaped. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_halign (label, GTK_ALIGN_END);
  if (value == NULL)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL,
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  return row;
}

static GtkWidget *
make_feature_row (GisFeature *feature,
                  gboolean    expanded)
{
  GtkWidget *row = adw_expander_row_new ();
  g_autofree char *title = gis_feature_dup_title (feature);
  g_autofree char *subtitle = describe_feature (feature);
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_subtitle = g_markup_escape_text (subtitle, -1);
  g_autofree char *fid = g_strdup_printf ("%" G_GINT64_FORMAT, gis_feature_get_fid (feature));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), escaped_subtitle);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), expanded);

  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), make_attribute_row ("fid", fid));
  for (guint i = 0; i < gis_feature_get_n_fields (feature); i++)
    {
      g_autofree char *value = gis_feature_format_value (feature, i);

      adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                make_attribute_row (gis_feature_get_field_name (feature, i), value));
    }

  return row;
}

static void
atalaya_identify_panel_remove_groups (AtalayaIdentifyPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_box))) != NULL)
    gtk_box_remove (self->results_box, child);
}

/* ---- GObject -------------------------------------------------------- */

static void
atalaya_identify_panel_dispose (GObject *object)
{
  AtalayaIdentifyPanel *self = (AtalayaIdentifyPanel *) object;
  GtkWidget *child;

  g_clear_pointer (&self->features, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_IDENTIFY_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (atalaya_identify_panel_parent_class)->dispose (object);
}

static void
atalaya_identify_panel_class_init (AtalayaIdentifyPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_identify_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/atalaya/Atalaya/ui/atalaya-identify-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaIdentifyPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, AtalayaIdentifyPanel, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, AtalayaIdentifyPanel, results_box);

  gtk_widget_class_set_css_name (widget_class, "identifypanel");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
atalaya_identify_panel_init (AtalayaIdentifyPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->features = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---- public ---------------------------------------------------------- */

/**
 * atalaya_identify_panel_new:
 *
 * Returns: (transfer full): a panel showing the "click the map" state
 */
GtkWidget *
atalaya_identify_panel_new (void)
{
  return g_object_new (ATALAYA_TYPE_IDENTIFY_PANEL, NULL);
}

/**
 * atalaya_identify_panel_set_results:
 * @self: a panel
 * @features: (element-type GisFeature) (nullable): what gis_store_identify()
 *   found, over one or more layers; %NULL or empty shows the empty state
 *
 * Shows @features grouped by layer, in their order (nearest first); the
 * first feature is expanded.
 */
void
atalaya_identify_panel_set_results (AtalayaIdentifyPanel *self,
                                    GPtrArray            *features)
{
  g_autoptr(GPtrArray) layers = NULL;

  g_return_if_fail (ATALAYA_IS_IDENTIFY_PANEL (self));

  atalaya_identify_panel_remove_groups (self);
  g_ptr_array_set_size (self->features, 0);

  if (features == NULL || features->len == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < features->len; i++)
    {
      g_return_if_fail (GIS_IS_FEATURE (g_ptr_array_index (features, i)));
      g_ptr_array_add (self->features, g_object_ref (g_ptr_array_index (features, i)));
    }

  /* Layers in the order they first come */
  layers = g_ptr_array_new ();
  for (guint i = 0; i < self->features->len; i++)
    {
      GisLayer *layer = gis_feature_get_layer (g_ptr_array_index (self->features, i));

      if (!g_ptr_array_find (layers, layer, NULL))
        g_ptr_array_add (layers, layer);
    }

  for (guint l = 0; l < layers->len; l++)
    {
      GisLayer *layer = g_ptr_array_index (layers, l);
      GtkWidget *group = adw_preferences_group_new ();
      g_autofree char *title = g_markup_escape_text (gis_layer_get_name (layer), -1);
      g_autofree char *description = NULL;
      guint n = 0;

      for (guint i = 0; i < self->features->len; i++)
        {
          GisFeature *feature = g_ptr_array_index (self->features, i);

          if (gis_feature_get_layer (feature) != layer)
            continue;
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                     make_feature_row (feature, i == 0));
          n++;
        }

      description = g_strdup_printf (ngettext ("%u feature", "%u features", n), n);
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
      gtk_box_append (self->results_box, group);
    }

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0.0);
  gtk_stack_set_visible_child_name (self->stack, "results");
}

/**
 * atalaya_identify_panel_clear:
 * @self: a panel
 *
 * Goes back to the "click the map" state.
 */
void
atalaya_identify_panel_clear (AtalayaIdentifyPanel *self)
{
  g_return_if_fail (ATALAYA_IS_IDENTIFY_PANEL (self));

  atalaya_identify_panel_set_results (self, NULL);
}

/**
 * atalaya_identify_panel_get_n_results:
 * @self: a panel
 *
 * Returns: the number of features shown
 */
guint
atalaya_identify_panel_get_n_results (AtalayaIdentifyPanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_IDENTIFY_PANEL (self), 0);

  return self->features->len;
}
