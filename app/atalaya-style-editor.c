/* atalaya-style-editor.c: the style dialog of a layer
 *
 * Single symbol, categorized by a field, graduated (quantile, equal
 * interval, natural breaks) along a colour ramp, or a point heat map; and
 * labels from a field; for a raster layer, its colour ramp, the share of
 * its range drawn transparent and its sampling.  The dialog builds a new GisStyle from its widgets
 * and emits "applied"; the window draws and saves it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-style-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "atalaya-style-editor.h"
#include "gis-sql-private.h"

static const char *const ramp_labels[] = {
  N_("Reds"), N_("Blues"), N_("Greens"), N_("Oranges"), N_("Purples"),
  N_("Yellow–orange–red"), N_("Yellow–green–blue"), N_("Red–yellow–green"),
  N_("Spectral"), N_("Viridis"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (ramp_labels) == GIS_N_COLOR_RAMPS);

static const char *const shape_labels[] = {
  N_("Circle"), N_("Square"), N_("Triangle"), N_("Diamond"), N_("Cross"), N_("Star"),
};

typedef struct
{
  char           *value;
  GtkColorButton *button;
} CategoryRow;

struct _AtalayaStyleEditor
{
  AdwWindow       parent_instance;

  /* Built in code */
  AdwComboRow    *kind_row;
  AdwComboRow    *field_row;
  AdwComboRow    *method_row;
  AdwActionRow   *classes_row;
  GtkSpinButton  *classes_spin;
  AdwComboRow    *ramp_row;
  AdwActionRow   *radius_row;
  GtkSpinButton  *radius_spin;
  AdwPreferencesGroup *symbol_group;
  GtkColorButton *fill_button;
  GtkColorButton *stroke_button;
  GtkSpinButton  *size_spin;
  AdwActionRow   *size_row;
  GtkSpinButton  *stroke_width_spin;
  AdwComboRow    *shape_row;
  AdwPreferencesGroup *category_group;
  GtkListBox     *category_list;
  AdwComboRow    *label_field_row;
  GtkSpinButton  *label_size_spin;
  GtkWidget      *label_group;
  AdwActionRow   *cutoff_row;
  GtkSpinButton  *cutoff_spin;
  AdwComboRow    *sampling_row;

  /* Owned */
  GisStore       *store;
  GisLayer       *layer;
  GisStyle       *style;
  GtkStringList  *fields;          /* attribute names */
  GtkStringList  *label_fields;    /* "None" + names */
  GPtrArray      *categories;      /* CategoryRow */
  gboolean        points;
  gboolean        raster;
};

G_DEFINE_FINAL_TYPE (AtalayaStyleEditor, atalaya_style_editor, ADW_TYPE_WINDOW)

enum {
  APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
category_row_free (gpointer data)
{
  CategoryRow *row = data;

  g_free (row->value);
  g_free (row);
}

/* ---- colours ------------------------------------------------------------- */

static void
color_to_rgba (const GisColor *c,
               GdkRGBA        *out)
{
  out->red = (float) c->r;
  out->green = (float) c->g;
  out->blue = (float) c->b;
  out->alpha = (float) c->a;
}

static void
rgba_to_color (const GdkRGBA *in,
               GisColor      *out)
{
  out->r = in->red;
  out->g = in->green;
  out->b = in->blue;
  out->a = in->alpha;
}

static GtkColorButton *
new_color_button (const GisColor *color)
{
  GdkRGBA rgba;
  GtkWidget *button = gtk_color_button_new ();

  color_to_rgba (color, &rgba);
  gtk_color_chooser_set_use_alpha (GTK_COLOR_CHOOSER (button), TRUE);
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (button), &rgba);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return GTK_COLOR_BUTTON (button);
}

static void
button_color (GtkColorButton *button,
              GisColor       *out)
{
  GdkRGBA rgba;

  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (button), &rgba);
  rgba_to_color (&rgba, out);
}

/* ---- state -> widgets ------------------------------------------------------- */

