/* atalaya-indicators-panel.c: the planners' indicator charts, in the side pane
 *
 * A chart chosen among the four indicators of gis/compose/gis-indicators.c
 * (incidents per year by category or by country, the share covered by
 * the current resources, the emerging hot spot categories), computed on
 * a worker thread with its own store handle — a coverage run takes a
 * second or so — and drawn in a drawing area with the same code as the
 * exports, in the language chosen.  A newer choice cancels the
 * computation under way.  The chart is exported as PNG or SVG, its
 * numbers as CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-indicators-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "atalaya-indicators-panel-private.h"

#define EXPORT_WIDTH  900
#define EXPORT_HEIGHT 560

enum
{
  PROP_0,
  PROP_COMPUTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtalayaIndicatorsPanel, atalaya_indicators_panel, GTK_TYPE_WIDGET)

typedef enum
{
  EXPORT_PNG,
  EXPORT_SVG,
  EXPORT_CSV,
} ExportKind;

/* ---- state ------------------------------------------------------------------------- */

static GisIndicator
chosen_chart (AtalayaIndicatorsPanel *self)
{
  return (GisIndicator) MIN (adw_combo_row_get_selected (self->chart_row), GIS_N_INDICATORS - 1);
}

static GisLanguage
chosen_language (AtalayaIndicatorsPanel *self)
{
  return (GisLanguage) MIN (adw_combo_row_get_selected (self->language_row), GIS_N_LANGUAGES - 1);
}

static void
set_status (AtalayaIndicatorsPanel *self,
            const char             *text,
            gboolean                is_error)
{
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
update_sensitivity (AtalayaIndicatorsPanel *self)
{
  gboolean has_table = self->table != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->png_button), has_table);
  gtk_widget_set_sensitive (GTK_WIDGET (self->svg_button), has_table);
  gtk_widget_set_sensitive (GTK_WIDGET (self->csv_button), has_table);
  gtk_widget_set_visible (GTK_WIDGET (self->radius_row), chosen_chart (self) == GIS_INDICATOR_COVERAGE);
}

static void
set_computing (AtalayaIndicatorsPanel *self,
               gboolean                computing)
{
  gtk_spinner_set_spinning (self->spinner, computing);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), computing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPUTING]);
}

/* ---- drawing ----------------------------------------------------------------------- */

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  AtalayaIndicatorsPanel *self = user_data;

  /* the chart on its paper, as it is exported */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (self->table != NULL)
    gis_indicator_draw (self->table, cr, 0, 0, width, height, chosen_language (self), NULL);
}

/* ---- computing --------------------------------------------------------------------- */

typedef struct
{
  char         *store_path;
  GisIndicator  kind;
  double        radius_km;
} ChartJob;

static void
chart_job_free (gpointer data)
{
  ChartJob *job = data;

  g_free (job->store_path);
  g_free (job);
}

static void
chart_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ChartJob *job = task_data;
  g_autoptr(GisStore) store = NULL;
  GisIndicatorTable *table;
  GError *error = NULL;

  store = gis_store_open (job->store_path, GIS_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  table = gis_indicator_table_compute (store, job->kind, job->radius_km, cancellable, NULL, NULL, &error);
  if (table == NULL)
    g_task_return_error (task, error);
  else if (g_task_return_error_if_cancelled (task))
    gis_indicator_table_free (table);
  else
    g_task_return_pointer (task, table, (GDestroyNotify) gis_indicator_table_free);
}

static void
chart_cb (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AtalayaIndicatorsPanel) self = g_weak_ref_get (weak);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (res));
  g_autoptr(GError) error = NULL;
  GisIndicatorTable *table = g_task_propagate_pointer (G_TASK (res), &error);

  g_weak_ref_clear (weak);
  g_free (weak);
  /* a newer computation replaced this one */
  if (self == NULL || cancellable != self->cancellable)
    {
      gis_indicator_table_free (table);
      return;
    }
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->table, gis_indicator_table_free);
  self->table = table;
  if (table == NULL)
    set_status (self, error->message, TRUE);
  else
    set_status (self, NULL, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart_area));
  update_sensitivity (self);
  set_computing (self, FALSE);
}

