/* atalaya-query-panel.c: spatial and attribute queries without SQL, in the side pane
 *
 * The panel builds a GisQuery from condition rows (spatial, attribute,
 * date range; each may be negated; all or any must hold) and an
 * expression in the text syntax, shows the query's text as it changes,
 * and says inline why a query cannot run.  Layers and fields come from
 * the window's store on the main thread (cheap registry reads); a run
 * or a save happens on a worker thread with its own connection to the
 * store (a GisStore belongs to one thread), with progress and Cancel, as
 * the SQL console does.  The fids found become the map's selection of
 * the target layer through AtalayaQueryPanel::selected.
 *
 * The map view draws the polygon or picks the point of a spatial
 * condition; the panel only receives the WKT in lon/lat.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-query-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "atalaya-format.h"
#include "atalaya-query-panel-private.h"

/* How often the progress bar follows the worker. */
#define TICK_MS 100

G_DEFINE_FINAL_TYPE (AtalayaQueryPanel, atalaya_query_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SELECTED,
  LAYER_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_query (AtalayaQueryPanel *self);
static void update_actions (AtalayaQueryPanel *self);
static void update_saved_list (AtalayaQueryPanel *self);

/* ---- text ---------------------------------------------------------------------- */

static char *
format_count (guint64 n)
{
  return atalaya_format_user ("%'" G_GUINT64_FORMAT, n);
}

static char *
format_seconds (double seconds)
{
  return atalaya_format_user (seconds < 1 ? "%.3f" : "%.2f", seconds);
}

static void
set_status (AtalayaQueryPanel *self,
            const char        *text,
            gboolean           is_error)
{
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static char *
dup_stripped (GtkEntry *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

/* ---- drop-downs -------------------------------------------------------------------- */

static GtkDropDown *
new_drop_down (const char *const *items)
{
  GtkDropDown *drop = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (items));

  gtk_widget_set_valign (GTK_WIDGET (drop), GTK_ALIGN_CENTER);
  return drop;
}

static const char *
selected_string (GtkDropDown *drop)
{
  GObject *item = gtk_drop_down_get_selected_item (drop);

  return item != NULL ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : NULL;
}

/**
 * atalaya_query_panel_select_string: (skip)
 *
 * Selects the item of a string drop-down equal to @text.
 *
 * Returns: whether there is one
 */
gboolean
atalaya_query_panel_select_string (GtkDropDown *drop_down,
                                   const char  *text)
{
  GListModel *model = gtk_drop_down_get_model (drop_down);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), text) == 0)
        {
          gtk_drop_down_set_selected (drop_down, i);
          return TRUE;
        }
    }
  return FALSE;
}

static guint
n_layers (AtalayaQueryPanel *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->layer_names));
}

static const char *
target_name (AtalayaQueryPanel *self)
{
  guint i = adw_combo_row_get_selected (self->target_row);

  if (i == GTK_INVALID_LIST_POSITION || i >= n_layers (self))
    return NULL;
  return gtk_string_list_get_string (self->layer_names, i);
}

static GisLayer *
find_layer (AtalayaQueryPanel *self,
            const char        *name)
{
  guint n = self->layers != NULL ? g_list_model_get_n_items (self->layers) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (self->layers, i);

      if (g_strcmp0 (gis_layer_get_name (layer), name) == 0)
        return layer;   /* the model keeps it */
    }
  return NULL;
}

/* The reference drop-down: the layers, then the two shapes drawn on the map. */
static GtkStringList *
new_reference_model (AtalayaQueryPanel *self)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n_layers (self); i++)
    gtk_string_list_append (list, gtk_string_list_get_string (self->layer_names, i));
  gtk_string_list_append (list, _("Polygon drawn on the map"));
  gtk_string_list_append (list, _("Point picked on the map"));
  return list;
}

typedef enum
{
  REF_LAYER,
  REF_POLYGON,
  REF_POINT,
} RefKind;

static RefKind
row_reference_kind (QueryRow *row)
{
  guint i = gtk_drop_down_get_selected (row->reference);
  guint n = n_layers (row->panel);

  if (i == n)
    return REF_POLYGON;
  if (i == n + 1)
    return REF_POINT;
  return REF_LAYER;
}

/* ---- rows ----------------------------------------------------------------------------- */

static void
query_row_free (gpointer data)
{
  QueryRow *row = data;

  g_free (row->wkt);
  g_free (row);
}

static void
on_row_changed (QueryRow *row)
{
  update_query (row->panel);
}

static void
connect_change (QueryRow   *row,
                gpointer    widget,
                const char *signal)
{
  g_signal_connect_swapped (widget, signal, G_CALLBACK (on_row_changed), row);
}

/* Shows what the row's operator and reference call for. */
static void
row_update_visibility (QueryRow *row)
{
  if (row->kind == QUERY_ROW_SPATIAL)
    {
      GisSpatialOp op = gtk_drop_down_get_selected (row->spatial_op);
      RefKind ref = row_reference_kind (row);
      gboolean distance = op == GIS_SPATIAL_WITHIN || op == GIS_SPATIAL_NEAREST;

      gtk_widget_set_visible (gtk_widget_get_parent (row->distance_box), distance);
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (row->draw_button)), ref != REF_LAYER);
      gtk_widget_set_visible (row->distance_box, op == GIS_SPATIAL_WITHIN);
      gtk_widget_set_visible (row->nearest_box, op == GIS_SPATIAL_NEAREST);
      gtk_widget_set_visible (GTK_WIDGET (row->geodesic), distance);
      gtk_widget_set_visible (GTK_WIDGET (row->draw_button), ref != REF_LAYER);
      gtk_widget_set_visible (GTK_WIDGET (row->shape_label), ref != REF_LAYER);
      gtk_button_set_label (row->draw_button, ref == REF_POLYGON ? _("_Draw on the Map") : _("_Pick on the Map"));
      if (ref != REF_LAYER && row->wkt != NULL &&
          g_ascii_strncasecmp (row->wkt, ref == REF_POLYGON ? "POLYGON" : "POINT", ref == REF_POLYGON ? 7 : 5) != 0)
        g_clear_pointer (&row->wkt, g_free);
      if (ref == REF_POLYGON)
        gtk_label_set_text (row->shape_label, row->wkt != NULL ? _("Polygon drawn") : _("No polygon yet"));
      else if (ref == REF_POINT)
        gtk_label_set_text (row->shape_label, row->wkt != NULL ? row->wkt : _("No point yet"));
    }
  else if (row->kind == QUERY_ROW_ATTRIBUTE)
    {
      GisCompareOp op = gtk_drop_down_get_selected (row->compare_op);

      gtk_widget_set_visible (GTK_WIDGET (row->value), op != GIS_COMPARE_IS_NULL && op != GIS_COMPARE_IS_NOT_NULL);
      gtk_widget_set_visible (GTK_WIDGET (row->value2), op == GIS_COMPARE_BETWEEN);
      gtk_entry_set_placeholder_text (row->value,
                                      op == GIS_COMPARE_IN ? _("Values, separated by commas")
                                      /* xgettext:no-c-format */
                                      : op == GIS_COMPARE_LIKE ? _("Pattern: % any text, _ one character")
                                      : op == GIS_COMPARE_BETWEEN ? _("From")
                                      : _("Value"));
    }
}

static void
on_row_layout_changed (QueryRow *row)
{
  row_update_visibility (row);
  update_query (row->panel);
}

static void
fill_field_drop (AtalayaQueryPanel *self,
                 QueryRow          *row)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autofree char *old = g_strdup (selected_string (row->field));

  for (guint i = 0; self->fields != NULL && i < self->fields->len; i++)
    {
      GisField *field = g_ptr_array_index (self->fields, i);

      if (field->type != GIS_FIELD_BLOB)
        gtk_string_list_append (list, field->name);
    }
  gtk_drop_down_set_model (row->field, G_LIST_MODEL (list));
  if (old != NULL)
    atalaya_query_panel_select_string (row->field, old);
}