static const char *
selected_field (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static guint
field_position (GtkStringList *list,
                const char    *name)
{
  for (guint i = 0; name != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), name) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static void
update_visibility (AtalayaStyleEditor *self)
{
  GisStyleKind kind = adw_combo_row_get_selected (self->kind_row);

  if (self->raster)
    {
      /* a grid: its ramp, transparency and sampling; no fields, symbols nor labels */
      gtk_widget_set_visible (GTK_WIDGET (self->kind_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->field_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->method_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->classes_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->radius_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->symbol_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->category_group), FALSE);
      gtk_widget_set_visible (self->label_group, FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->cutoff_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->sampling_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->field_row), kind != GIS_STYLE_SINGLE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->field_row),
                                 kind == GIS_STYLE_HEATMAP ? _("Weight field") : _("Field"));
  gtk_widget_set_visible (GTK_WIDGET (self->method_row), kind == GIS_STYLE_GRADUATED);
  gtk_widget_set_visible (GTK_WIDGET (self->classes_row), kind == GIS_STYLE_GRADUATED);
  gtk_widget_set_visible (GTK_WIDGET (self->ramp_row),
                          kind == GIS_STYLE_GRADUATED || kind == GIS_STYLE_HEATMAP);
  gtk_widget_set_visible (GTK_WIDGET (self->radius_row), kind == GIS_STYLE_HEATMAP);
  gtk_widget_set_visible (GTK_WIDGET (self->symbol_group), kind != GIS_STYLE_HEATMAP);
  gtk_widget_set_visible (GTK_WIDGET (self->category_group), kind == GIS_STYLE_CATEGORIZED);
  adw_preferences_group_set_title (self->symbol_group,
                                   kind == GIS_STYLE_SINGLE ? _("Symbol")
                                   : kind == GIS_STYLE_CATEGORIZED ? _("Symbol of Other Values")
                                   : _("Base Symbol"));
}

static void
add_category_row (AtalayaStyleEditor *self,
                  const char         *value,
                  const GisColor     *color)
{
  CategoryRow *row = g_new0 (CategoryRow, 1);
  GtkWidget *action_row = adw_action_row_new ();

  row->value = g_strdup (value);
  row->button = new_color_button (color);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row),
                                 value != NULL && *value != '\0' ? value : _("(empty)"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->button));
  gtk_list_box_append (self->category_list, action_row);
  g_ptr_array_add (self->categories, row);
}

static void
clear_categories (AtalayaStyleEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->category_list))) != NULL)
    gtk_list_box_remove (self->category_list, child);
  g_ptr_array_set_size (self->categories, 0);
}

/* Fills the categories with the field's distinct values, most frequent
 * first, each with a colour of its own. */
static void
classify_categories (AtalayaStyleEditor *self)
{
  const char *field = selected_field (self->field_row);
  g_auto(GStrv) values = NULL;
  g_autoptr(GError) error = NULL;

  clear_categories (self);
  if (field == NULL || self->store == NULL)
    return;

  values = gis_store_dup_frequent_values (self->store, self->layer, field,
                                          GIS_STYLE_MAX_CATEGORIES, &error);
  if (values == NULL)
    {
      g_warning ("Cannot list the values of “%s”: %s", field, error->message);
      return;
    }
  for (guint i = 0; values[i] != NULL; i++)
    {
      GisColor color;

      gis_style_category_color (i, &color);
      add_category_row (self, values[i], &color);
    }
}

static void
load_style (AtalayaStyleEditor *self)
{
  GisStyle *style = self->style;
  GisStyleKind kind = gis_style_get_kind (style);
  const GisSymbol *symbol = gis_style_get_symbol (style);
  const GisLabelStyle *label = gis_style_get_label (style);
  guint pos;

  if (kind == GIS_STYLE_RASTER)
    {
      double cutoff = 0;
      gboolean bilinear = TRUE;

      gis_style_get_raster (style, NULL, NULL, &cutoff, &bilinear);
      adw_combo_row_set_selected (self->ramp_row, gis_style_get_ramp (style));
      gtk_spin_button_set_value (self->cutoff_spin, cutoff * 100);
      adw_combo_row_set_selected (self->sampling_row, bilinear ? 1 : 0);
      return;
    }
  adw_combo_row_set_selected (self->kind_row, kind);

  pos = field_position (self->fields,
                        kind == GIS_STYLE_HEATMAP ? gis_style_get_weight_field (style)
                                                  : gis_style_get_field (style));
  if (pos != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->field_row, pos);

  if (kind == GIS_STYLE_GRADUATED)
    {
      adw_combo_row_set_selected (self->method_row, gis_style_get_method (style));
      gtk_spin_button_set_value (self->classes_spin, gis_style_get_n_classes (style));
    }
  if (kind == GIS_STYLE_GRADUATED || kind == GIS_STYLE_HEATMAP)
    adw_combo_row_set_selected (self->ramp_row, gis_style_get_ramp (style));
  if (kind == GIS_STYLE_HEATMAP)
    gtk_spin_button_set_value (self->radius_spin, gis_style_get_radius_px (style));

  if (symbol != NULL)
    {
      GdkRGBA rgba;

      color_to_rgba (&symbol->fill, &rgba);
      gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->fill_button), &rgba);
      color_to_rgba (&symbol->stroke, &rgba);
      gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->stroke_button), &rgba);
      gtk_spin_button_set_value (self->size_spin, symbol->size_px);
      gtk_spin_button_set_value (self->stroke_width_spin, symbol->stroke_width_px);
      adw_combo_row_set_selected (self->shape_row, symbol->shape);
    }

  if (kind == GIS_STYLE_CATEGORIZED)
    for (guint i = 0; i < gis_style_get_n_categories (style); i++)
      add_category_row (self, gis_style_get_category_value (style, i),
                        &gis_style_get_category_symbol (style, i)->fill);

  pos = label != NULL ? field_position (self->label_fields, label->field) : GTK_INVALID_LIST_POSITION;
  adw_combo_row_set_selected (self->label_field_row, pos != GTK_INVALID_LIST_POSITION ? pos : 0);
  if (label != NULL && label->size_px > 0)
    gtk_spin_button_set_value (self->label_size_spin, label->size_px);
}

