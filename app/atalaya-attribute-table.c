/* atalaya-attribute-table.c: the features of a layer as a table
 *
 * A GtkColumnView over a GtkMultiSelection over a GisFeatureModel, which
 * lists the layer's feature ids and reads values a page at a time: a
 * layer of a million features opens at once and scrolls freely.  Columns
 * are made when the layer's columns are known; each cell is a label
 * filled from the row's text, so binding costs an array lookup.
 *
 * Sorting and filtering are the model's, in SQL.  A click on a header
 * changes the column view's sorter; the column sorters are probes that
 * record which column the sorter asks first (its primary column) and the
 * sign of the answer gives the direction, which GTK 4.8 has no API for.
 *
 * The selection is kept as a set of feature ids, so it survives a new
 * sort or filter and can hold features the filter hides: the table only
 * changes what it shows.  select_fids() (from the map) never emits
 * AtalayaAttributeTable::selection-changed; a user's change emits it once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-attribute-table"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "atalaya-attribute-table.h"
#include "atalaya-format.h"

struct _AtalayaAttributeTable
{
  GtkWidget          parent_instance;

  /* Template widgets */
  GtkLabel          *title_label;
  GtkLabel          *count_label;
  GtkSpinner        *spinner;
  GtkSearchEntry    *search_entry;
  GtkMenuButton     *filter_button;
  GtkLabel          *filter_label;
  GtkPopover        *filter_popover;
  GtkDropDown       *column_dropdown;
  GtkDropDown       *operator_dropdown;
  GtkEntry          *value_entry;
  GtkButton         *zoom_button;
  GtkButton         *clear_selection_button;
  GtkRevealer       *error_revealer;
  GtkLabel          *error_label;
  GtkStack          *stack;
  GtkSpinner        *loading_spinner;
  AdwStatusPage     *error_page;
  GtkColumnView     *column_view;
  GtkWidget         *no_match_page;

  /* Owned */
  char              *store_path;
  GisLayer          *layer;
  GisFeatureModel   *model;
  GtkMultiSelection *selection;
  GtkBitset         *selected_fids;
  GisFeatureFilter  *search_filter;
  GisFeatureFilter  *condition_filter;
  GtkStringList     *column_names;
  GObject           *probe_a;
  GObject           *probe_b;
  GCancellable      *zoom_cancellable;

  /* State */
  int                probe_column;
  gboolean           updating_selection;
  gboolean           building_columns;
  gboolean           scroll_pending;
  guint              scroll_tick_id;
  guint              scroll_ticks;
  gint64             scroll_fid;
};

G_DEFINE_FINAL_TYPE (AtalayaAttributeTable, atalaya_attribute_table, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LAYER,
  PROP_MODEL,
  N_PROPS
};

enum {
  SELECTION_CHANGED,
  ZOOM_TO_SELECTION,
  FEATURE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- text --------------------------------------------------------------- */

/* @n with the user's digit grouping: "12,345" */
static char *
format_count (guint n)
{
  return atalaya_format_user ("%'u", n);
}

static void
atalaya_attribute_table_update_counts (AtalayaAttributeTable *self)
{
  g_autofree char *shown = NULL;
  g_autofree char *total = NULL;
  g_autofree char *features = NULL;
  guint n_shown, n_total;
  gsize n_selected;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  n_selected = gtk_bitset_get_size (self->selected_fids);
  gtk_widget_set_sensitive (GTK_WIDGET (self->zoom_button), n_selected > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_selection_button), n_selected > 0);

  if (self->model == NULL)
    {
      gtk_label_set_text (self->count_label, "");
      return;
    }

  if (gis_feature_model_get_columns (self->model) == NULL)
    {
      gtk_label_set_text (self->count_label, _("Loading…"));
      return;
    }

  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  n_total = gis_feature_model_get_total_count (self->model);
  shown = format_count (n_shown);
  total = format_count (n_total);

  if (n_shown == n_total)
    features = g_strdup_printf (ngettext ("%s feature", "%s features", n_total), total);
  else
    /* Translators: features shown, then all the layer's, as in
     * "12,345 of 100,000 features" */
    features = g_strdup_printf (ngettext ("%s of %s feature", "%s of %s features", n_total),
                                shown, total);