static void
fill_reference_drop (AtalayaQueryPanel *self,
                     QueryRow          *row)
{
  g_autoptr(GtkStringList) list = new_reference_model (self);
  RefKind kind = row->reference != NULL && gtk_drop_down_get_model (row->reference) != NULL
                 ? row_reference_kind (row) : REF_LAYER;
  g_autofree char *old = kind == REF_LAYER ? g_strdup (selected_string (row->reference)) : NULL;

  gtk_drop_down_set_model (row->reference, G_LIST_MODEL (list));
  if (kind == REF_POLYGON)
    gtk_drop_down_set_selected (row->reference, n_layers (self));
  else if (kind == REF_POINT)
    gtk_drop_down_set_selected (row->reference, n_layers (self) + 1);
  else if (old == NULL || !atalaya_query_panel_select_string (row->reference, old))
    {
      /* a first guess: another layer than the target */
      const char *target = target_name (self);

      for (guint i = 0; i < n_layers (self); i++)
        if (g_strcmp0 (gtk_string_list_get_string (self->layer_names, i), target) != 0)
          {
            gtk_drop_down_set_selected (row->reference, i);
            break;
          }
    }
}

static void
on_polygon_drawn (AtalayaQueryPanel *self,
                  const char        *wkt,
                  AtalayaMapView    *view);
static void
on_point_picked (AtalayaQueryPanel *self,
                 const char        *wkt,
                 AtalayaMapView    *view);
static void
on_drawing_cancelled (AtalayaQueryPanel *self,
                      AtalayaMapView    *view);

static void
stop_drawing (AtalayaQueryPanel *self)
{
  self->drawing_row = NULL;
  if (self->map_view != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->map_view, on_polygon_drawn, self);
      g_signal_handlers_disconnect_by_func (self->map_view, on_point_picked, self);
      g_signal_handlers_disconnect_by_func (self->map_view, on_drawing_cancelled, self);
    }
}

static void
take_shape (AtalayaQueryPanel *self,
            const char        *wkt)
{
  QueryRow *row = self->drawing_row;

  stop_drawing (self);
  if (row == NULL)
    return;
  g_free (row->wkt);
  row->wkt = g_strdup (wkt);
  row_update_visibility (row);
  update_query (self);
}

static void
on_polygon_drawn (AtalayaQueryPanel *self,
                  const char        *wkt,
                  AtalayaMapView    *view)
{
  take_shape (self, wkt);
}

static void
on_point_picked (AtalayaQueryPanel *self,
                 const char        *wkt,
                 AtalayaMapView    *view)
{
  take_shape (self, wkt);
}

static void
on_drawing_cancelled (AtalayaQueryPanel *self,
                      AtalayaMapView    *view)
{
  stop_drawing (self);
}

/* Asks the map for the row's polygon or point. */
static void
on_draw_clicked (QueryRow  *row,
                 GtkButton *button)
{
  AtalayaQueryPanel *self = row->panel;
  RefKind ref = row_reference_kind (row);

  if (self->map_view == NULL || ref == REF_LAYER)
    return;
  stop_drawing (self);
  self->drawing_row = row;
  g_signal_connect_swapped (self->map_view, "polygon-drawn", G_CALLBACK (on_polygon_drawn), self);
  g_signal_connect_swapped (self->map_view, "point-picked", G_CALLBACK (on_point_picked), self);
  g_signal_connect_swapped (self->map_view, "drawing-cancelled", G_CALLBACK (on_drawing_cancelled), self);
  atalaya_map_view_set_tool (self->map_view, ref == REF_POLYGON ? ATALAYA_MAP_TOOL_DRAW_POLYGON
                                                                 : ATALAYA_MAP_TOOL_PICK_POINT);
  gtk_widget_grab_focus (GTK_WIDGET (self->map_view));
  gtk_label_set_text (row->shape_label,
                      ref == REF_POLYGON
                      ? _("Click the vertices; double-click or Enter closes, Backspace undoes, Escape cancels")
                      : _("Click the point on the map"));
}

static guint
row_index (AtalayaQueryPanel *self,
           QueryRow          *row)
{
  guint i;

  if (!g_ptr_array_find (self->rows, row, &i))
    g_assert_not_reached ();
  return i;
}

static void
on_remove_clicked (QueryRow  *row,
                   GtkButton *button)
{
  atalaya_query_panel_remove_row (row->panel, row_index (row->panel, row));
}

static GtkWidget *
labelled (const char *text,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), widget);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

static GtkWidget *
line_box (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  return box;
}