/**
 * atalaya_indicators_panel_refresh:
 * @self: the panel
 *
 * Computes the chosen chart again from the store, on a worker thread.
 */
void
atalaya_indicators_panel_refresh (AtalayaIndicatorsPanel *self)
{
  g_autoptr(GTask) task = NULL;
  ChartJob *job;
  GWeakRef *weak;

  g_return_if_fail (ATALAYA_IS_INDICATORS_PANEL (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->table, gis_indicator_table_free);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart_area));
  update_sensitivity (self);
  self->stale = FALSE;
  if (self->store_path == NULL)
    {
      set_status (self, NULL, FALSE);
      set_computing (self, FALSE);
      return;
    }

  job = g_new0 (ChartJob, 1);
  job->store_path = g_strdup (self->store_path);
  job->kind = chosen_chart (self);
  job->radius_km = gtk_spin_button_get_value (self->radius_spin);
  self->cancellable = g_cancellable_new ();
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, chart_cb, weak);
  g_task_set_source_tag (task, atalaya_indicators_panel_refresh);
  g_task_set_task_data (task, job, chart_job_free);
  g_task_run_in_thread (task, chart_thread);
  set_status (self, job->kind == GIS_INDICATOR_COVERAGE ? _("Measuring the coverage…") : NULL, FALSE);
  set_computing (self, TRUE);
}

/* Computed now when the panel shows, else when it next does. */
static void
invalidate (AtalayaIndicatorsPanel *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    atalaya_indicators_panel_refresh (self);
  else
    {
      if (self->cancellable != NULL)
        g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      g_clear_pointer (&self->table, gis_indicator_table_free);
      self->stale = TRUE;
      set_computing (self, FALSE);
    }
}

static void
on_map (AtalayaIndicatorsPanel *self)
{
  if (self->stale)
    atalaya_indicators_panel_refresh (self);
}

static void
on_chart_changed (AtalayaIndicatorsPanel *self)
{
  update_sensitivity (self);
  invalidate (self);
}

static void
on_language_changed (AtalayaIndicatorsPanel *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->chart_area));
}

/**
 * atalaya_indicators_panel_set_store:
 * @self: the panel
 * @store: (nullable): the window's store
 *
 * The charts are computed from @store's file again: call it when its
 * layers change too (an emerging hot spot result written).
 */
void
atalaya_indicators_panel_set_store (AtalayaIndicatorsPanel *self,
                                    GisStore               *store)
{
  g_return_if_fail (ATALAYA_IS_INDICATORS_PANEL (self));
  g_return_if_fail (store == NULL || GIS_IS_STORE (store));

  g_free (self->store_path);
  self->store_path = store != NULL ? g_strdup (gis_store_get_path (store)) : NULL;
  invalidate (self);
}

gboolean
atalaya_indicators_panel_get_computing (AtalayaIndicatorsPanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_INDICATORS_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

/**
 * atalaya_indicators_panel_get_table:
 * @self: the panel
 *
 * Returns: (transfer none) (nullable): the numbers of the chart shown
 */
const GisIndicatorTable *
atalaya_indicators_panel_get_table (AtalayaIndicatorsPanel *self)
{
  g_return_val_if_fail (ATALAYA_IS_INDICATORS_PANEL (self), NULL);
  return self->table;
}

/* ---- export ------------------------------------------------------------------------ */

static void
on_chooser_response (GtkNativeDialog        *chooser,
                     int                     response,
                     AtalayaIndicatorsPanel *self)
{
  ExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "export-kind"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (response != GTK_RESPONSE_ACCEPT || self->table == NULL)
    goto out;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path == NULL)
    goto out;
  if (kind == EXPORT_CSV)
    ok = gis_indicator_table_write_csv (self->table, path, &error);
  else
    ok = gis_indicator_export (self->table, path, kind == EXPORT_PNG ? GIS_COMPOSE_PNG : GIS_COMPOSE_SVG,
                               EXPORT_WIDTH, EXPORT_HEIGHT, chosen_language (self), &error);
  if (ok)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = g_strdup_printf (_("Wrote “%s”"), name);

      set_status (self, text, FALSE);
    }
  else
    set_status (self, error->message, TRUE);

out:
  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