  if (n_selected > 0)
    {
      g_autofree char *selected = format_count (n_selected);
      g_autofree char *selected_text = g_strdup_printf (ngettext ("%s selected", "%s selected",
                                                                  (gulong) MIN (n_selected, G_MAXULONG)),
                                                        selected);
      /* Translators: a count of features, then of selected ones, as in
       * "100,000 features · 3 selected" */
      g_autofree char *text = g_strdup_printf (C_("feature counts", "%s · %s"), features, selected_text);

      gtk_label_set_text (self->count_label, text);
    }
  else
    gtk_label_set_text (self->count_label, features);

  gtk_widget_set_visible (self->no_match_page,
                          n_shown == 0 && !gis_feature_model_get_loading (self->model));
  if (n_total == 0)
    {
      adw_status_page_set_title (ADW_STATUS_PAGE (self->no_match_page), _("No Features"));
      adw_status_page_set_description (ADW_STATUS_PAGE (self->no_match_page),
                                       _("This layer has no features yet."));
    }
  else
    {
      adw_status_page_set_title (ADW_STATUS_PAGE (self->no_match_page), _("No Matching Features"));
      adw_status_page_set_description (ADW_STATUS_PAGE (self->no_match_page),
                                       _("Try other search words or another filter."));
    }
}

static void
atalaya_attribute_table_show_error (AtalayaAttributeTable *self,
                                    const GError          *error)
{
  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (error == NULL)
    {
      gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
      return;
    }

  gtk_label_set_text (self->error_label, error->message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

/* ---- selection -------------------------------------------------------- */

/* Shows the selected ids that the list has as selected rows. */
static void
atalaya_attribute_table_apply_selection (AtalayaAttributeTable *self,
                                         guint                 *out_first)
{
  g_autoptr(GtkBitset) positions = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) mask = NULL;
  GtkBitsetIter iter;
  guint fid;
  guint n;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (out_first != NULL)
    *out_first = GIS_FEATURE_MODEL_INVALID_POSITION;
  if (self->model == NULL)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  if (gtk_bitset_iter_init_first (&iter, self->selected_fids, &fid))
    do
      {
        guint position = gis_feature_model_get_position (self->model, fid);

        if (position != GIS_FEATURE_MODEL_INVALID_POSITION)
          gtk_bitset_add (positions, position);
      }
    while (gtk_bitset_iter_next (&iter, &fid));

  if (out_first != NULL && !gtk_bitset_is_empty (positions))
    *out_first = gtk_bitset_get_minimum (positions);

  mask = gtk_bitset_new_range (0, n);
  self->updating_selection = TRUE;
  gtk_selection_model_set_selection (GTK_SELECTION_MODEL (self->selection), positions, mask);
  self->updating_selection = FALSE;
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_VIEW (child))
        return child;
      if ((found = find_list_view (child)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  AtalayaAttributeTable *self = user_data;
  GtkWidget *list_view;
  GtkAdjustment *adjustment;
  guint position, n;

  /* Wait for a frame to lay out the rows: scrolling a list view before
   * its rows have sizes leaves holes in it (GTK 4.8). */
  if (++self->scroll_ticks < 2)
    return G_SOURCE_CONTINUE;

  self->scroll_tick_id = 0;

  list_view = find_list_view (GTK_WIDGET (self->column_view));
  position = self->model != NULL ? gis_feature_model_get_position (self->model, self->scroll_fid)
                                 : GIS_FEATURE_MODEL_INVALID_POSITION;
  if (list_view == NULL || position == GIS_FEATURE_MODEL_INVALID_POSITION)
    return G_SOURCE_REMOVE;

  /* Rows are all one line high, so the list's height is n × the row's
   * and a row's offset is position × that: centre it.  (The minimal
   * scroll of "list.scroll-to-item" leaves it at an edge.) */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  if (adjustment != NULL && n > 0 && gtk_adjustment_get_upper (adjustment) > 0.0)
    {
      double row = gtk_adjustment_get_upper (adjustment) / n;
      double page = gtk_adjustment_get_page_size (adjustment);

      gtk_adjustment_set_value (adjustment, position * row - (page - row) / 2.0);
    }
  else
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);

  return G_SOURCE_REMOVE;
}

static void
atalaya_attribute_table_cancel_scroll (AtalayaAttributeTable *self)
{
  if (self->scroll_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->scroll_tick_id);
  self->scroll_tick_id = 0;
}

/* GTK 4.8 has no gtk_column_view_scroll_to(): its list view has the
 * "list.scroll-to-item" action, which scrolls as little as it can.  The
 * feature is kept rather than its position, which a reload may change. */
static void
atalaya_attribute_table_scroll_to (AtalayaAttributeTable *self,
                                   guint                  position)
{
  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (self->model == NULL || position == GIS_FEATURE_MODEL_INVALID_POSITION)
    return;

  self->scroll_fid = gis_feature_model_get_fid (self->model, position);
  self->scroll_ticks = 0;
  if (self->scroll_tick_id == 0)
    self->scroll_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view),
                                                         scroll_tick_cb, self, NULL);
}