static QueryRow *
query_row_new (AtalayaQueryPanel *self,
               QueryRowKind       kind)
{
  static const char *const kind_titles[] = { N_("Spatial"), N_("Attribute"), N_("Date Range") };
  QueryRow *row = g_new0 (QueryRow, 1);
  GtkWidget *header = line_box ();
  GtkWidget *title = gtk_label_new (_(kind_titles[kind]));
  GtkWidget *content;

  row->panel = self;
  row->kind = kind;
  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (row->box, "card");
  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 6);
  gtk_widget_set_margin_top (content, 6);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_box_append (GTK_BOX (row->box), content);

  /* the header: not, the kind, remove */
  row->not_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (C_("condition", "Not")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->not_button), _("Match the features that do not meet this condition"));
  gtk_widget_add_css_class (GTK_WIDGET (row->not_button), "flat");
  connect_change (row, row->not_button, "toggled");
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  row->remove_button = GTK_BUTTON (gtk_button_new_from_icon_name ("user-trash-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->remove_button), _("Remove the Condition"));
  gtk_widget_add_css_class (GTK_WIDGET (row->remove_button), "flat");
  g_signal_connect_swapped (row->remove_button, "clicked", G_CALLBACK (on_remove_clicked), row);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (row->not_button));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (row->remove_button));
  gtk_box_append (GTK_BOX (content), header);

  switch (kind)
    {
    case QUERY_ROW_SPATIAL:
      {
        const char *const ops[] = { _("Within"), _("Inside"), _("Intersects"), _("Disjoint from"),
                                    _("Nearest to"), NULL };
        GtkWidget *line1 = line_box ();
        GtkWidget *line2 = line_box ();
        GtkWidget *line3 = line_box ();

        row->spatial_op = new_drop_down (ops);
        gtk_drop_down_set_selected (row->spatial_op, GIS_SPATIAL_INSIDE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->spatial_op),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Spatial Operator"), -1);
        row->reference = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
        gtk_widget_set_hexpand (GTK_WIDGET (row->reference), TRUE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->reference),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reference"), -1);
        fill_reference_drop (self, row);
        gtk_box_append (GTK_BOX (line1), GTK_WIDGET (row->spatial_op));
        gtk_box_append (GTK_BOX (line1), GTK_WIDGET (row->reference));

        row->km_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, GIS_QUERY_MAX_DISTANCE_KM, 1));
        gtk_spin_button_set_digits (row->km_spin, 1);
        gtk_spin_button_set_value (row->km_spin, 50);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->km_spin),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Distance in km"), -1);
        row->distance_box = labelled (_("km"), GTK_WIDGET (row->km_spin));
        row->n_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, GIS_QUERY_MAX_NEAREST, 1));
        gtk_spin_button_set_value (row->n_spin, 1);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->n_spin),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Number of nearest features"), -1);
        row->nearest_box = labelled (_("nearest features"), GTK_WIDGET (row->n_spin));
        row->geodesic = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("_Geodesic")));
        gtk_widget_set_tooltip_text (GTK_WIDGET (row->geodesic),
                                     _("Distances on the WGS 84 ellipsoid instead of the analysis CRS"));
        gtk_widget_set_halign (GTK_WIDGET (row->geodesic), GTK_ALIGN_END);
        gtk_widget_set_hexpand (GTK_WIDGET (row->geodesic), TRUE);
        gtk_box_append (GTK_BOX (line2), row->distance_box);
        gtk_box_append (GTK_BOX (line2), row->nearest_box);
        gtk_box_append (GTK_BOX (line2), GTK_WIDGET (row->geodesic));

        row->draw_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Draw on the Map")));
        g_signal_connect_swapped (row->draw_button, "clicked", G_CALLBACK (on_draw_clicked), row);
        row->shape_label = GTK_LABEL (gtk_label_new (NULL));
        gtk_label_set_wrap (row->shape_label, TRUE);
        gtk_label_set_wrap_mode (row->shape_label, PANGO_WRAP_WORD_CHAR);
        gtk_label_set_xalign (row->shape_label, 0);
        gtk_widget_set_hexpand (GTK_WIDGET (row->shape_label), TRUE);
        gtk_widget_add_css_class (GTK_WIDGET (row->shape_label), "dim-label");
        gtk_widget_add_css_class (GTK_WIDGET (row->shape_label), "caption");
        gtk_box_append (GTK_BOX (line3), GTK_WIDGET (row->draw_button));
        gtk_box_append (GTK_BOX (line3), GTK_WIDGET (row->shape_label));

        gtk_box_append (GTK_BOX (content), line1);
        gtk_box_append (GTK_BOX (content), line2);
        gtk_box_append (GTK_BOX (content), line3);

        g_signal_connect_swapped (row->spatial_op, "notify::selected", G_CALLBACK (on_row_layout_changed), row);
        g_signal_connect_swapped (row->reference, "notify::selected", G_CALLBACK (on_row_layout_changed), row);
        connect_change (row, row->km_spin, "value-changed");
        connect_change (row, row->n_spin, "value-changed");
        connect_change (row, row->geodesic, "toggled");
      }
      break;

    case QUERY_ROW_ATTRIBUTE:
      {
        /* the order of GisCompareOp */
        const char *const ops[] = { "=", "≠", "<", "≤", ">", "≥", _("between"), _("in list"), _("like"),
                                    _("is empty"), _("is not empty"), NULL };
        GtkWidget *line1 = line_box ();
        GtkWidget *line2 = line_box ();

        row->field = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
        gtk_widget_set_hexpand (GTK_WIDGET (row->field), TRUE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->field),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field"), -1);
        gtk_drop_down_set_enable_search (row->field, TRUE);
        gtk_drop_down_set_expression (row->field,
                                      gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
        fill_field_drop (self, row);
        row->compare_op = new_drop_down (ops);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->compare_op),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comparison"), -1);
        gtk_box_append (GTK_BOX (line1), GTK_WIDGET (row->field));
        gtk_box_append (GTK_BOX (line1), GTK_WIDGET (row->compare_op));

        row->value = GTK_ENTRY (gtk_entry_new ());
        gtk_widget_set_hexpand (GTK_WIDGET (row->value), TRUE);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->value),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Value"), -1);
        row->value2 = GTK_ENTRY (gtk_entry_new ());
        gtk_widget_set_hexpand (GTK_WIDGET (row->value2), TRUE);
        gtk_entry_set_placeholder_text (row->value2, _("To"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->value2),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Second value"), -1);
        gtk_box_append (GTK_BOX (line2), GTK_WIDGET (row->value));
        gtk_box_append (GTK_BOX (line2), GTK_WIDGET (row->value2));
        gtk_box_append (GTK_BOX (content), line1);
        gtk_box_append (GTK_BOX (content), line2);

        g_signal_connect_swapped (row->compare_op, "notify::selected", G_CALLBACK (on_row_layout_changed), row);
        connect_change (row, row->field, "notify::selected");
        connect_change (row, row->value, "changed");
        connect_change (row, row->value2, "changed");
      }
      break;

    case QUERY_ROW_DATE:
    default:
      {
        GtkWidget *line = line_box ();

        row->from = GTK_ENTRY (gtk_entry_new ());
        row->to = GTK_ENTRY (gtk_entry_new ());
        /* Translators: the forms of a date the user can type */
        gtk_entry_set_placeholder_text (row->from, _("From: 2021, 2021-06 or 2021-06-15"));
        gtk_entry_set_placeholder_text (row->to, _("To: 2022, 2022-06 or 2022-06-30"));
        gtk_widget_set_tooltip_text (GTK_WIDGET (row->from),
                                     _("From the start of this year, month or day; empty: no start"));
        gtk_widget_set_tooltip_text (GTK_WIDGET (row->to),
                                     _("To the end of this year, month or day; empty: no end"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->from),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("From"), -1);
        gtk_accessible_update_property (GTK_ACCESSIBLE (row->to),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("To"), -1);
        gtk_widget_set_hexpand (GTK_WIDGET (row->from), TRUE);
        gtk_widget_set_hexpand (GTK_WIDGET (row->to), TRUE);
        gtk_orientable_set_orientation (GTK_ORIENTABLE (line), GTK_ORIENTATION_VERTICAL);
        gtk_box_append (GTK_BOX (line), GTK_WIDGET (row->from));
        gtk_box_append (GTK_BOX (line), GTK_WIDGET (row->to));
        gtk_box_append (GTK_BOX (content), line);
        connect_change (row, row->from, "changed");
        connect_change (row, row->to, "changed");
      }
      break;
    }

  row_update_visibility (row);
  return row;
}

/* The row's condition; NULL with @error saying what is missing. */
static GisQueryNode *
query_row_build (QueryRow  *row,
                 GError   **error)
{
  g_autoptr(GisQueryNode) node = NULL;

  switch (row->kind)
    {
    case QUERY_ROW_SPATIAL:
      {
        GisSpatialOp op = gtk_drop_down_get_selected (row->spatial_op);
        RefKind ref = row_reference_kind (row);
        const char *layer = ref == REF_LAYER ? selected_string (row->reference) : NULL;
        GisDistanceMode mode = gtk_check_button_get_active (row->geodesic) ? GIS_DISTANCE_GEODESIC
                                                                            : GIS_DISTANCE_ANALYSIS;

        if (ref == REF_LAYER && layer == NULL)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Choose the layer to compare with"));
            return NULL;
          }
        if (ref != REF_LAYER && row->wkt == NULL)
          {
            g_set_error_literal (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                                 ref == REF_POLYGON ? _("Draw the polygon on the map")
                                                    : _("Pick the point on the map"));
            return NULL;
          }
        node = gis_query_node_new_spatial (op, layer, ref != REF_LAYER ? row->wkt : NULL,
                                           op == GIS_SPATIAL_WITHIN ? gtk_spin_button_get_value (row->km_spin) : 0,
                                           op == GIS_SPATIAL_NEAREST
                                           ? (guint) gtk_spin_button_get_value_as_int (row->n_spin) : 0,
                                           mode);
      }
      break;

    case QUERY_ROW_ATTRIBUTE:
      {
        GisCompareOp op = gtk_drop_down_get_selected (row->compare_op);
        const char *field = selected_string (row->field);
        g_autofree char *v1 = dup_stripped (row->value);
        g_autofree char *v2 = dup_stripped (row->value2);
        g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
        g_auto(GStrv) strv = NULL;

        if (field == NULL)
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The layer has no field to compare"));
            return NULL;
          }
        if (op == GIS_COMPARE_IN)
          {
            g_auto(GStrv) parts = g_strsplit (v1, ",", -1);

            for (guint i = 0; parts[i] != NULL; i++)
              {
                g_strstrip (parts[i]);
                if (*parts[i] != '\0')
                  g_strv_builder_add (values, parts[i]);
              }
          }
        else if (op != GIS_COMPARE_IS_NULL && op != GIS_COMPARE_IS_NOT_NULL)
          {
            if (*v1 != '\0')
              g_strv_builder_add (values, v1);
            if (op == GIS_COMPARE_BETWEEN && *v2 != '\0')
              g_strv_builder_add (values, v2);
          }
        strv = g_strv_builder_end (values);
        if ((op == GIS_COMPARE_BETWEEN && g_strv_length (strv) != 2) ||
            (op != GIS_COMPARE_IS_NULL && op != GIS_COMPARE_IS_NOT_NULL && strv[0] == NULL))
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                         op == GIS_COMPARE_BETWEEN ? _("Type both bounds for “%s”") : _("Type a value for “%s”"),
                         field);
            return NULL;
          }
        node = gis_query_node_new_compare (field, op, (const char *const *) strv);
      }
      break;

    case QUERY_ROW_DATE:
    default:
      {
        g_autofree char *from = dup_stripped (row->from);
        g_autofree char *to = dup_stripped (row->to);

        if (*from == '\0' && *to == '\0')
          {
            g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Type a start or an end date"));
            return NULL;
          }
        node = gis_query_node_new_date_range (*from != '\0' ? from : NULL, *to != '\0' ? to : NULL, error);
        if (node == NULL)
          return NULL;
      }
      break;
    }

  if (gtk_toggle_button_get_active (row->not_button))
    return gis_query_node_new_not (node);
  return g_steal_pointer (&node);
}

/* ---- the query ---------------------------------------------------------------------- */