/* ---- widgets -> style --------------------------------------------------------- */

static void
read_symbol (AtalayaStyleEditor *self,
             GisSymbol          *symbol)
{
  const GisSymbol *old = gis_style_get_symbol (self->style);

  if (old != NULL)
    *symbol = *old;
  else
    gis_symbol_init (symbol);
  button_color (self->fill_button, &symbol->fill);
  button_color (self->stroke_button, &symbol->stroke);
  symbol->size_px = gtk_spin_button_get_value (self->size_spin);
  symbol->stroke_width_px = gtk_spin_button_get_value (self->stroke_width_spin);
  symbol->shape = adw_combo_row_get_selected (self->shape_row);
}

/**
 * atalaya_style_editor_get_style:
 *
 * Returns: (transfer full): a new style made from the dialog's settings
 */
GisStyle *
atalaya_style_editor_get_style (AtalayaStyleEditor *self)
{
  GisStyleKind kind = adw_combo_row_get_selected (self->kind_row);
  const char *field = selected_field (self->field_row);
  GisStyle *style = NULL;
  GisSymbol symbol;

  g_return_val_if_fail (ATALAYA_IS_STYLE_EDITOR (self), NULL);

  if (self->raster)
    {
      double vmin = NAN, vmax = NAN;

      if (gis_style_get_kind (self->style) == GIS_STYLE_RASTER)
        gis_style_get_raster (self->style, &vmin, &vmax, NULL, NULL);
      return gis_style_new_raster (adw_combo_row_get_selected (self->ramp_row), vmin, vmax,
                                   CLAMP (gtk_spin_button_get_value (self->cutoff_spin) / 100, 0.0, 1.0),
                                   adw_combo_row_get_selected (self->sampling_row) == 1);
    }

  read_symbol (self, &symbol);

  switch (kind)
    {
    case GIS_STYLE_CATEGORIZED:
      if (field == NULL)
        break;
      style = gis_style_new_categorized (field, &symbol);
      for (guint i = 0; i < self->categories->len; i++)
        {
          CategoryRow *row = g_ptr_array_index (self->categories, i);
          GisSymbol s = symbol;

          button_color (row->button, &s.fill);
          if (!self->points)
            s.stroke = s.fill;
          gis_style_add_category (style, row->value, row->value, &s);
        }
      break;

    case GIS_STYLE_GRADUATED:
      if (field == NULL)
        break;
      style = gis_style_new_graduated (field, adw_combo_row_get_selected (self->method_row),
                                       (guint) gtk_spin_button_get_value (self->classes_spin),
                                       adw_combo_row_get_selected (self->ramp_row), &symbol);
      break;

    case GIS_STYLE_HEATMAP:
      style = gis_style_new_heatmap (gtk_spin_button_get_value (self->radius_spin),
                                     adw_combo_row_get_selected (self->ramp_row), field);
      break;

    case GIS_STYLE_SINGLE:
    case GIS_STYLE_RASTER:
    default:
      break;
    }

  if (style == NULL)
    style = gis_style_new_single (&symbol);

  if (adw_combo_row_get_selected (self->label_field_row) > 0)
    {
      const GisLabelStyle *old = gis_style_get_label (self->style);
      GisColor color = { 0.1, 0.1, 0.1, 1 }, halo = { 1, 1, 1, 0.85 };

      if (old != NULL && old->field != NULL)
        {
          color = old->color;
          halo = old->halo_color;
        }
      gis_style_set_label (style, selected_field (self->label_field_row),
                           gtk_spin_button_get_value (self->label_size_spin), &color, &halo, 2.0);
    }

  return style;
}