static void
on_selection_changed (AtalayaAttributeTable *self,
                      guint                  position,
                      guint                  n_items,
                      GtkSelectionModel     *selection)
{
  g_autoptr(GtkBitset) selected = NULL;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (self->updating_selection || self->model == NULL)
    return;

  /* Only the rows in the range changed; hidden features keep their
   * state. */
  selected = gtk_selection_model_get_selection_in_range (selection, position, n_items);
  for (guint i = position; i < position + n_items; i++)
    {
      gint64 fid = gis_feature_model_get_fid (self->model, i);

      if (fid < 0 || fid > G_MAXUINT32)
        continue;
      if (gtk_bitset_contains (selected, i))
        gtk_bitset_add (self->selected_fids, (guint) fid);
      else
        gtk_bitset_remove (self->selected_fids, (guint) fid);
    }

  atalaya_attribute_table_update_counts (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* ---- columns ---------------------------------------------------------- */

typedef struct
{
  AtalayaAttributeTable *self;
  int                    column;
} SortProbe;

/* Never sorts anything: records that the column view's sorter asked this
 * column first, and answers "smaller" so that the sign of the sorter's
 * answer tells the direction. */
static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  SortProbe *probe = data;

  if (probe->self->probe_column < 0)
    probe->self->probe_column = probe->column;
  return GTK_ORDERING_SMALLER;
}

static void
on_view_sorter_changed (AtalayaAttributeTable *self,
                        GtkSorterChange        change,
                        GtkSorter             *sorter)
{
  GPtrArray *columns;
  GtkOrdering order;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (self->building_columns || self->model == NULL)
    return;

  columns = gis_feature_model_get_columns (self->model);
  if (columns == NULL)
    return;

  self->probe_column = -1;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);

  if (self->probe_column < 0 || (guint) self->probe_column >= columns->len)
    gis_feature_model_set_sort (self->model, NULL, FALSE);
  else
    gis_feature_model_set_sort (self->model,
                                ((GisField *) g_ptr_array_index (columns, self->probe_column))->name,
                                order == GTK_ORDERING_LARGER);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (GPOINTER_TO_UINT (numeric))
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    gtk_label_set_xalign (GTK_LABEL (label), 0.0);

  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  column)
{
  GisFeatureRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = NULL;

  if (GPOINTER_TO_UINT (column) < gis_feature_row_get_n_columns (row))
    text = gis_feature_row_get_text (row, GPOINTER_TO_UINT (column));
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  column)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), "");
}

static void
atalaya_attribute_table_clear_columns (AtalayaAttributeTable *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  self->building_columns = TRUE;
  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
  self->building_columns = FALSE;

  gtk_string_list_splice (self->column_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->column_names)), NULL);
}