/**
 * atalaya_query_panel_build_query:
 *
 * The query of the rows and the expression, checked against the store.
 *
 * Returns: (transfer full) (nullable): the query, or %NULL with @error
 */
GisQuery *
atalaya_query_panel_build_query (AtalayaQueryPanel  *self,
                                 GError            **error)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) gis_query_node_unref);
  g_autoptr(GisQuery) query = NULL;
  g_autoptr(GisQueryPlan) plan = NULL;
  const char *target = target_name (self);
  const char *text;

  g_return_val_if_fail (ATALAYA_IS_QUERY_PANEL (self), NULL);

  if (self->store == NULL || target == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Open a store with layers to query"));
      return NULL;
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      GisQueryNode *node = query_row_build (g_ptr_array_index (self->rows, i), error);

      if (node == NULL)
        return NULL;
      g_ptr_array_add (nodes, node);
    }
  text = gtk_editable_get_text (GTK_EDITABLE (self->expression_entry));
  if (!is_blank (text))
    {
      GisQueryNode *node = gis_query_parse_condition (text, error);

      if (node == NULL)
        {
          g_prefix_error (error, _("Expression: "));
          return NULL;
        }
      g_ptr_array_add (nodes, node);
    }

  if (nodes->len == 0)
    query = gis_query_new (target, NULL);
  else if (nodes->len == 1)
    query = gis_query_new (target, g_ptr_array_index (nodes, 0));
  else
    {
      gboolean any = gtk_toggle_button_get_active (self->match_any_button);
      g_autoptr(GisQueryNode) group = gis_query_node_new_group (any ? GIS_QUERY_NODE_OR : GIS_QUERY_NODE_AND,
                                                                (GisQueryNode *const *) nodes->pdata,
                                                                nodes->len);

      query = gis_query_new (target, group);
    }

  /* layers, fields and values against the store, as a run would */
  plan = gis_query_plan (self->store, query, error);
  if (plan == NULL)
    return NULL;
  return g_steal_pointer (&query);
}

static void
update_query (AtalayaQueryPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->updating)
    return;
  g_clear_pointer (&self->query, gis_query_unref);
  if (self->store == NULL)
    {
      gtk_label_set_text (self->query_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      update_actions (self);
      return;
    }
  self->query = atalaya_query_panel_build_query (self, &error);
  if (self->query == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_label_set_text (self->query_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->query_label), FALSE);
    }
  else
    {
      text = gis_query_to_string (self->query);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->query_label), TRUE);
      if (*text == '\0')
        {
          g_autofree char *all = g_strdup_printf (_("%s: every feature"), gis_query_get_target (self->query));

          gtk_label_set_text (self->query_label, all);
        }
      else
        {
          /* Translators: the target layer, then the query's text */
          g_autofree char *shown = g_strdup_printf (C_("query text", "%s: %s"),
                                                    gis_query_get_target (self->query), text);

          gtk_label_set_text (self->query_label, shown);
        }
    }
  update_actions (self);
}

/* ---- fields of the target ------------------------------------------------------------- */

static void
on_target_changed (AtalayaQueryPanel *self)
{
  const char *target = target_name (self);
  GisLayer *layer = target != NULL ? find_layer (self, target) : NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->fields, g_ptr_array_unref);
  if (layer != NULL && self->store != NULL)
    {
      self->fields = gis_store_get_fields (self->store, layer, &error);
      if (self->fields == NULL)
        g_warning ("Fields of “%s”: %s", target, error->message);
    }
  self->updating = TRUE;
  for (guint i = 0; i < self->rows->len; i++)
    {
      QueryRow *row = g_ptr_array_index (self->rows, i);

      if (row->kind == QUERY_ROW_ATTRIBUTE)
        fill_field_drop (self, row);
    }
  self->updating = FALSE;
  g_clear_pointer (&self->result_fids, g_array_unref);
  update_query (self);
}

/* ---- running, on a worker thread -------------------------------------------------------- */

struct _QueryJob
{
  char            *store_path;
  GisQuery        *query;          /* NULL for a ready query */
  gboolean         is_ready;
  GisReadyQuery    ready;
  double           km;
  GisDistanceMode  mode;
  char            *save_as;        /* NULL: select only */
  gint64           started_us;
  int              permille;       /* atomic: progress, -1 unknown */
};

typedef struct
{
  GArray *fids;
  char   *target;
  char   *text;
  char   *saved_layer;
  gint64  n_total;
  double  seconds;
} QueryOutcome;

static void
query_job_free (gpointer data)
{
  QueryJob *job = data;

  g_free (job->store_path);
  g_clear_pointer (&job->query, gis_query_unref);
  g_free (job->save_as);
  g_free (job);
}

static void
query_outcome_free (gpointer data)
{
  QueryOutcome *outcome = data;

  g_clear_pointer (&outcome->fids, g_array_unref);
  g_free (outcome->target);
  g_free (outcome->text);
  g_free (outcome->saved_layer);
  g_free (outcome);
}

static void
on_job_progress (double      fraction,
                 const char *message,
                 gpointer    user_data)
{
  QueryJob *job = user_data;

  g_atomic_int_set (&job->permille, fraction < 0 ? -1 : (int) (CLAMP (fraction, 0, 1) * 1000));
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryJob *job = task_data;
  g_autoptr(GisStore) store = NULL;
  g_autoptr(GisReadyPlan) ready = NULL;
  g_autoptr(GisQuery) query = NULL;
  g_autoptr(GisLayer) target = NULL;
  QueryOutcome *outcome;
  GError *error = NULL;
  GArray *fids;

  store = gis_store_open (job->store_path,
                          job->save_as != NULL ? GIS_STORE_OPEN_READ_WRITE : GIS_STORE_OPEN_READ_ONLY,
                          &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->is_ready)
    {
      ready = gis_ready_plan_new (store, job->ready, job->km, job->mode, &error);
      if (ready == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      query = gis_query_ref (gis_ready_plan_get_query (ready));
    }
  else
    query = gis_query_ref (job->query);

  target = gis_store_get_layer (store, gis_query_get_target (query), &error);
  if (target == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  fids = gis_query_run (store, query, on_job_progress, job, cancellable, &error);
  if (fids == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  outcome = g_new0 (QueryOutcome, 1);
  outcome->fids = fids;
  outcome->target = g_strdup (gis_query_get_target (query));
  outcome->text = gis_query_to_string (query);
  outcome->n_total = gis_layer_get_feature_count (target);

  if (job->save_as != NULL)
    {
      guint n = 0;
      const GisQueryAnnotation *ann = ready != NULL ? gis_ready_plan_get_annotations (ready, &n) : NULL;
      g_autoptr(GisLayer) saved = NULL;

      g_atomic_int_set (&job->permille, -1);
      saved = gis_query_save_result (store, query, fids, job->save_as, ann, n,
                                     on_job_progress, job, cancellable, &error);
      if (saved == NULL)
        {
          query_outcome_free (outcome);
          g_task_return_error (task, error);
          return;
        }
      outcome->saved_layer = g_strdup (gis_layer_get_name (saved));
    }
  outcome->seconds = (g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC;
  g_task_return_pointer (task, outcome, query_outcome_free);
}

static gboolean
on_tick (gpointer user_data)
{
  AtalayaQueryPanel *self = user_data;
  int permille;

  if (self->job == NULL)
    return G_SOURCE_CONTINUE;
  permille = g_atomic_int_get (&self->job->permille);
  if (permille < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, permille / 1000.0);
  return G_SOURCE_CONTINUE;
}

static void
set_running (AtalayaQueryPanel *self,
             gboolean           running)
{
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  if (running && self->tick_id == 0)
    self->tick_id = g_timeout_add (TICK_MS, on_tick, self);
  else if (!running)
    g_clear_handle_id (&self->tick_id, g_source_remove);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static gint64
layer_id_of (AtalayaQueryPanel *self,
             const char        *name)
{
  GisLayer *layer = find_layer (self, name);

  return layer != NULL ? gis_layer_get_id (layer) : -1;
}

/* The task holds a weak reference on the panel: the window can go while
 * a query runs; disposing of the panel cancels it. */
static void
query_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AtalayaQueryPanel) self = g_weak_ref_get (weak);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (res));
  QueryJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  QueryOutcome *outcome = g_task_propagate_pointer (G_TASK (res), &error);
  g_autofree char *count = NULL;
  g_autofree char *total = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *text = NULL;
  double elapsed = (g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC;

  g_weak_ref_clear (weak);
  g_free (weak);

  if (self == NULL || cancellable != self->cancellable)
    {
      if (outcome != NULL)
        query_outcome_free (outcome);
      return;
    }
  g_clear_object (&self->cancellable);
  self->job = NULL;
  set_running (self, FALSE);

  if (outcome == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *s = format_seconds (elapsed);

          /* Translators: the status after Cancel, as in "Cancelled after 1.20 s" */
          text = g_strdup_printf (_("Cancelled after %s s; the selection is as it was"), s);
          set_status (self, text, FALSE);
        }
      else
        set_status (self, error->message, TRUE);
      return;
    }

  count = format_count (outcome->fids->len);
  total = format_count ((guint64) MAX (outcome->n_total, 0));
  seconds = format_seconds (outcome->seconds);
  if (outcome->saved_layer != NULL)
    /* Translators: a layer's name, a count of features, seconds */
    text = g_strdup_printf (ngettext ("Saved layer “%s” with %s feature in %s s",
                                      "Saved layer “%s” with %s features in %s s", outcome->fids->len),
                            outcome->saved_layer, count, seconds);
  else
    /* Translators: a count of features, the layer's feature count, its
     * name, seconds, as in "1,234 of 100,000 incidents selected in 0.05 s" */
    text = g_strdup_printf (ngettext ("%s of %s %s selected in %s s", "%s of %s %s selected in %s s",
                                      outcome->fids->len),
                            count, total, outcome->target, seconds);
  set_status (self, text, FALSE);

  g_clear_pointer (&self->result_fids, g_array_unref);
  self->result_fids = g_array_ref (outcome->fids);
  g_free (self->result_target);
  self->result_target = g_strdup (outcome->target);
  if (outcome->saved_layer != NULL)
    g_signal_emit (self, signals[LAYER_SAVED], 0, outcome->saved_layer);
  g_signal_emit (self, signals[SELECTED], 0, layer_id_of (self, outcome->target), outcome->fids);
  query_outcome_free (outcome);
  update_actions (self);
}

static void
start_job (AtalayaQueryPanel *self,
           QueryJob          *job)
{
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak;

  job->store_path = g_strdup (gis_store_get_path (self->store));
  job->started_us = g_get_monotonic_time ();
  job->permille = -1;

  self->cancellable = g_cancellable_new ();
  self->job = job;
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, query_cb, weak);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, query_job_free);
  g_task_run_in_thread (task, query_thread);

  set_status (self, job->save_as != NULL ? _("Saving…") : _("Running…"), FALSE);
  set_running (self, TRUE);
}