/* ---- building the dialog ---------------------------------------------------------- */

static AdwComboRow *
combo_row (const char         *title,
           const char *const  *labels,
           guint               n_labels,
           GListModel         *model)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (model == NULL)
    {
      g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

      for (guint i = 0; i < n_labels; i++)
        gtk_string_list_append (list, _(labels[i]));
      adw_combo_row_set_model (row, G_LIST_MODEL (list));
    }
  else
    adw_combo_row_set_model (row, model);
  return row;
}

static GtkSpinButton *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          double               min,
          double               max,
          double               step,
          guint                digits,
          AdwActionRow       **out_row)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  if (out_row != NULL)
    *out_row = ADW_ACTION_ROW (row);
  return GTK_SPIN_BUTTON (spin);
}

static GtkColorButton *
color_row (AdwPreferencesGroup *group,
           const char          *title)
{
  GtkWidget *row = adw_action_row_new ();
  GisColor black = { 0, 0, 0, 1 };
  GtkColorButton *button = new_color_button (&black);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (button));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (button));
  adw_preferences_group_add (group, row);
  return button;
}

static void
on_apply (AtalayaStyleEditor *self)
{
  g_autoptr(GisStyle) style = atalaya_style_editor_get_style (self);

  g_signal_emit (self, signals[APPLIED], 0, style);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_kind_or_field_changed (AtalayaStyleEditor *self)
{
  update_visibility (self);
  if (adw_combo_row_get_selected (self->kind_row) == GIS_STYLE_CATEGORIZED &&
      self->categories->len == 0)
    classify_categories (self);
}

static void
build (AtalayaStyleEditor *self)
{
  static const char *const kinds[] = { N_("Single symbol"), N_("Categorized"), N_("Graduated"), N_("Heat map") };
  static const char *const samplings[] = { N_("Nearest cell"), N_("Smooth (bilinear)") };
  static const char *const methods[] = { N_("Quantile (equal count)"), N_("Equal interval"), N_("Natural breaks (Jenks)") };
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Apply"));
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group;
  GtkWidget *classify;
  AdwActionRow *unused;

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), apply);
  gtk_widget_add_css_class (apply, "suggested-action");
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), self);
  g_signal_connect_swapped (apply, "clicked", G_CALLBACK (on_apply), self);

  /* symbology */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Symbology"));
  self->kind_row = combo_row (_("Style"), (const char *const *) kinds,
                              self->points ? 4 : 3, NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->kind_row));
  self->field_row = combo_row (_("Field"), NULL, 0, G_LIST_MODEL (self->fields));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->field_row));
  self->method_row = combo_row (_("Classes by"), methods, G_N_ELEMENTS (methods), NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->method_row));
  self->classes_spin = spin_row (ADW_PREFERENCES_GROUP (group), _("Number of classes"), 2, 12, 1, 0,
                                 &self->classes_row);
  gtk_spin_button_set_value (self->classes_spin, 5);
  self->ramp_row = combo_row (_("Colour ramp"), ramp_labels, G_N_ELEMENTS (ramp_labels), NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->ramp_row));
  self->radius_spin = spin_row (ADW_PREFERENCES_GROUP (group), _("Radius (pixels)"), 2, 200, 1, 0,
                                &self->radius_row);
  gtk_spin_button_set_value (self->radius_spin, 20);
  self->cutoff_spin = spin_row (ADW_PREFERENCES_GROUP (group), _("Transparent below this percentage of the range"),
                                0, 100, 1, 0, &self->cutoff_row);
  gtk_spin_button_set_value (self->cutoff_spin, GIS_STYLE_RASTER_CUTOFF * 100);
  self->sampling_row = combo_row (_("Sampling"), samplings, G_N_ELEMENTS (samplings), NULL);
  adw_combo_row_set_selected (self->sampling_row, 1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->sampling_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* symbol */
  self->symbol_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  self->fill_button = color_row (self->symbol_group, _("Fill"));
  self->stroke_button = color_row (self->symbol_group, self->points ? _("Outline") : _("Outline or line"));
  self->stroke_width_spin = spin_row (self->symbol_group, _("Outline width (pixels)"), 0, 20, 0.5, 1, &unused);
  self->size_spin = spin_row (self->symbol_group, _("Size (pixels)"), 1, 64, 1, 0, &self->size_row);
  self->shape_row = combo_row (_("Shape"), shape_labels, G_N_ELEMENTS (shape_labels), NULL);
  adw_preferences_group_add (self->symbol_group, GTK_WIDGET (self->shape_row));
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), self->points);
  gtk_widget_set_visible (GTK_WIDGET (self->shape_row), self->points);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->symbol_group);

  /* categories */
  self->category_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->category_group, _("Categories"));
  adw_preferences_group_set_description (self->category_group,
                                         _("The most frequent values of the field; all others use the symbol above."));
  classify = gtk_button_new_with_mnemonic (_("_Classify"));
  gtk_widget_set_valign (classify, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (classify, "flat");
  adw_preferences_group_set_header_suffix (self->category_group, classify);
  g_signal_connect_swapped (classify, "clicked", G_CALLBACK (classify_categories), self);
  self->category_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->category_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->category_list), "boxed-list");
  adw_preferences_group_add (self->category_group, GTK_WIDGET (self->category_list));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->category_group);

  /* labels */
  group = self->label_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Labels"));
  self->label_field_row = combo_row (_("Label with"), NULL, 0, G_LIST_MODEL (self->label_fields));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->label_field_row));
  self->label_size_spin = spin_row (ADW_PREFERENCES_GROUP (group), _("Text size (pixels)"), 6, 48, 1, 0, &unused);
  gtk_spin_button_set_value (self->label_size_spin, 12);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), page);
  gtk_widget_set_vexpand (page, TRUE);
  adw_window_set_content (ADW_WINDOW (self), toolbar);

  load_style (self);
  update_visibility (self);

  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (on_kind_or_field_changed), self);
  g_signal_connect_swapped (self->field_row, "notify::selected", G_CALLBACK (clear_categories), self);
  g_signal_connect_swapped (self->field_row, "notify::selected", G_CALLBACK (on_kind_or_field_changed), self);
}