export_chart (AtalayaIndicatorsPanel *self,
              ExportKind              kind)
{
  static const char *const extensions[] = { "png", "svg", "csv" };
  static const char *const titles[] = { N_("Export the Chart as PNG"), N_("Export the Chart as SVG"),
                                        N_("Export the Numbers as CSV") };
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  g_autofree char *pattern = NULL;
  GtkFileChooserNative *chooser;

  if (self->table == NULL)
    return;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  chooser = gtk_file_chooser_native_new (_(titles[kind]), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = g_strdup_printf ("%s.%s", gis_indicator_to_string (self->table->kind), extensions[kind]);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  pattern = g_strdup_printf ("*.%s", extensions[kind]);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_filter_set_name (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "export-kind", GINT_TO_POINTER (kind));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
on_png_clicked (AtalayaIndicatorsPanel *self)
{
  export_chart (self, EXPORT_PNG);
}

static void
on_svg_clicked (AtalayaIndicatorsPanel *self)
{
  export_chart (self, EXPORT_SVG);
}

static void
on_csv_clicked (AtalayaIndicatorsPanel *self)
{
  export_chart (self, EXPORT_CSV);
}

/* ---- GObject ----------------------------------------------------------------------- */

static void
atalaya_indicators_panel_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  AtalayaIndicatorsPanel *self = ATALAYA_INDICATORS_PANEL (object);

  switch (prop_id)
    {
    case PROP_COMPUTING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_indicators_panel_dispose (GObject *object)
{
  AtalayaIndicatorsPanel *self = ATALAYA_INDICATORS_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
    }
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_INDICATORS_PANEL);
  G_OBJECT_CLASS (atalaya_indicators_panel_parent_class)->dispose (object);
}

static void
atalaya_indicators_panel_finalize (GObject *object)
{
  AtalayaIndicatorsPanel *self = ATALAYA_INDICATORS_PANEL (object);

  g_free (self->store_path);
  gis_indicator_table_free (self->table);
  G_OBJECT_CLASS (atalaya_indicators_panel_parent_class)->finalize (object);
}

static void
atalaya_indicators_panel_class_init (AtalayaIndicatorsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = atalaya_indicators_panel_get_property;
  object_class->dispose = atalaya_indicators_panel_dispose;
  object_class->finalize = atalaya_indicators_panel_finalize;

  properties[PROP_COMPUTING] = g_param_spec_boolean ("computing", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/atalaya/Atalaya/ui/atalaya-indicators-panel.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AtalayaIndicatorsPanel, name)
  BIND (scrolled_window);
  BIND (chart_row);
  BIND (language_row);
  BIND (radius_row);
  BIND (radius_spin);
  BIND (chart_area);
  BIND (spinner);
  BIND (status_label);
  BIND (png_button);
  BIND (svg_button);
  BIND (csv_button);
#undef BIND
}

/* The interface's language when the charts have it, else English. */
static GisLanguage
interface_language (void)
{
  const char *const *names = g_get_language_names ();
  GisLanguage language = GIS_LANGUAGE_EN;

  for (guint i = 0; names[i] != NULL; i++)
    if (gis_language_from_string (names[i], &language))
      return language;
  return GIS_LANGUAGE_EN;
}

static void
atalaya_indicators_panel_init (AtalayaIndicatorsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  adw_combo_row_set_selected (self->language_row, interface_language ());
  gtk_drawing_area_set_draw_func (self->chart_area, draw_chart, self, NULL);
  g_signal_connect_swapped (self->chart_row, "notify::selected", G_CALLBACK (on_chart_changed), self);
  g_signal_connect_swapped (self->language_row, "notify::selected", G_CALLBACK (on_language_changed), self);
  g_signal_connect_swapped (self->radius_spin, "value-changed", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (self->png_button, "clicked", G_CALLBACK (on_png_clicked), self);
  g_signal_connect_swapped (self->svg_button, "clicked", G_CALLBACK (on_svg_clicked), self);
  g_signal_connect_swapped (self->csv_button, "clicked", G_CALLBACK (on_csv_clicked), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  update_sensitivity (self);
}

GtkWidget *
atalaya_indicators_panel_new (void)
{
  return g_object_new (ATALAYA_TYPE_INDICATORS_PANEL, NULL);
}