/**
 * atalaya_query_panel_run:
 *
 * Runs the query of the rows and the expression on a worker thread; the
 * features found become the selection of the target layer.  Does
 * nothing while a query runs, or when the query is not valid.
 */
void
atalaya_query_panel_run (AtalayaQueryPanel *self)
{
  QueryJob *job;

  g_return_if_fail (ATALAYA_IS_QUERY_PANEL (self));

  if (self->cancellable != NULL || self->query == NULL || self->store == NULL)
    return;
  job = g_new0 (QueryJob, 1);
  job->query = gis_query_ref (self->query);
  start_job (self, job);
}

/**
 * atalaya_query_panel_save_as_layer: (skip)
 *
 * Runs the query and saves what it finds as a new layer @name.
 */
void
atalaya_query_panel_save_as_layer (AtalayaQueryPanel *self,
                                   const char        *name)
{
  QueryJob *job;

  if (self->cancellable != NULL || self->query == NULL || self->store == NULL ||
      gis_store_is_read_only (self->store))
    return;
  job = g_new0 (QueryJob, 1);
  job->query = gis_query_ref (self->query);
  job->save_as = g_strstrip (g_strdup (name));
  start_job (self, job);
}

/**
 * atalaya_query_panel_run_ready: (skip)
 * @save_as: (nullable): the layer to save the result as, with the ready
 *   query's annotations
 *
 * Runs a ready enforcement query with the distance and geodesic switch
 * of its row.
 */
void
atalaya_query_panel_run_ready (AtalayaQueryPanel *self,
                               GisReadyQuery      ready,
                               const char        *save_as)
{
  QueryJob *job;

  g_return_if_fail (ready <= GIS_READY_QUERY_LAST);

  if (self->cancellable != NULL || self->store == NULL ||
      (save_as != NULL && gis_store_is_read_only (self->store)))
    return;
  job = g_new0 (QueryJob, 1);
  job->is_ready = TRUE;
  job->ready = ready;
  job->km = gis_ready_query_takes_distance (ready) ? gtk_spin_button_get_value (self->ready_km[ready])
                                                   : gis_ready_query_default_km (ready);
  job->mode = self->ready_geodesic[ready] != NULL && gtk_switch_get_active (self->ready_geodesic[ready])
              ? GIS_DISTANCE_GEODESIC : GIS_DISTANCE_ANALYSIS;
  job->save_as = save_as != NULL ? g_strstrip (g_strdup (save_as)) : NULL;
  start_job (self, job);
}

/**
 * atalaya_query_panel_cancel:
 *
 * Stops the running query or save; the selection stays as it was.
 */
void
atalaya_query_panel_cancel (AtalayaQueryPanel *self)
{
  g_return_if_fail (ATALAYA_IS_QUERY_PANEL (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
atalaya_query_panel_get_running (AtalayaQueryPanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_QUERY_PANEL (self), FALSE);

  return self->cancellable != NULL;
}

/* ---- naming popovers ----------------------------------------------------------------------- */

typedef void (*NameFunc) (AtalayaQueryPanel *self,
                          const char        *name,
                          gpointer           data);

typedef struct
{
  AtalayaQueryPanel *panel;
  NameFunc           func;
  gpointer           data;
  GtkEntry          *entry;
  GtkPopover        *popover;
} NamePopover;

static void
on_name_accepted (NamePopover *np)
{
  g_autofree char *name = dup_stripped (np->entry);

  if (*name == '\0')
    return;
  gtk_popover_popdown (np->popover);
  np->func (np->panel, name, np->data);
}

static void
on_name_changed (NamePopover *np,
                 GtkEditable *editable)
{
  GtkWidget *button = g_object_get_data (G_OBJECT (np->popover), "button");

  gtk_widget_set_sensitive (button, !is_blank (gtk_editable_get_text (editable)));
}

/* A popover asking for a name, on @menu_button. */
static GtkEntry *
setup_name_popover (AtalayaQueryPanel *self,
                    GtkMenuButton     *menu_button,
                    const char        *title,
                    const char        *button_label,
                    NameFunc           func,
                    gpointer           data)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (button_label);
  NamePopover *np = g_new0 (NamePopover, 1);

  np->panel = self;
  np->func = func;
  np->data = data;
  np->entry = GTK_ENTRY (entry);
  np->popover = GTK_POPOVER (popover);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_widget_set_size_request (entry, 200, -1);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_sensitive (button, FALSE);
  gtk_box_append (GTK_BOX (line), entry);
  gtk_box_append (GTK_BOX (line), button);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), line);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  g_object_set_data (G_OBJECT (popover), "button", button);
  g_object_set_data_full (G_OBJECT (popover), "name-popover", np, g_free);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_name_accepted), np);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (on_name_accepted), np);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (on_name_changed), np);
  gtk_menu_button_set_popover (menu_button, popover);
  return GTK_ENTRY (entry);
}

static void
save_layer_named (AtalayaQueryPanel *self,
                  const char        *name,
                  gpointer           data)
{
  atalaya_query_panel_save_as_layer (self, name);
}

static void
save_ready_named (AtalayaQueryPanel *self,
                  const char        *name,
                  gpointer           data)
{
  atalaya_query_panel_run_ready (self, GPOINTER_TO_UINT (data), name);
}

static void
save_query_named (AtalayaQueryPanel *self,
                  const char        *name,
                  gpointer           data)
{
  g_autoptr(GError) error = NULL;

  if (!atalaya_query_panel_save_query (self, name, &error))
    set_status (self, error->message, TRUE);
}

/* ---- saved queries ------------------------------------------------------------------------ */

/**
 * atalaya_query_panel_save_query: (skip)
 *
 * Saves the query of the panel in the store as @name.
 */