/* ---- object ------------------------------------------------------------------------ */

static void
atalaya_style_editor_dispose (GObject *object)
{
  AtalayaStyleEditor *self = (AtalayaStyleEditor *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->layer);
  g_clear_pointer (&self->style, gis_style_unref);
  g_clear_object (&self->fields);
  g_clear_object (&self->label_fields);
  g_clear_pointer (&self->categories, g_ptr_array_unref);

  G_OBJECT_CLASS (atalaya_style_editor_parent_class)->dispose (object);
}

static void
atalaya_style_editor_class_init (AtalayaStyleEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = atalaya_style_editor_dispose;

  /**
   * AtalayaStyleEditor::applied:
   * @style: (type GisStyle): the new style
   */
  signals[APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, GIS_TYPE_STYLE);
}

static void
atalaya_style_editor_init (AtalayaStyleEditor *self)
{
  self->categories = g_ptr_array_new_with_free_func (category_row_free);
  gtk_window_set_default_size (GTK_WINDOW (self), 460, 640);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
}

/**
 * atalaya_style_editor_new:
 * @parent: the main window
 * @store: the layer's store, to list field values
 * @layer: the layer
 * @style: its current style
 */
AtalayaStyleEditor *
atalaya_style_editor_new (GtkWindow *parent,
                          GisStore  *store,
                          GisLayer  *layer,
                          GisStyle  *style)
{
  AtalayaStyleEditor *self;
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (GIS_IS_LAYER (layer), NULL);
  g_return_val_if_fail (style != NULL, NULL);

  self = g_object_new (ATALAYA_TYPE_STYLE_EDITOR, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->layer = g_object_ref (layer);
  self->style = gis_style_ref (style);
  self->raster = gis_layer_is_raster (layer);
  self->points = gis_layer_is_point_layer (layer) ||
                 g_strcmp0 (gis_layer_get_geometry_type (layer), "MULTIPOINT") == 0;
  self->fields = gtk_string_list_new (NULL);
  self->label_fields = gtk_string_list_new (NULL);
  gtk_string_list_append (self->label_fields, _("No labels"));

  fields = gis_store_get_fields (store, layer, NULL);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      GisField *f = g_ptr_array_index (fields, i);

      if (f->type == GIS_FIELD_BLOB)
        continue;
      gtk_string_list_append (self->fields, f->name);
      gtk_string_list_append (self->label_fields, f->name);
    }

  /* Translators: the title of the style dialog of a layer */
  title = g_strdup_printf (_("Style of “%s”"), gis_layer_get_name (layer));
  gtk_window_set_title (GTK_WINDOW (self), title);
  build (self);
  return self;
}