static void
atalaya_attribute_table_build_columns (AtalayaAttributeTable *self)
{
  GPtrArray *fields;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  atalaya_attribute_table_clear_columns (self);

  fields = gis_feature_model_get_columns (self->model);
  if (fields == NULL)
    return;

  self->building_columns = TRUE;
  for (guint i = 0; i < fields->len; i++)
    {
      const GisField *field = g_ptr_array_index (fields, i);
      gboolean numeric = field->type == GIS_FIELD_INTEGER || field->type == GIS_FIELD_REAL;
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = NULL;
      SortProbe *probe = g_new0 (SortProbe, 1);
      int width;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (numeric));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), GUINT_TO_POINTER (i));

      column = gtk_column_view_column_new (field->name, factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      /* Fixed widths: measuring a million rows is not an option. */
      width = i == 0 ? 72 : numeric ? 104 : 168;
      width = MAX (width, (int) g_utf8_strlen (field->name, -1) * 9 + 36);
      gtk_column_view_column_set_fixed_width (column, MIN (width, 320));

      probe->self = self;
      probe->column = (int) i;
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, probe, g_free));
      gtk_column_view_column_set_sorter (column, sorter);

      gtk_column_view_append_column (self->column_view, column);
      gtk_string_list_append (self->column_names, field->name);
    }
  self->building_columns = FALSE;
}

/* ---- filters ---------------------------------------------------------- */

static void
atalaya_attribute_table_update_filter (AtalayaAttributeTable *self)
{
  g_autoptr(GisFeatureFilter) filter = NULL;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (self->search_filter != NULL && self->condition_filter != NULL)
    {
      GisFeatureFilter *parts[] = { self->search_filter, self->condition_filter };

      filter = gis_feature_filter_new_all (parts, G_N_ELEMENTS (parts));
    }
  else if (self->search_filter != NULL)
    filter = gis_feature_filter_ref (self->search_filter);
  else if (self->condition_filter != NULL)
    filter = gis_feature_filter_ref (self->condition_filter);

  if (self->condition_filter != NULL)
    {
      const char *value = gis_feature_filter_get_value (self->condition_filter);
      g_autofree char *summary =
        g_strdup_printf ("%s %s%s%s",
                         gis_feature_filter_get_column (self->condition_filter),
                         gis_filter_operator_to_symbol (gis_feature_filter_get_operator (self->condition_filter)),
                         value != NULL ? " " : "",
                         value != NULL ? value : "");

      gtk_label_set_text (self->filter_label, summary);
    }
  else
    gtk_label_set_text (self->filter_label, _("Filter"));

  if (self->model != NULL)
    gis_feature_model_set_filter (self->model, filter);
}

static void
on_search_entry_search_changed (AtalayaAttributeTable *self,
                                GtkSearchEntry        *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_clear_pointer (&self->search_filter, gis_feature_filter_unref);
  if (text != NULL && *text != '\0')
    self->search_filter = gis_feature_filter_new_text (text);

  atalaya_attribute_table_update_filter (self);
}

static void
on_search_entry_stop_search (AtalayaAttributeTable *self,
                             GtkSearchEntry        *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
on_operator_dropdown_selected (AtalayaAttributeTable *self,
                               GParamSpec            *pspec,
                               GtkDropDown           *dropdown)
{
  guint op = gtk_drop_down_get_selected (dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->value_entry),
                            op >= GIS_FILTER_N_OPERATORS ||
                            gis_filter_operator_takes_value ((GisFilterOperator) op));
}

static void
on_filter_apply (AtalayaAttributeTable *self)
{
  guint column = gtk_drop_down_get_selected (self->column_dropdown);
  guint op = gtk_drop_down_get_selected (self->operator_dropdown);
  const char *name;

  if (column == GTK_INVALID_LIST_POSITION || op >= GIS_FILTER_N_OPERATORS)
    return;

  name = gtk_string_list_get_string (self->column_names, column);
  if (name == NULL)
    return;

  g_clear_pointer (&self->condition_filter, gis_feature_filter_unref);
  self->condition_filter =
    gis_feature_filter_new_condition (name, (GisFilterOperator) op,
                                      gtk_editable_get_text (GTK_EDITABLE (self->value_entry)));
  atalaya_attribute_table_update_filter (self);
  gtk_popover_popdown (self->filter_popover);
}

static void
on_filter_clear (AtalayaAttributeTable *self)
{
  g_clear_pointer (&self->condition_filter, gis_feature_filter_unref);
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
  atalaya_attribute_table_update_filter (self);
  gtk_popover_popdown (self->filter_popover);
}