gboolean
atalaya_query_panel_save_query (AtalayaQueryPanel  *self,
                                const char         *name,
                                GError            **error)
{
  g_autoptr(GisQuery) query = atalaya_query_panel_build_query (self, error);
  g_autofree char *text = NULL;

  if (query == NULL)
    return FALSE;
  if (!gis_store_save_query (self->store, name, query, error))
    return FALSE;
  text = g_strdup_printf (_("Saved the query as “%s”"), name);
  set_status (self, text, FALSE);
  update_saved_list (self);
  return TRUE;
}

gboolean
atalaya_query_panel_delete_query (AtalayaQueryPanel  *self,
                                  const char         *name,
                                  GError            **error)
{
  if (!gis_store_delete_query (self->store, name, error))
    return FALSE;
  update_saved_list (self);
  return TRUE;
}

/* Whether a row can show @node (a condition, or NOT of one). */
static gboolean
node_fits_row (AtalayaQueryPanel *self,
               GisQueryNode      *node)
{
  if (gis_query_node_get_kind (node) == GIS_QUERY_NODE_NOT)
    node = gis_query_node_get_child (node, 0);

  switch (gis_query_node_get_kind (node))
    {
    case GIS_QUERY_NODE_SPATIAL:
      {
        const char *layer = gis_query_node_get_layer (node);
        const char *wkt = gis_query_node_get_wkt (node);

        if (layer != NULL)
          {
            for (guint i = 0; i < n_layers (self); i++)
              if (g_strcmp0 (gtk_string_list_get_string (self->layer_names, i), layer) == 0)
                return TRUE;
            return FALSE;
          }
        return wkt != NULL && (g_ascii_strncasecmp (wkt, "POLYGON", 7) == 0 ||
                               g_ascii_strncasecmp (wkt, "POINT", 5) == 0);
      }

    case GIS_QUERY_NODE_COMPARE:
      {
        const char *field = gis_query_node_get_field (node);

        for (guint i = 0; self->fields != NULL && i < self->fields->len; i++)
          if (g_strcmp0 (((GisField *) g_ptr_array_index (self->fields, i))->name, field) == 0)
            return TRUE;
        return FALSE;
      }

    case GIS_QUERY_NODE_DATE:
      return TRUE;

    case GIS_QUERY_NODE_AND:
    case GIS_QUERY_NODE_OR:
    case GIS_QUERY_NODE_NOT:
    default:
      return FALSE;
    }
}

static void
set_entry (GtkEntry   *entry,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
}

static void
row_set_node (AtalayaQueryPanel *self,
              GisQueryNode      *node)
{
  gboolean negated = gis_query_node_get_kind (node) == GIS_QUERY_NODE_NOT;
  QueryRow *row;

  if (negated)
    node = gis_query_node_get_child (node, 0);
  switch (gis_query_node_get_kind (node))
    {
    case GIS_QUERY_NODE_SPATIAL:
      row = atalaya_query_panel_get_row (self, atalaya_query_panel_add_row (self, QUERY_ROW_SPATIAL));
      gtk_drop_down_set_selected (row->spatial_op, gis_query_node_get_spatial_op (node));
      if (gis_query_node_get_layer (node) != NULL)
        atalaya_query_panel_select_string (row->reference, gis_query_node_get_layer (node));
      else
        {
          const char *wkt = gis_query_node_get_wkt (node);

          row->wkt = g_strdup (wkt);
          gtk_drop_down_set_selected (row->reference,
                                      n_layers (self) + (g_ascii_strncasecmp (wkt, "POINT", 5) == 0 ? 1 : 0));
        }
      gtk_spin_button_set_value (row->km_spin, gis_query_node_get_distance_km (node));
      gtk_spin_button_set_value (row->n_spin, MAX (gis_query_node_get_n_nearest (node), 1));
      gtk_check_button_set_active (row->geodesic,
                                   gis_query_node_get_distance_mode (node) == GIS_DISTANCE_GEODESIC);
      break;

    case GIS_QUERY_NODE_COMPARE:
      {
        const char *const *values = gis_query_node_get_values (node);
        GisCompareOp op = gis_query_node_get_compare_op (node);

        row = atalaya_query_panel_get_row (self, atalaya_query_panel_add_row (self, QUERY_ROW_ATTRIBUTE));
        atalaya_query_panel_select_string (row->field, gis_query_node_get_field (node));
        gtk_drop_down_set_selected (row->compare_op, op);
        if (op == GIS_COMPARE_IN && values != NULL)
          {
            g_autofree char *joined = g_strjoinv (", ", (char **) values);

            set_entry (row->value, joined);
          }
        else if (values != NULL && values[0] != NULL)
          {
            set_entry (row->value, values[0]);
            if (op == GIS_COMPARE_BETWEEN)
              set_entry (row->value2, values[1]);
          }
      }
      break;

    case GIS_QUERY_NODE_DATE:
    case GIS_QUERY_NODE_AND:   /* node_fits_row() said no to these */
    case GIS_QUERY_NODE_OR:
    case GIS_QUERY_NODE_NOT:
    default:
      row = atalaya_query_panel_get_row (self, atalaya_query_panel_add_row (self, QUERY_ROW_DATE));
      set_entry (row->from, gis_query_node_get_date_from (node));
      set_entry (row->to, gis_query_node_get_date_to (node));
      break;
    }
  gtk_toggle_button_set_active (row->not_button, negated);
  row_update_visibility (row);
}

/* Shows @query in the rows where they can show it, in the expression
 * otherwise. */
static void
show_query (AtalayaQueryPanel *self,
            GisQuery          *query)
{
  GisQueryNode *where = gis_query_get_where (query);
  gboolean group;
  gboolean fits = TRUE;

  while (self->rows->len > 0)
    atalaya_query_panel_remove_row (self, self->rows->len - 1);
  atalaya_query_panel_set_target (self, gis_query_get_target (query));
  gtk_editable_set_text (GTK_EDITABLE (self->expression_entry), "");
  if (where == NULL)
    {
      update_query (self);
      return;
    }

  group = gis_query_node_get_kind (where) == GIS_QUERY_NODE_AND ||
          gis_query_node_get_kind (where) == GIS_QUERY_NODE_OR;
  if (group)
    {
      for (guint i = 0; i < gis_query_node_get_n_children (where) && fits; i++)
        fits = node_fits_row (self, gis_query_node_get_child (where, i));
    }
  else
    fits = node_fits_row (self, where);

  self->updating = TRUE;
  if (!fits)
    {
      g_autofree char *text = gis_query_node_to_string (where);

      gtk_editable_set_text (GTK_EDITABLE (self->expression_entry), text);
    }
  else if (group)
    {
      gtk_toggle_button_set_active (gis_query_node_get_kind (where) == GIS_QUERY_NODE_OR
                                    ? self->match_any_button : self->match_all_button, TRUE);
      for (guint i = 0; i < gis_query_node_get_n_children (where); i++)
        row_set_node (self, gis_query_node_get_child (where, i));
    }
  else
    row_set_node (self, where);
  self->updating = FALSE;
  update_query (self);
}

gboolean
atalaya_query_panel_load_query (AtalayaQueryPanel  *self,
                                const char         *name,
                                GError            **error)
{
  g_autoptr(GisQuery) query = gis_store_load_query (self->store, name, error);

  if (query == NULL)
    return FALSE;
  if (find_layer (self, gis_query_get_target (query)) == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("The query “%s” selects from “%s”, which is not in the store"),
                   name, gis_query_get_target (query));
      return FALSE;
    }
  show_query (self, query);
  return TRUE;
}

static void
on_saved_action (GtkButton         *button,
                 AtalayaQueryPanel *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "query-name");
  const char *what = g_object_get_data (G_OBJECT (button), "what");
  g_autoptr(GError) error = NULL;

  if (g_str_equal (what, "delete"))
    {
      if (!atalaya_query_panel_delete_query (self, name, &error))
        set_status (self, error->message, TRUE);
      return;
    }
  if (!atalaya_query_panel_load_query (self, name, &error))
    {
      set_status (self, error->message, TRUE);
      return;
    }
  if (g_str_equal (what, "run"))
    atalaya_query_panel_run (self);
}

static GtkWidget *
saved_button (AtalayaQueryPanel *self,
              const char        *name,
              const char        *icon,
              const char        *tooltip,
              const char        *what)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "query-name", g_strdup (name), g_free);
  g_object_set_data (G_OBJECT (button), "what", (gpointer) what);
  g_signal_connect (button, "clicked", G_CALLBACK (on_saved_action), self);
  return button;
}

static void
update_saved_list (AtalayaQueryPanel *self)
{
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  gboolean writable = self->store != NULL && !gis_store_is_read_only (self->store);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->saved_list))) != NULL)
    gtk_list_box_remove (self->saved_list, child);
  if (self->store == NULL)
    return;

  names = gis_store_list_queries (self->store, &error);
  if (names == NULL)
    {
      g_warning ("Saved queries: %s", error->message);
      return;
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GisQuery) q = gis_store_load_query (self->store, names[i], NULL);
      g_autofree char *text = q != NULL ? gis_query_to_string (q) : NULL;
      g_autofree char *subtitle = q != NULL ? g_strdup_printf (C_("query text", "%s: %s"),
                                                               gis_query_get_target (q), text) : NULL;
      g_autofree char *title = g_markup_escape_text (names[i], -1);
      g_autofree char *escaped = subtitle != NULL ? g_markup_escape_text (subtitle, -1) : NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *delete;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (escaped != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 saved_button (self, names[i], "document-edit-symbolic",
                                               _("Load into the Panel"), "load"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 saved_button (self, names[i], "media-playback-start-symbolic",
                                               _("Run"), "run"));
      delete = saved_button (self, names[i], "user-trash-symbolic", _("Delete"), "delete");
      gtk_widget_set_sensitive (delete, writable);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
      gtk_list_box_append (self->saved_list, row);
    }
  if (names[0] == NULL)
    {
      GtkWidget *label = gtk_label_new (_("No saved queries"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      gtk_list_box_append (self->saved_list, label);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (label)), FALSE);
    }
}

/* ---- ready queries ------------------------------------------------------------------------- */

static void
on_ready_run_clicked (GtkButton         *button,
                      AtalayaQueryPanel *self)
{
  atalaya_query_panel_run_ready (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "ready")), NULL);
}

static void
build_ready_group (AtalayaQueryPanel *self)
{
  for (GisReadyQuery r = 0; r <= GIS_READY_QUERY_LAST; r++)
    {
      GtkWidget *expander = adw_expander_row_new ();
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *buttons_row = adw_action_row_new ();
      g_autofree char *title = g_markup_escape_text (gis_ready_query_get_title (r), -1);
      g_autofree char *name = NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), gis_ready_query_to_string (r));
      if (gis_ready_query_takes_distance (r))
        {
          GtkWidget *km_row = adw_action_row_new ();
          GtkWidget *geo_row = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (km_row), _("Distance (km)"));
          self->ready_km[r] = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0.1, GIS_QUERY_MAX_DISTANCE_KM, 1));
          gtk_spin_button_set_digits (self->ready_km[r], 1);
          gtk_spin_button_set_value (self->ready_km[r], gis_ready_query_default_km (r));
          gtk_widget_set_valign (GTK_WIDGET (self->ready_km[r]), GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (km_row), GTK_WIDGET (self->ready_km[r]));
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (km_row), GTK_WIDGET (self->ready_km[r]));
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), km_row);

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (geo_row), _("Geodesic Distance"));
          self->ready_geodesic[r] = GTK_SWITCH (gtk_switch_new ());
          gtk_widget_set_valign (GTK_WIDGET (self->ready_geodesic[r]), GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (geo_row), GTK_WIDGET (self->ready_geodesic[r]));
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (geo_row), GTK_WIDGET (self->ready_geodesic[r]));
          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), geo_row);
        }

      self->ready_run[r] = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Run")));
      g_object_set_data (G_OBJECT (self->ready_run[r]), "ready", GUINT_TO_POINTER (r));
      g_signal_connect (self->ready_run[r], "clicked", G_CALLBACK (on_ready_run_clicked), self);
      gtk_widget_add_css_class (GTK_WIDGET (self->ready_run[r]), "suggested-action");
      self->ready_save[r] = GTK_MENU_BUTTON (gtk_menu_button_new ());
      gtk_menu_button_set_label (self->ready_save[r], _("Save as Layer…"));
      gtk_menu_button_set_direction (self->ready_save[r], GTK_ARROW_UP);
      self->ready_save_entry[r] = setup_name_popover (self, self->ready_save[r], _("Name of the New Layer"),
                                                      _("_Save"), save_ready_named, GUINT_TO_POINTER (r));
      name = g_strdelimit (g_strdup (gis_ready_query_to_string (r)), "-", '_');
      gtk_editable_set_text (GTK_EDITABLE (self->ready_save_entry[r]), name);
      gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->ready_run[r]));
      gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->ready_save[r]));
      gtk_widget_set_halign (buttons, GTK_ALIGN_END);
      gtk_widget_set_margin_top (buttons, 6);
      gtk_widget_set_margin_bottom (buttons, 6);
      gtk_widget_set_hexpand (buttons, TRUE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (buttons_row), FALSE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (buttons_row), buttons);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), buttons_row);
      adw_preferences_group_add (self->ready_group, expander);
    }
}

/* ---- actions --------------------------------------------------------------------------------- */

static void
update_actions (AtalayaQueryPanel *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->cancellable != NULL;
  gboolean has_store = self->store != NULL;
  gboolean writable = has_store && !gis_store_is_read_only (self->store);
  const char *why = has_store && !writable ? _("The store is open read-only: nothing can be saved in it") : NULL;

  gtk_widget_action_set_enabled (widget, "query.run", !running && self->query != NULL);
  gtk_widget_action_set_enabled (widget, "query.cancel", running);
  gtk_widget_action_set_enabled (widget, "query.zoom-to-selection",
                                 !running && self->result_fids != NULL && self->result_fids->len > 0);
  gtk_widget_action_set_enabled (widget, "query.add-row", has_store && n_layers (self) > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_layer_button), !running && writable && self->query != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_layer_button),
                               why != NULL ? why : _("Save the matching features as a new layer"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_query_button), writable && self->query != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->save_query_button), why != NULL ? why : _("Save the Query"));
  for (GisReadyQuery r = 0; r <= GIS_READY_QUERY_LAST; r++)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->ready_run[r]), !running && has_store);
      gtk_widget_set_sensitive (GTK_WIDGET (self->ready_save[r]), !running && writable);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->ready_save[r]), why);
    }
}

static void
atalaya_query_panel_action_run (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  atalaya_query_panel_run (ATALAYA_QUERY_PANEL (widget));
}

static void
atalaya_query_panel_action_cancel (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  atalaya_query_panel_cancel (ATALAYA_QUERY_PANEL (widget));
}

static void
atalaya_query_panel_action_zoom (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  gtk_widget_activate_action (widget, "win.zoom-to-selection", NULL);
}

static void
atalaya_query_panel_action_add_row (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  const char *kind = g_variant_get_string (param, NULL);

  atalaya_query_panel_add_row (ATALAYA_QUERY_PANEL (widget),
                               g_str_equal (kind, "spatial") ? QUERY_ROW_SPATIAL
                               : g_str_equal (kind, "attribute") ? QUERY_ROW_ATTRIBUTE
                               : QUERY_ROW_DATE);
}

/* ---- GObject ---------------------------------------------------------------------------------- */

static void
atalaya_query_panel_dispose (GObject *object)
{
  AtalayaQueryPanel *self = (AtalayaQueryPanel *) object;
  GtkWidget *child;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->job = NULL;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  stop_drawing (self);
  if (self->map_view != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->map_view), (gpointer *) &self->map_view);
  self->map_view = NULL;
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->query, gis_query_unref);
  g_clear_pointer (&self->result_fids, g_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->layers);
  g_clear_object (&self->layer_names);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_QUERY_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (atalaya_query_panel_parent_class)->dispose (object);
}

static void
atalaya_query_panel_finalize (GObject *object)
{
  AtalayaQueryPanel *self = (AtalayaQueryPanel *) object;

  g_free (self->result_target);

  G_OBJECT_CLASS (atalaya_query_panel_parent_class)->finalize (object);
}