/* ---- the model ------------------------------------------------------- */

static void
on_model_ready (AtalayaAttributeTable *self,
                GisFeatureModel       *model)
{
  guint first;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (g_list_model_get_n_items (gtk_column_view_get_columns (self->column_view)) == 0)
    atalaya_attribute_table_build_columns (self);

  gtk_stack_set_visible_child_name (self->stack, "table");
  gtk_spinner_stop (self->loading_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->filter_button), TRUE);

  atalaya_attribute_table_apply_selection (self, &first);
  if (self->scroll_pending)
    {
      self->scroll_pending = FALSE;
      atalaya_attribute_table_scroll_to (self, first);
    }

  atalaya_attribute_table_show_error (self, NULL);
  atalaya_attribute_table_update_counts (self);
}

static void
on_model_columns_changed (AtalayaAttributeTable *self,
                          GParamSpec            *pspec,
                          GisFeatureModel       *model)
{
  /* A column was added or removed by an edit: after the first load only. */
  if (g_list_model_get_n_items (gtk_column_view_get_columns (self->column_view)) > 0)
    atalaya_attribute_table_build_columns (self);
}

static void
on_model_load_failed (AtalayaAttributeTable *self,
                      const GError          *error,
                      GisFeatureModel       *model)
{
  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  g_debug ("Loading %s failed: %s", gis_layer_get_name (self->layer), error->message);

  if (gis_feature_model_get_columns (model) == NULL)
    {
      /* Nothing to show at all */
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      gtk_spinner_stop (self->loading_spinner);
      return;
    }

  atalaya_attribute_table_show_error (self, error);
  atalaya_attribute_table_update_counts (self);
}

static void
on_model_loading_changed (AtalayaAttributeTable *self,
                          GParamSpec            *pspec,
                          GisFeatureModel       *model)
{
  gboolean loading = gis_feature_model_get_loading (model);

  /* The header spinner is for reloads: a first load has its own page. */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner),
                          loading && gis_feature_model_get_columns (model) != NULL);
  gtk_spinner_set_spinning (self->spinner, loading);
}

/* ---- zoom --------------------------------------------------------------- */

typedef struct
{
  char     *store_path;
  GisLayer *layer;
  gint64   *fids;
  gsize     n_fids;
} ZoomData;

static void
zoom_data_free (gpointer data)
{
  ZoomData *zd = data;

  g_free (zd->store_path);
  g_clear_object (&zd->layer);
  g_free (zd->fids);
  g_free (zd);
}

static void
zoom_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ZoomData *zd = task_data;
  g_autoptr(GisStore) store = NULL;
  GError *error = NULL;
  GisExtent extent;

  store = gis_store_open (zd->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL ||
      !gis_store_get_extent_of_fids (store, zd->layer, zd->fids, zd->n_fids, &extent, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, gis_extent_copy (&extent), (GDestroyNotify) gis_extent_free);
}

static void
zoom_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  AtalayaAttributeTable *self = ATALAYA_ATTRIBUTE_TABLE (object);
  g_autoptr(GisExtent) extent = NULL;
  g_autoptr(GError) error = NULL;

  extent = g_task_propagate_pointer (G_TASK (result), &error);
  if (extent == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        atalaya_attribute_table_show_error (self, error);
      return;
    }

  if (!gis_extent_is_empty (extent))
    g_signal_emit (self, signals[ZOOM_TO_SELECTION], 0, extent);
}

static void
on_zoom_button_clicked (AtalayaAttributeTable *self)
{
  g_autoptr(GTask) task = NULL;
  ZoomData *zd;

  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (self->layer == NULL || gtk_bitset_is_empty (self->selected_fids))
    return;

  if (self->zoom_cancellable != NULL)
    g_cancellable_cancel (self->zoom_cancellable);
  g_clear_object (&self->zoom_cancellable);
  self->zoom_cancellable = g_cancellable_new ();

  zd = g_new0 (ZoomData, 1);
  zd->store_path = g_strdup (self->store_path);
  zd->layer = g_object_ref (self->layer);
  zd->fids = atalaya_attribute_table_get_selected_fids (self, &zd->n_fids);

  task = g_task_new (self, self->zoom_cancellable, zoom_cb, NULL);
  g_task_set_source_tag (task, on_zoom_button_clicked);
  g_task_set_task_data (task, zd, zoom_data_free);
  g_task_run_in_thread (task, zoom_thread);
}

static void
on_clear_selection_button_clicked (AtalayaAttributeTable *self)
{
  g_assert (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (gtk_bitset_is_empty (self->selected_fids))
    return;

  gtk_bitset_remove_all (self->selected_fids);
  atalaya_attribute_table_apply_selection (self, NULL);
  atalaya_attribute_table_update_counts (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
on_column_view_activate (AtalayaAttributeTable *self,
                         guint                  position,
                         GtkColumnView         *column_view)
{
  gint64 fid;

  if (self->model == NULL)
    return;

  fid = gis_feature_model_get_fid (self->model, position);
  if (fid >= 0)
    g_signal_emit (self, signals[FEATURE_ACTIVATED], 0, fid);
}

static void
focus_search (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  AtalayaAttributeTable *self = ATALAYA_ATTRIBUTE_TABLE (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ---- GObject -------------------------------------------------------- */

static void
atalaya_attribute_table_disconnect_model (AtalayaAttributeTable *self)
{
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
}

static void
atalaya_attribute_table_dispose (GObject *object)
{
  AtalayaAttributeTable *self = (AtalayaAttributeTable *) object;
  GtkWidget *child;

  if (self->zoom_cancellable != NULL)
    g_cancellable_cancel (self->zoom_cancellable);
  g_clear_object (&self->zoom_cancellable);

  atalaya_attribute_table_disconnect_model (self);
  if (self->column_view != NULL)
    {
      atalaya_attribute_table_cancel_scroll (self);
      g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
      gtk_column_view_set_model (self->column_view, NULL);
      atalaya_attribute_table_clear_columns (self);
    }
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->layer);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_ATTRIBUTE_TABLE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (atalaya_attribute_table_parent_class)->dispose (object);
}

static void
atalaya_attribute_table_finalize (GObject *object)
{
  AtalayaAttributeTable *self = (AtalayaAttributeTable *) object;

  g_clear_pointer (&self->selected_fids, gtk_bitset_unref);
  g_clear_pointer (&self->search_filter, gis_feature_filter_unref);
  g_clear_pointer (&self->condition_filter, gis_feature_filter_unref);
  g_clear_object (&self->column_names);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);
  g_clear_pointer (&self->store_path, g_free);

  G_OBJECT_CLASS (atalaya_attribute_table_parent_class)->finalize (object);
}

static void
atalaya_attribute_table_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AtalayaAttributeTable *self = ATALAYA_ATTRIBUTE_TABLE (object);

  switch (prop_id)
    {
    case PROP_LAYER:
      g_value_set_object (value, self->layer);
      break;

    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_attribute_table_class_init (AtalayaAttributeTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atalaya_attribute_table_dispose;
  object_class->finalize = atalaya_attribute_table_finalize;
  object_class->get_property = atalaya_attribute_table_get_property;

  /**
   * AtalayaAttributeTable:layer: (nullable)
   *
   * The layer shown.
   */
  properties[PROP_LAYER] =
    g_param_spec_object ("layer", NULL, NULL, GIS_TYPE_LAYER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaAttributeTable:model: (nullable)
   *
   * The model of the layer's features, as sorted and filtered.
   */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, GIS_TYPE_FEATURE_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaAttributeTable::selection-changed:
   *
   * The user changed the selection (clicks, keys, Clear Selection); read
   * it with atalaya_attribute_table_get_selected_fids().  Not emitted by
   * atalaya_attribute_table_select_fids().
   */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * AtalayaAttributeTable::zoom-to-selection:
   * @extent: the box around the selected features, in EPSG:4326
   *
   * The user asked to see the selected features on the map.
   */
  signals[ZOOM_TO_SELECTION] =
    g_signal_new ("zoom-to-selection",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GIS_TYPE_EXTENT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * AtalayaAttributeTable::feature-activated:
   * @fid: the feature's id
   *
   * The user activated a row (double click or Enter), to open or show
   * its feature.
   */
  signals[FEATURE_ACTIVATED] =
    g_signal_new ("feature-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/atalaya/Atalaya/ui/atalaya-attribute-table.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, title_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, count_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, spinner);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, filter_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, filter_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, filter_popover);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, column_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, operator_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, value_entry);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, clear_selection_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, error_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, stack);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, error_page);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, AtalayaAttributeTable, no_match_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_operator_dropdown_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_clear);
  gtk_widget_class_bind_template_callback (widget_class, on_zoom_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_selection_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate);

  gtk_widget_class_install_action (widget_class, "attribute-table.search", NULL, focus_search);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "attribute-table.search", NULL);

  gtk_widget_class_set_css_name (widget_class, "attributetable");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
atalaya_attribute_table_init (AtalayaAttributeTable *self)
{
  g_autoptr(GtkStringList) operators = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selected_fids = gtk_bitset_new_empty ();
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_column = -1;

  self->column_names = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->column_dropdown, G_LIST_MODEL (self->column_names));

  for (guint op = 0; op < GIS_FILTER_N_OPERATORS; op++)
    {
      /* Translators: an operator's symbol, then its words, as in
       * "≤  is at most" */
      g_autofree char *text = g_strdup_printf (C_("filter operator", "%s  %s"),
                                               gis_filter_operator_to_symbol (op),
                                               gis_filter_operator_to_label (op));

      gtk_string_list_append (operators, text);
    }
  gtk_drop_down_set_model (self->operator_dropdown, G_LIST_MODEL (operators));

  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_view_sorter_changed), self, G_CONNECT_SWAPPED);
}

/* ---- public ---------------------------------------------------------- */

/**
 * atalaya_attribute_table_new:
 *
 * Returns: (transfer full): a table showing no layer
 */
GtkWidget *
atalaya_attribute_table_new (void)
{
  return g_object_new (ATALAYA_TYPE_ATTRIBUTE_TABLE, NULL);
}

/**
 * atalaya_attribute_table_set_layer:
 * @self: a table
 * @store_path: (nullable): the store file of @layer
 * @layer: (nullable): the layer to show, %NULL for none
 *
 * Shows the features of @layer, read on connections of the table's own
 * (the table never uses the window's store).  The search, filter, sort
 * and selection start empty; the selection is not reported as changed.
 */
void
atalaya_attribute_table_set_layer (AtalayaAttributeTable *self,
                                   const char            *store_path,
                                   GisLayer              *layer)
{
  g_return_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self));
  g_return_if_fail (layer == NULL || GIS_IS_LAYER (layer));
  g_return_if_fail (layer == NULL || store_path != NULL);

  if (self->layer == layer && g_strcmp0 (self->store_path, store_path) == 0)
    return;

  atalaya_attribute_table_disconnect_model (self);
  atalaya_attribute_table_cancel_scroll (self);
  gtk_column_view_set_model (self->column_view, NULL);
  atalaya_attribute_table_clear_columns (self);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);

  g_set_object (&self->layer, layer);
  g_free (self->store_path);
  self->store_path = g_strdup (store_path);

  gtk_bitset_remove_all (self->selected_fids);
  self->scroll_pending = FALSE;
  g_clear_pointer (&self->search_filter, gis_feature_filter_unref);
  g_clear_pointer (&self->condition_filter, gis_feature_filter_unref);
  g_signal_handlers_block_by_func (self->search_entry, on_search_entry_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_entry_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), "");
  gtk_label_set_text (self->filter_label, _("Filter"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->filter_button), FALSE);
  gtk_widget_set_visible (self->no_match_page, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  atalaya_attribute_table_show_error (self, NULL);

  if (layer == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    {
      self->model = gis_feature_model_new (store_path, layer);
      g_signal_connect_object (self->model, "ready",
                               G_CALLBACK (on_model_ready), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->model, "load-failed",
                               G_CALLBACK (on_model_load_failed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->model, "notify::loading",
                               G_CALLBACK (on_model_loading_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->model, "notify::columns",
                               G_CALLBACK (on_model_columns_changed), self, G_CONNECT_SWAPPED);

      self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
      g_signal_connect_object (self->selection, "selection-changed",
                               G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
      gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

      gtk_label_set_text (self->title_label, gis_layer_get_name (layer));
      gtk_spinner_start (self->loading_spinner);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }

  atalaya_attribute_table_update_counts (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * atalaya_attribute_table_get_layer:
 * @self: a table
 *
 * Returns: (transfer none) (nullable): the layer shown
 */
GisLayer *
atalaya_attribute_table_get_layer (AtalayaAttributeTable *self)
{
  g_return_val_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self), NULL);

  return self->layer;
}

/**
 * atalaya_attribute_table_get_model:
 * @self: a table
 *
 * Returns: (transfer none) (nullable): the model of the features shown
 */
GisFeatureModel *
atalaya_attribute_table_get_model (AtalayaAttributeTable *self)
{
  g_return_val_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self), NULL);

  return self->model;
}

/**
 * atalaya_attribute_table_reload:
 * @self: a table
 *
 * Reads the features again, keeping the sort, filter and selection: for
 * after the layer was edited.
 */
void
atalaya_attribute_table_reload (AtalayaAttributeTable *self)
{
  g_return_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self));

  if (self->model != NULL)
    gis_feature_model_reload (self->model);
}

/**
 * atalaya_attribute_table_select_fids:
 * @self: a table
 * @fids: (array length=n_fids) (nullable): feature ids
 * @n_fids: how many
 *
 * Selects these features, and only these (as the map selected them), and
 * scrolls to the first of them in the table's order.  Emits no
 * #AtalayaAttributeTable::selection-changed.
 */
void
atalaya_attribute_table_select_fids (AtalayaAttributeTable *self,
                                     const gint64          *fids,
                                     gsize                  n_fids)
{
  guint first;

  g_return_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self));
  g_return_if_fail (fids != NULL || n_fids == 0);

  gtk_bitset_remove_all (self->selected_fids);
  for (gsize i = 0; i < n_fids; i++)
    if (fids[i] >= 0 && fids[i] <= G_MAXUINT32)
      gtk_bitset_add (self->selected_fids, (guint) fids[i]);

  if (self->model == NULL || gis_feature_model_get_columns (self->model) == NULL)
    {
      /* Applied when the list is ready */
      self->scroll_pending = n_fids > 0;
      atalaya_attribute_table_update_counts (self);
      return;
    }

  atalaya_attribute_table_apply_selection (self, &first);
  atalaya_attribute_table_scroll_to (self, first);
  atalaya_attribute_table_update_counts (self);
}