static void
atalaya_query_panel_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AtalayaQueryPanel *self = ATALAYA_QUERY_PANEL (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_query_panel_class_init (AtalayaQueryPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_query_panel_dispose;
  object_class->finalize = atalaya_query_panel_finalize;
  object_class->get_property = atalaya_query_panel_get_property;

  /**
   * AtalayaQueryPanel:running:
   *
   * Whether a query (or a save) runs.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaQueryPanel::selected:
   * @layer_id: the target layer
   * @fids: (element-type gint64): the features found, sorted
   *
   * A query ended: its features are to be the layer's selection.
   */
  signals[SELECTED] =
    g_signal_new ("selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_ARRAY);

  /**
   * AtalayaQueryPanel::layer-saved:
   * @name: the new result layer
   *
   * A result was saved as a layer: the layer list is to be read again.
   */
  signals[LAYER_SAVED] =
    g_signal_new ("layer-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/atalaya/Atalaya/ui/atalaya-query-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, target_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, match_all_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, match_any_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, rows_box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, add_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, expression_entry);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, query_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, run_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, result_box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, save_layer_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, ready_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, saved_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, save_query_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaQueryPanel, saved_list);

  gtk_widget_class_install_action (widget_class, "query.run", NULL, atalaya_query_panel_action_run);
  gtk_widget_class_install_action (widget_class, "query.cancel", NULL, atalaya_query_panel_action_cancel);
  gtk_widget_class_install_action (widget_class, "query.zoom-to-selection", NULL,
                                   atalaya_query_panel_action_zoom);
  gtk_widget_class_install_action (widget_class, "query.add-row", "s", atalaya_query_panel_action_add_row);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "query.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "query.run", NULL);

  gtk_widget_class_set_css_name (widget_class, "querypanel");
}

static void
atalaya_query_panel_init (AtalayaQueryPanel *self)
{
  g_autoptr(GtkExpression) expression = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new_with_free_func (query_row_free);
  self->layer_names = gtk_string_list_new (NULL);
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  adw_combo_row_set_expression (self->target_row, expression);
  adw_combo_row_set_model (self->target_row, G_LIST_MODEL (self->layer_names));
  g_signal_connect_swapped (self->target_row, "notify::selected", G_CALLBACK (on_target_changed), self);
  /* the one turned off is told first: follow both */
  g_signal_connect_swapped (self->match_all_button, "toggled", G_CALLBACK (update_query), self);
  g_signal_connect_swapped (self->match_any_button, "toggled", G_CALLBACK (update_query), self);
  g_signal_connect_swapped (self->expression_entry, "changed", G_CALLBACK (update_query), self);
  g_signal_connect_swapped (self->expression_entry, "activate", G_CALLBACK (atalaya_query_panel_run), self);

  self->save_layer_entry = setup_name_popover (self, self->save_layer_button, _("Name of the New Layer"),
                                               _("_Save"), save_layer_named, NULL);
  self->save_query_entry = setup_name_popover (self, self->save_query_button, _("Name of the Query"),
                                               _("_Save"), save_query_named, NULL);
  build_ready_group (self);
  set_status (self, NULL, FALSE);
  update_query (self);
}

/* ---- public API ---------------------------------------------------------------------------------- */

/**
 * atalaya_query_panel_new:
 * @map_view: the map, which draws polygons and picks points for the
 *   spatial conditions (not referenced)
 *
 * Returns: (transfer floating): a new query panel, without a store
 */
GtkWidget *
atalaya_query_panel_new (AtalayaMapView *map_view)
{
  AtalayaQueryPanel *self;

  g_return_val_if_fail (ATALAYA_IS_MAP_VIEW (map_view), NULL);

  self = g_object_new (ATALAYA_TYPE_QUERY_PANEL, NULL);
  self->map_view = map_view;
  g_object_add_weak_pointer (G_OBJECT (map_view), (gpointer *) &self->map_view);
  return GTK_WIDGET (self);
}

/**
 * atalaya_query_panel_set_store:
 * @store: (nullable): the window's store, read on the main thread
 * @layers: (nullable): its layers
 *
 * Shows the layers of @store; keeps the target and the rows' layers
 * where they still exist.  A new store (not a new list of the same one)
 * clears the rows.
 */
void
atalaya_query_panel_set_store (AtalayaQueryPanel *self,
                               GisStore          *store,
                               GListModel        *layers)
{
  g_autofree char *old_target = NULL;
  gboolean new_store;
  guint n;

  g_return_if_fail (ATALAYA_IS_QUERY_PANEL (self));
  g_return_if_fail (store == NULL || GIS_IS_STORE (store));

  new_store = store != self->store;
  if (new_store)
    {
      atalaya_query_panel_cancel (self);
      stop_drawing (self);
      while (self->rows->len > 0)
        atalaya_query_panel_remove_row (self, self->rows->len - 1);
      gtk_editable_set_text (GTK_EDITABLE (self->expression_entry), "");
      g_clear_pointer (&self->result_fids, g_array_unref);
      set_status (self, NULL, FALSE);
    }
  else
    old_target = g_strdup (target_name (self));

  g_set_object (&self->store, store);
  g_set_object (&self->layers, layers);

  self->updating = TRUE;
  n = layers != NULL ? g_list_model_get_n_items (layers) : 0;
  gtk_string_list_splice (self->layer_names, 0, n_layers (self), NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

      gtk_string_list_append (self->layer_names, gis_layer_get_name (layer));
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      QueryRow *row = g_ptr_array_index (self->rows, i);

      if (row->kind == QUERY_ROW_SPATIAL)
        fill_reference_drop (self, row);
    }
  self->updating = FALSE;

  {
    /* the same layer as before, else the incidents, else the first */
    const char *want = old_target;

    for (guint i = 0; want == NULL && i < n; i++)
      {
        g_autoptr(GisLayer) layer = g_list_model_get_item (layers, i);

        if (gis_layer_get_role (layer) == GIS_LAYER_ROLE_INCIDENT)
          want = gis_layer_get_name (layer);   /* the model keeps the layer */
      }
    atalaya_query_panel_set_target (self, want);
  }
  on_target_changed (self);
  update_saved_list (self);
}

/**
 * atalaya_query_panel_set_target:
 * @layer_name: (nullable): the layer to select from; %NULL or a name
 *   not in the store: the first layer
 */
void
atalaya_query_panel_set_target (AtalayaQueryPanel *self,
                                const char        *layer_name)
{
  g_return_if_fail (ATALAYA_IS_QUERY_PANEL (self));

  for (guint i = 0; i < n_layers (self); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->layer_names, i), layer_name) == 0)
      {
        adw_combo_row_set_selected (self->target_row, i);
        return;
      }
  adw_combo_row_set_selected (self->target_row, n_layers (self) > 0 ? 0 : GTK_INVALID_LIST_POSITION);
}

/**
 * atalaya_query_panel_add_row: (skip)
 *
 * Returns: the index of a new condition row of @kind
 */
guint
atalaya_query_panel_add_row (AtalayaQueryPanel *self,
                             QueryRowKind       kind)
{
  QueryRow *row = query_row_new (self, kind);

  g_ptr_array_add (self->rows, row);
  gtk_box_append (self->rows_box, row->box);
  update_query (self);
  return self->rows->len - 1;
}

QueryRow *
atalaya_query_panel_get_row (AtalayaQueryPanel *self,
                             guint              i)
{
  g_return_val_if_fail (i < self->rows->len, NULL);

  return g_ptr_array_index (self->rows, i);
}

void
atalaya_query_panel_remove_row (AtalayaQueryPanel *self,
                                guint              i)
{
  QueryRow *row;

  g_return_if_fail (i < self->rows->len);

  row = g_ptr_array_index (self->rows, i);
  if (self->drawing_row == row)
    {
      stop_drawing (self);
      if (self->map_view != NULL)
        atalaya_map_view_set_tool (self->map_view, ATALAYA_MAP_TOOL_PAN);
    }
  if (row->wkt != NULL && self->map_view != NULL)
    atalaya_map_view_clear_sketch (self->map_view);
  gtk_box_remove (self->rows_box, row->box);
  g_ptr_array_remove_index (self->rows, i);
  update_query (self);
}

/**
 * atalaya_query_panel_get_result: (skip)
 *
 * Returns: (transfer none) (nullable): the fids of the last query run
 */
GArray *
atalaya_query_panel_get_result (AtalayaQueryPanel *self)
{
  return self->result_fids;
}