/**
 * atalaya_attribute_table_get_selected_fids:
 * @self: a table
 * @n_fids: (out): how many
 *
 * The selected features, whether the filter shows them or not.
 *
 * Returns: (transfer full) (array length=n_fids) (nullable): their ids,
 *   ascending; %NULL when none is selected
 */
gint64 *
atalaya_attribute_table_get_selected_fids (AtalayaAttributeTable *self,
                                           gsize                 *n_fids)
{
  GtkBitsetIter iter;
  gint64 *fids;
  gsize n, i = 0;
  guint fid;

  g_return_val_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self), NULL);
  g_return_val_if_fail (n_fids != NULL, NULL);

  n = gtk_bitset_get_size (self->selected_fids);
  *n_fids = n;
  if (n == 0)
    return NULL;

  fids = g_new (gint64, n);
  if (gtk_bitset_iter_init_first (&iter, self->selected_fids, &fid))
    do
      fids[i++] = fid;
    while (gtk_bitset_iter_next (&iter, &fid));
  g_assert (i == n);

  return fids;
}

/**
 * atalaya_attribute_table_get_n_selected:
 * @self: a table
 *
 * Returns: the number of selected features
 */
gsize
atalaya_attribute_table_get_n_selected (AtalayaAttributeTable *self)
{
  g_return_val_if_fail (ATALAYA_IS_ATTRIBUTE_TABLE (self), 0);

  return gtk_bitset_get_size (self->selected_fids);
}
